"""Signature API routes, included under /api/v1/ (config/api_urls.py)."""

from django.urls import path

from signatures import apis

app_name = "signatures_api"

urlpatterns = [
    path("verify/", apis.VerifyApi.as_view(), name="verify"),
]
