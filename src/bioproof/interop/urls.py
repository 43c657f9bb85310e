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
    # a run's instrument exports: the web beside POST /api/v1/interop/runs/<id>/instrument-files
    path(
        "evaluations/<str:code>/runs/<int:run_id>/instrument-files/",
        views.run_instrument_files,
        name="run_instrument_files",
    ),
    path(
        "evaluations/<str:code>/runs/<int:run_id>/instrument-files/<int:file_id>/raw",
        views.instrument_file_download,
        {"part": "raw"},
        name="instrument_file_raw",
    ),
    path(
        "evaluations/<str:code>/runs/<int:run_id>/instrument-files/<int:file_id>/asm.json",
        views.instrument_file_download,
        {"part": "asm"},
        name="instrument_file_asm",
    ),
]
