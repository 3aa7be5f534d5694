"""Importing decrees (integrity/services/decrees.py and the import_decree command).

The office: KPPN Banda Aceh with its head, the head of Seksi Pencairan Dana (reporting to the KPPN
head) and two staff (reporting to the section head); satkers 006817 and 006818 have heads, 006819
has none. Everyone holds their post since 2 Jan 2025 and the pacts of that organisation exist.
"today" (Asia/Jakarta) is pinned to TODAY.
"""

import datetime
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from audit.models import AuditEvent
from integrity import workdays
from integrity.decree_files import ParsedDecree, parse_decree_file
from integrity.models import (
    Assignment,
    Decree,
    DecreeMove,
    IntegrityPact,
    Official,
    Position,
    SpendingUnitHead,
)
from integrity.services import org
from integrity.services.decrees import DecreeRejected, decree_import, decree_preview, decree_validate
from integrity.services.pacts import pacts_reconcile
from tests import factories

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
TODAY = datetime.date(2026, 8, 3)
START = datetime.date(2025, 1, 2)
TMT = datetime.date(2026, 7, 1)
NUMBER = "KEP-45/WPB.01/2026"
SAMPLE_NUMBER = "KEP-45/WPB.01/2026"
NEW_KASI_NIP = "198405122008031001"  # Rahmat Hidayat in the sample, not registered before
RETIRING_NIP = "196607151990031003"  # Teuku Ahmad in the sample, holds PELAKSANA-2

HEADER = [
    "nomor_sk",
    "tanggal_sk",
    "perihal",
    "jenis",
    "nip",
    "nama",
    "kode_jabatan",
    "kode_satker",
    "tmt",
]


@dataclass
class Office:
    kppn_head: Position
    kasi: Position
    staff_1: Position
    staff_2: Position
    head: Official
    old_kasi: Official
    staff_1_holder: Official
    staff_2_holder: Official


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workdays, "today_jakarta", lambda: TODAY)


@pytest.fixture
def office(db: Any) -> Office:
    units = factories.make_office()
    kppn_head = factories.make_position("KPPN-BNA-KEPALA", units["kppn"], head=True)
    kasi = factories.make_position("KPPN-BNA-PD-KASI", units["section"], reports_to=kppn_head, head=True)
    staff_1 = factories.make_position("KPPN-BNA-PD-PELAKSANA-1", units["section"], reports_to=kasi)
    staff_2 = factories.make_position("KPPN-BNA-PD-PELAKSANA-2", units["section"], reports_to=kasi)
    people = {
        "head": factories.make_official("Kepala Lama", rank="IV/a"),
        "old_kasi": factories.make_official("Kasi Lama", rank="III/d"),
        "staff_1_holder": factories.make_official("Pelaksana Satu"),
        "staff_2_holder": factories.make_official("Teuku Ahmad", nip=RETIRING_NIP),
    }
    for person, position in zip(people.values(), (kppn_head, kasi, staff_1, staff_2), strict=True):
        org.assignment_start(official=person, position=position, effective_date=START)
    for code, head in (("006817", "Kepala Satker 17"), ("006818", "Kepala Satker 18"), ("006819", None)):
        satker = factories.make_satker(code, units["kppn"])
        if head:
            org.satker_head_appoint(spending_unit=satker, official=factories.make_official(head), effective_date=START)
    pacts_reconcile(as_of=START)
    return Office(kppn_head, kasi, staff_1, staff_2, **people)


def csv_bytes(rows: list[dict[str, str]], *, header: list[str] = HEADER, sep: str = ",") -> bytes:
    lines = [sep.join(header)]
    defaults = {"nomor_sk": NUMBER, "tanggal_sk": "2026-06-15", "perihal": "Mutasi", "tmt": TMT.isoformat()}
    for row in rows:
        values = {**defaults, **row}
        lines.append(sep.join(values.get(name, "") for name in header))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def parsed_csv(rows: list[dict[str, str]], **kwargs: Any) -> ParsedDecree:
    return parse_decree_file("sk.csv", csv_bytes(rows, **kwargs))


def sample(name: str) -> ParsedDecree:
    return parse_decree_file(name, (SAMPLES / name).read_bytes())


