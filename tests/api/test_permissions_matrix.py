"""Every endpoint × every role, with the status each must answer (STYLE.md "API tests").

Rules written down here (issue §9):
- reads start from a scoped queryset: an object outside the user's scope answers 404, so its
  existence is not leaked; lists answer 200 with only what is in scope;
- writes (organisation data, decree preview/import) are for HR administrators in their scope:
  everybody else answers 403, auditors included;
- the audit journal proofs are for compliance officers and auditors: 403 for the others;
- anonymous requests answer 401 (`WWW-Authenticate: Token`);
- signing (signatures issue §5): every official enrols themselves (400 without an official record); a
  pact is signed by its party whose turn it is (409 out of turn or without an identity), a visible pact
  by anyone else answers 403; the CA status is for system administrators and auditors;
- except verification (signatures issue §3): a pact's stored document is verified for anyone who has
  its verification id (printed as a QR code on the document), signed in or not.
"""

from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import (
    PASSWORD,
    ROLES,
    Office,
    assignment_of,
    client_for,
    inbox_message,
    pact_of,
)
from tests.factories import unique_nip

pytestmark = pytest.mark.django_db

ALL_200 = dict.fromkeys(ROLES, 200) | {"anonim": 401}
HR_ONLY_201 = dict.fromkeys(ROLES, 403) | {"hr": 201, "anonim": 401}
HR_ONLY_200 = dict.fromkeys(ROLES, 403) | {"hr": 200, "anonim": 401}
AUDIT_READERS = dict.fromkeys(ROLES, 403) | {"kepatuhan": 200, "auditor": 200, "anonim": 401}
# Visible to the person, their superior, the unit head, HR, compliance and the auditor.
BNA_PERSONAL = dict.fromkeys(ROLES, 200) | {"orang_luar": 404, "anonim": 401}
# Satker data and decrees: only for those with a grant or a headship over the KPPN.
BNA_OFFICE = dict.fromkeys(ROLES, 404) | {
    "kepala_kantor": 200,
    "hr": 200,
    "kepatuhan": 200,
    "auditor": 200,
    "anonim": 401,
}
BNA_GRANTS = dict.fromkeys(ROLES, 404) | {"hr": 200, "kepatuhan": 200, "auditor": 200, "anonim": 401}
OWNER_ONLY = dict.fromkeys(ROLES, 404) | {"pegawai": 200, "anonim": 401}
PUBLIC = dict.fromkeys(ROLES, 200)
# Self-service enrolment: officials get a certificate; accounts without an official record cannot.
ENROL = dict.fromkeys(ROLES, 201) | {"hr": 400, "kepatuhan": 400, "auditor": 400, "anonim": 401}
# Changing a passphrase needs an identity first: nobody here has one yet.
NO_IDENTITY_409 = dict.fromkeys(ROLES, 409) | {"anonim": 401}
# The declarant's turn but no identity (409), the superior out of turn (409), other readers 403.
SIGN = dict.fromkeys(ROLES, 403) | {"pegawai": 409, "atasan": 409, "orang_luar": 404, "anonim": 401}
CA_READERS = dict.fromkeys(ROLES, 403) | {"auditor": 200, "anonim": 401}


SIGNING_PASSPHRASE = "kopi-aceh-gayo-2026"


def decree_csv(office: Office) -> bytes:
    """A valid one-row decree: a new official appointed to the second staff post in Banda Aceh."""
    header = "nomor_sk;tanggal_sk;jenis;nip;nama;kode_jabatan;tmt"
    row = f"KEP-9/WPB.01/2026;02-11-2026;angkat;{unique_nip()};Pegawai Baru;{office.staff_2.code};2026-11-02"
    return f"{header}\n{row}\n".encode()


@dataclass(frozen=True)
class Case:
    name: str  # the test id
    route: str  # the URL name in integrity/api_urls.py
    method: str
    url: str  # formatted with the ids from `targets`
    expected: dict[str, int]
    body: str | None = None  # name of a body builder below


