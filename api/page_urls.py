from django.urls import path

from . import token_views

urlpatterns = [
    path("account/api-tokens/", token_views.TokensView.as_view(), name="api-tokens"),
]
