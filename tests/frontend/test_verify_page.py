"""The public verification pages (signatures issue §3): `/verifikasi/` (upload) and `/v/<verification id>/`
(the QR code's link). Nobody signs in here: verification is for everyone.

GIVEN the embedded CA (initialised per test) and, for uploads, the pact-shaped PDF of tests/signatures/pki.py
signed by two enrolled officials (tests/api/test_verify_api.py builds it the same way); for the QR link, a
pending pact of the office in conftest.py issued for signing through `integrity.services.signing` (rendered,
then certified by the office seal), which gives it its verification id.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from integrity.selectors.signing import pact_revision_bytes, pact_verification_url
from integrity.services.signing import pact_issue_for_signing
from signatures.models import CaKey, SigningIdentity
from tests.api.test_verify_api import enrol, init_embedded_ca, sign_with
from tests.frontend.conftest import Office
from tests.signatures import pki as test_pki
from tests.signatures.pki import ATASAN_NIP, FIELDS, PEGAWAI_NIP

pytestmark = pytest.mark.django_db

VERIFY = "/verifikasi/"


@pytest.fixture
def embedded_ca(settings: Any, tmp_path: Any) -> CaKey:
    return init_embedded_ca(settings, tmp_path)


@pytest.fixture
def signed(embedded_ca: CaKey) -> bytes:
    pegawai: SigningIdentity = enrol("nur.abdullah", "Nur Abdullah", PEGAWAI_NIP)
    atasan: SigningIdentity = enrol("siti.r", "Siti Rahmawati", ATASAN_NIP)
    return sign_with(sign_with(test_pki.pact_with_fields(), pegawai, FIELDS[0]), atasan, FIELDS[1])


def upload(client: Client, data: bytes, name: str = "pakta.pdf") -> Any:
    return client.post(VERIFY, {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})


def text_of(response: Any) -> str:
    """The page's visible text, tags removed and white space collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def banner(response: Any) -> str:
    return response.content.decode().split('<section class="verdict', 1)[1].split("</section>", 1)[0]


# --------------------------------------------------------------------------------------------------------
# Upload
# --------------------------------------------------------------------------------------------------------


def test_the_upload_page_opens_without_signing_in(client: Client, db: None) -> None:
    response = client.get(VERIFY)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("frontend:verify") == VERIFY
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert 'for="id_file"' in html and 'accept=".pdf,application/pdf"' in html
    assert "Berkas tidak disimpan" in text_of(response)
    # The public navigation has the page, marked as the current one.
    nav = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert f'<a href="{VERIFY}" aria-current="page">Verifikasi dokumen</a>' in nav
    assert "<script" not in html and "//cdn" not in html


def test_signed_in_users_have_the_link_too(client: Client, office: Office) -> None:
    client.force_login(office.users["pegawai"])
    html = client.get(reverse("frontend:home")).content.decode()
    nav = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{VERIFY}"' in nav and "Pakta saya" in nav


def test_a_signed_pact_shows_a_green_banner_and_a_table_per_signature(client: Client, signed: bytes) -> None:
    response = upload(client, signed)
    assert response.status_code == 200
    verdict = banner(response)
    assert "verdict-valid" in verdict and "VALID" in verdict and "Dokumen sah dan utuh" in verdict
    assert "Setiap tanda tangan elektronik pada dokumen ini cocok dengan isinya" in verdict

    html = response.content.decode()
    tables = html.split('<table class="data-table signature-table">')[1:]
    assert len(tables) == 2
    first = text_of_fragment(tables[0])
    assert "Tanda tangan 1 dari 2: kolom Sig_Pegawai (persetujuan)" in first
    for expected in (
        "Penanda tangan Nur Abdullah",
        f"NIP {PEGAWAI_NIP}",
        "Penerbit sertifikat Common Name: Pakta CA",
        "Jenis tanda tangan elektronik tidak tersertifikasi",
        "Keutuhan utuh",
        "Kepercayaan tepercaya",
        "Status pencabutan tidak dicabut (diperiksa)",
        "Cakupan seluruh revisinya",
        "Tingkat PAdES B-T",
        "Perubahan sesudahnya tanda tangan berikutnya (Sig_Atasan)",
    ):
        assert expected in first, expected
    assert re.search(r"Waktu penandatanganan \d{1,2} \w+ \d{4} \d\d:\d\d:\d\d WIB", first), first
    assert re.search(r"Stempel waktu \d{1,2} \w+ \d{4} \d\d:\d\d:\d\d WIB oleh Pakta TSA", first), first
    second = text_of_fragment(tables[1])
    assert "Siti Rahmawati" in second and ATASAN_NIP in second and "Cakupan seluruh berkas" in second
    page = text_of(response)
    assert "Nama berkas pakta.pdf" in page and "SHA-256" in page
    assert "Alasan" not in page  # a VALID document needs no reasons


def text_of_fragment(html: str) -> str:
    html = html.split("</table>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.mark.parametrize(
    ("make", "tone", "title"),
    [
        (test_pki.change_text, "broken", "Dokumen diubah setelah ditandatangani"),
        (test_pki.flip_signed_byte, "broken", "Dokumen tidak sah"),
        (lambda signed: b"PK\x03\x04 bukan pdf", "unknown", "Dokumen tidak dapat diperiksa"),
    ],
    ids=["modified", "invalid", "not-a-pdf"],
)
def test_other_verdicts_show_their_banner_and_reasons(
    client: Client, signed: bytes, make: Any, tone: str, title: str
) -> None:
    response = upload(client, make(signed))
    assert response.status_code == 200
    verdict = banner(response)
    assert f"verdict-{tone}" in verdict and title in verdict
    reasons = response.content.decode().split('id="reasons-heading"', 1)[1].split("</section>", 1)[0]
    assert "<li>" in reasons


