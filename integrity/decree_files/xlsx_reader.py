"""Reading an XLSX decree file: the first worksheet, after a guard against zip bombs (the
uncompressed size is checked before openpyxl opens it); a formula cell is refused, naming the cell,
because its cached value is whatever the last program that saved it computed."""

import io
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings

from integrity.decree_files.messages import CELL_FORMULA, FILE_XLSX_BROKEN, FILE_XLSX_NO_SHEET, FILE_XLSX_TOO_BIG
from integrity.decree_files.model import RawRow, RowError, _file_error, _FileRejected

# Uncompressed size allowed for an XLSX, as a multiple of the upload limit: a guard against
# zip bombs, far above what 5,000 rows of text need.
XLSX_EXPANSION_FACTOR = 20


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