def counts() -> dict[str, int]:
    return {
        "decrees": Decree.objects.count(),
        "moves": DecreeMove.objects.count(),
        "officials": Official.objects.count(),
        "assignments": Assignment.objects.count(),
        "ended": Assignment.objects.filter(end_date__isnull=False).count(),
        "heads": SpendingUnitHead.objects.count(),
        "pacts": IntegrityPact.objects.count(),
        "current_pacts": IntegrityPact.objects.filter(status__in=IntegrityPact.CURRENT_STATUSES).count(),
        "audit": AuditEvent.objects.count(),
    }


def rejected(parsed: ParsedDecree) -> DecreeRejected:
    before = counts()
    with pytest.raises(DecreeRejected) as caught:
        decree_import(parsed=parsed, actor=None)
    assert counts() == before  # nothing written, no audit event
    assert caught.value.status_code == 400
    return caught.value


def current_pact(official: Official, kind: str = IntegrityPact.Kind.EMPLOYEE_SUPERIOR) -> IntegrityPact:
    return IntegrityPact.objects.get(
        status__in=IntegrityPact.CURRENT_STATUSES, kind=kind, parties__order=1, parties__official=official
    )


# --- the sample decree -------------------------------------------------------------------------


def test_csv_and_xlsx_samples_hash_the_same_and_import_once(office: Office) -> None:
    from_csv, from_xlsx = sample("decree_rotation_example.csv"), sample("decree_rotation_example.xlsx")
    assert from_csv.content_sha256 == from_xlsx.content_sha256

    result = decree_import(parsed=from_xlsx, actor=None, source_name="decree_rotation_example.xlsx")
    assert result.created
    decree = result.decree
    assert (decree.number, decree.decree_date, decree.content_sha256) == (
        SAMPLE_NUMBER,
        datetime.date(2026, 6, 15),
        from_csv.content_sha256,
    )
    assert list(decree.moves.values_list("row_number", "kind")) == [
        (2, "angkat"),
        (3, "kepala_satker"),
        (4, "berhenti"),
        (5, "angkat"),
    ]
    rahmat = Official.objects.get(nip=NEW_KASI_NIP)
    assert (rahmat.full_name, rahmat.rank and rahmat.rank.code, rahmat.email) == (
        "Rahmat Hidayat, S.E., M.Ak.",
        "III/d",
        "rahmat.hidayat@kemenkeu.go.id",
    )
    new_kasi = Assignment.objects.get(official=rahmat)
    assert (new_kasi.position, new_kasi.effective_date, new_kasi.decree, new_kasi.inauguration_date) == (
        office.kasi,
        TMT,
        decree,
        datetime.date(2026, 7, 3),
    )
    old = Assignment.objects.get(official=office.old_kasi)
    assert (old.end_date, old.end_decree) == (TMT - datetime.timedelta(days=1), decree)
    retired = Assignment.objects.get(official=office.staff_2_holder)
    assert (retired.end_date, retired.end_decree) == (TMT - datetime.timedelta(days=1), decree)
    assert Assignment.objects.get(official__nip="199802142024032001").position == office.staff_2
    head = SpendingUnitHead.objects.get(spending_unit__code="006817", end_date__isnull=True)
    assert (head.official.name, head.title, head.decree) == ("Sri Wahyuni", "Kuasa Pengguna Anggaran", decree)
    assert AuditEvent.objects.filter(action="integrity.decree.imported", subject_id=str(decree.pk)).count() == 1

    # The CSV is the same decree: importing it changes nothing at all.
    before = counts()
    again = decree_import(parsed=from_csv, actor=None, source_name="decree_rotation_example.csv")
    assert not again.created and again.decree == decree
    assert "sudah diimpor" in again.message
    assert counts() == before
    assert decree_validate(from_csv) == []


