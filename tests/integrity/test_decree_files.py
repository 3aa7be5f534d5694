"""Parsing decree files (integrity/decree_files.py): no database involved."""

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from integrity.decree_files import MAX_ROWS, ParsedDecree, RowError, parse_decree_file

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
NIP = "19840512 200803 1 001"
HEADER = ["nomor_sk", "tanggal_sk", "jenis", "nip", "nama", "kode_jabatan", "tmt"]
ROW = ["KEP-1/2026", "2026-06-15", "angkat", NIP, "Rahmat Hidayat", "KPPN-BNA-PD-KASI", "2026-07-01"]


def csv_bytes(rows: list[list[str]], *, header: list[str] = HEADER, sep: str = ",", bom: bool = False) -> bytes:
    lines = [sep.join(header), *(sep.join(row) for row in rows)]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def xlsx_bytes(rows: list[list[object]], *, header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def only_error(parsed: ParsedDecree) -> RowError:
    assert len(parsed.errors) == 1, parsed.errors
    return parsed.errors[0]


def test_samples_parse_and_hash_the_same() -> None:
    csv_parsed = parse_decree_file(
        "decree_rotation_example.csv", (SAMPLES / "decree_rotation_example.csv").read_bytes()
    )
    xlsx_parsed = parse_decree_file(
        "decree_rotation_example.xlsx", (SAMPLES / "decree_rotation_example.xlsx").read_bytes()
    )
    assert csv_parsed.ok and xlsx_parsed.ok, (csv_parsed.errors, xlsx_parsed.errors)
    assert (csv_parsed.file_type, xlsx_parsed.file_type) == ("csv", "xlsx")
    assert csv_parsed.rows == xlsx_parsed.rows
    assert csv_parsed.content_sha256 == xlsx_parsed.content_sha256
    assert csv_parsed.number == "KEP-45/WPB.01/2026"
    assert csv_parsed.decree_date == datetime.date(2026, 6, 15)
    assert [row.kind for row in csv_parsed.rows] == ["angkat", "kepala_satker", "berhenti", "angkat"]
    assert csv_parsed.rows[0].nip == "198405122008031001"
    assert csv_parsed.rows[1].satker_code == "006817"
    assert csv_parsed.rows[1].satker_title == "Kuasa Pengguna Anggaran"
    assert csv_parsed.rows[3].employee_type == "cpns"


def test_bom_semicolons_and_free_header_case_and_order() -> None:
    header = [name.upper() for name in reversed(HEADER)]
    content = csv_bytes([list(reversed(ROW))], header=header, sep=";", bom=True)
    parsed = parse_decree_file("sk.csv", content)
    assert parsed.ok, parsed.errors
    plain = parse_decree_file("sk.csv", csv_bytes([ROW]))
    assert parsed.rows == plain.rows
    assert parsed.content_sha256 == plain.content_sha256


def test_nip_separators_and_blank_lines_do_not_change_the_hash() -> None:
    dotted = [*ROW[:3], "19840512.200803.1.001", *ROW[4:]]
    with_blank = csv_bytes([dotted]).replace(b"\r\n", b"\r\n,,,,,,\r\n\r\n", 1)
    parsed = parse_decree_file("sk.csv", with_blank)
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].row == 4  # blank rows keep their numbers
    assert parsed.content_sha256 == parse_decree_file("sk.csv", csv_bytes([ROW])).content_sha256


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-01", datetime.date(2026, 7, 1)),
        ("01-07-2026", datetime.date(2026, 7, 1)),
        ("01/07/2026", datetime.date(2026, 7, 1)),
        ("1/7/2026", datetime.date(2026, 7, 1)),
        (" 2026-07-01 ", datetime.date(2026, 7, 1)),
    ],
)
def test_date_formats(text: str, expected: datetime.date) -> None:
    parsed = parse_decree_file("sk.csv", csv_bytes([[*ROW[:6], text]]))
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].effective_date == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("31-02-2026", "tidak ada"),
        ("2026-02-30", "tidak ada"),
        ("2026/13/01", "tidak dikenal"),
        ("1 Juli 2026", "tidak dikenal"),
        ("20260701", "tidak dikenal"),
    ],
)
def test_impossible_dates_name_row_and_column(text: str, fragment: str) -> None:
    error = only_error(parse_decree_file("sk.csv", csv_bytes([ROW, [*ROW[:6], text]])))
    assert (error.row, error.column) == (3, "tmt")
    assert text in error.message and fragment in error.message
    assert error.describe("sk.csv") == f"berkas sk.csv, baris 3, kolom tmt: {error.message}"


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_every_documented_date_format_round_trips(day: datetime.date) -> None:
    for text in (day.isoformat(), f"{day:%d-%m-%Y}", f"{day:%d/%m/%Y}", f"{day.day}/{day.month}/{day.year:04d}"):
        parsed = parse_decree_file("sk.csv", csv_bytes([[*ROW[:6], text]]))
        assert parsed.ok, (text, parsed.errors)
        assert parsed.rows[0].effective_date == day


