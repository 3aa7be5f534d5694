"""`POST /api/v1/verify/` and `GET /api/v1/verify/<verification_id>/` (signatures issue §3, "Verification
for everyone").

GIVEN the embedded CA (initialised per test, with its key file in tmp) and two officials enrolled with it,
WHEN a pact-shaped PDF (tests/signatures/pki.py) is signed by both in its prepared fields, with the
embedded TSA, THEN anyone may upload it and gets the same report `verify_pdf` gives: VALID with the
embedded root trusted and its CRLs checked; a copy changed after signing is MODIFIED, a changed signed
byte INVALID.

The choice documented in signatures/apis.py: every file that arrives gets a verdict with 200 (not a PDF:
CANNOT_VALIDATE; unsigned or with JavaScript: INVALID; encrypted, loops, bombs: CANNOT_VALIDATE or
INVALID); only a request without a usable file is refused (no file or empty: 400; over the limit: 413
before the body is read).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from integrity.models import IntegrityPact, PactRevision
from signatures import ca, keystore
from signatures.apis import VerificationReportSerializer
from signatures.models import CaKey, SigningIdentity
from signatures.signers import EmbeddedKeyHolder, in_process_timestamper
from signatures.signing import sign_pdf_field
from signatures.verify import SignatureReport
from tests.api.conftest import Office, pact_of
from tests.signatures import pki as test_pki
from tests.signatures.pki import ATASAN_NIP, FIELDS, PEGAWAI_NIP

pytestmark = pytest.mark.django_db

URL = "/api/v1/verify/"
ORGANISATION = "Direktorat Jenderal Perbendaharaan"
PASSPHRASE = "kopi-aceh-gayo-2026"


@pytest.fixture
def embedded_ca(settings: Any, tmp_path: Any) -> CaKey:
    return init_embedded_ca(settings, tmp_path)


def init_embedded_ca(settings: Any, tmp_path: Any) -> CaKey:
    """The embedded CA with one office seal (KPPN-BNA), its key file under `tmp_path`."""
    settings.PAKTA_CA_KEY_FILE = tmp_path / "secrets" / "ca.key"
    settings.PAKTA_BASE_URL = "http://pakta.test"
    settings.PAKTA_SIGNING_SCRYPT_LOG2_N = 10  # production uses 2**15; the tests do not test scrypt
    keystore.ca_key_file_create()
    return ca.ca_initialize(organisation=ORGANISATION, unit_seals=[("KPPN-BNA", "KPPN Banda Aceh")])


def enrol(username: str, name: str, nip: str) -> SigningIdentity:
    user = get_user_model().objects.create_user(username=username)
    return ca.identity_enrol(
        user=user,
        passphrase=PASSPHRASE,
        name=name,
        nip=nip,
        unit_name="Seksi Pencairan Dana",
        organisation=ORGANISATION,
        email="",
        actor=user,
    )


def sign_with(pdf: bytes, identity: SigningIdentity, field: str) -> bytes:
    return sign_pdf_field(
        pdf,
        key_holder=EmbeddedKeyHolder(identity, PASSPHRASE),
        field_name=field,
        timestamper=in_process_timestamper(),
        stamp=None,
    )


@pytest.fixture
def signers(embedded_ca: CaKey) -> tuple[SigningIdentity, SigningIdentity]:
    return enrol("nur.abdullah", "Nur Abdullah", PEGAWAI_NIP), enrol("siti.r", "Siti Rahmawati", ATASAN_NIP)


@pytest.fixture
def signed(signers: tuple[SigningIdentity, SigningIdentity]) -> bytes:
    """The pact-shaped PDF (with its JSON data attachment) signed by the employee, then the superior."""
    pegawai, atasan = signers
    return sign_with(sign_with(test_pki.pact_with_fields(), pegawai, FIELDS[0]), atasan, FIELDS[1])


def store_revision(pact: IntegrityPact, pdf: bytes) -> PactRevision:
    """`pdf` stored as the pact's first revision, the way `integrity.services.signing` stores revisions
    (content-addressed under MEDIA_ROOT, the verification id from its SHA-256); the signing itself is
    tested in tests/integrity/test_pact_signing.py."""
    digest = hashlib.sha256(pdf).hexdigest()
    name = default_storage.save(f"pacts/revisions/{digest}.pdf", ContentFile(pdf))
    revision = PactRevision.objects.create(
        pact=pact,
        sequence=1,
        kind=PactRevision.Kind.CERTIFIED,
        sha256=digest,
        file=name,
        size=len(pdf),
        signed_at=timezone.now(),
    )
    pact.verification_id = digest[:32]
    pact.save(update_fields=["verification_id"])
    return revision


def upload(data: bytes, *, client: APIClient | None = None, name: str = "pakta.pdf", **extra: Any) -> Any:
    file = SimpleUploadedFile(name, data, content_type="application/pdf")
    return (client or APIClient()).post(URL, {"file": file}, format="multipart", **extra)


# --------------------------------------------------------------------------------------------------------
# Verdicts
# --------------------------------------------------------------------------------------------------------


def test_anyone_uploads_a_signed_pact_and_it_is_valid_with_the_embedded_root(signed: bytes) -> None:
    response = upload(signed)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["verdict"] == "VALID", body["reasons"]
    assert body["verdict_title"] == "Dokumen sah dan utuh"
    assert body["summary"].startswith("Setiap tanda tangan elektronik pada dokumen ini cocok")
    assert body["reasons"] == [] and body["unsigned_fields"] == []
    pegawai, atasan = body["signatures"]
    assert (pegawai["field_name"], pegawai["signer_name"], pegawai["signer_nip"]) == (
        FIELDS[0],
        "Nur Abdullah",
        PEGAWAI_NIP,
    )
    assert (atasan["field_name"], atasan["signer_name"], atasan["signer_nip"]) == (
        FIELDS[1],
        "Siti Rahmawati",
        ATASAN_NIP,
    )
    for signature in body["signatures"]:
        assert ORGANISATION in signature["signer_issuer"]
        assert signature["intact"] and signature["trusted"]
        assert signature["certified"] is False  # the embedded CA is not a certified provider
        assert signature["revocation"] == "good"  # checked against the embedded CA's CRL, in-process
        assert signature["timestamp_trusted"] is True and signature["pades_level"] == "B-T"
    assert pegawai["changes_after"] == "signatures" and atasan["changes_after"] == "none"
    assert atasan["coverage"] == "entire_file"


def test_the_response_has_exactly_the_documented_fields(signed: bytes) -> None:
    body = upload(signed).json()
    serializer = VerificationReportSerializer()
    assert set(body) == set(serializer.fields)
    signature_fields = serializer.fields["signatures"].child.fields  # type: ignore[attr-defined]
    assert set(body["signatures"][0]) == set(signature_fields) == set(SignatureReport.__dataclass_fields__)


@pytest.mark.parametrize(
    ("tamper", "verdict"),
    [
        (test_pki.change_text, "MODIFIED"),
        (test_pki.add_page, "MODIFIED"),
        (test_pki.flip_signed_byte, "INVALID"),
    ],
    ids=["text-changed-after-signing", "page-added-after-signing", "signed-byte-changed"],
)
def test_a_tampered_copy_is_not_valid(signed: bytes, tamper: Any, verdict: str) -> None:
    response = upload(tamper(signed))
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == verdict
    assert body["reasons"]  # every verdict other than VALID says why


def test_a_pact_through_the_whole_signing_plan_is_valid_at_b_lta(
    signers: tuple[SigningIdentity, SigningIdentity],
) -> None:
    """GIVEN the signing plan of signatures/signing/ (office seal certifies, both parties sign, validation
    data and a document timestamp seal it) WHEN uploaded THEN VALID, every signature at B-LTA and the
    archive timestamp reported as its own row."""
    from signatures.signers import SealKeyHolder
    from signatures.signing import certify_pdf, seal_lta, signature_certificates

    pegawai, atasan = signers
    tsa = in_process_timestamper()
    certified = certify_pdf(
        test_pki.pact_with_fields(), key_holder=SealKeyHolder("KPPN-BNA"), field_name="Seal_Office", timestamper=tsa
    )
    pdf = sign_with(sign_with(certified, pegawai, FIELDS[0]), atasan, FIELDS[1])
    crls: list[Any] = []
    ocsps: list[Any] = []
    for certificate in [*signature_certificates(pdf), tsa.tsa_cert]:
        certificate_crls, certificate_ocsps = ca.revocation_material_for(certificate)
        crls += certificate_crls
        ocsps += certificate_ocsps
    sealed = seal_lta(pdf, timestamper=tsa, trust_roots=ca.trust_roots(), crls=crls, ocsps=ocsps)

    body = upload(sealed).json()
    assert body["verdict"] == "VALID", body["reasons"]
    kinds = [(s["field_name"], s["kind"], s["pades_level"]) for s in body["signatures"]]
    assert kinds[:3] == [
        ("Seal_Office", "certification", "B-LTA"),
        (FIELDS[0], "approval", "B-LTA"),
        (FIELDS[1], "approval", "B-LTA"),
    ]
    assert kinds[3][1] == "doc_timestamp"
    assert body["signatures"][0]["signer_name"] == "KPPN Banda Aceh"


def test_a_signer_revoked_after_the_trusted_timestamp_stays_valid(
    signers: tuple[SigningIdentity, SigningIdentity], signed: bytes
) -> None:
    """GIVEN a file whose signatures carry trusted timestamps WHEN a signer's certificate is revoked
    afterwards THEN the signature is judged at its timestamp, before the revocation (AdES): VALID, and
    the report says it was validated at the timestamp. (Revoked before signing: test_verify_own.)"""
    time.sleep(1.1)  # CRL revocation times have whole seconds: revoke in a later second than the timestamp
    ca.identity_revoke(identity=signers[1], reason="key_compromise", actor=None)
    body = upload(signed).json()
    assert body["verdict"] == "VALID", body["reasons"]
    assert "validated_at_timestamp" in {f["code"] for f in body["findings"]}


def test_without_the_embedded_ca_the_same_file_is_untrusted(signed: bytes) -> None:
    """The trust comes from this installation's CA, not from the file: without its roots, UNTRUSTED."""
    CaKey.objects.filter(role=CaKey.Role.ROOT).delete()
    body = upload(signed).json()
    assert body["verdict"] == "UNTRUSTED"
    assert {s["revocation"] for s in body["signatures"]} == {"not_checked"}


