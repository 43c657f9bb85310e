from django.urls import path

from bioproof.training import views

urlpatterns = [
    path("", views.course_list, name="training_courses"),
    path("my/", views.my_training, name="training_my"),
    path("my/transcript.json", views.transcript_json, name="training_transcript_json"),
    path("my/transcript.pdf", views.transcript_pdf, name="training_transcript_pdf"),
    path("courses/new/", views.course_create, name="training_course_create"),
    path("courses/<str:code>/", views.course_detail, name="training_course"),
    path("courses/<str:code>/revise/", views.course_revise, name="training_course_revise"),
    path("courses/<str:code>/sessions/new/", views.session_create, name="training_session_create"),
    path("sessions/<str:code>/", views.session_detail, name="training_session"),
    path("sessions/<str:code>/enroll/", views.session_enroll, name="training_enroll"),
    path(
        "sessions/<str:code>/nominate/<str:org>/",
        views.session_nominate,
        name="training_nominate",
    ),
    path("sessions/<str:code>/attendance/", views.session_attendance, name="training_attendance"),
    path(
        "sessions/<str:code>/sign-results/",
        views.session_sign_results,
        name="training_sign_results",
    ),
    path("enrollments/<int:pk>/cancel/", views.enrollment_cancel, name="training_cancel"),
    path("enrollments/<int:pk>/result/", views.enrollment_result, name="training_result"),
    path("certificates/<str:code>/", views.certificate_detail, name="training_certificate"),
    path("certificates/<str:code>/pdf/", views.certificate_pdf, name="training_certificate_pdf"),
    path(
        "certificates/<str:code>/credential.jwt",
        views.certificate_credential,
        name="training_credential",
    ),
    path("certificates/<str:code>/revoke/", views.certificate_revoke, name="training_revoke"),
    path("verify/", views.verify, name="training_verify"),
    path("verify/<str:code>/", views.verify_code, name="training_verify_code"),
]
