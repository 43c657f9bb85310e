from django.urls import path

from bioproof.facilities import views

urlpatterns = [
    path("", views.equipment_list, name="facilities_equipment_list"),
    path("my/", views.my_bookings, name="facilities_my"),
    path("feeds/new/", views.feed_create, name="facilities_feed_create"),
    path("feeds/<int:pk>/revoke/", views.feed_revoke, name="facilities_feed_revoke"),
    path("feeds/<str:token>.ics", views.feed, name="facilities_feed"),
    path("equipment/<str:code>/", views.equipment_detail, name="facilities_equipment"),
    path("equipment/<str:code>/book/", views.booking_create, name="facilities_book"),
    path("equipment/<str:code>/waitlist/", views.waitlist_join, name="facilities_waitlist"),
    path("equipment/<str:code>/status/", views.equipment_status, name="facilities_status"),
    path("equipment/<str:code>/blackout/", views.blackout_add, name="facilities_blackout"),
    path("centers/<str:code>/", views.center_calendar, name="facilities_center_calendar"),
    path("centers/<str:code>/schedule/", views.schedule, name="facilities_schedule"),
    path(
        "centers/<str:code>/schedule/<int:pk>/", views.proposal_detail, name="facilities_proposal"
    ),
    path("centers/<str:code>/reports/", views.reports, name="facilities_reports"),
    path("bookings/<str:code>/", views.booking_detail, name="facilities_booking"),
    path("bookings/<str:code>/<str:op>/", views.booking_action, name="facilities_booking_action"),
    path("projects/", views.project_list, name="facilities_projects"),
    path("projects/new/", views.project_request, name="facilities_project_request"),
    path("projects/<str:code>/", views.project_detail, name="facilities_project"),
    path(
        "projects/<str:code>/deliverables/<int:pk>/",
        views.deliverable_download,
        name="facilities_deliverable",
    ),
    path("projects/<str:code>/<str:op>/", views.project_action, name="facilities_project_action"),
]