def test_roots_of_certified_providers_come_from_the_configured_directory(
    embedded_ca: CaKey, settings: Any, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN a provider's root (standing in for BSrE) as a PEM file in PAKTA_CERTIFIED_ROOTS_DIR, next to
    a file that holds no certificate WHEN a document its signers signed is uploaded THEN VALID and
    *tersertifikasi*; the bad file is skipped with an error in the log. Revocation of a provider's
    signers is soft-fail (its CRLs are not at hand), so it reads "unknown"."""
    pki = test_pki.make_pki()
    roots = tmp_path / "certified-roots"
    roots.mkdir()
    (roots / "bsre-root.pem").write_bytes(pki.root.pem)
    (roots / "rusak.crt").write_bytes(b"bukan sertifikat")
    (roots / "README.txt").write_text("ignored")
    settings.PAKTA_CERTIFIED_ROOTS_DIR = str(roots)

    body = upload(test_pki.signed_pact(pki)).json()
    assert body["verdict"] == "VALID", body["reasons"]
    assert [s["certified"] for s in body["signatures"]] == [True, True]
    assert {s["revocation"] for s in body["signatures"]} == {"unknown"}
    assert "rusak.crt skipped" in caplog.text

    settings.PAKTA_CERTIFIED_ROOTS_DIR = ""
    assert upload(test_pki.signed_pact(pki)).json()["verdict"] == "UNTRUSTED"


def xref_loop(pdf: bytes) -> bytes:
    """An update whose cross-reference section names itself as the previous one (/Prev loop)."""
    at = len(pdf)
    return pdf + (
        b"xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 9 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
        % (at, at)
    )


@pytest.mark.parametrize(
    ("make", "verdicts", "code"),
    [
        (lambda: b"PK\x03\x04 ini berkas zip, bukan pdf", {"CANNOT_VALIDATE"}, "not_pdf"),
        (lambda: test_pki.minimal_pdf(), {"INVALID"}, "no_signatures"),
        (lambda: test_pki.minimal_pdf(javascript=True), {"INVALID"}, "active_content"),
        (lambda: test_pki.encrypted(test_pki.minimal_pdf()), {"CANNOT_VALIDATE"}, "encrypted"),
        (lambda: xref_loop(test_pki.minimal_pdf()), {"INVALID", "CANNOT_VALIDATE"}, None),
        (lambda: b"%PDF-1.7\n" + b"\x00" * 4096, {"INVALID", "CANNOT_VALIDATE"}, None),
    ],
    ids=["not-a-pdf", "unsigned", "javascript", "encrypted", "xref-loop", "garbage-after-header"],
)
def test_bad_files_get_a_verdict_not_an_error(
    embedded_ca: CaKey, make: Any, verdicts: set[str], code: str | None
) -> None:
    started = time.monotonic()
    response = upload(make())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["verdict"] in verdicts
    assert body["reasons"] and body["summary"]
    if code is not None:
        assert code in {finding["code"] for finding in body["findings"]}
    assert time.monotonic() - started < 15


def test_a_signed_pdf_with_a_decompression_bomb_ends_in_a_verdict(signed: bytes) -> None:
    response = upload(test_pki.metadata_bomb(signed))
    assert response.status_code == 200
    assert response.json()["verdict"] == "MODIFIED"


def test_the_summary_follows_the_clients_language(embedded_ca: CaKey) -> None:
    body = upload(b"bukan pdf", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["verdict"] == "CANNOT_VALIDATE"
    assert body["verdict_label"] == "Cannot be validated"
    assert body["reasons"] == ["This file is not a PDF."]


# --------------------------------------------------------------------------------------------------------
# Refused requests
# --------------------------------------------------------------------------------------------------------


def test_no_file_and_an_empty_file_are_400_with_a_message(embedded_ca: CaKey) -> None:
    client = APIClient()
    missing = client.post(URL, {"other": "x"}, format="multipart")
    assert missing.status_code == 400
    assert missing.json() == {
        "message": "Kirim berkas PDF yang akan diperiksa pada kolom `file` (multipart/form-data).",
        "extra": {"field": "file"},
    }
    empty = upload(b"", name="kosong.pdf")
    assert empty.status_code == 400
    assert empty.json()["message"] == "Berkas kosong.pdf kosong; tidak ada yang dapat diperiksa."


def test_json_instead_of_a_file_is_415(embedded_ca: CaKey) -> None:
    response = APIClient().post(URL, {"file": "JVBERi0xLjc="}, format="json")
    assert response.status_code == 415
    assert response.json()["message"]


class CountingStream:
    """A request body of `size` bytes that is produced only as it is read, counting what was read."""

    def __init__(self, head: bytes, size: int) -> None:
        self.head = head
        self.size = size
        self.read_bytes = 0

    def read(self, amount: int = -1) -> bytes:
        remaining = self.size - self.read_bytes
        amount = remaining if amount is None or amount < 0 else min(amount, remaining)
        start, self.read_bytes = self.read_bytes, self.read_bytes + amount
        chunk = self.head[start : start + amount]
        return chunk + b"0" * (amount - len(chunk))

    def readline(self, *args: Any) -> bytes:
        return self.read(*args)


def test_a_100_mb_upload_is_413_before_its_body_is_read(embedded_ca: CaKey) -> None:
    size = 100 * 1024 * 1024
    body = CountingStream(
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="besar.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n",
        size,
    )
    environ: dict[str, Any] = {"CONTENT_LENGTH": str(size), "wsgi.input": body}
    response = APIClient().generic("POST", URL, content_type="multipart/form-data; boundary=B", **environ)
    assert response.status_code == 413
    assert response.json()["message"].startswith("Permintaan berukuran 100,0\xa0MB, melebihi batas berkas 20,0\xa0MB")
    assert response.json()["extra"] == {"max_bytes": 20 * 1024 * 1024, "size": size}
    assert body.read_bytes == 0  # refused from the declared length, before reading the body


def test_a_file_that_passes_the_limit_while_uploading_is_413(embedded_ca: CaKey, settings: Any) -> None:
    """GIVEN a 64 KiB limit WHEN a 100 KiB file comes in a body small enough to be read (within the
    multipart allowance) THEN receiving stops at the limit and nothing is verified."""
    settings.PAKTA_VERIFY_MAX_BYTES = 64 * 1024
    response = upload(b"%PDF-1.7\n" + b"0" * (100 * 1024), name="besar.pdf")
    assert response.status_code == 413
    body = response.json()
    assert body["message"] == "Berkas besar.pdf melebihi batas 64,0\xa0KB; berkas tidak diperiksa."
    assert body["extra"] == {"file": "besar.pdf", "max_bytes": 64 * 1024}


def test_a_file_at_the_limit_is_verified(embedded_ca: CaKey, settings: Any) -> None:
    settings.PAKTA_VERIFY_MAX_BYTES = 4096
    response = upload(b"%PDF-1.7\n" + b"0" * (4096 - 9))
    assert response.status_code == 200
    assert response.json()["size"] == 4096


# --------------------------------------------------------------------------------------------------------
# Who may, and how often
# --------------------------------------------------------------------------------------------------------


def test_signed_in_clients_may_verify_too(signed: bytes) -> None:
    user = get_user_model().objects.create_user(username="pemeriksa")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert upload(signed, client=client).json()["verdict"] == "VALID"


def test_verification_is_throttled(embedded_ca: CaKey) -> None:
    """PAKTA_VERIFY_RATE (30/min by default) per client address: the 31st request in a minute is 429.
    Requests without a file count too (the throttle runs before the body is looked at)."""
    client = APIClient()
    statuses = [client.post(URL, {}, format="multipart").status_code for _ in range(31)]
    assert statuses[:30] == [400] * 30
    assert statuses[30] == 429
    throttled = client.post(URL, {}, format="multipart")
    assert throttled.status_code == 429 and throttled.json()["message"]
    assert int(throttled["Retry-After"]) > 0


# --------------------------------------------------------------------------------------------------------
# GET /api/v1/verify/<verification_id>/
# --------------------------------------------------------------------------------------------------------


def test_an_unknown_verification_id_is_404(embedded_ca: CaKey) -> None:
    for verification_id in ("0" * 32, "tidak-ada", "x" * 200):
        response = APIClient().get(f"{URL}{verification_id}/")
        assert response.status_code == 404, verification_id
        assert response.json()["message"].startswith("Tidak ada dokumen dengan ID verifikasi ini.")


def test_a_stored_pact_revision_is_verified_by_its_verification_id(signed: bytes, office: Office) -> None:
    """GIVEN a pact whose latest stored revision is the signed file WHEN anyone asks by its verification
    id THEN the stored bytes are verified now: the same report as an upload, plus which document it is."""
    pact = pact_of(office.officials["pegawai"])
    revision = store_revision(pact, signed)
    response = APIClient().get(f"{URL}{pact.verification_id}/")
    assert response.status_code == 200, response.content
    body = response.json()
    uploaded = upload(signed).json()
    assert body["verdict"] == uploaded["verdict"] == "VALID"
    assert body["signatures"] == uploaded["signatures"]
    assert body["document"] == {
        "verification_id": pact.verification_id,
        "number": pact.number,
        "kind": pact.kind,
        "status": pact.status,
        "revision": revision.sequence,
        "revision_kind": revision.kind,
        "stored_at": body["document"]["stored_at"],
        "page_url": f"http://pakta.test/v/{pact.verification_id}",
    }


def test_a_damaged_stored_file_is_409_not_a_verdict_on_other_bytes(signed: bytes, office: Office) -> None:
    pact = pact_of(office.officials["pegawai"])
    revision = store_revision(pact, signed)
    with default_storage.open(str(revision.file.name), "wb") as handle:
        handle.write(test_pki.change_text(signed))
    response = APIClient().get(f"{URL}{pact.verification_id}/")
    assert response.status_code == 409
    assert pact.number in response.json()["message"]


def test_reading_the_upload_does_not_keep_it(signed: bytes, settings: Any) -> None:
    """Nothing of an upload is stored: no file under MEDIA_ROOT afterwards."""
    from pathlib import Path

    upload(signed)
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
