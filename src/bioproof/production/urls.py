from django.urls import path

from bioproof.production import views

urlpatterns = [
    path("", views.order_list, name="production_orders"),
    path("orders/new/", views.order_create, name="production_order_create"),
    path("orders/<str:code>/", views.order_detail, name="production_order"),
    path("batches/<str:code>/", views.batch_detail, name="production_batch"),
    path("batches/<str:code>/act/", views.batch_action, name="production_batch_action"),
    path("deviations/<str:code>/", views.deviation_detail, name="production_deviation"),
    path("coa/verify/", views.coa_verify, name="production_coa_verify"),
    path("coa/<str:code>/pdf/", views.coa_pdf, name="production_coa_pdf"),
]