def test_replacing_the_section_head_renews_the_staff_pacts(office: Office) -> None:
    old_staff_pact = current_pact(office.staff_1_holder)
    old_kasi_pact = current_pact(office.old_kasi)
    parsed = parsed_csv(
        [{"jenis": "angkat", "nip": NEW_KASI_NIP, "nama": "Rahmat Hidayat", "kode_jabatan": "KPPN-BNA-PD-KASI"}]
    )

    result = decree_import(parsed=parsed, actor=None)

    decree = result.decree
    old_staff_pact.refresh_from_db()
    old_kasi_pact.refresh_from_db()
    for old in (old_staff_pact, old_kasi_pact):
        assert old.status == IntegrityPact.Status.SUPERSEDED
        assert old.superseded_by_decree == decree
        assert NUMBER in old.supersede_reason
    new_staff_pact = current_pact(office.staff_1_holder)
    assert new_staff_pact.trigger_decree == decree
    assert new_staff_pact.supersedes == old_staff_pact
    assert new_staff_pact.effective_date == TMT
    assert [p.official.nip for p in new_staff_pact.parties.order_by("order")] == [
        office.staff_1_holder.nip,
        NEW_KASI_NIP,
    ]
    # the new section head signs with the KPPN head; both staff renew: 3 new, 3 superseded
    assert len(result.pacts_created) == 3 and len(result.pacts_superseded) == 3
    assert IntegrityPact.objects.filter(trigger_decree=decree).count() == 3
    assert IntegrityPact.objects.filter(superseded_by_decree=decree).count() == 3


def test_replacing_the_kppn_head_gives_one_pact_per_satker_with_a_head(office: Office) -> None:
    parsed = parsed_csv(
        [{"jenis": "angkat", "nip": NEW_KASI_NIP, "nama": "Kepala Baru", "kode_jabatan": "KPPN-BNA-KEPALA"}]
    )

    result = decree_import(parsed=parsed, actor=None)

    created = IntegrityPact.objects.filter(pk__in=result.pacts_created)
    satker_pacts = created.filter(kind=IntegrityPact.Kind.UNIT_HEAD_SATKER)
    assert sorted(p.spending_unit.code for p in satker_pacts if p.spending_unit) == ["006817", "006818"]
    for pact in satker_pacts:
        assert pact.trigger_decree == result.decree
        assert pact.parties.get(order=2).official.nip == NEW_KASI_NIP
        assert pact.supersedes is not None and pact.supersedes.superseded_by_decree == result.decree
    # and the section head renews with the new KPPN head
    assert created.filter(kind=IntegrityPact.Kind.EMPLOYEE_SUPERIOR).count() == 1
    assert result.changes is not None
    assert {p.number for p in result.changes.pacts_created} == set(created.values_list("number", flat=True))


def test_moves_that_interact_within_one_decree(office: Office) -> None:
    """GIVEN Teuku holds PELAKSANA-2 WHEN one decree ends his post and appoints Cut Meutia to it on
    the same TMT THEN both rows apply (the second is judged after the first)."""
    parsed = parsed_csv(
        [
            {"jenis": "berhenti", "nip": RETIRING_NIP},
            {
                "jenis": "angkat",
                "nip": "199802142024032001",
                "nama": "Cut Meutia",
                "kode_jabatan": "KPPN-BNA-PD-PELAKSANA-2",
            },
        ]
    )
    assert decree_validate(parsed) == []
    decree_import(parsed=parsed, actor=None)
    assert Assignment.objects.active_on(TMT).get(position=office.staff_2).official.name == "Cut Meutia"


def test_a_future_tmt_is_recorded_now_and_changes_pacts_on_its_day(office: Office) -> None:
    later = TODAY + datetime.timedelta(days=30)
    parsed = parsed_csv(
        [
            {
                "jenis": "angkat",
                "nip": NEW_KASI_NIP,
                "nama": "Rahmat Hidayat",
                "kode_jabatan": "KPPN-BNA-PD-KASI",
                "tmt": later.isoformat(),
            }
        ]
    )
    preview = decree_preview(parsed=parsed, actor=None)
    assert [m.row for m in preview.pending_moves] == [2]
    assert preview.pacts_created == () and preview.pacts_superseded == ()
    ahead = decree_preview(parsed=parsed, actor=None, as_of=later)
    assert ahead.pending_moves == () and len(ahead.pacts_created) == 3

    result = decree_import(parsed=parsed, actor=None)
    assert result.pacts_created == ()
    assert Assignment.objects.get(official__nip=NEW_KASI_NIP).effective_date == later
    nightly = pacts_reconcile(as_of=later)
    assert IntegrityPact.objects.filter(pk__in=nightly.created, trigger_decree=result.decree).count() == 3


# --- dry run and preview ---------------------------------------------------------------------------


