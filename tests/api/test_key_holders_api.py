"""Key holders chosen per signer, through the API and the pages (signatures issue §1, §5): a token identity
signs with its PIN, a PKCS#12 identity is registered from its file and signs by uploading it again.

GIVEN the office of conftest.py (the staff member `pegawai` signs first as declarant, the section head
`atasan` second as witness), the embedded CA per test (tests/signatures/conftest.py), and one SoftHSM2 token
for the module (tests/signatures/test_enrol_command.py) whose keys are made inside it (`pkcs11_generate_key`).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEvent
from integrity.models import IntegrityPact, Official, PactRevision
from integrity.selectors.signing import pact_latest_revision, pact_revision_bytes
from signatures import ca, signers
from signatures.models import SigningIdentity
from signatures.verification_service import verify_document
from tests.api.conftest import Office, client_for, pact_of
from tests.signatures.conftest import ORGANISATION, _signing_settings, ca_root  # noqa: F401 - fixtures
from tests.signatures.test_enrol_command import PIN, SOFTHSM_LIB, softhsm_token_in
from tests.signatures.test_signers import _leaf, _mismatched, _p12, _test_ca

pytestmark = pytest.mark.django_db

IDENTITY = "/api/v1/me/signing-identity/"
REGISTER = "/api/v1/me/signing-identity/pkcs12/"
PASS_ATASAN = "mie-aceh-pedas-2026"
P12_PASSWORD = "sandi-p12-uji"
WRONG_PIN = "pin-salah-000"


@pytest.fixture
def pact(office: Office) -> IntegrityPact:
    return pact_of(office.officials["pegawai"])


@pytest.fixture(autouse=True)
def _pkcs11_lib(settings: Any) -> None:
    settings.PAKTA_PKCS11_LIB = SOFTHSM_LIB


@pytest.fixture(scope="module")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The module's SoftHSM2 token (its label)."""
    yield from softhsm_token_in(tmp_path_factory)


def token_identity(user: Any, official: Official, token_label: str) -> SigningIdentity:
    """A key made inside the token for `user`, certified by the embedded CA (what `enrol --pkcs11` does)."""
    key_label = f"kunci-{secrets.token_hex(4)}"
    public_key = signers.pkcs11_generate_key(
        lib_path=SOFTHSM_LIB, token_label=token_label, pin=PIN, key_label=key_label
    )
    return ca.identity_enrol_token_key(
        user=user,
        public_key_der=public_key,
        token_label=token_label,
        key_label=key_label,
        name=official.full_name,
        nip=official.nip,
        unit_name="Seksi Pencairan Dana",
        organisation=ORGANISATION,
        actor=None,
    )


