from django.urls import path

from bioproof.search import views

urlpatterns = [
    path("", views.search_page, name="search"),
]
