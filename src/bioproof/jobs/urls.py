from django.urls import path

from bioproof.jobs import views

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("<uuid:job_id>/status.json", views.job_status, name="job_status"),
    path("<uuid:job_id>/retry/", views.job_retry, name="job_retry"),
]