def sign(client: APIClient, pact: IntegrityPact, body: dict[str, str], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(f"/api/v1/pacts/{pact.pk}/sign/", body, format="json", headers=headers)


def nothing_signed(pact: IntegrityPact) -> None:
    assert not PactRevision.objects.filter(pact=pact).exists()  # not even issued for signing
    assert not pact.parties.filter(signed_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action__startswith="integrity.pact.signed").exists()


Root = tuple[x509.Certificate, ec.EllipticCurvePrivateKey]


@pytest.fixture
def psre_root(settings: Any, tmp_path: Path) -> Root:
    """GIVEN a stand-in PSrE whose root is in `PAKTA_CERTIFIED_ROOTS_DIR` (its certificates can be sealed)."""
    root = _test_ca()
    certified = tmp_path / "certified"
    certified.mkdir()
    (certified / "psre-uji.pem").write_bytes(root[0].public_bytes(serialization.Encoding.PEM))
    settings.PAKTA_CERTIFIED_ROOTS_DIR = str(certified)
    return root


def psre_p12(root: Root) -> bytes:
    """A PKCS#12 of another CA (a stand-in PSrE) with its root."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _p12(key, _leaf(root, key), [root[0]], password=P12_PASSWORD.encode())


def self_signed_p12() -> bytes:
    """A PKCS#12 whose certificate is self-signed (issuer = subject, signed by its own key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    named = _leaf(_test_ca(), key)  # only lends its subject as the issuer's name
    return _p12(key, _leaf((named, key), key), password=P12_PASSWORD.encode())


def register(client: APIClient, p12: bytes, password: str = P12_PASSWORD) -> Any:
    data = {"pkcs12": SimpleUploadedFile("saya.p12", p12, "application/x-pkcs12"), "pkcs12_password": password}
    return client.post(REGISTER, data, format="multipart")


def files_under(root: Path) -> list[bytes]:
    return [path.read_bytes() for path in root.rglob("*") if path.is_file()] if root.exists() else []


# ---- PKCS#11: sign with the token PIN ------------------------------------------------------------------------


@pytest.mark.pkcs11
@pytest.mark.usefixtures("ca_root")
def test_a_token_identity_signs_with_its_pin_and_the_sealed_pact_verifies_valid(
    softhsm_token: str, pact: IntegrityPact, pegawai: Any, atasan: Any, office: Office
) -> None:
    identity = token_identity(pegawai, office.officials["pegawai"], softhsm_token)
    client = client_for(pegawai)

    wrong = sign(client, pact, {"pin": WRONG_PIN})
    assert wrong.status_code == 403 and wrong.json()["message"] == "PIN token salah."
    empty = sign(client, pact, {"pin": ""})
    assert empty.status_code == 400 and empty.json()["message"] == "Masukkan PIN token untuk menandatangani."
    both = sign(client, pact, {"pin": PIN, "passphrase": "kopi-aceh-gayo-2026"})
    assert both.status_code == 400
    assert both.json()["extra"]["fields"]["non_field_errors"] == ["Kirim passphrase atau PIN, bukan keduanya."]
    nothing_signed(pact)

    key = str(uuid.uuid4())
    signed = sign(client, pact, {"pin": PIN}, key=key)
    assert signed.status_code == 201, signed.content
    body = signed.json()
    assert (body["sequence"], body["party"]["role"], body["signer_serial"]) == (2, "declarant", identity.serial)
    assert body["certified"] is False and body["next_signer"]["role"] == "witness"
    assert sign(client, pact, {"pin": PIN}, key=key).json() == body  # repeated: the same revision
    event = AuditEvent.objects.get(action="integrity.pact.signed_by_party")
    assert '"backend":"pkcs11"' in event.payload

    superior = client_for(atasan)
    assert superior.post(IDENTITY, {"passphrase": PASS_ATASAN, "passphrase_confirm": PASS_ATASAN}, format="json")
    assert sign(superior, pact, {"passphrase": PASS_ATASAN}).status_code == 201
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.SIGNED
    latest = pact_latest_revision(pact)
    assert latest is not None and latest.kind == PactRevision.Kind.LTA
    report = verify_document(pact_revision_bytes(latest))
    assert report.verdict == "VALID", report.reasons

    for response in (wrong, empty, both, signed):
        assert PIN.encode() not in response.content and WRONG_PIN.encode() not in response.content
    assert not AuditEvent.objects.filter(payload__contains=PIN).exists()


@pytest.mark.pkcs11
@pytest.mark.usefixtures("ca_root")
def test_several_token_identities_need_the_serial_and_others_are_refused(
    softhsm_token: str, pact: IntegrityPact, pegawai: Any, atasan: Any, office: Office
) -> None:
    client = client_for(pegawai)
    none = sign(client, pact, {"pin": PIN})
    assert none.status_code == 409 and none.json()["message"] == "Anda belum memiliki identitas token (PKCS#11) aktif."

    first = token_identity(pegawai, office.officials["pegawai"], softhsm_token)
    second = token_identity(pegawai, office.officials["pegawai"], softhsm_token)
    theirs = token_identity(atasan, office.officials["atasan"], softhsm_token)
    ambiguous = sign(client, pact, {"pin": PIN})
    assert ambiguous.status_code == 400 and "beberapa identitas token" in ambiguous.json()["message"]
    foreign = sign(client, pact, {"pin": PIN, "identity": theirs.serial})
    assert foreign.status_code == 400
    assert foreign.json()["message"] == f"Identitas token dengan nomor seri {theirs.serial} bukan identitas aktif Anda."
    # Out of turn, the token is not even tried: the turn is refused, whatever the PIN.
    early = sign(client_for(atasan), pact, {"pin": WRONG_PIN})
    assert early.status_code == 409 and early.json()["message"].startswith("Belum giliran Anda")
    nothing_signed(pact)

    signed = sign(client, pact, {"pin": PIN, "identity": second.serial.upper()})
    assert signed.status_code == 201, signed.content
    assert signed.json()["signer_serial"] == second.serial != first.serial

    # The identity API lists the tokens to choose from (only one's own).
    listed = client.get(IDENTITY).json()
    assert listed["identity"] is None
    assert [(other["backend"], other["serial"]) for other in listed["others"]] == [
        ("pkcs11", first.serial),
        ("pkcs11", second.serial),
    ]


# ---- PKCS#12: register the file, then sign by uploading it ---------------------------------------------------


@pytest.mark.usefixtures("ca_root")
def test_register_a_pkcs12_file_then_sign_with_it(
    pact: IntegrityPact, pegawai: Any, hr: Any, settings: Any, psre_root: Root
) -> None:
    client = client_for(pegawai)
    p12 = psre_p12(psre_root)

    registered = register(client, p12)
    assert registered.status_code == 201, registered.content
    data = registered.json()
    identity = SigningIdentity.objects.get(user=pegawai)
    assert (data["backend"], data["serial"], data["subject_name"]) == (
        "pkcs12",
        identity.serial,
        "Penandatangan PKCS12",
    )
    assert data["certified"] is True and data["status"] == "active"  # its PSrE root is configured
    assert identity.issuer is None and not bytes(identity.encrypted_key)  # only the certificate is kept
    assert all(p12 not in content for content in files_under(Path(settings.MEDIA_ROOT)))
    event = AuditEvent.objects.get(action="signatures.identity.registered")
    assert P12_PASSWORD not in event.payload and P12_PASSWORD.encode() not in registered.content

    listed = client.get(IDENTITY).json()["others"]
    assert [(other["backend"], other["serial"], other["certified"]) for other in listed] == [
        ("pkcs12", identity.serial, True)
    ]

    again = register(client, p12)
    assert again.status_code == 409 and identity.serial in again.json()["message"]
    no_official = register(client_for(hr), psre_p12(psre_root))
    assert no_official.status_code == 400 and "tidak terhubung dengan data pegawai" in no_official.json()["message"]
    no_password = register(client, psre_p12(psre_root), password="")
    assert no_password.status_code == 400 and no_password.json()["message"] == "Masukkan kata sandi berkas PKCS#12."
    no_file = client.post(REGISTER, {"pkcs12_password": P12_PASSWORD}, format="multipart")
    assert no_file.status_code == 400 and "pkcs12" in no_file.json()["extra"]["fields"]
    assert SigningIdentity.objects.count() == 1

    upload = {"pkcs12": SimpleUploadedFile("saya.p12", p12, "application/x-pkcs12"), "pkcs12_password": P12_PASSWORD}
    signed = client.post(f"/api/v1/pacts/{pact.pk}/sign/", upload, format="multipart")
    assert signed.status_code == 201, signed.content
    assert signed.json()["signer_serial"] == identity.serial and signed.json()["signer_name"] == "Penandatangan PKCS12"
    event = AuditEvent.objects.get(action="integrity.pact.signed_by_party")
    assert '"backend":"pkcs12"' in event.payload


@pytest.mark.parametrize(
    ("make", "password", "message"),
    [
        pytest.param(
            lambda root, key: _p12(key, _leaf(root, key)),
            "sandi-keliru-99",
            "Berkas PKCS#12 tidak dapat dibuka: kata sandi salah atau berkas rusak.",
            id="wrong-password",
        ),
        pytest.param(
            lambda root, key: _p12(key, _leaf(root, key, days=30, start_days_ago=60)),
            P12_PASSWORD,
            "Sertifikat penandatangan sudah kedaluwarsa pada",
            id="expired",
        ),
        pytest.param(
            lambda root, key: _p12(key, _leaf(root, key, is_ca=True)),
            P12_PASSWORD,
            "Sertifikat ini adalah sertifikat CA, bukan sertifikat penandatangan.",
            id="ca-certificate",
        ),
        pytest.param(
            lambda root, key: _mismatched(),
            P12_PASSWORD,
            "Kunci privat di berkas PKCS#12 tidak cocok dengan sertifikatnya.",
            id="mismatched-key",
        ),
    ],
)
def test_a_bad_pkcs12_file_is_400_and_nothing_is_stored(
    pegawai: Any, settings: Any, make: Any, password: str, message: str
) -> None:
    root = _test_ca()
    p12 = make(root, ec.generate_private_key(ec.SECP256R1()))
    events = AuditEvent.objects.count()
    response = register(client_for(pegawai), p12, password=password)
    assert response.status_code == 400, response.content
    assert response.json()["message"].startswith(message)
    assert password.encode() not in response.content
    assert not SigningIdentity.objects.exists() and AuditEvent.objects.count() == events
    assert all(p12 not in content for content in files_under(Path(settings.MEDIA_ROOT)))


UNTRUSTED = (
    "Sertifikat berkas PKCS#12 ini tidak diterbitkan oleh CA Pakta atau penyelenggara sertifikasi elektronik "
    "(PSrE) yang dikenal; minta administrator menambahkan akar PSrE-nya ke PAKTA_CERTIFIED_ROOTS_DIR."
)


@pytest.mark.usefixtures("ca_root")
def test_a_pkcs12_certificate_that_cannot_be_sealed_is_refused_until_its_root_is_configured(
    pegawai: Any, settings: Any, tmp_path: Path
) -> None:
    """GIVEN a self-signed certificate, or one from a PSrE whose root is not configured, WHEN registered THEN
    400 and nothing is stored (its signature could never be sealed); with the root configured, 201."""
    client = client_for(pegawai)
    settings.PAKTA_CERTIFIED_ROOTS_DIR = ""
    self_signed = self_signed_p12()
    root = _test_ca()
    unknown_psre = psre_p12(root)
    events = AuditEvent.objects.count()
    for p12 in (self_signed, unknown_psre):
        refused = register(client, p12)
        assert refused.status_code == 400, refused.content
        assert refused.json()["message"] == UNTRUSTED
    assert not SigningIdentity.objects.exists() and AuditEvent.objects.count() == events

    certified = tmp_path / "certified"
    certified.mkdir()
    (certified / "psre-uji.pem").write_bytes(root[0].public_bytes(serialization.Encoding.PEM))
    settings.PAKTA_CERTIFIED_ROOTS_DIR = str(certified)
    registered = register(client, unknown_psre)
    assert registered.status_code == 201, registered.content
    assert SigningIdentity.objects.filter(user=pegawai, backend="pkcs12").count() == 1


def test_the_schema_documents_the_new_ways(db: Any) -> None:
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][REGISTER]["post"]
    assert operation["operationId"] == "me_signing_identity_pkcs12_register"
    assert {"201", "400"} <= set(operation["responses"])
    assert list(operation["requestBody"]["content"]) == ["multipart/form-data"]
    sign_body = schema["paths"]["/api/v1/pacts/{id}/sign/"]["post"]["requestBody"]["content"]
    json_ref = sign_body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"passphrase", "pin", "identity"} <= set(schema["components"]["schemas"][json_ref]["properties"])


