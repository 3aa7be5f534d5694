"""Signing through the API (signatures issue §5, §2): enrolment, the sign endpoint with its refusals, the
signatures of a pact, its revisions as PDF, and the CA status.

GIVEN the office of conftest.py (the staff member `pegawai` signs first as declarant, the section head
`atasan` second as witness) and the embedded CA initialised per test with its key file under tmp and fast
scrypt (the autouse `_signing_settings` and `ca_root` of tests/signatures/conftest.py).
"""

from __future__ import annotations

import hashlib
import uuid
from types import TracebackType
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from audit.models import AuditEvent
from integrity.models import IntegrityPact, PactRevision
from signatures import ca
from signatures.models import SigningIdentity, SigningLockout
from signatures.signers import EmbeddedKeyHolder
from tests.api.conftest import Office, client_for, pact_of
from tests.signatures.conftest import _signing_settings, ca_root  # noqa: F401 - fixtures: the CA per test
from tests.signatures.test_signers import _leaf, _p12, _test_ca

pytestmark = pytest.mark.django_db

IDENTITY = "/api/v1/me/signing-identity/"
CHANGE = "/api/v1/me/signing-identity/passphrase/"
PASS_PEGAWAI = "kopi-aceh-gayo-2026"
PASS_ATASAN = "mie-aceh-pedas-2026"
WRONG = "bukan-passphrase-ini"
UNCERTIFIED = "TTE tidak tersertifikasi (CA internal Pakta)"


def enrol(client: APIClient, passphrase: str, confirm: str | None = None) -> Any:
    body = {"passphrase": passphrase, "passphrase_confirm": passphrase if confirm is None else confirm}
    return client.post(IDENTITY, body, format="json")


