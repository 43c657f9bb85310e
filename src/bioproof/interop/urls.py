from django.urls import path

from bioproof.interop import views

urlpatterns = [
    path(
        "track-records/<str:code>/evidence-package.zip",
        views.track_record_package,
        name="interop_track_record_package",
    ),
    path(
        "training/certificates/<str:code>/evidence-package.zip",
        views.certificate_package,
        name="interop_certificate_package",
    ),
    path("open-data/catalog.jsonld", views.open_data_catalogue, name="interop_catalogue"),
]
