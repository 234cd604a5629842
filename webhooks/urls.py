from django.urls import path

from . import views

urlpatterns = [
    path("team/webhooks/", views.EndpointListView.as_view(), name="webhook-list"),
    path("team/webhooks/new/", views.EndpointCreateView.as_view(), name="webhook-create"),
    path("team/webhooks/<int:pk>/", views.EndpointDetailView.as_view(), name="webhook-detail"),
    path("team/webhooks/<int:pk>/edit/", views.EndpointEditView.as_view(), name="webhook-edit"),
    path("team/webhooks/<int:pk>/delete/", views.EndpointDeleteView.as_view(), name="webhook-delete"),
    path(
        "team/webhooks/deliveries/<int:pk>/redeliver/",
        views.DeliveryRedeliverView.as_view(),
        name="webhook-redeliver",
    ),
]