ENDPOINTS = [
    Case(
        "token",
        "auth-token",
        "post",
        "/api/v1/auth/token/",
        dict.fromkeys(ROLES, 200) | {"anonim": 400},
        body="credentials",
    ),
    Case("me", "me", "get", "/api/v1/me/", ALL_200),
    Case("unit-list", "unit-list", "get", "/api/v1/units/", ALL_200),
    Case("unit-detail", "unit-detail", "get", "/api/v1/units/{section}/", BNA_PERSONAL),
    Case("unit-create", "unit-list", "post", "/api/v1/units/", HR_ONLY_201, body="unit"),
    Case("position-list", "position-list", "get", "/api/v1/positions/", ALL_200),
    Case("position-detail", "position-detail", "get", "/api/v1/positions/{staff_1}/", BNA_PERSONAL),
    Case("position-create", "position-list", "post", "/api/v1/positions/", HR_ONLY_201, body="position"),
    Case("official-list", "official-list", "get", "/api/v1/officials/", ALL_200),
    Case("official-detail", "official-detail", "get", "/api/v1/officials/{pegawai_official}/", BNA_PERSONAL),
    Case("official-create", "official-list", "post", "/api/v1/officials/", HR_ONLY_201, body="official"),
    Case("spending-unit-list", "spending-unit-list", "get", "/api/v1/spending-units/", ALL_200),
    Case("spending-unit-detail", "spending-unit-detail", "get", "/api/v1/spending-units/{satker}/", BNA_OFFICE),
    Case(
        "spending-unit-create",
        "spending-unit-list",
        "post",
        "/api/v1/spending-units/",
        HR_ONLY_201,
        body="spending_unit",
    ),
    Case("assignment-list", "assignment-list", "get", "/api/v1/assignments/?on=2026-03-02", ALL_200),
    Case("assignment-detail", "assignment-detail", "get", "/api/v1/assignments/{assignment}/", BNA_PERSONAL),
    Case("decree-list", "decree-list", "get", "/api/v1/decrees/", ALL_200),
    Case("decree-detail", "decree-detail", "get", "/api/v1/decrees/{decree}/", BNA_GRANTS),
    Case("decree-preview", "decree-preview", "post", "/api/v1/decrees/preview/", HR_ONLY_200, body="decree_file"),
    Case("decree-import", "decree-list", "post", "/api/v1/decrees/", HR_ONLY_201, body="decree_file"),
    Case("pact-list", "pact-list", "get", "/api/v1/pacts/?overdue=true", ALL_200),
    Case("pact-detail", "pact-detail", "get", "/api/v1/pacts/{pact}/", BNA_PERSONAL),
    Case("pact-pdf", "pact-pdf", "get", "/api/v1/pacts/{pact}/pdf/", BNA_PERSONAL),
    Case("coverage", "coverage", "get", "/api/v1/coverage/", ALL_200),
    Case("inbox", "inbox", "get", "/api/v1/inbox/", ALL_200),
    Case("inbox-read", "inbox-read", "post", "/api/v1/inbox/{message}/read/", OWNER_ONLY),
    Case("audit-root", "audit-root", "get", "/api/v1/audit/root/", AUDIT_READERS),
    Case(
        "audit-inclusion", "audit-inclusion-proof", "get", "/api/v1/audit/proof/inclusion/?seq=1&size=2", AUDIT_READERS
    ),
    Case(
        "audit-consistency",
        "audit-consistency-proof",
        "get",
        "/api/v1/audit/proof/consistency/?first=1&second=2",
        AUDIT_READERS,
    ),
    Case("verify-document", "verify-document", "get", "/api/v1/verify/{verification_id}/", PUBLIC),
    Case("signing-identity", "signing-identity", "get", "/api/v1/me/signing-identity/", ALL_200),
    Case("signing-enrol", "signing-identity", "post", "/api/v1/me/signing-identity/", ENROL, body="enrol"),
    Case(
        "signing-passphrase",
        "signing-identity-passphrase",
        "post",
        "/api/v1/me/signing-identity/passphrase/",
        NO_IDENTITY_409,
        body="passphrase_change",
    ),
    Case(
        "signing-pkcs12",
        "signing-identity-pkcs12",
        "post",
        "/api/v1/me/signing-identity/pkcs12/",
        ENROL,
        body="pkcs12",
    ),
    Case("pact-sign", "pact-sign", "post", "/api/v1/pacts/{pact}/sign/", SIGN, body="passphrase"),
    Case("pact-signatures", "pact-signatures", "get", "/api/v1/pacts/{pact}/signatures/", BNA_PERSONAL),
    Case("pact-revision-pdf", "pact-revision-pdf", "get", "/api/v1/pacts/{pact}/revisions/1/pdf/", BNA_PERSONAL),
    Case(
        "pact-validation-report",
        "pact-validation-report",
        "get",
        "/api/v1/pacts/{pact}/validation-report/",
        BNA_PERSONAL,
    ),
    Case(
        "pact-validation-report-xml",
        "pact-validation-report-xml",
        "get",
        "/api/v1/pacts/{pact}/validation-report.xml",
        BNA_PERSONAL,
    ),
    Case("ca-status", "ca-status", "get", "/api/v1/ca/", CA_READERS),
]


