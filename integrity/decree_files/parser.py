"""Parsing a decree file: the size limit, the file type (from the content and the extension),
the header, then every row; the whole report in one `ParsedDecree`."""

from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

from django.conf import settings

from integrity.decree_files.cells import _is_blank
from integrity.decree_files.columns import MAX_ROWS
from integrity.decree_files.csv_reader import _read_csv
from integrity.decree_files.header import _read_header
from integrity.decree_files.messages import (
    CELL_EXTRA,
    FILE_EMPTY,
    FILE_NO_ROWS,
    FILE_NOT_XLSX,
    FILE_TOO_LARGE,
    FILE_TOO_MANY_ROWS,
    FILE_TYPE_UNSUPPORTED,
    FILE_XLS_UNSUPPORTED,
    HEADER_MISSING,
    HEADER_UNNAMED,
)
from integrity.decree_files.model import (
    DecreeRow,
    ParsedDecree,
    RawRow,
    RowError,
    _file_error,
    _FileRejected,
    error_sort_key,
)
from integrity.decree_files.rows import _build_row, _DecreeFields
from integrity.decree_files.xlsx_reader import _cell_value, _read_xlsx


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
