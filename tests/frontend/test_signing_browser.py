"""Signing a pact end to end in headless Chromium (signatures issue §5): Debian's /usr/bin/chromium through
Playwright, against pytest-django's live server, with the launch flags and the DJANGO_ALLOW_ASYNC_UNSAFE
approach of test_browser.py. Screenshots go to test-artifacts/signing/ (git-ignored).

GIVEN the office of conftest.py (built in the test, in a transactional database the live server shares)
and the embedded CA (key file under tmp, fast scrypt), WHEN the employee signs in, follows "Tandatangani"
from their pact, enrols on the way (chooses a passphrase) and signs, and then their superior signs in,
enrols from the navigation and signs, THEN the pact reads "Ditandatangani", and the final PDF downloaded
through the page verifies VALID against the embedded root.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from integrity.models import IntegrityPact, PactRevision
from signatures import ca, keystore
from signatures.verify import Verdict, verify_pdf_bytes
from tests.frontend.conftest import Office, build_office
from tests.frontend.test_browser import sign_in
from tests.signatures.conftest import ORGANISATION, _signing_settings  # noqa: F401 - autouse: CA key file, scrypt

# Playwright's sync API runs an event loop in this thread; the ORM calls made here stay synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# transaction=True: the live server's thread must see the office built here; serialized_rollback puts back
# the tables that migrations fill (ranks, holidays) after the flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "signing"
PASS_PEGAWAI = "kopi aceh gayo 2026"  # spaces are part of a passphrase
PASS_KASI = "mie-aceh-pedas-2026"
UNCERTIFIED = "TTE tidak tersertifikasi (CA internal Pakta)"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def office(live_server: Any) -> Office:
    office = build_office()
    keystore.ca_key_file_create()
    ca.ca_initialize(organisation=ORGANISATION)  # the office's seal is issued when its first pact is
    return office


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/login/**")


def sign_with(page: Any, passphrase: str) -> None:
    page.get_by_label("Passphrase tanda tangan").fill(passphrase)
    page.get_by_role("button", name="Tandatangani").click()
    page.locator(".messages").wait_for()


def test_both_parties_enrol_and_sign_a_pact_and_the_pdf_verifies(page: Any, live_server: Any, office: Office) -> None:
    base = live_server.url
    pact = office.pacts["pegawai"]
    detail = f"{base}/pacts/{pact.pk}/"

    # The employee: the pact says it is their turn; signing needs an identity first.
    sign_in(page, base, "pegawai")
    page.goto(detail)
    page.locator("#your-turn").get_by_role("link", name="Tandatangani").click()
    page.wait_for_url(f"{base}/pacts/{pact.pk}/sign/")
    shot(page, "01-sign-page-no-identity")
    page.get_by_role("link", name="Daftarkan identitas").click()
    page.get_by_role("heading", name="Daftarkan identitas").wait_for()
    assert "Yusnidar" in page.locator("#subject").inner_text()
    page.get_by_label("Passphrase baru").fill(PASS_PEGAWAI)
    page.get_by_label("Ulangi passphrase").fill(PASS_PEGAWAI)
    shot(page, "02-enrol")
    page.get_by_role("button", name="Daftarkan dan terbitkan sertifikat").click()
    page.wait_for_url(f"{base}/pacts/{pact.pk}/sign/")  # back where they came from
    assert "Identitas penandatangan Anda terdaftar" in page.locator(".messages").inner_text()

    # A wrong passphrase: a clear alert, nothing signed, the field empty again.
    page.get_by_label("Passphrase tanda tangan").fill("passphrase yang keliru")
    page.get_by_role("button", name="Tandatangani").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Passphrase salah. Sisa percobaan sebelum penandatanganan dikunci: 4." in alert.inner_text()
    assert page.get_by_label("Passphrase tanda tangan").input_value() == ""
    shot(page, "03-sign-wrong-passphrase")
    assert not PactRevision.objects.filter(pact=pact, kind=PactRevision.Kind.SIGNATURE).exists()

    order = page.locator("#signing-order li")
    assert "Giliran sekarang" in order.nth(0).inner_text()
    sign_with(page, PASS_PEGAWAI)
    assert page.url == detail
    assert f"Anda telah menandatangani pakta {pact.number}" in page.locator(".messages").inner_text()
    assert "1 dari 2 pihak telah menandatangani." in page.locator("#signing-progress").inner_text()
    assert "tidak tersertifikasi" in page.locator("table.data-table tbody tr").nth(0).inner_text()
    shot(page, "04-detail-after-first-signature")
    sign_out(page)

    # The superior: enrols from the navigation, then signs from the pact.
    sign_in(page, base, "kasi.pd")
    page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Identitas tanda tangan").click()
    page.get_by_label("Passphrase baru").fill(PASS_KASI)
    page.get_by_label("Ulangi passphrase").fill(PASS_KASI)
    page.get_by_role("button", name="Daftarkan dan terbitkan sertifikat").click()
    page.get_by_role("heading", name="Sertifikat Anda").wait_for()
    assert UNCERTIFIED in page.locator("#certificate").inner_text()
    shot(page, "05-certificate")
    page.goto(detail)
    page.locator("#your-turn").get_by_role("link", name="Tandatangani").click()
    order = page.locator("#signing-order li")
    assert "Sudah menandatangani" in order.nth(0).inner_text() and "Giliran sekarang" in order.nth(1).inner_text()
    shot(page, "06-sign-page-superior")
    sign_with(page, PASS_KASI)
    assert page.url == detail
    assert "kini berstatus Ditandatangani" in page.locator(".messages").inner_text()
    assert page.locator(".lead .badge").inner_text() == "Ditandatangani"
    assert "2 dari 2 pihak telah menandatangani." in page.locator("#signing-progress").inner_text()
    shot(page, "07-pact-signed")
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.SIGNED

    # The final PDF, downloaded through the page, verifies against the embedded root.
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh PDF bertanda tangan").click()
    pdf = Path(download.value.path()).read_bytes()
    latest = PactRevision.objects.filter(pact=pact).order_by("-sequence").first()
    assert latest is not None and latest.kind == PactRevision.Kind.LTA
    assert download.value.suggested_filename == f"{pact.number}-revisi-{latest.sequence}.pdf"
    report = verify_pdf_bytes(pdf, trust_roots=ca.trust_roots(), allowed_embedded_files=1)
    assert report.verdict == Verdict.VALID, report.reasons
    assert len(report.signatures) >= 3  # office seal, two parties (and the archive timestamp)