def test_matrix_covers_every_route() -> None:
    """A new route without a row in the matrix fails here."""
    from integrity.api_urls import urlpatterns

    assert {p.name for p in urlpatterns} == {case.route for case in ENDPOINTS}


def _body(kind: str | None, office: Office, role: str) -> tuple[Any, str | None]:
    """(data, format) for the request."""
    if kind is None:
        return None, None
    if kind == "credentials":
        username = role if role != "anonim" else "nobody"
        return {"username": username, "password": PASSWORD}, "json"
    if kind == "unit":
        return {
            "code": "KPPN-BNA-VERA",
            "name": "Seksi Verifikasi",
            "kind": "section",
            "parent": office.kppn.pk,
        }, "json"
    if kind == "position":
        return {
            "code": "KPPN-BNA-PD-PELAKSANA-3",
            "title": "Pelaksana",
            "unit": office.section.pk,
            "reports_to": office.kasi.pk,
        }, "json"
    if kind == "official":
        return {"nip": unique_nip(), "name": "Pegawai Baru", "rank_code": "III/a"}, "json"
    if kind == "spending_unit":
        return {"code": "006818", "name": "Satker Baru", "ministry_code": "015", "serving_unit": office.kppn.pk}, "json"
    if kind == "decree_file":
        from django.core.files.uploadedfile import SimpleUploadedFile

        return {"file": SimpleUploadedFile("sk.csv", decree_csv(office), content_type="text/csv")}, "multipart"
    if kind == "enrol":
        return {"passphrase": SIGNING_PASSPHRASE, "passphrase_confirm": SIGNING_PASSPHRASE}, "json"
    if kind == "passphrase_change":
        new = SIGNING_PASSPHRASE + "-baru"
        return {"old_passphrase": SIGNING_PASSPHRASE, "new_passphrase": new, "new_passphrase_confirm": new}, "json"
    if kind == "passphrase":
        return {"passphrase": SIGNING_PASSPHRASE}, "json"
    raise AssertionError(kind)


@pytest.fixture
def targets(office: Office) -> dict[str, int | str]:
    pegawai = office.officials["pegawai"]
    return {
        "section": office.section.pk,
        "staff_1": office.staff_1.pk,
        "pegawai_official": pegawai.pk,
        "satker": office.satker.pk,
        "assignment": assignment_of(pegawai).pk,
        "decree": office.decree.pk,
        "pact": pact_of(pegawai).pk,
        "message": inbox_message(pegawai).pk,
        "verification_id": _stored_document(pact_of(pegawai)),
    }


def _stored_document(pact: Any) -> str:
    """A stored revision for the pact (a stand-in file: the matrix is about access; any bytes get a
    verdict), and the verification id that finds it."""
    from tests.api.test_verify_api import store_revision

    revision = store_revision(pact, b"%PDF-1.7\n%stand-in for a signed pact\n")
    _stored_report(pact, revision)
    return str(pact.verification_id)


def _stored_report(pact: Any, revision: Any) -> None:
    """A stand-in validation report for the pact (the real one is made when a pact is sealed:
    tests/integrity/test_validation_reports.py)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from integrity.models import PactValidationReport

    name = default_storage.save(f"pacts/reports/{pact.pk}.xml", ContentFile(b"<ValidationReport/>"))
    PactValidationReport.objects.create(
        pact=pact, revision=revision, verdict="VALID", summary="stand-in", summary_json={}, xml=name
    )


@pytest.fixture(autouse=True)
def _fake_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """The matrix is about access, not rendering: a stand-in renderer keeps it fast (the real
    one is exercised in test_pacts_api.py)."""
    from integrity.services import pact_documents

    def fake_ensure(*, pact: Any, actor: Any = None) -> Any:
        from django.core.files.base import ContentFile

        if not pact.document:
            pact.document.save(f"{pact.pk}.pdf", ContentFile(b"%PDF-1.7\n%fake\n"), save=True)
        return pact

    monkeypatch.setattr(pact_documents, "pact_document_ensure", fake_ensure)
    monkeypatch.setattr("integrity.apis.pacts.pact_document_ensure", fake_ensure)


def _pkcs12_body(settings: Any, tmp_path: Any) -> tuple[Any, str | None]:
    """A PKCS#12 of another CA (registering it needs no embedded CA), whose root is a configured PSrE root:
    only certificates that can be sealed are registered."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.signatures.test_signers import _leaf, _p12, _test_ca

    root, key = _test_ca(), ec.generate_private_key(ec.SECP256R1())
    roots = tmp_path / "psre-roots"
    roots.mkdir(exist_ok=True)
    (roots / "psre-root.pem").write_bytes(root[0].public_bytes(serialization.Encoding.PEM))
    settings.PAKTA_CERTIFIED_ROOTS_DIR = str(roots)
    p12 = SimpleUploadedFile("saya.p12", _p12(key, _leaf(root, key), [root[0]]), "application/x-pkcs12")
    return {"pkcs12": p12, "pkcs12_password": "sandi-p12-uji"}, "multipart"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", ENDPOINTS, ids=lambda c: c.name)