def test_preview_writes_nothing_and_equals_what_the_import_does(office: Office) -> None:
    parsed = sample("decree_rotation_example.csv")
    before = counts()

    preview = decree_preview(parsed=parsed, actor=None)

    assert counts() == before
    assert not preview.already_imported
    assert [(m.row, m.kind, m.official_created) for m in preview.moves] == [
        (2, "angkat", True),
        (3, "kepala_satker", True),
        (4, "berhenti", False),
        (5, "angkat", True),
    ]
    assert len(preview.pacts_created) == 4 and len(preview.pacts_superseded) == 4
    satker_pact = next(p for p in preview.pacts_created if p.kind == IntegrityPact.Kind.UNIT_HEAD_SATKER)
    assert [party.name for party in satker_pact.parties] == ["Sri Wahyuni, S.E.", "Kepala Lama"]
    assert satker_pact.due_date > TMT
    preview_dict = preview.as_dict()
    assert preview_dict["pacts_created"][0]["due_date"] == preview.pacts_created[0].due_date.isoformat()
    assert preview_dict["pending_moves"] == []

    result = decree_import(parsed=parsed, actor=None)

    assert result.changes == preview
    created = IntegrityPact.objects.filter(pk__in=result.pacts_created)
    assert sorted(created.values_list("number", "kind", "due_date")) == sorted(
        (p.number, p.kind, p.due_date) for p in preview.pacts_created
    )
    superseded = IntegrityPact.objects.filter(status=IntegrityPact.Status.SUPERSEDED)
    assert sorted(superseded.values_list("number", "supersede_reason")) == sorted(
        (p.number, p.reason) for p in preview.pacts_superseded
    )
    old_satker_head = SpendingUnitHead.objects.get(spending_unit__code="006817", end_date__isnull=False)
    assert {(a.nip, a.date) for a in preview.assignments_ended} == {
        (nip, TMT - datetime.timedelta(days=1))
        for nip in (office.old_kasi.nip, RETIRING_NIP, old_satker_head.official.nip)
    }
    assert {a.nip for a in preview.assignments_started} == {
        NEW_KASI_NIP,
        "199802142024032001",
        Official.objects.get(name="Sri Wahyuni").nip,
    }


def test_preview_of_an_imported_decree_says_so(office: Office) -> None:
    parsed = sample("decree_rotation_example.csv")
    decree_import(parsed=parsed, actor=None)
    assert decree_preview(parsed=sample("decree_rotation_example.xlsx"), actor=None).already_imported


# --- rejections -----------------------------------------------------------------------------------


def test_same_number_with_other_content_is_rejected(office: Office) -> None:
    decree_import(parsed=sample("decree_rotation_example.csv"), actor=None, source_name="decree_rotation_example.csv")
    other = parsed_csv(
        [{"nomor_sk": SAMPLE_NUMBER, "jenis": "angkat", "nip": NEW_KASI_NIP, "kode_jabatan": "KPPN-BNA-PD-PELAKSANA-1"}]
    )
    exc = rejected(other)
    assert exc.extra["errors"] == [{"row": None, "column": "nomor_sk", "message": exc.extra["errors"][0]["message"]}]
    assert SAMPLE_NUMBER in exc.extra["errors"][0]["message"] and "berbeda" in exc.extra["errors"][0]["message"]
    assert decree_validate(other)[0].column == "nomor_sk"
    with pytest.raises(DecreeRejected):
        decree_preview(parsed=other, actor=None)


BAD_NIP = {"jenis": "angkat", "nama": "X", "kode_jabatan": "KPPN-BNA-PD-PELAKSANA-1"}


