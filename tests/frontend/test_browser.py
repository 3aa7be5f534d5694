"""The web UI in headless Chromium (Debian's /usr/bin/chromium through Playwright's sync API),
against pytest-django's live server. Screenshots go to test-artifacts/frontend/ (git-ignored).

GIVEN the office of conftest.py (built in the test, in a transactional database the live server
shares), WHEN the HR administrator uploads a decree, checks the preview and applies it, and the
compliance officer opens the coverage page, THEN each page shows what the test client tests
assert, as a browser renders it."""

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from integrity.models import Decree, IntegrityPact
from tests.frontend.conftest import PASSWORD, Office, build_office
from tests.frontend.test_views import bad_csv, rotation_csv

# Playwright's sync API runs an event loop in this thread; the ORM calls made here (building the
# office, checking the result) are still plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# transaction=True: the live server's thread must see the office this test builds. The flush
# after each such test would also empty the tables that migrations fill (ranks, holidays);
# serialized_rollback puts them back before the next test.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "frontend"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def office(live_server: Any) -> Office:
    return build_office()


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base_url}/")


def test_hr_uploads_a_decree_sees_the_preview_applies_it(page: Any, live_server: Any, office: Office) -> None:
    base = live_server.url
    sign_in(page, base, "hr")
    shot(page, "01-home-hr")
    page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Unggah SK").click()
    page.wait_for_url(f"{base}/decrees/upload/")

    # A bad file: the per-row report, nothing written.
    page.get_by_label("Berkas SK (CSV atau XLSX)").set_input_files(
        {"name": "sk-salah.csv", "mimeType": "text/csv", "buffer": bad_csv(office)}
    )
    page.get_by_role("button", name="Unggah dan tampilkan pratinjau").click()
    errors = page.locator("table.errors-table")
    errors.wait_for()
    assert page.get_by_role("heading", name="SK ditolak: tidak ada data yang disimpan").is_visible()
    cells = errors.locator("tbody tr").all_inner_texts()
    assert any(re.match(r"3\s+nip\s+\S", row) for row in cells)
    assert any(re.match(r"4\s+jenis\s+\S", row) for row in cells)
    assert Decree.objects.count() == 0
    shot(page, "02-decree-upload-errors")

    # A good file: the preview lists the pact changes and writes nothing.
    content, _nips = rotation_csv(office)
    page.get_by_label("Berkas SK (CSV atau XLSX)").set_input_files(
        {"name": "sk-mutasi.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Unggah dan tampilkan pratinjau").click()
    page.get_by_role("heading", name="Pratinjau SK KEP-77/WPB.01/2026").wait_for()
    created = page.locator("#pacts-created tbody tr")
    superseded = page.locator("#pacts-superseded tbody tr")
    expect(created).to_have_count(3)
    expect(superseded).to_have_count(3)
    assert "Rahmat Hidayat" in page.locator("#pacts-created").inner_text()
    assert office.pacts["pegawai"].number in page.locator("#pacts-superseded").inner_text()
    assert "Cut Meutia" in page.locator("#pending-moves").inner_text()
    assert Decree.objects.count() == 0
    shot(page, "03-decree-preview")

    # Apply: the decree is imported and the result page lists the pacts it created and ended.
    page.get_by_role("button", name="Terapkan SK").click()
    page.get_by_role("heading", name="SK KEP-77/WPB.01/2026").wait_for()
    assert "diimpor" in page.locator(".messages").inner_text()
    decree = Decree.objects.get(number="KEP-77/WPB.01/2026")
    assert page.url == f"{base}/decrees/{decree.pk}/"
    created_pacts = IntegrityPact.objects.filter(trigger_decree=decree)
    assert created_pacts.count() == 3
    body = page.locator("main").inner_text()
    for pact in created_pacts:
        assert pact.number in body
    shot(page, "04-decree-applied")


def test_compliance_officer_reads_the_coverage_page(page: Any, live_server: Any, office: Office) -> None:
    base = live_server.url
    sign_in(page, base, "kepatuhan")
    page.get_by_role("link", name="Cakupan pakta").first.click()
    page.wait_for_url(f"{base}/coverage/")
    page.get_by_role("heading", name="Cakupan pakta", exact=True).wait_for()

    table = page.locator("table.coverage-table")
    rows = {
        re.split(r"\t", text)[0].strip(): [cell.strip() for cell in re.split(r"\t", text)[1:]]
        for text in table.locator("tbody tr").all_inner_texts()
    }
    assert rows["Seksi Pencairan Dana"] == ["2 (67%)", "0 (0%)", "1 (33%)", "3"]
    assert rows["Seksi Bank"] == ["0 (0%)", "2 (100%)", "0 (0%)", "2"]
    assert page.get_by_test_id("total-signed-percent").inner_text() == "43%"

    # The chart: one bar per unit, each segment as wide as its share.
    bars = page.locator("svg.chart-bar")
    expect(bars).to_have_count(3)
    section = page.get_by_role("img", name="Seksi Pencairan Dana: 67% ditandatangani, 0% menunggu, 33% terlambat")
    bar_box = section.bounding_box()
    signed_box = section.locator("rect.seg-signed").bounding_box()
    overdue_box = section.locator("rect.seg-overdue").bounding_box()
    assert signed_box["width"] / bar_box["width"] == pytest.approx(2 / 3, abs=0.02)
    assert overdue_box["width"] / bar_box["width"] == pytest.approx(1 / 3, abs=0.02)
    shot(page, "05-coverage-kepatuhan")

    # Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Langsung ke isi halaman"
    shot(page, "06-coverage-skip-link-focus")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # English, through the language switch in the header.
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Pact coverage", exact=True).wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_role("img", name="Seksi Pencairan Dana: 67% signed, 0% pending, 33% overdue").is_visible()
    shot(page, "07-coverage-english")

    # Printable: the print stylesheet hides the navigation and keeps the table.
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main navigation").is_visible()
    assert table.is_visible()
    page.emulate_media(media="screen")


def test_pact_detail_shows_the_why_and_the_pdf_inline(page: Any, live_server: Any, office: Office) -> None:
    base = live_server.url
    sign_in(page, base, "pegawai")
    shot(page, "08-home-pegawai")
    page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Pakta saya").click()
    overdue = page.locator("#overdue tbody tr.state-overdue")
    expect(overdue).to_have_count(1)  # waits for the page, unlike count()
    shot(page, "09-my-pacts")
    pact = office.pacts["pegawai"]
    pdf_url = f"{base}/pacts/{pact.pk}/pdf/"
    # The page's iframe fetches the PDF (rendered on this first request); check that response.
    with page.expect_response(pdf_url) as pdf:
        page.get_by_role("link", name=pact.number).first.click()
    page.get_by_role("heading", name="Mengapa pakta ini ada?").wait_for()
    assert page.locator("iframe.pdf-frame").get_attribute("src") == f"/pacts/{pact.pk}/pdf/"
    response = pdf.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    page.wait_for_timeout(500)  # let the PDF viewer paint for the screenshot
    shot(page, "10-pact-detail")


def test_superior_sees_the_team_page(page: Any, live_server: Any, office: Office) -> None:
    base = live_server.url
    sign_in(page, base, "kasi.pd")
    page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Pakta tim saya").click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)  # waits for the page, unlike count()
    assert "Yusnidar" in rows.first.inner_text()  # overdue first
    shot(page, "11-team")