@pytest.mark.parametrize(
    ("nip", "fragment"),
    [
        ("1984051220080310", "18 digit"),  # wrong length
        ("19840231 200803 1 001", "tanggal lahir"),  # 31 Feb
        ("19840512 200803 3 001", "jenis kelamin"),  # gender digit 3
        ("19840512 200813 1 001", "bulan TMT"),  # month 13
        ("19840512 200803 1 000", "nomor urut"),
    ],
)
def test_invalid_nip(nip: str, fragment: str) -> None:
    error = only_error(parse_decree_file("sk.csv", csv_bytes([[*ROW[:3], nip, *ROW[4:]]])))
    assert (error.row, error.column) == (2, "nip")
    assert fragment in error.message


def test_pppk_number_uses_the_pppk_rule() -> None:
    header = [*HEADER, "jenis_pegawai"]
    pppk = "19900101 2022 03 1 001"  # digits 13-14 count work agreements, not a month
    parsed = parse_decree_file("sk.csv", csv_bytes([[*ROW[:3], pppk, *ROW[4:], "pppk"]], header=header))
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].employee_type == "pppk"


def test_decree_fields_must_repeat_on_every_row() -> None:
    parsed = parse_decree_file(
        "sk.csv",
        csv_bytes([ROW, ["KEP-2/2026", *ROW[1:]], [ROW[0], "16-06-2026", *ROW[2:]], ["", *ROW[1:]]]),
    )
    assert [(e.row, e.column) for e in parsed.errors] == [(3, "nomor_sk"), (4, "tanggal_sk"), (5, "nomor_sk")]
    assert "KEP-1/2026" in parsed.errors[0].message and "baris 2" in parsed.errors[0].message
    assert [row.row for row in parsed.rows] == [2]


def test_all_row_errors_are_reported_not_only_the_first() -> None:
    parsed = parse_decree_file(
        "sk.csv",
        csv_bytes(
            [
                [*ROW[:2], "pindah", *ROW[3:]],
                [*ROW[:3], "123", *ROW[4:]],
                [*ROW[:5], "", ROW[6]],
                [*ROW[:6], ""],
            ]
        ),
    )
    assert [(e.row, e.column) for e in parsed.errors] == [(2, "jenis"), (3, "nip"), (4, "kode_jabatan"), (5, "tmt")]
    assert parsed.rows == ()


def test_columns_a_kind_does_not_use_must_be_empty() -> None:
    header = [*HEADER, "kode_satker"]
    parsed = parse_decree_file("sk.csv", csv_bytes([[*ROW, "006817"]], header=header))
    error = only_error(parsed)
    assert (error.row, error.column) == (2, "kode_satker")
    assert "angkat" in error.message


def test_satker_head_row() -> None:
    header = ["nomor_sk", "tanggal_sk", "jenis", "nip", "kode_satker", "tmt"]
    parsed = parse_decree_file(
        "sk.csv", csv_bytes([[*ROW[:2], "kepala_satker", NIP, "006817", "2026-07-01"]], header=header)
    )
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].satker_title == "Kepala Satker"
    bad = parse_decree_file(
        "sk.csv", csv_bytes([[*ROW[:2], "kepala_satker", NIP, "6817", "2026-07-01"]], header=header)
    )
    assert (only_error(bad).row, only_error(bad).column) == (2, "kode_satker")


def test_invalid_email_and_too_long_name() -> None:
    header = [*HEADER, "email"]
    parsed = parse_decree_file("sk.csv", csv_bytes([[*ROW[:4], "x" * 151, *ROW[5:], "bukan-email"]], header=header))
    assert [(e.row, e.column) for e in parsed.errors] == [(2, "nama"), (2, "email")]


@pytest.mark.parametrize(
    ("header", "column", "fragment"),
    [
        ([*HEADER, "catatan"], "catatan", "tidak dikenal"),
        ([*HEADER[:-1], "nip"], "nip", "lebih dari sekali"),
        (HEADER[:-1], "tmt", "wajib"),
    ],
)
def test_header_problems(header: list[str], column: str, fragment: str) -> None:
    rows = [ROW[: len(header)] + [""] * (len(header) - len(ROW))]
    parsed = parse_decree_file("sk.csv", csv_bytes(rows, header=header))
    assert any(e.row == 1 and e.column == column and fragment in e.message for e in parsed.errors), parsed.errors
    assert parsed.has_file_errors and parsed.rows == ()


def test_cells_beyond_the_header_are_refused() -> None:
    error = only_error(parse_decree_file("sk.csv", csv_bytes([[*ROW, "lebih"]])))
    assert error.row == 2 and "8 sel" in error.message


def test_malformed_csv_names_the_row() -> None:
    content = csv_bytes([ROW]) + b'KEP-1/2026,"2026-06-15,angkat\r\n'
    error = only_error(parse_decree_file("sk.csv", content))
    assert error.row == 3 and "CSV rusak pada baris 3" in error.message