def sign(client: APIClient, pact: IntegrityPact, passphrase: str | None, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    body = {"passphrase": passphrase} if passphrase is not None else {}
    return client.post(f"/api/v1/pacts/{pact.pk}/sign/", body, format="json", headers=headers)


def nothing_written(pact: IntegrityPact, events_before: int) -> None:
    assert not PactRevision.objects.filter(pact=pact, kind=PactRevision.Kind.SIGNATURE).exists()
    assert not pact.parties.filter(signed_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(pk__gt=events_before, action__startswith="integrity.pact.signed").exists()


@pytest.fixture
def pact(office: Office) -> IntegrityPact:
    return pact_of(office.officials["pegawai"])


@pytest.fixture
def enrolled(request: pytest.FixtureRequest, pegawai: Any, atasan: Any) -> dict[str, APIClient]:
    """Both parties enrolled through the API."""
    request.getfixturevalue("ca_root")
    clients = {"pegawai": client_for(pegawai), "atasan": client_for(atasan)}
    assert enrol(clients["pegawai"], PASS_PEGAWAI).status_code == 201
    assert enrol(clients["atasan"], PASS_ATASAN).status_code == 201
    return clients


# ---- The whole way --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("ca_root")
def test_enrol_then_declarant_and_superior_sign_and_the_pact_is_signed(
    pact: IntegrityPact, pegawai: Any, atasan: Any, office: Office
) -> None:
    responses = []
    client, superior = client_for(pegawai), client_for(atasan)

    before = client.get(IDENTITY)
    responses.append(before)
    assert before.status_code == 200
    official = office.officials["pegawai"]
    assert before.json() | {"subject": None} == {
        "enrolled": False,
        "can_enrol": True,
        "subject": None,
        "identity": None,
        "others": [],
        "passphrase_min_length": 10,
    }
    assert before.json()["subject"]["nip"] == official.nip
    assert before.json()["subject"]["unit_name"] == "Seksi Pencairan Dana"

    responses += [enrol(client, PASS_PEGAWAI), enrol(superior, PASS_ATASAN)]
    assert [r.status_code for r in responses[1:]] == [201, 201]
    certificate = responses[1].json()["identity"]
    assert responses[1].json()["enrolled"] is True
    assert certificate["subject_name"] == official.full_name and certificate["subject_serial"] == official.nip
    assert certificate["certified"] is False and certificate["certification_label"] == UNCERTIFIED

    first = sign(client, pact, PASS_PEGAWAI)
    responses.append(first)
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["sequence"], body["party"]["role"], body["pact_status"]) == (2, "declarant", "pending")
    assert body["next_signer"]["role"] == "witness" and body["next_signer"]["name"] == "Kasi Pencairan Dana"
    assert body["certified"] is False and body["certification_label"] == UNCERTIFIED
    assert body["sha256"] == PactRevision.objects.get(pact=pact, sequence=2).sha256

    middle = superior.get(f"/api/v1/pacts/{pact.pk}/signatures/")
    responses.append(middle)
    assert middle.json()["your_turn"] is True and middle.json()["signed_count"] == 1

    second = sign(superior, pact, PASS_ATASAN)
    responses.append(second)
    assert second.status_code == 201, second.content
    body = second.json()
    assert (body["sequence"], body["party"]["role"], body["pact_status"], body["next_signer"]) == (
        3,
        "witness",
        "signed",
        None,
    )
    assert body["latest_revision"]["kind"] == "lta" and body["latest_revision"]["sequence"] == 4
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.SIGNED

    signatures = client.get(f"/api/v1/pacts/{pact.pk}/signatures/")
    responses.append(signatures)
    data = signatures.json()
    assert data["pact_status"] == "signed" and data["signed_count"] == 2 and data["next_signer"] is None
    assert [(s["order"], s["signed"], s["in_pakta"], s["sequence"], s["certified"]) for s in data["signatures"]] == [
        (1, True, True, 2, False),
        (2, True, True, 3, False),
    ]
    assert {s["certification_label"] for s in data["signatures"]} == {UNCERTIFIED}
    assert data["verification_url"] == f"http://pakta.test/v/{pact.verification_id}"

    pdf = client.get(data["latest_revision"]["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    content = pdf.getvalue()
    assert hashlib.sha256(content).hexdigest() == data["latest_revision"]["sha256"]
    assert pdf["ETag"] == f'"{data["latest_revision"]["sha256"]}"'

    # The passphrases went in request bodies only: no answer and no audit event carries them.
    for passphrase in (PASS_PEGAWAI, PASS_ATASAN):
        for response in responses:
            assert passphrase.encode() not in response.content
        assert not AuditEvent.objects.filter(payload__contains=passphrase).exists()
        assert not AuditEvent.objects.filter(payload__contains=passphrase[:12]).exists()


# ---- Enrolment and passphrase -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("ca_root")
def test_enrolment_refusals_write_nothing(pegawai: Any, hr: Any) -> None:
    client = client_for(pegawai)
    short = enrol(client, "kopi-9x")
    assert short.status_code == 400
    assert short.json()["message"] == "Passphrase terlalu pendek: paling sedikit 10 karakter."
    differ = enrol(client, PASS_PEGAWAI, confirm=PASS_PEGAWAI + "x")
    assert differ.status_code == 400
    assert differ.json()["extra"]["fields"]["passphrase_confirm"] == [
        "Kedua passphrase tidak sama. Ketik ulang keduanya."
    ]
    no_official = enrol(client_for(hr), PASS_PEGAWAI)
    assert no_official.status_code == 400 and "tidak terhubung dengan data pegawai" in no_official.json()["message"]
    assert client_for(hr).get(IDENTITY).json()["can_enrol"] is False
    assert not SigningIdentity.objects.exists()
    assert not AuditEvent.objects.filter(action="signatures.identity.enrolled").exists()

    assert enrol(client, PASS_PEGAWAI).status_code == 201
    again = enrol(client, PASS_ATASAN)
    assert again.status_code == 409 and "sudah memiliki identitas" in again.json()["message"]
    assert SigningIdentity.objects.count() == 1
    for response in (short, differ, again):
        assert b"kopi-9x" not in response.content and PASS_ATASAN.encode() not in response.content


def test_change_passphrase(enrolled: dict[str, APIClient], pegawai: Any) -> None:
    client = enrolled["pegawai"]
    body = {"old_passphrase": WRONG, "new_passphrase": "teh-tarik-2027", "new_passphrase_confirm": "teh-tarik-2027"}
    wrong = client.post(CHANGE, body, format="json")
    assert wrong.status_code == 403 and wrong.json()["extra"] == {"remaining_attempts": 4}
    assert SigningLockout.objects.get(identity__user=pegawai).failed_count == 1  # counted like at signing

    changed = client.post(CHANGE, body | {"old_passphrase": PASS_PEGAWAI}, format="json")
    assert changed.status_code == 200 and changed.json()["enrolled"] is True
    identity = SigningIdentity.objects.get(user=pegawai)
    EmbeddedKeyHolder(identity, "teh-tarik-2027")  # opens with the new one
    assert AuditEvent.objects.filter(action="signatures.identity.passphrase_changed").count() == 1
    for response in (wrong, changed):
        assert b"teh-tarik" not in response.content and PASS_PEGAWAI.encode() not in response.content

    nobody = client_for(get_user_model().objects.create_user(username="tanpa.identitas"))
    assert nobody.post(CHANGE, body, format="json").status_code == 409


# ---- Refusals ----------------------------------------------------------------------------------------------------


def test_wrong_passphrase_is_counted_and_the_sixth_attempt_is_locked(
    enrolled: dict[str, APIClient], pact: IntegrityPact, pegawai: Any
) -> None:
    events = AuditEvent.objects.count()
    client = enrolled["pegawai"]
    for attempt in range(1, 6):
        response = sign(client, pact, f"{WRONG}-{attempt}")
        assert response.status_code == 403, response.content
        assert response.json()["extra"] == {"remaining_attempts": 5 - attempt}
        assert f"Sisa percobaan sebelum penandatanganan dikunci: {5 - attempt}." in response.json()["message"]
    locked = AuditEvent.objects.get(action="signatures.identity.locked")
    assert locked.actor_id == pegawai.pk

    sixth = sign(client, pact, PASS_PEGAWAI)  # even the right one, while locked
    assert sixth.status_code == 429
    assert sixth.json()["message"].startswith("Penandatanganan dikunci sampai ")
    assert "passphrase salah 5 kali berturut-turut" in sixth.json()["message"]
    assert "locked_until" in sixth.json()["extra"]
    assert client.get(IDENTITY).json()["identity"]["locked_until"] is not None
    nothing_written(pact, events)


def test_signing_out_of_order_is_409_and_writes_nothing(enrolled: dict[str, APIClient], pact: IntegrityPact) -> None:
    events = AuditEvent.objects.count()
    response = sign(enrolled["atasan"], pact, PASS_ATASAN)
    assert response.status_code == 409
    assert response.json()["message"].startswith(f"Belum giliran Anda menandatangani pakta {pact.number}")
    nothing_written(pact, events)


def test_a_non_party_gets_404_outside_scope_and_403_inside(
    enrolled: dict[str, APIClient], pact: IntegrityPact, orang_luar: Any, kepala_kantor: Any
) -> None:
    events = AuditEvent.objects.count()
    assert sign(client_for(orang_luar), pact, PASS_PEGAWAI).status_code == 404
    visible = sign(client_for(kepala_kantor), pact, PASS_PEGAWAI)
    assert visible.status_code == 403
    assert visible.json()["message"] == f"Anda bukan pihak penanda tangan pakta {pact.number}."
    assert client_for(orang_luar).get(f"/api/v1/pacts/{pact.pk}/signatures/").status_code == 404
    nothing_written(pact, events)


def test_a_superseded_pact_is_409(enrolled: dict[str, APIClient], pact: IntegrityPact) -> None:
    IntegrityPact.objects.filter(pk=pact.pk).update(status=IntegrityPact.Status.SUPERSEDED)
    events = AuditEvent.objects.count()
    response = sign(enrolled["pegawai"], pact, PASS_PEGAWAI)
    assert response.status_code == 409
    assert response.json()["message"] == f"Pakta {pact.number} tidak dapat ditandatangani: statusnya Digantikan."
    assert not PactRevision.objects.filter(pact=pact).exists()
    nothing_written(pact, events)


def test_no_passphrase_or_no_identity(enrolled: dict[str, APIClient], pact: IntegrityPact) -> None:
    missing = sign(enrolled["pegawai"], pact, None)
    assert missing.status_code == 400 and missing.json()["message"] == "Masukkan passphrase untuk menandatangani."
    SigningIdentity.objects.filter(user__username="pegawai").update(
        status="revoked", revoked_at="2026-01-01T00:00:00Z", revocation_reason="unspecified"
    )
    gone = sign(enrolled["pegawai"], pact, PASS_PEGAWAI)
    assert gone.status_code == 409 and "belum memiliki identitas penandatangan" in gone.json()["message"]


def test_the_same_idempotency_key_twice_signs_once(enrolled: dict[str, APIClient], pact: IntegrityPact) -> None:
    key = str(uuid.uuid4())
    first = sign(enrolled["pegawai"], pact, PASS_PEGAWAI, key=key)
    again = sign(enrolled["pegawai"], pact, PASS_PEGAWAI, key=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert PactRevision.objects.filter(pact=pact, kind=PactRevision.Kind.SIGNATURE).count() == 1
    assert AuditEvent.objects.filter(action="integrity.pact.signed_by_party").count() == 1
    # Another key for the same field is a second request: refused, still one signature.
    other = sign(enrolled["pegawai"], pact, PASS_PEGAWAI, key=str(uuid.uuid4()))
    assert other.status_code == 409 and other.json()["message"] == f"Anda sudah menandatangani pakta {pact.number}."
    bad = sign(enrolled["atasan"], pact, PASS_ATASAN, key="kunci dengan spasi")
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json()["message"]


@pytest.mark.usefixtures("ca_root")
def test_a_registered_pkcs12_file_signs_through_multipart(pact: IntegrityPact, pegawai: Any, atasan: Any) -> None:
    """GIVEN a PKCS#12 of another CA (not a certified provider here) registered for the staff member."""
    root = _test_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    p12 = _p12(key, _leaf(root, key), [root[0]])
    ca.identity_register_pkcs12(user=pegawai, pkcs12_bytes=p12, password="sandi-p12-uji", actor=pegawai)
    url = f"/api/v1/pacts/{pact.pk}/sign/"

    def upload(client: APIClient, password: str) -> Any:
        data = {"pkcs12": SimpleUploadedFile("saya.p12", p12, "application/x-pkcs12"), "pkcs12_password": password}
        return client.post(url, data, format="multipart")

    wrong = upload(client_for(pegawai), "sandi-keliru")
    assert wrong.status_code == 400 and "PKCS#12 tidak dapat dibuka" in wrong.json()["message"]
    not_theirs = upload(client_for(atasan), "sandi-p12-uji")
    assert not_theirs.status_code == 400 and "bukan sertifikat yang terdaftar" in not_theirs.json()["message"]
    assert not PactRevision.objects.filter(pact=pact, kind=PactRevision.Kind.SIGNATURE).exists()

    signed = upload(client_for(pegawai), "sandi-p12-uji")
    assert signed.status_code == 201, signed.content
    assert signed.json()["signer_name"] == "Penandatangan PKCS12"
    assert signed.json()["certified"] is False and b"sandi-p12-uji" not in signed.content


# ---- Reads -------------------------------------------------------------------------------------------------------


def test_signatures_of_a_pact_nobody_signed_yet(pact: IntegrityPact, pegawai: Any, atasan: Any) -> None:
    data = client_for(pegawai).get(f"/api/v1/pacts/{pact.pk}/signatures/").json()
    assert data["your_turn"] is True and data["latest_revision"] is None and data["verification_url"] is None
    assert [(s["order"], s["signed"], s["is_next"], s["certification_label"]) for s in data["signatures"]] == [
        (1, False, True, ""),
        (2, False, False, ""),
    ]
    assert client_for(atasan).get(f"/api/v1/pacts/{pact.pk}/signatures/").json()["your_turn"] is False
    assert client_for(pegawai).get(f"/api/v1/pacts/{pact.pk}/revisions/1/pdf/").status_code == 404


def test_ca_status_for_administrators_and_auditors(
    enrolled: dict[str, APIClient], atasan: Any, auditor: Any, kepatuhan: Any
) -> None:
    ca.identity_revoke(identity=SigningIdentity.objects.get(user=atasan), reason="key_compromise", actor=None)
    admin = get_user_model().objects.create_superuser(username="root", password="x" * 12)
    data = client_for(admin).get("/api/v1/ca/").json()
    assert data["initialised"] is True and data["tsa_url"] == ""
    assert {key["role"] for key in data["keys"]} == {"root", "issuing", "tsa", "ocsp", "seal"}
    assert data["tsa"]["valid_now"] is True
    assert (data["identities_active"], data["identities_revoked"], data["revocations_count"]) == (1, 1, 1)
    assert [i["username"] for i in data["identities"]] == ["atasan", "pegawai"]
    assert data["revocations"][0]["reason"] == "key_compromise"
    assert client_for(auditor).get("/api/v1/ca/").status_code == 200
    refused = client_for(kepatuhan).get("/api/v1/ca/")
    assert refused.status_code == 403
    assert refused.json()["message"] == "Hanya administrator sistem dan auditor yang boleh membuka status CA."


def test_passphrases_stay_out_of_error_reports(
    enrolled: dict[str, APIClient], pact: IntegrityPact, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN an unexpected failure while signing WHEN Django writes its error report (e-mail to the
    administrators, logs) THEN the passphrase typed for the request is not in it."""
    from django.views.debug import ExceptionReporter

    from integrity.apis import pact_signatures

    def fail(**_kwargs: Any) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(pact_signatures, "pact_sign", fail)
    with pytest.raises(RuntimeError) as caught:
        sign(enrolled["pegawai"], pact, PASS_PEGAWAI)
    # The test client's own frames hold the body it sent: the report starts at Django's handler.
    server_side: TracebackType | None = caught.tb
    while server_side is not None and "django/core/handlers" not in server_side.tb_frame.f_code.co_filename:
        server_side = server_side.tb_next
    assert server_side is not None
    report = ExceptionReporter(None, caught.type, caught.value, server_side).get_traceback_html()  # local vars
    assert "pact_signatures.py" in report  # the view's own frame is in the report
    assert PASS_PEGAWAI not in report