def test_a_foreign_signer_is_amber(client: Client, embedded_ca: CaKey) -> None:
    pki = test_pki.make_pki()
    response = upload(client, test_pki.signed_pact(pki))
    verdict = banner(response)
    assert "verdict-untrusted" in verdict and "UNTRUSTED" in verdict


def test_refused_uploads_say_why_on_the_form(client: Client, embedded_ca: CaKey, settings: Any) -> None:
    missing = client.post(VERIFY, {})
    assert missing.status_code == 400
    assert "Kirim berkas PDF yang akan diperiksa" in text_of(missing)
    assert 'role="alert"' in missing.content.decode() and 'for="id_file"' in missing.content.decode()

    settings.PAKTA_VERIFY_MAX_BYTES = 4096
    too_large = upload(client, b"%PDF-1.7\n" + b"0" * 8192, name="besar.pdf")
    assert too_large.status_code == 413
    assert "Berkas besar.pdf melebihi batas 4,0 KB; berkas tidak diperiksa." in text_of(too_large).replace("\xa0", " ")
    declared = client.post(VERIFY, b"", content_type="multipart/form-data; boundary=B", CONTENT_LENGTH="999999999")
    assert declared.status_code == 413


def test_the_form_is_protected_against_cross_site_posts(embedded_ca: CaKey) -> None:
    client = Client(enforce_csrf_checks=True)
    response = upload(client, b"bukan pdf")
    assert response.status_code == 403


def test_the_page_shares_the_apis_rate(client: Client, embedded_ca: CaKey) -> None:
    statuses = [client.post(VERIFY, {}).status_code for _ in range(31)]
    assert statuses[:30] == [400] * 30 and statuses[30] == 429
    throttled = client.post(VERIFY, {})
    assert "Terlalu banyak pemeriksaan" in text_of(throttled) and int(throttled["Retry-After"]) > 0
    # The API counts against the same budget.
    assert client.post("/api/v1/verify/", {}).status_code == 429


def test_english_after_the_language_switch(client: Client, signed: bytes) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": VERIFY})
    response = upload(client, signed)
    html = response.content.decode()
    assert '<html lang="en">' in html and 'aria-pressed="true">English' in html
    table = text_of_fragment(html.split('<table class="data-table signature-table">')[1])
    assert "uncertified" in table and "entire revision" in table  # the labels shared with verify_pdf
    not_pdf = text_of(upload(client, b"bukan pdf"))
    assert "This file is not a PDF." in not_pdf


# --------------------------------------------------------------------------------------------------------
# The QR code's link
# --------------------------------------------------------------------------------------------------------


def test_the_qr_link_of_an_issued_pact_verifies_its_stored_document(
    client: Client, office: Office, embedded_ca: CaKey
) -> None:
    pact = office.pacts["bank1"]
    revision = pact_issue_for_signing(pact=pact, actor=office.users["hr"])
    pact.refresh_from_db()
    url = reverse("frontend:verify-document", args=[pact.verification_id])
    assert pact_verification_url(pact) == f"http://pakta.test{url.rstrip('/')}"
    # The QR code's URL has no trailing slash: it lands on the page.
    assert client.get(url.rstrip("/")).headers["Location"] == url

    response = client.get(url)
    assert response.status_code == 200
    verdict = banner(response)
    assert "verdict-valid" in verdict and "Dokumen sah dan utuh" in verdict
    page = text_of(response)
    assert f"Nomor pakta {pact.number}" in page and "Status pakta Menunggu tanda tangan" in page
    assert "revisi 1, disimpan" in page
    assert "Tanda tangan 1 dari 1: kolom Seal_Office (sertifikasi)" in page
    assert "KPPN Banda Aceh" in page  # the office seal's certificate

    download = reverse("frontend:verify-document-pdf", args=[pact.verification_id])
    assert f'href="{download}"' in response.content.decode()
    pdf = client.get(download)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{pact.number}-revisi-1.pdf"'
    assert pdf.getvalue() == pact_revision_bytes(revision)


def test_an_unknown_verification_id_is_404(client: Client, db: None) -> None:
    for path in ("/v/" + "0" * 32 + "/", "/v/tidak-ada/", "/v/" + "0" * 32 + "/pdf/"):
        assert client.get(path).status_code == 404, path


def test_a_damaged_stored_document_is_said_so(client: Client, office: Office, embedded_ca: CaKey) -> None:
    pact = office.pacts["bank1"]
    revision = pact_issue_for_signing(pact=pact, actor=office.users["hr"])
    pact.refresh_from_db()
    with default_storage.open(str(revision.file.name), "wb") as handle:
        handle.write(b"%PDF-1.7\n%diganti\n")
    response = client.get(reverse("frontend:verify-document", args=[pact.verification_id]))
    assert response.status_code == 409
    assert "tidak cocok dengan catatannya" in text_of(response)
    assert client.get(reverse("frontend:verify-document-pdf", args=[pact.verification_id])).status_code == 409