# ---- Pages ---------------------------------------------------------------------------------------------------


def page_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.pkcs11
@pytest.mark.usefixtures("ca_root")
def test_the_sign_page_asks_a_token_identity_for_its_pin(
    softhsm_token: str, pact: IntegrityPact, pegawai: Any, office: Office
) -> None:
    url = f"/pacts/{pact.pk}/sign/"
    identity = token_identity(pegawai, office.officials["pegawai"], softhsm_token)
    client = page_client(pegawai)

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="pin"' in html and 'type="password"' in html and "PIN token" in html
    assert 'name="passphrase"' not in html and 'name="identity"' not in html  # one token identity: no choice
    assert identity.pkcs11_key_label in html and softhsm_token in html

    wrong = client.post(url, {"pin": WRONG_PIN, "idempotency_key": str(uuid.uuid4())})
    assert wrong.status_code == 403 and "PIN token salah." in wrong.content.decode()
    assert WRONG_PIN.encode() not in wrong.content
    nothing_signed(pact)

    second = token_identity(pegawai, office.officials["pegawai"], softhsm_token)
    html = client.get(url).content.decode()
    select = html.split('name="identity"', 1)[1].split("</select>", 1)[0]
    assert identity.serial in select and second.serial in select

    done = client.post(url, {"pin": PIN, "identity": second.serial, "idempotency_key": str(uuid.uuid4())})
    assert done.status_code == 302 and done["Location"] == f"/pacts/{pact.pk}/"
    revision = PactRevision.objects.get(pact=pact, kind=PactRevision.Kind.SIGNATURE)
    assert revision.signer_serial == second.serial