def test_endpoint_permissions(
    request: pytest.FixtureRequest, office: Office, targets: dict[str, int | str], case: Case, role: str
) -> None:
    client = client_for(request.getfixturevalue(role))
    if case.body == "enrol":  # enrolment issues a certificate: the embedded CA, its key file under tmp
        from tests.api.test_verify_api import init_embedded_ca

        init_embedded_ca(request.getfixturevalue("settings"), request.getfixturevalue("tmp_path"))
    if case.body == "pkcs12":
        data, fmt = _pkcs12_body(request.getfixturevalue("settings"), request.getfixturevalue("tmp_path"))
    else:
        data, fmt = _body(case.body, office, role)
    kwargs: dict[str, Any] = {}
    if data is not None:
        kwargs = {"data": data, "format": fmt}
    response = getattr(client, case.method)(case.url.format(**targets), **kwargs)
    expected = case.expected[role]
    assert response.status_code == expected, (case.name, role, response.content[:300])
    if expected >= 400:
        body = response.json()
        assert body["message"], body  # every refusal says what is wrong
    if expected == 401:
        assert response["WWW-Authenticate"].startswith("Token")


def test_hr_of_another_office_cannot_write_here(office: Office, hr_luar: Any) -> None:
    """An HR administrator is an HR administrator only of their own subtree: references to
    Banda Aceh read as "not found in your scope" (400 naming the field), so nothing leaks."""
    client = client_for(hr_luar)
    attempts = [
        ("/api/v1/units/", {"code": "X-1", "name": "X", "kind": "section", "parent": office.kppn.pk}, "parent"),
        ("/api/v1/positions/", {"code": "X-2", "title": "X", "unit": office.section.pk}, "unit"),
        (
            "/api/v1/spending-units/",
            {"code": "006999", "name": "X", "ministry_code": "015", "serving_unit": office.kppn.pk},
            "serving_unit",
        ),
    ]
    for url, data, field in attempts:
        response = client.post(url, data, format="json")
        assert response.status_code == 400, (url, response.content)
        assert list(response.json()["extra"]["fields"]) == [field]


def test_hr_writes_stay_inside_the_subtree(office: Office, hr: Any, kepala_kantor: Any) -> None:
    client = client_for(hr)
    # A position may report to one above the HR scope (the KPPN head reports to the Kanwil head)...
    kakanwil = office.kppn_head.reports_to
    assert kakanwil is not None
    response = client.post(
        "/api/v1/positions/",
        {"code": "KPPN-BNA-WAKIL", "title": "Wakil", "unit": office.kppn.pk, "reports_to": kakanwil.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["reports_to"]["code"] == kakanwil.code
    # ...but a unit without a parent needs an HR administrator of all units.
    root = client.post("/api/v1/units/", {"code": "ROOT-2", "name": "Root", "kind": "ministry"}, format="json")
    assert root.status_code == 403 and root.json()["message"]
    # A unit head sees the KPPN but is not its HR administrator.
    head = client_for(kepala_kantor).post(
        "/api/v1/units/", {"code": "X-3", "name": "X", "kind": "section", "parent": office.kppn.pk}, format="json"
    )
    assert head.status_code == 403


def test_domain_errors_from_services_are_4xx_with_the_message(office: Office, hr: Any) -> None:
    client = client_for(hr)
    taken = client.post(
        "/api/v1/units/", {"code": office.section.code, "name": "X", "kind": "section", "parent": office.kppn.pk}
    )
    assert taken.status_code == 400
    assert taken.json()["message"] == f"Kode unit {office.section.code} sudah dipakai."
    bad_nip = client.post("/api/v1/officials/", {"nip": "123", "name": "X"}, format="json")
    assert bad_nip.status_code == 400 and "NIP" in bad_nip.json()["message"]


def test_an_auditor_never_writes_even_with_an_hr_grant(office: Office, auditor: Any) -> None:
    """Separation of duties: an account that audits does not also change what it audits."""
    from integrity.models import RoleGrant

    RoleGrant.objects.create(user=auditor, role=RoleGrant.Role.HR_ADMIN, unit=office.kppn)
    response = client_for(auditor).post(
        "/api/v1/units/", {"code": "X-4", "name": "X", "kind": "section", "parent": office.kppn.pk}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["message"] == "Auditor hanya dapat membaca; tindakan ini mengubah data."
