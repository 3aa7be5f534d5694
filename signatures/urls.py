"""URLs of the embedded CA, mounted at /ca/ (the paths its certificates point to)."""

from django.urls import path, re_path

from signatures import views

app_name = "signatures"

urlpatterns = [
    path("root.crt", views.root_certificate, name="root-certificate"),
    path("issuing.crt", views.issuing_certificate, name="issuing-certificate"),
    path("crl/issuing.crl", views.issuing_crl, name="issuing-crl"),
    path("crl/root.crl", views.root_crl, name="root-crl"),
    path("ocsp", views.ocsp, name="ocsp"),
    re_path(r"^ocsp/(?P<encoded>.+)$", views.ocsp_get, name="ocsp-get"),
]
