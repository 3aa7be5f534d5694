"""What parsing yields: a problem (`RowError`), a normalised move (`DecreeRow`) and the parsed file
(`ParsedDecree`, with the content hash that makes a CSV and an XLSX of one decree the same); the
error that rejects a file as a whole, and the order errors are reported in."""

import datetime
import hashlib
from dataclasses import asdict, dataclass
from typing import Any

from audit.canonical import canonical_json
from integrity.decree_files.columns import COLUMNS
from integrity.decree_files.messages import LOCATION_COLUMN, LOCATION_FILE, LOCATION_ROW


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


# A raw row: (spreadsheet row number, cell values). CSV cells are str; XLSX cells are whatever
# openpyxl read (str, int, float, bool, datetime, date, time or None).
RawRow = tuple[int, list[Any]]


def error_sort_key(error: RowError) -> tuple[int, int]:
    """File order: the whole file first, then by row, within a row by column as documented."""
    return (error.row or 0, COLUMNS.index(error.column) if error.column in COLUMNS else -1)
