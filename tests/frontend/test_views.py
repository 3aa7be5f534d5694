"""The web UI through Django's test client: pages per role, scope (404) and role (403) rules,
the decree upload flow (preview writes nothing, apply writes, a bad file writes nothing), the
language switch and the coverage numbers. The office is described in conftest.py."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from integrity.models import Assignment, Decree, IntegrityPact, Official
from tests.factories import unique_nip
from tests.frontend.conftest import PASSWORD, Office

pytestmark = pytest.mark.django_db

HEADER = (
    "nomor_sk;tanggal_sk;perihal;jenis;nip;jenis_pegawai;nama;gelar_depan;gelar_belakang;"
    "pangkat_golongan;email;kode_jabatan;kode_satker;jabatan_satker;tmt;tanggal_pelantikan"
)


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def text_of(response) -> str:
    """The page's visible text, whitespace collapsed (enough to assert on)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def rotation_csv(office: Office, *, number: str = "KEP-77/WPB.01/2026") -> tuple[bytes, dict[str, str]]:
    """A new Kasi PD from today (renews the section's pacts) and a new Bank staff member in 30
    days (a future-dated move)."""
    today = office.today
    later = today + datetime.timedelta(days=30)
    nips = {"kasi": unique_nip(), "staf": unique_nip()}
    rows = [
        f"{number};{today:%d-%m-%Y};Mutasi pejabat KPPN;angkat;{nips['kasi']};pns;Rahmat Hidayat;;S.E.;III/d;;"
        f"KPPN-BNA-PD-KASI;;;{today:%Y-%m-%d};",
        f"{number};{today:%d-%m-%Y};Mutasi pejabat KPPN;angkat;{nips['staf']};pns;Cut Meutia;;A.Md.;II/c;;"
        f"KPPN-BNA-BANK-2;;;{later:%Y-%m-%d};",
    ]
    return ("\n".join([HEADER, *rows]) + "\n").encode(), nips


