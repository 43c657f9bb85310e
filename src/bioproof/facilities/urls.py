from django.urls import path

from bioproof.facilities import views

urlpatterns = [
    path("", views.equipment_list, name="facilities_equipment_list"),
    path("equipment/<str:code>/", views.equipment_detail, name="facilities_equipment"),
    path("bookings/<str:code>/", views.booking_detail, name="facilities_booking"),
    path("projects/<str:code>/", views.project_detail, name="facilities_project"),
]
