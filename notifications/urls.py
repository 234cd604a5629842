from django.urls import path

from . import views

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="notifications"),
    path("read/", views.NotificationsReadView.as_view(), name="notifications-read"),
    path("<int:pk>/", views.NotificationOpenView.as_view(), name="notification-open"),
]
