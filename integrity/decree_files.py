"""Reading decree files (SK mutasi/pengangkatan) from CSV and XLSX. Parsing only: no database.

The format is documented for users in `samples/README.md`:
- one header row (row 1), then one row per move; header names are case-insensitive, any order,
  unknown columns are refused;
- CSV: UTF-8 (a BOM is fine), separator `,` or `;` sniffed from the header;
- XLSX: the first worksheet; cells may be text, numbers or real dates; a formula cell is refused
  (naming the cell) because its cached value is whatever the last program that saved it computed;
- dates: YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY or real XLSX dates.

Row numbers are the spreadsheet's: the header is row 1, so the first move is row 2 (blank rows
are skipped but keep their numbers). Every problem becomes a `RowError`; parsing goes on so that
one upload gives the whole report. Database checks (does the position exist, does the move
overlap history) are `integrity.services.decrees.decree_validate`.
"""

import codecs
import csv
import datetime
import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from audit.canonical import canonical_json
from audit.errors import ApplicationError
from integrity.nip import validate_nip

MAX_ROWS = 5000
# Uncompressed size allowed for an XLSX, as a multiple of the upload limit: a guard against
# zip bombs, far above what 5,000 rows of text need.
XLSX_EXPANSION_FACTOR = 20

KIND_APPOINT = "angkat"
KIND_PLT = "plt"
KIND_PLH = "plh"
KIND_END = "berhenti"
KIND_SATKER_HEAD = "kepala_satker"
KINDS = (KIND_APPOINT, KIND_PLT, KIND_PLH, KIND_END, KIND_SATKER_HEAD)
POSITION_KINDS = (KIND_APPOINT, KIND_PLT, KIND_PLH)
EMPLOYEE_TYPES = ("pns", "cpns", "pppk")
DEFAULT_SATKER_TITLE = "Kepala Satker"

COLUMNS = (
    "nomor_sk",
    "tanggal_sk",
    "perihal",
    "jenis",
    "nip",
    "jenis_pegawai",
    "nama",
    "gelar_depan",
    "gelar_belakang",
    "pangkat_golongan",
    "email",
    "kode_jabatan",
    "kode_satker",
    "jabatan_satker",
    "tmt",
    "tanggal_pelantikan",
)
REQUIRED_COLUMNS = ("nomor_sk", "tanggal_sk", "jenis", "nip", "tmt")
# Column -> longest value the database takes (integrity.models).
MAX_LENGTHS = {
    "nomor_sk": 100,
    "perihal": 300,
    "nama": 150,
    "gelar_depan": 40,
    "gelar_belakang": 60,
    "pangkat_golongan": 10,
    "email": 254,
    "kode_jabatan": 40,
    "jabatan_satker": 200,
}
# Columns that mean something only for some kinds of move; a value elsewhere is refused rather
# than silently dropped.
ONLY_FOR = {
    "kode_satker": (KIND_SATKER_HEAD,),
    "jabatan_satker": (KIND_SATKER_HEAD,),
    "kode_jabatan": (*POSITION_KINDS, KIND_END),
    "tanggal_pelantikan": POSITION_KINDS,
}