def bad_csv(office: Office) -> bytes:
    today = office.today
    rows = [
        f"KEP-78/2026;{today:%d-%m-%Y};Mutasi;angkat;{unique_nip()};pns;Baru Satu;;;III/a;;TIDAK-ADA;;;"
        f"{today:%Y-%m-%d};",
        f"KEP-78/2026;{today:%d-%m-%Y};Mutasi;angkat;12345;pns;Baru Dua;;;III/a;;KPPN-BNA-BANK-2;;;{today:%Y-%m-%d};",
        f"KEP-78/2026;{today:%d-%m-%Y};Mutasi;pindah;{unique_nip()};pns;Baru Tiga;;;;;KPPN-BNA-BANK-2;;;31-02-2026;",
    ]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def upload(client: Client, content: bytes, name: str = "sk.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("frontend:decree-upload"), {"file": SimpleUploadedFile(name, content, "text/csv")})


def snapshot_counts() -> dict[str, int]:
    return {
        "decrees": Decree.objects.count(),
        "assignments": Assignment.objects.count(),
        "officials": Official.objects.count(),
        "pacts": IntegrityPact.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


# --- sign-in ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client: Client, office: Office) -> None:
    for name in ("home", "pacts", "team", "coverage", "decrees", "decree-upload", "inbox"):
        response = client.get(reverse(f"frontend:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("frontend:login"))


def test_login_page_renders_in_indonesian_with_labels(client: Client, office: Office) -> None:
    response = client.get(reverse("frontend:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert "Masuk ke Pakta" in html
    assert 'href="#main"' in html  # skip link
    assert 'action="/i18n/setlang/"' in html


def test_login_with_a_wrong_password_says_so_and_stays(client: Client, office: Office) -> None:
    response = client.post(reverse("frontend:login"), {"username": "pegawai", "password": "salah"})
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in text_of(response)
    assert "_auth_user_id" not in client.session


def test_login_then_logout_by_post(client: Client, office: Office) -> None:
    response = client.post(reverse("frontend:login"), {"username": "pegawai", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("frontend:home")
    assert client.get(reverse("frontend:logout")).status_code == 405  # logout is a POST
    response = client.post(reverse("frontend:logout"))
    assert response.status_code == 302
    assert client.get(reverse("frontend:home")).status_code == 302


# --- pages per role -----------------------------------------------------------------------------

PAGES = ("home", "pacts", "team", "coverage", "decrees", "decree-upload", "inbox", "pacts-all")
MATRIX = {
    #              home pacts team cover decrees upload inbox all
    "pegawai":     (200, 200, 403, 403, 403, 403, 200, 403),
    "kasi.pd":     (200, 200, 200, 200, 403, 403, 200, 200),
    "kepala.kppn": (200, 200, 200, 200, 403, 403, 200, 200),
    "kepatuhan":   (200, 403, 403, 200, 200, 403, 403, 200),
    "auditor":     (200, 403, 403, 200, 200, 403, 403, 200),
    "hr":          (200, 200, 403, 403, 200, 200, 200, 200),
    "satker":      (200, 200, 403, 403, 403, 403, 200, 403),
    "orang_luar":  (200, 403, 403, 403, 403, 403, 403, 403),
}  # fmt: skip
PAGES_BY_ROLE = {user: dict(zip(PAGES, statuses, strict=True)) for user, statuses in MATRIX.items()}


@pytest.mark.parametrize(
    ("username", "page", "status"),
    [(user, page, status) for user, pages in PAGES_BY_ROLE.items() for page, status in pages.items()],
)
def test_page_matrix(client: Client, office: Office, username: str, page: str, status: int) -> None:
    login(client, username)
    response = client.get(reverse(f"frontend:{page}"))
    assert response.status_code == status
    if status == 200:
        assert b'<main id="main"' in response.content
        assert b'href="/static/frontend/app.css"' in response.content


def test_navigation_shows_only_the_pages_that_open(client: Client, office: Office) -> None:
    for username, pages in PAGES_BY_ROLE.items():
        client.logout()
        login(client, username)
        html = client.get(reverse("frontend:home")).content.decode()
        nav = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
        for page in ("pacts", "team", "coverage", "decrees", "decree-upload", "inbox"):
            assert (f'href="{reverse(f"frontend:{page}")}"' in nav) == (pages[page] == 200), (username, page)


def test_role_badges_in_the_header(client: Client, office: Office) -> None:
    login(client, "kepala.kppn")
    header = client.get(reverse("frontend:home")).content.decode().split("</header>", 1)[0]
    assert "Hendra Gunawan" in header
    for badge in ("Pegawai", "Atasan", "Kepala unit"):
        assert f'<li class="role-badge">{badge}</li>' in header
    client.logout()
    login(client, "auditor")
    header = client.get(reverse("frontend:home")).content.decode().split("</header>", 1)[0]
    assert '<li class="role-badge">Auditor</li>' in header


def test_my_pacts_groups_by_state_and_highlights_overdue(client: Client, office: Office) -> None:
    login(client, "pegawai")
    response = client.get(reverse("frontend:pacts"))
    html = response.content.decode()
    overdue = html.split('id="overdue"', 1)[1].split("</section>", 1)[0]
    pact = office.pacts["pegawai"]
    assert pact.number in overdue
    assert 'class="state-overdue"' in overdue and "badge-overdue" in overdue
    assert "Rahmi Fitriani" in overdue  # the other party, the superior
    assert pact.due_date.strftime("%Y-%m-%d") in overdue  # machine-readable due date


def test_home_of_an_official_counts_own_pacts(client: Client, office: Office) -> None:
    login(client, "kasi.pd")
    response = client.get(reverse("frontend:home"))
    html = response.content.decode()
    for heading in ("mine-heading", "team-heading", "coverage-heading"):
        assert f'id="{heading}"' in html
    assert 'id="decrees-heading"' not in html
    # Kasi PD: own pact signed; a signatory (witness) of two staff pacts, one overdue, one signed.
    section = text_of(response).split("Pakta saya", 2)[2].split("Pakta tim saya", 1)[0]
    assert "1 terlambat" in section and "0 menunggu tanda tangan" in section and "2 ditandatangani" in section


def test_team_page_lists_the_subordinates_pacts_overdue_first(client: Client, office: Office) -> None:
    login(client, "kasi.pd")
    html = client.get(reverse("frontend:team")).content.decode()
    assert html.index("Yusnidar") < html.index("Marzuki")  # overdue first
    assert office.pacts["pegawai"].number in html and office.pacts["pd2"].number in html
    assert office.pacts["bank1"].number not in html  # not this superior's team


def test_team_of_the_kepala_is_the_section_heads_own_pacts(client: Client, office: Office) -> None:
    """The Kasi witnesses their staff's pacts; those are not the Kepala's team's pacts."""
    login(client, "kepala.kppn")
    html = client.get(reverse("frontend:team")).content.decode()
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert table.count("<tr") == 2
    assert office.pacts["kasi_pd"].number in table and office.pacts["kasi_bank"].number in table
    assert office.pacts["pegawai"].number not in table


def test_outsider_gets_404_on_others_pacts(client: Client, office: Office) -> None:
    pact = office.pacts["pegawai"]
    for username in ("orang_luar", "satker"):
        client.logout()
        login(client, username)
        assert client.get(reverse("frontend:pact-detail", args=[pact.pk])).status_code == 404
        assert client.get(reverse("frontend:pact-pdf", args=[pact.pk])).status_code == 404
    client.logout()
    login(client, "pegawai")
    assert client.get(reverse("frontend:pact-detail", args=[office.pacts["bank1"].pk])).status_code == 404
    assert client.get(reverse("frontend:pact-detail", args=[999999])).status_code == 404


def test_404_page_is_in_the_users_language(client: Client, office: Office) -> None:
    login(client, "orang_luar")
    response = client.get(reverse("frontend:pact-detail", args=[office.pacts["pegawai"].pk]))
    assert "Halaman tidak ditemukan" in response.content.decode()


@pytest.mark.parametrize("username", ["pegawai", "kasi.pd", "kepala.kppn", "kepatuhan", "auditor", "hr"])
def test_pact_detail_shows_parties_status_why_and_the_pdf(client: Client, office: Office, username: str) -> None:
    login(client, username)
    pact = office.pacts["pegawai"]
    response = client.get(reverse("frontend:pact-detail", args=[pact.pk]))
    assert response.status_code == 200
    text = text_of(response)
    html = response.content.decode()
    assert pact.number in text
    assert "Yusnidar" in text and "Rahmi Fitriani" in text  # both parties, from the snapshot
    assert "Pembuat Pernyataan" in text and "Menyaksikan" in text
    assert "Terlambat" in text
    assert "Mengapa pakta ini ada?" in text
    assert "melapor langsung kepada" in text  # pact_explain's summary
    pdf_url = reverse("frontend:pact-pdf", args=[pact.pk])
    assert f'<iframe class="pdf-frame print-hide" src="{pdf_url}"' in html


def test_superseded_pact_explains_why_and_links_its_successor(client: Client, office: Office) -> None:
    login(client, "hr")
    content, _nips = rotation_csv(office)
    preview = client.get(upload(client, content)["Location"])
    client.post(re.search(r'action="([^"]+/apply/)"', preview.content.decode())[1])  # type: ignore[index]
    old = IntegrityPact.objects.get(pk=office.pacts["pegawai"].pk)
    assert old.status == IntegrityPact.Status.SUPERSEDED
    text = text_of(client.get(reverse("frontend:pact-detail", args=[old.pk])))
    assert "Pakta ini telah digantikan." in text
    assert "KEP-77/WPB.01/2026" in text
    successor = IntegrityPact.objects.get(supersedes=old)
    assert successor.number in text


def test_pact_pdf_is_served_inline_from_the_same_origin(client: Client, office: Office) -> None:
    login(client, "pegawai")
    pact = office.pacts["pegawai"]
    response = client.get(reverse("frontend:pact-pdf", args=[pact.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Disposition"].startswith("inline")
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"%PDF-")
    download = client.get(reverse("frontend:pact-pdf", args=[pact.pk]) + "?download=1")
    assert download["Content-Disposition"].startswith("attachment")


def test_inbox_lists_the_officials_messages(client: Client, office: Office) -> None:
    from integrity.models import InboxMessage

    pact = office.pacts["pegawai"]
    InboxMessage.objects.create(
        official=office.officials["pegawai"],
        subject="Terlambat: pakta integritas " + pact.number,
        body="Pakta belum ditandatangani.",
        url=reverse("frontend:pact-detail", args=[pact.pk]),
    )
    InboxMessage.objects.create(official=office.officials["pd2"], subject="Pesan orang lain", body="-")
    login(client, "pegawai")
    html = client.get(reverse("frontend:inbox")).content.decode()
    assert pact.number in html and "Pesan orang lain" not in html
    assert f'href="{reverse("frontend:pact-detail", args=[pact.pk])}"' in html
    assert "1 pesan belum dibaca" in text_of(client.get(reverse("frontend:home")))


# --- coverage -----------------------------------------------------------------------------------


def coverage_rows(html: str) -> dict[str, list[str]]:
    """unit name -> the cells of its row in the coverage table."""
    table = html.split('class="data-table coverage-table"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr data-unit=.*?</tr>", table, flags=re.S):
        cells = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


def test_coverage_shows_counts_and_percentages_per_unit(client: Client, office: Office) -> None:
    login(client, "kepatuhan")
    response = client.get(reverse("frontend:coverage"))
    html = response.content.decode()
    rows = coverage_rows(html)
    kppn = office.units["kppn"].name
    assert rows[kppn] == ["1 (50%)", "0 (0%)", "1 (50%)", "2"]
    assert rows["Seksi Pencairan Dana"] == ["2 (67%)", "0 (0%)", "1 (33%)", "3"]
    assert rows["Seksi Bank"] == ["0 (0%)", "2 (100%)", "0 (0%)", "2"]
    foot = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", foot)).split() == [
        "Jumlah", "3", "(43%)", "2", "(29%)", "2", "(29%)", "7",
    ]  # fmt: skip
    # The chart: one labelled SVG bar per unit, segment widths in percent of the unit's pacts.
    assert html.count('class="chart-bar"') == 3
    assert 'aria-label="Seksi Pencairan Dana: 67% ditandatangani, 0% menunggu, 33% terlambat"' in html
    assert '<rect class="seg-signed" x="0" y="0" width="66.667"' in html


def test_coverage_of_a_unit_head_is_the_units_subtree(client: Client, office: Office) -> None:
    login(client, "kasi.pd")
    rows = coverage_rows(client.get(reverse("frontend:coverage")).content.decode())
    assert rows["Seksi Pencairan Dana"] == ["2 (67%)", "0 (0%)", "1 (33%)", "3"]
    assert "Seksi Bank" not in rows


def test_auditor_sees_read_only_coverage(client: Client, office: Office) -> None:
    login(client, "auditor")
    text = text_of(client.get(reverse("frontend:coverage")))
    assert "Tampilan auditor: hanya baca." in text
    assert "Unggah SK" not in text


def test_pacts_in_scope_filter_by_unit_and_state(client: Client, office: Office) -> None:
    login(client, "kepatuhan")
    url = reverse("frontend:pacts-all")
    html = client.get(url, {"unit": str(office.units["section"].pk), "state": "overdue"}).content.decode()
    assert office.pacts["pegawai"].number in html
    assert office.pacts["pd2"].number not in html and office.pacts["satker"].number not in html
    html = client.get(url, {"state": "bogus"}).content.decode()  # an invalid filter shows the current pacts
    assert office.pacts["bank1"].number in html


# --- decree upload ------------------------------------------------------------------------------


def test_decree_preview_shows_pact_changes_and_writes_nothing(client: Client, office: Office) -> None:
    login(client, "hr")
    before = snapshot_counts()
    content, _nips = rotation_csv(office)
    response = upload(client, content)
    assert response.status_code == 302
    assert response["Location"].startswith("/decrees/preview/")
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert snapshot_counts() == before
    html = preview.content.decode()
    text = text_of(preview)
    assert "Pratinjau SK KEP-77/WPB.01/2026" in text
    created = html.split('id="pacts-created"', 1)[1].split("</table>", 1)[0]
    superseded = html.split('id="pacts-superseded"', 1)[1].split("</table>", 1)[0]
    later = html.split('id="pending-moves"', 1)[1].split("</table>", 1)[0]
    # The new Kasi PD renews three pacts: their own with the Kepala and the two staff pacts.
    assert created.count("<tr>") - 1 == 3
    assert "Rahmat Hidayat" in created and "Yusnidar" in created and "Hendra Gunawan" in created
    for key in ("kasi_pd", "pegawai", "pd2"):
        assert office.pacts[key].number in superseded
    assert "tidak lagi menjabat" in superseded or "berubah" in superseded  # the reason
    assert "Cut Meutia" in later  # the future-dated move
    assert 'action="/decrees/preview/' in html and "Terapkan SK" in text


def test_an_xlsx_decree_previews_like_its_csv(client: Client, office: Office) -> None:
    import io

    import openpyxl

    content, _nips = rotation_csv(office)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in content.decode().splitlines():
        sheet.append(line.split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, "hr")
    response = upload(client, buffer.getvalue(), name="sk.xlsx")
    assert response.status_code == 302
    text = text_of(client.get(response["Location"]))
    assert "Pratinjau SK KEP-77/WPB.01/2026" in text and "Rahmat Hidayat" in text


def test_decree_apply_writes_and_shows_the_result(client: Client, office: Office) -> None:
    login(client, "hr")
    content, nips = rotation_csv(office)
    preview_url = upload(client, content)["Location"]
    digest = preview_url.rstrip("/").rsplit("/", 1)[1]
    response = client.post(reverse("frontend:decree-apply", args=[digest]))
    decree = Decree.objects.get(number="KEP-77/WPB.01/2026")
    assert response.status_code == 302 and response["Location"] == reverse("frontend:decree-detail", args=[decree.pk])
    assert Official.objects.filter(nip=nips["kasi"]).exists()
    assert IntegrityPact.objects.get(pk=office.pacts["pegawai"].pk).status == IntegrityPact.Status.SUPERSEDED
    result = client.get(response["Location"])
    text = text_of(result)
    assert "SK KEP-77/WPB.01/2026 diimpor" in text  # the service's message, shown once
    assert "Pakta yang dibuat karena SK ini" in text
    assert IntegrityPact.objects.filter(trigger_decree=decree).count() == 3
    for pact in IntegrityPact.objects.filter(trigger_decree=decree):
        assert pact.number in text
    assert office.pacts["pegawai"].number in text  # among the pacts it ended
    # The upload is gone from the session: applying again sends the user back to the upload page.
    again = client.post(reverse("frontend:decree-apply", args=[digest]))
    assert again.status_code == 302 and again["Location"] == reverse("frontend:decree-upload")
    assert Decree.objects.count() == 1


def test_apply_never_trusts_a_digest_it_did_not_store(client: Client, office: Office) -> None:
    login(client, "hr")
    content, _nips = rotation_csv(office)
    upload(client, content)
    before = snapshot_counts()
    response = client.post(reverse("frontend:decree-apply", args=["0" * 64]))
    assert response.status_code == 302 and response["Location"] == reverse("frontend:decree-upload")
    assert snapshot_counts() == before


def test_bad_decree_shows_per_row_errors_and_writes_nothing(client: Client, office: Office) -> None:
    login(client, "hr")
    before = snapshot_counts()
    response = upload(client, bad_csv(office))
    assert response.status_code == 400
    assert snapshot_counts() == before
    html = response.content.decode()
    assert "SK ditolak: tidak ada data yang disimpan" in html
    table = html.split('class="data-table errors-table"', 1)[1].split("</table>", 1)[0]
    rows = [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    ]
    located = {(row[0], row[1]) for row in rows}
    assert ("3", "nip") in located  # 12345 is no NIP
    assert ("4", "jenis") in located  # unknown kind
    assert ("4", "tmt") in located  # 31-02-2026 does not exist
    assert all(row[2] for row in rows)  # every error has a message
    assert "sk.csv" in html
    assert "frontend.decree_upload" not in client.session  # nothing kept for a later apply


def test_unknown_position_is_reported_on_its_row(client: Client, office: Office) -> None:
    login(client, "hr")
    today = office.today
    row = f"KEP-79/2026;{today:%d-%m-%Y};Mutasi;angkat;{unique_nip()};pns;Baru;;;III/a;;TIDAK-ADA;;;{today:%Y-%m-%d};"
    response = upload(client, f"{HEADER}\n{row}\n".encode())
    assert response.status_code == 400
    text = text_of(response)
    assert "2 kode_jabatan Kode jabatan TIDAK-ADA tidak dikenal." in text
    assert Decree.objects.count() == 0


def test_rows_outside_the_hr_scope_are_refused_and_nothing_is_written(client: Client, office: Office) -> None:
    """GIVEN `hr` administers the KPPN only, WHEN the decree appoints somebody to the Kanwil head's
    post, THEN the row is refused as outside the scope, at upload and again at apply."""
    login(client, "hr")
    today = office.today
    row = f"KEP-80/2026;{today:%d-%m-%Y};Mutasi;angkat;{unique_nip()};pns;Baru;;;IV/a;;KAKANWIL;;;{today:%Y-%m-%d};"
    before = snapshot_counts()
    response = upload(client, f"{HEADER}\n{row}\n".encode())
    assert response.status_code == 403
    assert "2 kode_jabatan Jabatan KAKANWIL berada di luar lingkup administrator SDM Anda." in text_of(response)
    assert snapshot_counts() == before
    assert "frontend.decree_upload" not in client.session


def test_upload_without_a_file_or_of_another_type_says_why(client: Client, office: Office) -> None:
    login(client, "hr")
    response = client.post(reverse("frontend:decree-upload"), {})
    assert response.status_code == 400
    assert "Pilih berkas SK yang akan diunggah." in text_of(response)
    response = upload(client, b"%PDF-1.7 not a decree", name="sk.pdf")
    assert response.status_code == 400
    assert "tidak didukung" in text_of(response)


def test_only_hr_administrators_may_upload(client: Client, office: Office) -> None:
    content, _nips = rotation_csv(office)
    for username in ("kepatuhan", "auditor", "kepala.kppn", "pegawai"):
        client.logout()
        login(client, username)
        assert upload(client, content).status_code == 403
        assert client.post(reverse("frontend:decree-apply", args=["0" * 64])).status_code == 403
    assert Decree.objects.count() == 0


def test_decree_list_and_detail_after_import(client: Client, office: Office) -> None:
    login(client, "hr")
    content, _nips = rotation_csv(office)
    digest = upload(client, content)["Location"].rstrip("/").rsplit("/", 1)[1]
    client.post(reverse("frontend:decree-apply", args=[digest]))
    decree = Decree.objects.get()
    for username in ("hr", "kepatuhan", "auditor"):
        client.logout()
        login(client, username)
        assert decree.number in client.get(reverse("frontend:decrees")).content.decode()
        assert client.get(reverse("frontend:decree-detail", args=[decree.pk])).status_code == 200
    client.logout()
    login(client, "pegawai")
    assert client.get(reverse("frontend:decree-detail", args=[decree.pk])).status_code == 403


# --- language -----------------------------------------------------------------------------------


def test_language_switch_to_english_changes_the_page_language(client: Client, office: Office) -> None:
    login(client, "kepatuhan")
    response = client.get(reverse("frontend:coverage"))
    assert '<html lang="id">' in response.content.decode() and "Cakupan pakta" in text_of(response)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("frontend:coverage")})
    assert response.status_code == 302 and response["Location"] == reverse("frontend:coverage")
    response = client.get(reverse("frontend:coverage"))
    html = response.content.decode()
    text = text_of(response)
    assert '<html lang="en">' in html
    assert "Pact coverage" in text and "Signed" in text and "Overdue" in text
    assert "Cakupan pakta" not in text
    assert 'aria-pressed="true">English' in html


def test_english_error_table_for_a_bad_decree(client: Client, office: Office) -> None:
    login(client, "hr")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = upload(client, bad_csv(office))
    text = text_of(response)
    assert response.status_code == 400
    assert "Decree rejected: nothing was saved" in text
    assert "Row" in text and "Column" in text and "Message" in text


def test_chosen_language_middleware_ignores_the_browser_language(client: Client, office: Office, settings) -> None:
    """With `frontend.middleware.ChosenLanguageMiddleware`, an English browser still gets Bahasa
    Indonesia until the user switches; the switch then holds."""
    settings.MIDDLEWARE = [
        "frontend.middleware.ChosenLanguageMiddleware" if m == "django.middleware.locale.LocaleMiddleware" else m
        for m in settings.MIDDLEWARE
    ]
    response = client.get(reverse("frontend:login"), headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="id">' in response.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    response = client.get(reverse("frontend:login"), headers={"accept-language": "id"})
    assert '<html lang="en">' in response.content.decode() and "Sign in to Pakta" in text_of(response)
