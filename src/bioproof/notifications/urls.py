from django.urls import path

from bioproof.notifications import views

urlpatterns = [
    path("", views.inbox, name="notification_inbox"),
    path("<int:pk>/open/", views.open_notification, name="notification_open"),
    path("read-all/", views.mark_all_read, name="notification_read_all"),
    path("settings/", views.preferences, name="notification_preferences"),
]