_DATE_FORMATS = (
    (re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"), "YYYY-MM-DD"),
    (re.compile(r"^(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})$"), "DD-MM-YYYY"),
    (re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$"), "DD/MM/YYYY"),
)
_KODE_SATKER = re.compile(r"^\d{6}$")
_HEADER_SPACES = re.compile(r"[\s\-]+")

# --- messages (Bahasa Indonesia; English through gettext) -----------------------------------
FILE_EMPTY = _("Berkas kosong.")
FILE_TOO_LARGE = _("Berkas berukuran %(size)s bait, melebihi batas %(max)s bait.")
FILE_TYPE_UNSUPPORTED = _("Jenis berkas %(ext)s tidak didukung; gunakan CSV (.csv) atau XLSX (.xlsx).")
FILE_XLS_UNSUPPORTED = _("Format Excel lama (.xls) tidak didukung; simpan ulang sebagai XLSX atau CSV UTF-8.")
FILE_NOT_XLSX = _("Berkas berakhiran .xlsx tetapi isinya bukan XLSX; simpan ulang dari Excel sebagai XLSX.")
FILE_XLSX_BROKEN = _("Berkas XLSX rusak atau tidak dapat dibaca (%(error)s).")
FILE_XLSX_TOO_BIG = _("Isi berkas XLSX terlalu besar setelah diekstrak (%(size)s bait, batas %(max)s bait).")
FILE_XLSX_NO_SHEET = _("Berkas XLSX tidak memuat lembar kerja.")
FILE_NOT_UTF8 = _(
    "Berkas bukan teks UTF-8: bait 0x%(byte)02X pada posisi %(offset)s (baris %(line)s) tidak dapat dibaca. "
    "Simpan ulang sebagai “CSV UTF-8”."
)
FILE_BINARY = _("Berkas bukan CSV teks: berisi bait NUL pada posisi %(offset)s.")
FILE_CSV_BROKEN = _("CSV rusak pada baris %(row)s: %(error)s.")
FILE_NO_ROWS = _("Berkas tidak memuat baris perpindahan di bawah judul kolom.")
FILE_TOO_MANY_ROWS = _("Berkas memuat lebih dari %(max)s baris perpindahan; bagi menjadi beberapa berkas.")
HEADER_MISSING = _("Baris 1 harus berisi judul kolom.")
HEADER_UNKNOWN = _("Kolom %(column)s tidak dikenal. Kolom yang tersedia: %(columns)s.")
HEADER_DUPLICATE = _("Kolom %(column)s muncul lebih dari sekali.")
HEADER_REQUIRED = _("Kolom wajib %(column)s tidak ada.")
HEADER_UNNAMED = _("Kolom ke-%(index)s berisi data tetapi tidak berjudul.")
CELL_FORMULA = _("Sel %(cell)s berisi rumus (%(formula)s); isi dengan nilai, bukan rumus.")
CELL_EXTRA = _("Baris ini memuat %(count)s sel, lebih banyak dari %(columns)s judul kolom.")
VALUE_REQUIRED = _("Wajib diisi.")
VALUE_TOO_LONG = _("Terlalu panjang: %(length)s karakter, paling banyak %(max)s.")
VALUE_NOT_SAME = _("Harus sama di setiap baris: baris ini %(value)s, baris %(first_row)s %(first)s.")
VALUE_NOT_FOR_KIND = _("Kolom ini tidak dipakai untuk jenis %(kind)s; kosongkan.")
KIND_UNKNOWN = _("Jenis %(value)s tidak dikenal; pilih salah satu dari: %(kinds)s.")
EMPLOYEE_TYPE_UNKNOWN = _("Jenis pegawai %(value)s tidak dikenal; pilih salah satu dari: %(types)s.")
EMAIL_INVALID = _("Alamat e-mail %(value)s tidak valid.")
SATKER_CODE_INVALID = _("Kode satker harus 6 digit angka (mis. 006817), bukan %(value)s.")
NIP_AS_NUMBER = _("NIP tersimpan sebagai angka (%(value)s) sehingga digit terakhirnya hilang; format sel sebagai Teks.")
DATE_FORMAT_UNKNOWN = _("Tanggal %(value)s tidak dikenal; gunakan YYYY-MM-DD, DD-MM-YYYY atau DD/MM/YYYY.")
DATE_IMPOSSIBLE = _("Tanggal %(value)s tidak ada (format %(format)s).")
LOCATION_FILE = _("berkas %(file)s")
LOCATION_ROW = _("baris %(row)s")
LOCATION_COLUMN = _("kolom %(column)s")


@dataclass(frozen=True)
class RowError:
    """One problem: `row` is the spreadsheet row (header = 1) or None for the whole file;
    `column` is the header name (lower case) or None."""

    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def location(self, filename: str = "") -> str:
        """ "berkas sk.csv, baris 3, kolom nip" (the parts that are known)."""
        parts = []
        if filename:
            parts.append(str(LOCATION_FILE % {"file": filename}))
        if self.row is not None:
            parts.append(str(LOCATION_ROW % {"row": self.row}))
        if self.column:
            parts.append(str(LOCATION_COLUMN % {"column": self.column}))
        return ", ".join(parts)

    def describe(self, filename: str = "") -> str:
        where = self.location(filename)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class DecreeRow:
    """One move, normalised: NIP as 18 digits, codes and names stripped, dates as dates."""

    row: int
    kind: str
    nip: str
    employee_type: str
    name: str
    title_prefix: str
    title_suffix: str
    rank_code: str
    email: str
    position_code: str
    satker_code: str
    satker_title: str
    effective_date: datetime.date
    inauguration_date: datetime.date | None

    def canonical(self) -> dict[str, Any]:
        """The move without its row number, JSON-safe: what the content hash covers and what
        `DecreeMove.data` keeps."""
        data = asdict(self)
        del data["row"]
        data["effective_date"] = self.effective_date.isoformat()
        data["inauguration_date"] = self.inauguration_date.isoformat() if self.inauguration_date else None
        return data


@dataclass(frozen=True)
class ParsedDecree:
    """A parsed file. `rows` holds the rows that parsed cleanly; `errors` every problem found.
    A decree is importable only when `errors` is empty."""

    filename: str
    file_type: str
    number: str
    decree_date: datetime.date | None
    title: str
    rows: tuple[DecreeRow, ...]
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_file_errors(self) -> bool:
        """A problem with the file as a whole (size, encoding, header): the rows are not usable."""
        return any(error.row is None or error.row == 1 for error in self.errors)

    def canonical(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "decree_date": self.decree_date.isoformat() if self.decree_date else None,
            "title": self.title,
            "rows": [row.canonical() for row in self.rows],
        }

    @property
    def content_sha256(self) -> str:
        """SHA-256 of the canonical form, so a CSV and an XLSX of the same decree hash the same."""
        return hashlib.sha256(canonical_json(self.canonical()).encode("utf-8")).hexdigest()


class _FileRejected(Exception):
    """The file as a whole cannot be read; carries the one error that says why."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def _file_error(message: Any, row: int | None = None, column: str | None = None) -> _FileRejected:
    return _FileRejected(RowError(row, column, str(message)))


# --- reading cells ---------------------------------------------------------------------------

# A raw row: (spreadsheet row number, cell values). CSV cells are str; XLSX cells are whatever
# openpyxl read (str, int, float, bool, datetime, date, time or None).
RawRow = tuple[int, list[Any]]


def _read_csv(content: bytes) -> Iterator[RawRow]:
    offset = 0
    if content.startswith(codecs.BOM_UTF8):
        content, offset = content[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise _file_error(
            FILE_NOT_UTF8 % {"byte": content[exc.start], "offset": exc.start + offset, "line": line}
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise _file_error(FILE_BINARY % {"offset": len(text[:nul].encode("utf-8")) + offset})
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, list(cells)
    except csv.Error as exc:
        raise _file_error(FILE_CSV_BROKEN % {"row": number + 1, "error": exc}, row=number + 1) from None


def _read_xlsx(content: bytes) -> Iterator[RawRow]:
    import openpyxl  # a heavy import, only for XLSX uploads

    limit = settings.PAKTA_MAX_UPLOAD_BYTES * XLSX_EXPANSION_FACTOR
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _file_error(FILE_XLSX_BROKEN % {"error": exc}) from None
    if expanded > limit:
        raise _file_error(FILE_XLSX_TOO_BIG % {"size": expanded, "max": limit})
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, conditional formatting).
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # untrusted input: any failure to load means "not a usable XLSX"
        raise _file_error(FILE_XLSX_BROKEN % {"error": exc.__class__.__name__}) from None
    try:
        if not workbook.worksheets:
            raise _file_error(FILE_XLSX_NO_SHEET)
        sheet = workbook.worksheets[0]
        try:
            for cells in sheet.iter_rows():
                if not cells:
                    continue
                yield cells[0].row, list(cells)
        except _FileRejected:
            raise
        except Exception as exc:  # a broken sheet part surfaces only while streaming
            raise _file_error(FILE_XLSX_BROKEN % {"error": exc.__class__.__name__}) from None
    finally:
        workbook.close()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as text: numbers without a trailing `.0`, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


class _CellError(Exception):
    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = str(message)


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for pattern, label in _DATE_FORMATS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise _CellError(DATE_IMPOSSIBLE % {"value": text, "format": label}) from None
    raise _CellError(DATE_FORMAT_UNKNOWN % {"value": text})


def _nip_text(value: Any) -> str:
    # Excel keeps numbers as doubles: an 18-digit NIP typed as a number loses its last digits.
    if isinstance(value, float):
        raise _CellError(NIP_AS_NUMBER % {"value": _text(value) if value.is_integer() else repr(value)})
    return _text(value)


def _satker_text(value: Any) -> str:
    # A numeric cell drops leading zeros ("006817" -> 6817); put them back.
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer() and value >= 0:
        text = str(int(value))
        return text.zfill(6) if len(text) <= 6 else text
    return _text(value)


# --- header ----------------------------------------------------------------------------------


def _header_name(value: Any) -> str:
    return _HEADER_SPACES.sub("_", _text(value).lstrip("\ufeff").strip().lower())


def _read_header(cells: list[Any], errors: list[RowError]) -> list[str | None]:
    names: list[str | None] = []
    seen: set[str] = set()
    for value in cells:
        name = _header_name(value)
        if not name:
            names.append(None)
            continue
        if name not in COLUMNS:
            errors.append(RowError(1, name, str(HEADER_UNKNOWN % {"column": name, "columns": ", ".join(COLUMNS)})))
            names.append(None)
            continue
        if name in seen:
            errors.append(RowError(1, name, str(HEADER_DUPLICATE % {"column": name})))
            names.append(None)
            continue
        seen.add(name)
        names.append(name)
    for required in REQUIRED_COLUMNS:
        if required not in seen:
            errors.append(RowError(1, required, str(HEADER_REQUIRED % {"column": required})))
    # None marks a column without a usable title: its cells must stay empty.
    return names


# --- rows ------------------------------------------------------------------------------------


@dataclass
class _DecreeFields:
    """The decree-wide columns as first seen, to check that every row repeats them."""

    number: tuple[int, str] | None = None
    decree_date: tuple[int, datetime.date] | None = None
    title: tuple[int, str] | None = None


def _build_row(number: int, values: dict[str, Any], fields: _DecreeFields, errors: list[RowError]) -> DecreeRow | None:
    row_errors: list[RowError] = []

    def fail(column: str, message: Any) -> None:
        row_errors.append(RowError(number, column, str(message)))

    def text(column: str, *, required: bool = False) -> str:
        value = _text(values.get(column))
        if required and not value:
            fail(column, VALUE_REQUIRED)
        limit = MAX_LENGTHS.get(column)
        if limit is not None and len(value) > limit:
            fail(column, VALUE_TOO_LONG % {"length": len(value), "max": limit})
        return value

    def date(column: str, *, required: bool = False) -> datetime.date | None:
        if _is_blank(values.get(column)):
            if required:
                fail(column, VALUE_REQUIRED)
            return None
        try:
            return _date(values[column])
        except _CellError as exc:
            fail(column, exc.message)
            return None

    # Decree-wide fields: required (except perihal) and the same on every row.
    decree_number = text("nomor_sk", required=True)
    if decree_number:
        if fields.number is None:
            fields.number = (number, decree_number)
        elif decree_number != fields.number[1]:
            fail(
                "nomor_sk",
                VALUE_NOT_SAME % {"value": decree_number, "first_row": fields.number[0], "first": fields.number[1]},
            )
    decree_date = date("tanggal_sk", required=True)
    if decree_date is not None:
        if fields.decree_date is None:
            fields.decree_date = (number, decree_date)
        elif decree_date != fields.decree_date[1]:
            first_row, first = fields.decree_date
            fail(
                "tanggal_sk",
                VALUE_NOT_SAME % {"value": decree_date.isoformat(), "first_row": first_row, "first": first.isoformat()},
            )
    title = text("perihal")
    if fields.title is None:
        fields.title = (number, title)
    elif title != fields.title[1]:
        fail(
            "perihal",
            VALUE_NOT_SAME % {"value": title or "-", "first_row": fields.title[0], "first": fields.title[1] or "-"},
        )

    kind = text("jenis", required=True).lower()
    if kind and kind not in KINDS:
        fail("jenis", KIND_UNKNOWN % {"value": kind, "kinds": ", ".join(KINDS)})
    employee_type = text("jenis_pegawai").lower() or "pns"
    if employee_type not in EMPLOYEE_TYPES:
        fail("jenis_pegawai", EMPLOYEE_TYPE_UNKNOWN % {"value": employee_type, "types": ", ".join(EMPLOYEE_TYPES)})

    nip = ""
    try:
        raw_nip = _nip_text(values.get("nip"))
    except _CellError as exc:
        fail("nip", exc.message)
    else:
        if not raw_nip:
            fail("nip", VALUE_REQUIRED)
        else:
            try:
                nip = validate_nip(raw_nip, employee_type="pppk" if employee_type == "pppk" else "pns")
            except ApplicationError as exc:
                fail("nip", exc.message)

    name = text("nama")
    title_prefix = text("gelar_depan")
    title_suffix = text("gelar_belakang")
    rank_code = text("pangkat_golongan")
    email = text("email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            fail("email", EMAIL_INVALID % {"value": email})

    position_code = text("kode_jabatan", required=kind in POSITION_KINDS)
    try:
        satker_code = _satker_text(values.get("kode_satker"))
    except _CellError as exc:  # pragma: no cover - _satker_text does not raise today
        fail("kode_satker", exc.message)
        satker_code = ""
    if kind == KIND_SATKER_HEAD and not satker_code:
        fail("kode_satker", VALUE_REQUIRED)
    elif satker_code and not _KODE_SATKER.match(satker_code):
        fail("kode_satker", SATKER_CODE_INVALID % {"value": satker_code})
    satker_title = text("jabatan_satker")
    effective_date = date("tmt", required=True)
    inauguration_date = date("tanggal_pelantikan")

    if kind in KINDS:
        for column, kinds in ONLY_FOR.items():
            if kind not in kinds and not _is_blank(values.get(column)):
                fail(column, VALUE_NOT_FOR_KIND % {"kind": kind})

    if row_errors:
        errors.extend(row_errors)
        return None
    assert effective_date is not None
    return DecreeRow(
        row=number,
        kind=kind,
        nip=nip,
        employee_type=employee_type,
        name=name,
        title_prefix=title_prefix,
        title_suffix=title_suffix,
        rank_code=rank_code,
        email=email,
        position_code=position_code,
        satker_code=satker_code,
        satker_title=(satker_title or DEFAULT_SATKER_TITLE) if kind == KIND_SATKER_HEAD else "",
        effective_date=effective_date,
        inauguration_date=inauguration_date,
    )


def _cell_value(cell: Any, column: str | None, number: int, index: int, errors: list[RowError]) -> Any:
    """The value of an XLSX cell (or a CSV string); a formula is an error naming the cell."""
    if isinstance(cell, str) or cell is None:
        return cell
    if getattr(cell, "data_type", None) == "f":
        from openpyxl.utils import get_column_letter

        formula = cell.value if isinstance(cell.value, str) else getattr(cell.value, "text", "") or "="
        errors.append(
            RowError(
                number,
                column,
                str(CELL_FORMULA % {"cell": f"{get_column_letter(index)}{number}", "formula": str(formula)[:60]}),
            )
        )
        return None
    return cell.value


def _parse_rows(raw_rows: Iterator[RawRow]) -> tuple[list[DecreeRow], list[RowError], _DecreeFields]:
    errors: list[RowError] = []
    rows: list[DecreeRow] = []
    fields = _DecreeFields()
    header: list[str | None] | None = None
    data_rows = 0
    for number, cells in raw_rows:
        if header is None:
            if number != 1 or all(_is_blank(_cell_value(c, None, number, i, [])) for i, c in enumerate(cells, 1)):
                raise _file_error(HEADER_MISSING, row=1)
            header_errors: list[RowError] = []
            values = [_cell_value(c, None, 1, i, header_errors) for i, c in enumerate(cells, start=1)]
            header = _read_header(values, header_errors)
            if header_errors:
                errors.extend(header_errors)
                return rows, errors, fields
            continue
        cell_errors: list[RowError] = []
        row_values: dict[str, Any] = {}
        extra = 0
        for index, cell in enumerate(cells, start=1):
            column = header[index - 1] if index <= len(header) else None
            value = _cell_value(cell, column, number, index, cell_errors)
            if column is not None:
                row_values[column] = value
            elif not _is_blank(value):
                if index <= len(header):
                    cell_errors.append(RowError(number, None, str(HEADER_UNNAMED % {"index": index})))
                else:
                    extra = len(cells)
        if extra:
            cell_errors.append(RowError(number, None, str(CELL_EXTRA % {"count": extra, "columns": len(header)})))
        if not cell_errors and all(_is_blank(v) for v in row_values.values()):
            continue  # a blank line (e.g. at the end of a file)
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise _file_error(FILE_TOO_MANY_ROWS % {"max": MAX_ROWS})
        errors.extend(cell_errors)
        row = _build_row(number, row_values, fields, errors)
        if row is not None and not cell_errors:
            rows.append(row)
    if header is None:
        raise _file_error(HEADER_MISSING, row=1)
    if data_rows == 0:
        raise _file_error(FILE_NO_ROWS)
    return rows, errors, fields


def error_sort_key(error: RowError) -> tuple[int, int]:
    """File order: the whole file first, then by row, within a row by column as documented."""
    return (error.row or 0, COLUMNS.index(error.column) if error.column in COLUMNS else -1)


def _file_type(filename: str, content: bytes) -> str:
    ext = PurePath(filename).suffix.lower()
    if content.startswith(b"PK\x03\x04"):
        return "xlsx"
    if content.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: the pre-2007 .xls format
        raise _file_error(FILE_XLS_UNSUPPORTED)
    if ext in (".xlsx", ".xlsm"):
        raise _file_error(FILE_NOT_XLSX)
    if ext in (".csv", ".txt", ""):
        return "csv"
    raise _file_error(FILE_TYPE_UNSUPPORTED % {"ext": ext})


def parse_decree_file(filename: str, content: bytes) -> ParsedDecree:
    """Parse a decree file. Never raises for bad input: problems are in `errors`.

    The size limit (`settings.PAKTA_MAX_UPLOAD_BYTES`) is checked before anything is parsed;
    the type is taken from the content (XLSX is a zip) and the extension."""
    name = PurePath(filename or "").name
    file_type = ""
    try:
        limit = settings.PAKTA_MAX_UPLOAD_BYTES
        if len(content) > limit:
            raise _file_error(FILE_TOO_LARGE % {"size": len(content), "max": limit})
        if not content:
            raise _file_error(FILE_EMPTY)
        file_type = _file_type(name, content)
        raw = _read_xlsx(content) if file_type == "xlsx" else _read_csv(content)
        rows, errors, fields = _parse_rows(raw)
    except _FileRejected as exc:
        return ParsedDecree(name, file_type, "", None, "", (), (exc.error,))
    return ParsedDecree(
        filename=name,
        file_type=file_type,
        number=fields.number[1] if fields.number else "",
        decree_date=fields.decree_date[1] if fields.decree_date else None,
        title=fields.title[1] if fields.title else "",
        rows=tuple(rows),
        errors=tuple(sorted(errors, key=error_sort_key)),
    )
