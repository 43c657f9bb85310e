from django.urls import path

from bioproof.catalog import views

urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("new/", views.product_create, name="product_create"),
    path("categories/<slug:code>/edit/", views.category_edit, name="category_edit"),
    path("<str:code>/", views.product_detail, name="product_detail"),
    path("<str:code>/list/", views.product_list_action, name="product_list_action"),
    path("<str:code>/edit/", views.product_edit, name="product_edit"),
    path("<str:code>/unlist/", views.product_unlist, name="product_unlist"),
]