@pytest.mark.usefixtures("ca_root")
def test_the_enrolment_page_registers_a_pkcs12_file_and_the_sign_page_takes_it(
    pact: IntegrityPact, pegawai: Any, psre_root: Root
) -> None:
    client = page_client(pegawai)
    enrol_page = client.get("/tanda-tangan/identitas/").content.decode()
    assert 'name="pkcs12"' in enrol_page and 'enctype="multipart/form-data"' in enrol_page

    p12 = psre_p12(psre_root)
    wrong = client.post(
        "/tanda-tangan/identitas/", {"pkcs12": SimpleUploadedFile("saya.p12", p12), "pkcs12_password": "keliru-99"}
    )
    assert wrong.status_code == 400 and "kata sandi salah" in wrong.content.decode()
    assert not SigningIdentity.objects.exists()

    done = client.post(
        "/tanda-tangan/identitas/",
        {"pkcs12": SimpleUploadedFile("saya.p12", p12), "pkcs12_password": P12_PASSWORD},
        follow=True,
    )
    identity = SigningIdentity.objects.get(user=pegawai)
    text = done.content.decode()
    assert "Sertifikat berkas PKCS#12 terdaftar" in text and identity.serial in text
    assert 'id="other-identities"' in text and P12_PASSWORD not in text

    sign_page = client.get(f"/pacts/{pact.pk}/sign/").content.decode()
    assert 'name="pkcs12"' in sign_page and 'name="pin"' not in sign_page and 'name="passphrase"' not in sign_page
    signed = client.post(
        f"/pacts/{pact.pk}/sign/",
        {
            "pkcs12": SimpleUploadedFile("saya.p12", p12),
            "pkcs12_password": P12_PASSWORD,
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert signed.status_code == 302, signed.content
    assert PactRevision.objects.get(pact=pact, kind=PactRevision.Kind.SIGNATURE).signer_serial == identity.serial