def test_wrong_encoding_names_the_byte_offset() -> None:
    content = csv_bytes([[*ROW[:4], "Müller", *ROW[5:]]]).replace("ü".encode(), b"\xfc")
    error = only_error(parse_decree_file("sk.csv", content))
    offset = content.index(b"\xfc")
    assert error.row is None
    assert f"posisi {offset}" in error.message and "0xFC" in error.message and "baris 2" in error.message


def test_wrong_encoding_offset_counts_the_bom() -> None:
    content = csv_bytes([[*ROW[:4], "Müller", *ROW[5:]]], bom=True).replace("ü".encode(), b"\xfc")
    assert f"posisi {content.index(b'\xfc')}" in only_error(parse_decree_file("sk.csv", content)).message


def test_nul_bytes_are_refused() -> None:
    error = only_error(parse_decree_file("sk.csv", csv_bytes([ROW]) + b"\x00\x00"))
    assert error.row is None and "NUL" in error.message


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("sk.csv", b"", "kosong"),
        ("sk.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        ("sk.xlsx", b"nomor_sk,tmt\r\n", "bukan XLSX"),
        ("sk.pdf", b"%PDF-1.7", ".pdf"),
        ("sk.xlsx", b"PK\x03\x04 this is not a zip", "XLSX rusak"),
        ("sk.csv", (",".join(HEADER) + "\r\n,,,,,,\r\n").encode(), "tidak memuat baris"),
        ("sk.csv", b"\r\n\r\n", "judul kolom"),
    ],
)
def test_unusable_files(name: str, content: bytes, fragment: str) -> None:
    parsed = parse_decree_file(name, content)
    assert fragment in only_error(parsed).message
    assert parsed.has_file_errors or only_error(parsed).row is None


def test_size_limit_is_checked_before_parsing(settings: Any) -> None:
    settings.PAKTA_MAX_UPLOAD_BYTES = 2048
    error = only_error(parse_decree_file("sk.csv", b"\xff" * 2049))  # not even UTF-8: never looked at
    assert error.row is None and "2049" in error.message and "2048" in error.message


def test_row_limit() -> None:
    parsed = parse_decree_file("sk.csv", csv_bytes([ROW] * (MAX_ROWS + 1)))
    assert "5000" in only_error(parsed).message


def test_xlsx_with_real_dates_numbers_and_text_hashes_like_csv() -> None:
    header = [*HEADER, "kode_satker"]
    satker_row = [
        "KEP-1/2026",
        datetime.datetime(2026, 6, 15),
        "kepala_satker",
        NIP,
        "",
        None,
        datetime.date(2026, 7, 1),
    ]
    xlsx = xlsx_bytes(
        [
            [
                "KEP-1/2026",
                datetime.datetime(2026, 6, 15),
                "angkat",
                "198405122008031001",
                "Rahmat Hidayat",
                "KPPN-BNA-PD-KASI",
                "01/07/2026",
                None,
            ],
            [*satker_row, 6817],  # a numeric satker code lost its leading zeros
        ],
        header=header,
    )
    csv_content = csv_bytes(
        [[*ROW, ""], ["KEP-1/2026", "2026-06-15", "kepala_satker", NIP, "", "", "2026-07-01", "006817"]], header=header
    )
    from_xlsx, from_csv = parse_decree_file("sk.xlsx", xlsx), parse_decree_file("sk.csv", csv_content)
    assert from_xlsx.ok, from_xlsx.errors
    assert from_xlsx.rows == from_csv.rows
    assert from_xlsx.content_sha256 == from_csv.content_sha256


def test_xlsx_formula_cell_is_refused_naming_the_cell() -> None:
    rows: list[list[object]] = [list(ROW), list(ROW)]
    rows[1][4] = '=CONCAT("Rahmat", " Hidayat")'
    error = only_error(parse_decree_file("sk.xlsx", xlsx_bytes(rows)))
    assert (error.row, error.column) == (3, "nama")
    assert "E3" in error.message and "rumus" in error.message


def test_xlsx_nip_typed_as_a_number_is_refused() -> None:
    rows: list[list[object]] = [list(ROW)]
    rows[0][3] = 1.98405122008031e17
    error = only_error(parse_decree_file("sk.xlsx", xlsx_bytes(rows)))
    assert (error.row, error.column) == (2, "nip") and "Teks" in error.message


def test_xlsx_number_in_a_date_column_is_refused() -> None:
    rows: list[list[object]] = [list(ROW)]
    rows[0][6] = 46204  # an Excel serial without a date format
    error = only_error(parse_decree_file("sk.xlsx", xlsx_bytes(rows)))
    assert (error.row, error.column) == (2, "tmt")


def test_xlsx_content_wins_over_the_extension() -> None:
    parsed = parse_decree_file("sk.csv", xlsx_bytes([list(ROW)]))
    assert parsed.ok and parsed.file_type == "xlsx"


def test_row_error_is_json_ready() -> None:
    assert RowError(3, "nip", "x").as_dict() == {"row": 3, "column": "nip", "message": "x"}
    assert RowError(None, None, "x").describe("sk.csv") == "berkas sk.csv: x"
