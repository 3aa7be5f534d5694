"""Token sign-in, anonymous refusals, the OpenAPI schema and the self-hosted docs page."""

import re
from typing import Any

import pytest
from django.urls import URLPattern
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from integrity.api_urls import urlpatterns
from tests.api.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_sign_in_then_token_authenticated_requests(hr: Any) -> None:
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "hr", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "hr" and body["token"] == Token.objects.get(user=hr).key
    # The same token on every sign-in.
    again = client.post("/api/v1/auth/token/", {"username": "hr", "password": PASSWORD}, format="json")
    assert again.json()["token"] == body["token"]

    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["roles"] == ["hr_admin"] and me.json()["official"] is None


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "hr", "password": "salah"},
        {"username": "tidak-ada", "password": PASSWORD},
    ],
)
def test_wrong_credentials_are_400_with_a_clear_message(hr: Any, credentials: dict[str, str]) -> None:
    response = APIClient().post("/api/v1/auth/token/", credentials, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": "Nama pengguna atau kata sandi salah, atau akun tidak aktif.", "extra": {}}
    assert not Token.objects.exists()


def test_an_inactive_account_gets_no_token(hr: Any) -> None:
    hr.is_active = False
    hr.save(update_fields=["is_active"])
    response = APIClient().post("/api/v1/auth/token/", {"username": "hr", "password": PASSWORD}, format="json")
    assert response.status_code == 400


def test_missing_fields_are_400_naming_them(db: Any) -> None:
    response = APIClient().post("/api/v1/auth/token/", {"username": "hr"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == ["password"]


def test_a_bad_token_is_401(hr: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["message"]


def test_me_derives_roles_from_assignments(kepala_kantor: Any, atasan: Any, pegawai: Any, office: Any) -> None:
    from tests.api.conftest import client_for

    kepala = client_for(kepala_kantor).get("/api/v1/me/").json()
    assert set(kepala["roles"]) == {"official", "superior", "unit_head"}
    assert set(kepala["headed_unit_ids"]) == {office.kppn.pk, office.section.pk}
    kasi = client_for(atasan).get("/api/v1/me/").json()
    assert set(kasi["roles"]) == {"official", "superior", "unit_head"}
    assert set(kasi["subordinate_official_ids"]) == {office.officials["pegawai"].pk, office.officials["pelaksana_2"].pk}
    staff = client_for(pegawai).get("/api/v1/me/").json()
    assert staff["roles"] == ["official"] and staff["official"]["nip"] == office.officials["pegawai"].nip


def _api_paths() -> set[str]:
    """Every route of integrity/api_urls.py as an OpenAPI path."""
    paths = set()
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        paths.add(f"/api/v1/{route}".replace("{pk}", "{id}"))
    return paths


def test_schema_is_openapi_3_and_lists_every_endpoint(db: Any) -> None:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert _api_paths() <= set(schema["paths"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("responses"), (path, method)
    # Token and session authentication are both documented.
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    upload = schema["paths"]["/api/v1/decrees/preview/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    assert "application/pdf" in schema["paths"]["/api/v1/pacts/{id}/pdf/"]["get"]["responses"]["200"]["content"]


def test_docs_page_loads_nothing_from_another_host(db: Any) -> None:
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    referenced = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert referenced, html
    external = [url for url in referenced if re.match(r"^(https?:)?//", url)]
    assert external == []
    assert "//cdn" not in html.lower() and "cdn." not in html.lower()  # the inlined CSRF token may hold "cdn"
    assert "/static/drf_spectacular_sidecar/" in html
    # Swagger UI's online validator badge (which would call validator.swagger.io) belongs to the
    # standalone layout only; the base layout never renders it.
    assert 'layout: "BaseLayout"' in html


@pytest.mark.django_db
def test_token_endpoint_is_throttled_against_password_guessing(settings):
    from rest_framework.test import APIClient

    client = APIClient()
    statuses = [
        client.post("/api/v1/auth/token/", {"username": "nobody", "password": "wrong"}, format="json").status_code
        for _ in range(25)
    ]
    assert statuses[0] == 400
    assert statuses[-1] == 429