def xlsx_with_formula() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(
        [
            NUMBER,
            "2026-06-15",
            "Mutasi",
            "angkat",
            NEW_KASI_NIP,
            '=UPPER("rahmat")',
            "KPPN-BNA-PD-KASI",
            None,
            "2026-07-01",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def latin1_csv() -> bytes:
    return csv_bytes(
        [{"jenis": "angkat", "nip": NEW_KASI_NIP, "nama": "Müller", "kode_jabatan": "KPPN-BNA-PD-KASI"}]
    ).replace("ü".encode(), b"\xfc")


BAD_INPUT = {
    "malformed csv": (
        "sk.csv",
        lambda: csv_bytes([{"jenis": "angkat", "nip": NEW_KASI_NIP}]) + b'KEP-45/WPB.01/2026,"2026-06-15,x\r\n',
        3,
        None,
        "CSV rusak pada baris 3",
    ),
    "malformed xlsx": ("sk.xlsx", lambda: b"PK\x03\x04" + b"\x00" * 200, None, None, "XLSX rusak"),
    "wrong encoding": ("sk.csv", latin1_csv, None, None, "posisi"),
    "50 MB upload": ("sk.csv", lambda: b"a" * (50 * 1024 * 1024), None, None, "melebihi batas"),
    "formula in xlsx": ("sk.xlsx", xlsx_with_formula, 2, "nama", "Sel F2 berisi rumus"),
    "nip wrong length": ("sk.csv", lambda: csv_bytes([{**BAD_NIP, "nip": "19840512200803100"}]), 2, "nip", "18 digit"),
    "nip impossible birth date": (
        "sk.csv",
        lambda: csv_bytes([{**BAD_NIP, "nip": "19841332 200803 1 001"}]),
        2,
        "nip",
        "tanggal lahir",
    ),
    "nip gender digit 3": (
        "sk.csv",
        lambda: csv_bytes([{**BAD_NIP, "nip": "19840512 200803 3 001"}]),
        2,
        "nip",
        "jenis kelamin",
    ),
    "overlapping assignment": (
        "sk.csv",
        # back-dated: the old section head holds the post since 2025-01-02
        lambda: csv_bytes([{**BAD_NIP, "nip": NEW_KASI_NIP, "kode_jabatan": "KPPN-BNA-PD-KASI", "tmt": "2024-12-02"}]),
        2,
        "tmt",
        "tumpang tindih",
    ),
    "overlap between two rows": (
        "sk.csv",
        lambda: csv_bytes(
            [
                {"jenis": "plt", "nip": RETIRING_NIP, "kode_jabatan": "KPPN-BNA-PD-KASI"},
                {"jenis": "plt", "nip": RETIRING_NIP, "kode_jabatan": "KPPN-BNA-KEPALA"},
            ]
        ),
        3,
        "tmt",
        "tumpang tindih",
    ),
    "tmt before appointment": (
        "sk.csv",
        lambda: csv_bytes([{**BAD_NIP, "nip": NEW_KASI_NIP, "tmt": "2008-02-29"}]),
        2,
        "tmt",
        "pengangkatan pertama",
    ),
    "unknown satker": (
        "sk.csv",
        lambda: csv_bytes([{"jenis": "kepala_satker", "nip": RETIRING_NIP, "kode_satker": "999999"}]),
        2,
        "kode_satker",
        "999999",
    ),
    "unknown position": (
        "sk.csv",
        lambda: csv_bytes([{**BAD_NIP, "nip": NEW_KASI_NIP, "kode_jabatan": "NOPE"}]),
        2,
        "kode_jabatan",
        "NOPE",
    ),
    "impossible date": (
        "sk.csv",
        lambda: csv_bytes([{**BAD_NIP, "nip": NEW_KASI_NIP, "tmt": "31-02-2026"}]),
        2,
        "tmt",
        "31-02-2026",
    ),
    "date in another format": (
        "sk.csv",
        lambda: csv_bytes([{**BAD_NIP, "nip": NEW_KASI_NIP, "tmt": "2026/13/01"}]),
        2,
        "tmt",
        "2026/13/01",
    ),
    "unregistered nip without a name": (
        "sk.csv",
        lambda: csv_bytes([{**BAD_NIP, "nip": NEW_KASI_NIP, "nama": ""}]),
        2,
        "nama",
        "belum terdaftar",
    ),
    "ending someone not in post": (
        "sk.csv",
        lambda: csv_bytes([{"jenis": "berhenti", "nip": RETIRING_NIP, "kode_jabatan": "KPPN-BNA-PD-KASI"}]),
        2,
        "kode_jabatan",
        "tidak memegang",
    ),
    "unknown column": (
        "sk.csv",
        lambda: csv_bytes([{**BAD_NIP, "nip": NEW_KASI_NIP}], header=[*HEADER, "catatan"]),
        1,
        "catatan",
        "tidak dikenal",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT.keys())
def test_bad_input_is_rejected_with_its_location_and_writes_nothing(office: Office, case: str) -> None:
    name, content, row, column, fragment = BAD_INPUT[case]
    parsed = parse_decree_file(name, content())

    exc = rejected(parsed)

    errors = exc.extra["errors"]
    assert any(e["row"] == row and e["column"] == column and fragment in e["message"] for e in errors), errors
    assert name in str(exc.message)
    if row is not None:
        assert f"baris {row}" in str(exc.message)
    if column is not None:
        assert f"kolom {column}" in str(exc.message)
    json.dumps(exc.extra)  # the API returns it as is
    with pytest.raises(DecreeRejected):
        decree_preview(parsed=parsed, actor=None)
    assert decree_validate(parsed)
    assert Official.objects.filter(nip=NEW_KASI_NIP).count() == 0


def test_one_bad_row_rejects_the_whole_decree_and_every_row_is_reported(office: Office) -> None:
    parsed = parsed_csv(
        [
            {"jenis": "angkat", "nip": NEW_KASI_NIP, "nama": "Rahmat Hidayat", "kode_jabatan": "KPPN-BNA-PD-KASI"},
            {"jenis": "angkat", "nip": "19840512 200803 3 001", "nama": "X", "kode_jabatan": "KPPN-BNA-PD-PELAKSANA-1"},
            {"jenis": "kepala_satker", "nip": RETIRING_NIP, "kode_satker": "999999"},
            {"jenis": "angkat", "nip": office.staff_1_holder.nip, "kode_jabatan": "NOPE"},
        ]
    )
    exc = rejected(parsed)
    assert [(e["row"], e["column"]) for e in exc.extra["errors"]] == [
        (3, "nip"),
        (4, "kode_satker"),
        (5, "kode_jabatan"),
    ]
    assert exc.extra["file"] == "sk.csv" and exc.extra["number"] == NUMBER
    assert [(e.row, e.column) for e in decree_validate(parsed)] == [(3, "nip"), (4, "kode_satker"), (5, "kode_jabatan")]


# --- the command ------------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_decree", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_dry_run_then_import(office: Office) -> None:
    path = str(SAMPLES / "decree_rotation_example.csv")
    before = counts()

    out, _err = run(path, "--dry-run")

    assert counts() == before
    assert "tidak ada yang disimpan" in out
    assert "Pakta baru (4)" in out and "Pakta digantikan (4)" in out
    assert "baris 2: angkat Rahmat Hidayat, S.E., M.Ak." in out

    out, _err = run(path)

    assert Decree.objects.filter(number=SAMPLE_NUMBER, source_name="decree_rotation_example.csv").exists()
    numbers = IntegrityPact.objects.filter(trigger_decree__number=SAMPLE_NUMBER).values_list("number", flat=True)
    assert len(numbers) == 4 and all(number in out for number in numbers)
    assert f"SK {SAMPLE_NUMBER} diimpor" in out

    before = counts()
    out, _err = run(str(SAMPLES / "decree_rotation_example.xlsx"))
    assert "sudah diimpor" in out and counts() == before


def test_command_dry_run_as_of_shows_pending_moves(office: Office) -> None:
    out, _err = run(str(SAMPLES / "decree_rotation_example.csv"), "--dry-run", "--as-of", "2026-06-20")
    assert "Berlaku kemudian" in out and "Pakta baru (0)" in out


def test_command_rejection_exits_non_zero_with_the_report(office: Office, tmp_path: Path) -> None:
    path = tmp_path / "sk.csv"
    path.write_bytes(csv_bytes([{**BAD_NIP, "nip": "19840512 200803 3 001"}]))
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_decree", str(path), stdout=io.StringIO(), stderr=err)
    assert counts() == before
    assert "berkas sk.csv, baris 2, kolom nip" in err.getvalue()
    assert "ditolak" in str(caught.value)
    with pytest.raises(CommandError):
        call_command("import_decree", str(path), "--dry-run", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--as-of", "2026-06-20"], "--dry-run"),
        (["--dry-run", "--as-of", "20-06-2026"], "YYYY-MM-DD"),
    ],
)
def test_command_option_errors(office: Office, args: list[str], fragment: str) -> None:
    with pytest.raises(CommandError, match=fragment):
        run(str(SAMPLES / "decree_rotation_example.csv"), *args)


def test_command_refuses_a_large_file_before_reading_it(office: Office, tmp_path: Path, settings: Any) -> None:
    settings.PAKTA_MAX_UPLOAD_BYTES = 1024
    path = tmp_path / "besar.csv"
    path.write_bytes(b"a" * 2048)
    with pytest.raises(CommandError, match="melebihi batas"):
        run(str(path))


def test_command_missing_file(office: Office, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="tidak dapat dibaca"):
        run(str(tmp_path / "tidak-ada.csv"))
