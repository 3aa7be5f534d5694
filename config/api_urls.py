"""All API routes under /api/v1/."""

from django.urls import include, path

urlpatterns = [
    path("", include("integrity.api_urls")),
    path("", include("signatures.api_urls")),
]
