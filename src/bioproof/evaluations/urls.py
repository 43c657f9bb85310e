from django.urls import path

from bioproof.evaluations import views

urlpatterns = [
    path("", views.evaluation_list, name="evaluation_list"),
    path("new/", views.evaluation_request, name="evaluation_request"),
    path("layouts/<str:key>.xlsx", views.layout_template, name="layout_template"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/<slug:code>/", views.template_detail, name="template_detail"),
    path("<str:code>/", views.evaluation_detail, name="evaluation_detail"),
    path("<str:code>/v<int:version>/", views.evaluation_detail, name="evaluation_version"),
    path("<str:code>/step/<str:step>/", views.evaluation_step, name="evaluation_step"),
    path("<str:code>/protocol/template/", views.protocol_template, name="protocol_template"),
    path("<str:code>/protocol/criteria/", views.criterion_add, name="criterion_add"),
    path(
        "<str:code>/protocol/criteria/<int:criterion_id>/remove/",
        views.criterion_remove,
        name="criterion_remove",
    ),
    path("<str:code>/runs/", views.run_add, name="run_add"),
    path("<str:code>/runs/<int:run_id>/data/", views.run_upload, name="run_upload"),
    path("<str:code>/runs/from-protocol/", views.runs_from_protocol, name="runs_from_protocol"),
    path("<str:code>/runs/<int:run_id>/edit/", views.run_edit, name="run_edit"),
    path("<str:code>/runs/<int:run_id>/exclude/", views.run_exclude, name="run_exclude"),
    path("<str:code>/deviations/", views.deviation_add, name="deviation_add"),
    path("<str:code>/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "<str:code>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("<str:code>/reports/", views.report_generate, name="report_generate"),
    path("<str:code>/reports/<int:report_id>/", views.report_download, name="report_download"),
    path("<str:code>/data/<int:file_id>/", views.data_file_download, name="data_file_download"),
    path("<str:code>/plot/<str:variable>.svg", views.plot_svg, name="plot_svg"),
    path("<str:code>/curves/<str:layout>.svg", views.layout_plot_svg, name="layout_plot_svg"),
    path(
        "<str:code>/v<int:version>/plot/<str:variable>.svg", views.plot_svg, name="plot_svg_version"
    ),
    path("<str:code>/protocol.pdf", views.protocol_pdf, name="protocol_pdf"),
]
