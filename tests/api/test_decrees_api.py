"""Decree API: preview, import, per-row errors, size and encoding refusals, HR scope.

Every refusal is a 4xx JSON `{"message", "extra"}` that says what is wrong and where, and nothing
is written: no decree, no assignment, no pact, no audit event.
"""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from audit.models import AuditEvent
from integrity.models import Assignment, Decree, IntegrityPact, Official
from tests.api.conftest import Office, client_for
from tests.factories import unique_nip

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SAMPLE_CSV = (SAMPLES / "decree_rotation_example.csv").read_bytes()
SAMPLE_XLSX = (SAMPLES / "decree_rotation_example.xlsx").read_bytes()
HEADER = "nomor_sk;tanggal_sk;jenis;nip;nama;kode_jabatan;tmt"


def upload(name: str, content: bytes) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, content)}


def snapshot() -> tuple[int, ...]:
    """Counts of everything an import writes."""
    return (
        Decree.objects.count(),
        Assignment.objects.count(),
        Official.objects.count(),
        IntegrityPact.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def sample_ready(office: Office) -> Office:
    """The sample decree's satker is served by Banda Aceh, and its positions exist there."""
    assert office.satker.code == "006817"
    return office


def test_preview_shows_moves_assignments_and_pact_changes_and_writes_nothing(sample_ready: Office, hr: Any) -> None:
    before = snapshot()
    response = client_for(hr).post("/api/v1/decrees/preview/", upload("sk.csv", SAMPLE_CSV), format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == "KEP-45/WPB.01/2026" and body["already_imported"] is False
    assert [m["row"] for m in body["moves"]] == [2, 3, 4, 5]
    assert {m["kind"] for m in body["moves"]} == {"angkat", "kepala_satker", "berhenti"}
    started = {(c["name"], c["acting"]) for c in body["assignments_started"]}
    assert ("Rahmat Hidayat, S.E., M.Ak.", "") in started and ("Sri Wahyuni, S.E.", "kepala_satker") in started
    ended = {c["name"] for c in body["assignments_ended"]}
    assert {"Kasi Pencairan Dana", "Pelaksana Dua", "Kepala Satker 006817"} <= ended
    assert body["pacts_created"] and body["pacts_superseded"]
    assert all(p["parties"] for p in body["pacts_created"])
    assert snapshot() == before


def test_import_creates_the_decree_and_an_identical_reimport_changes_nothing(sample_ready: Office, hr: Any) -> None:
    client = client_for(hr)
    response = client.post("/api/v1/decrees/", upload("sk.csv", SAMPLE_CSV), format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True
    assert body["decree"]["number"] == "KEP-45/WPB.01/2026" and body["decree"]["moves_count"] == 4
    assert body["decree"]["imported_by"] == "hr" and body["decree"]["source_name"] == "sk.csv"
    assert body["changes"]["pacts_created"] and body["pacts_created"]
    decree = Decree.objects.get(number="KEP-45/WPB.01/2026")
    assert AuditEvent.objects.filter(action="integrity.decree.imported", subject_id=str(decree.pk)).count() == 1

    detail = client.get(f"/api/v1/decrees/{decree.pk}/").json()
    assert [m["row_number"] for m in detail["moves"]] == [2, 3, 4, 5]
    assert detail["moves"][0]["position"]["code"] == "KPPN-BNA-PD-KASI"
    assert detail["moves"][1]["spending_unit"]["code"] == "006817"
    listed = client.get("/api/v1/decrees/").json()
    assert decree.number in {d["number"] for d in listed["results"]}

    before = snapshot()
    # The XLSX sample holds the same decree: same content hash, so importing it changes nothing.
    again = client.post("/api/v1/decrees/", upload("sk.xlsx", SAMPLE_XLSX), format="multipart")
    assert again.status_code == 200, again.content
    assert again.json()["created"] is False and "sudah diimpor" in again.json()["message"]
    assert snapshot() == before
    preview = client.post("/api/v1/decrees/preview/", upload("sk.csv", SAMPLE_CSV), format="multipart")
    assert preview.status_code == 200 and preview.json()["already_imported"] is True


def test_bad_rows_answer_400_with_every_row_and_column_and_nothing_is_written(office: Office, hr: Any) -> None:
    content = "\n".join(
        [
            HEADER,
            f"KEP-9/2026;02-11-2026;angkat;123;Nama;{office.staff_2.code};2026-11-02",  # bad NIP
            f"KEP-9/2026;02-11-2026;angkat;{unique_nip()};Nama;TIDAK-ADA;2026-11-02",  # unknown position
            f"KEP-9/2026;02-11-2026;pindah;{unique_nip()};Nama;{office.staff_2.code};31-02-2026",  # kind, date
        ]
    ).encode()
    before = snapshot()
    for url in ("/api/v1/decrees/preview/", "/api/v1/decrees/"):
        response = client_for(hr).post(url, upload("sk.csv", content), format="multipart")
        assert response.status_code == 400, response.content
        body = response.json()
        assert "sk.csv" in body["message"] and "baris 2" in body["message"]
        where = {(e["row"], e["column"]) for e in body["extra"]["errors"]}
        assert {(2, "nip"), (3, "kode_jabatan"), (4, "jenis"), (4, "tmt")} <= where
        assert all(e["message"] for e in body["extra"]["errors"])
    assert snapshot() == before


def test_fifty_megabytes_are_refused_before_parsing_with_413_and_nothing_written(
    office: Office, hr: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_parse(*args: Any) -> None:
        raise AssertionError("a 50 MB upload reached the parser")

    monkeypatch.setattr("integrity.apis.decrees.parse_decree_file", must_not_parse)
    before = snapshot()
    huge = b"nomor_sk;tanggal_sk\n" + b"x" * (50 * 1024 * 1024)
    for url in ("/api/v1/decrees/", "/api/v1/decrees/preview/"):
        response = client_for(hr).post(url, upload("besar.csv", huge), format="multipart")
        assert response.status_code == 413
        body = response.json()
        assert "melebihi batas" in body["message"]
        assert body["extra"]["max_bytes"] == 5 * 1024 * 1024
        assert "50,0\xa0MB" in body["message"] and "5,0\xa0MB" in body["message"]
    assert snapshot() == before


def test_a_file_just_over_the_limit_is_caught_while_streaming(office: Office, hr: Any, settings: Any) -> None:
    """GIVEN a limit of 4 KiB WHEN the body is under the declared-size guard (limit + multipart
    overhead) but the file itself is over the limit THEN the upload handler stops it: 413."""
    settings.PAKTA_MAX_UPLOAD_BYTES = 4096
    content = (HEADER + "\n").encode() + b"x" * 6000
    response = client_for(hr).post("/api/v1/decrees/", upload("sk.csv", content), format="multipart")
    assert response.status_code == 413
    assert "sk.csv" in response.json()["message"]
    assert not Decree.objects.filter(number__startswith="KEP-9").exists()


def test_a_huge_json_body_elsewhere_is_413_json(hr: Any) -> None:
    body: Any = b"{" + b" " * (7 * 1024 * 1024) + b"}"
    response = client_for(hr).generic("POST", "/api/v1/units/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["message"]


def test_a_multipart_body_without_a_file_is_400(hr: Any) -> None:
    body: Any = encode_multipart(BOUNDARY, {"other": "x"})
    response = client_for(hr).generic("POST", "/api/v1/decrees/preview/", body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 400
    assert "file" in response.json()["message"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("sk.csv", (HEADER + "\nKEP-9;02-11-2026;angkat;1;Dédé;X;2026-11-02\n").encode("latin-1"), "UTF-8"),
        ("sk.csv", (HEADER + "\n").encode("utf-16"), "UTF-8"),
        ("sk.xlsx", b"PK\x03\x04 this is not a workbook", "XLSX"),
        ("sk.xlsx", b"nomor_sk;tanggal_sk\n", "XLSX"),
        ("sk.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        ("sk.pdf", b"%PDF-1.7\n", ".pdf"),
        ("sk.csv", b"", "kosong"),
        ("sk.csv", (HEADER + '\nKEP-1;"02-11-2026"x;angkat;1;a;b;c\n').encode(), "CSV rusak pada baris 2"),
        ("sk.csv", b"nama;umur\nA;1\n", "Kolom"),
    ],
)
def test_unusable_files_answer_400_saying_what_and_where(
    office: Office, hr: Any, name: str, content: bytes, expected: str
) -> None:
    before = snapshot()
    response = client_for(hr).post("/api/v1/decrees/", upload(name, content), format="multipart")
    assert response.status_code == 400, response.content
    body = response.json()
    assert expected in body["message"], body
    assert name in body["message"] and body["extra"]["errors"]
    assert snapshot() == before


def test_rows_outside_the_hr_scope_answer_403_listing_them(office: Office, hr: Any, hr_luar: Any) -> None:
    content = "\n".join(
        [
            HEADER,
            f"KEP-9/2026;02-11-2026;angkat;{unique_nip()};Satu;{office.staff_2.code};2026-11-02",
            f"KEP-9/2026;02-11-2026;angkat;{unique_nip()};Dua;{office.other_staff.code};2026-11-02",
        ]
    ).encode()
    before = snapshot()
    response = client_for(hr).post("/api/v1/decrees/", upload("sk.csv", content), format="multipart")
    assert response.status_code == 403, response.content
    body = response.json()
    assert "baris 3" in body["message"] and "sk.csv" in body["message"]
    assert body["extra"]["errors"] == [
        {
            "row": 3,
            "column": "kode_jabatan",
            "message": f"Jabatan {office.other_staff.code} berada di luar lingkup administrator SDM Anda.",
        }
    ]
    # The HR administrator of the other KPPN may not import the sample into Banda Aceh.
    other = client_for(hr_luar).post("/api/v1/decrees/preview/", upload("sk.csv", SAMPLE_CSV), format="multipart")
    assert other.status_code == 403
    assert [e["row"] for e in other.json()["extra"]["errors"]] == [2, 3, 4, 5]
    assert snapshot() == before


def test_a_full_stop_of_someone_serving_elsewhere_is_out_of_scope(office: Office, hr: Any) -> None:
    """`berhenti` without kode_jabatan ends every post the person holds: all must be in scope."""
    nip = office.officials["orang_luar"].nip
    content = f"{HEADER}\nKEP-9/2026;02-11-2026;berhenti;{nip};;;2026-11-02\n".encode()
    response = client_for(hr).post("/api/v1/decrees/preview/", upload("sk.csv", content), format="multipart")
    assert response.status_code == 403
    assert response.json()["extra"]["errors"][0]["column"] == "nip"


def test_only_hr_administrators_may_upload(office: Office, kepatuhan: Any, auditor: Any) -> None:
    for user in (kepatuhan, auditor):
        response = client_for(user).post("/api/v1/decrees/", upload("sk.csv", SAMPLE_CSV), format="multipart")
        assert response.status_code == 403
        assert response.json()["message"]
