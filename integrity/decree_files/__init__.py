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

Modules: `columns` (the columns, limits and kinds of move), `messages`, `model` (`RowError`,
`DecreeRow`, `ParsedDecree` and its content hash, the whole-file rejection, error order), `cells`
(one cell as text, dates, NIP and satker codes), `csv_reader`, `xlsx_reader` (zip-bomb guard,
formula cells), `header`, `rows` (one move row checked), `parser` (`parse_decree_file`).
"""

from integrity.decree_files.columns import (
    COLUMNS,
    DEFAULT_SATKER_TITLE,
    EMPLOYEE_TYPES,
    KIND_APPOINT,
    KIND_END,
    KIND_PLH,
    KIND_PLT,
    KIND_SATKER_HEAD,
    KINDS,
    MAX_LENGTHS,
    MAX_ROWS,
    ONLY_FOR,
    POSITION_KINDS,
    REQUIRED_COLUMNS,
)
from integrity.decree_files.messages import (
    CELL_EXTRA,
    CELL_FORMULA,
    DATE_FORMAT_UNKNOWN,
    DATE_IMPOSSIBLE,
    EMAIL_INVALID,
    EMPLOYEE_TYPE_UNKNOWN,
    FILE_BINARY,
    FILE_CSV_BROKEN,
    FILE_EMPTY,
    FILE_NO_ROWS,
    FILE_NOT_UTF8,
    FILE_NOT_XLSX,
    FILE_TOO_LARGE,
    FILE_TOO_MANY_ROWS,
    FILE_TYPE_UNSUPPORTED,
    FILE_XLS_UNSUPPORTED,
    FILE_XLSX_BROKEN,
    FILE_XLSX_NO_SHEET,
    FILE_XLSX_TOO_BIG,
    HEADER_DUPLICATE,
    HEADER_MISSING,
    HEADER_REQUIRED,
    HEADER_UNKNOWN,
    HEADER_UNNAMED,
    KIND_UNKNOWN,
    LOCATION_COLUMN,
    LOCATION_FILE,
    LOCATION_ROW,
    NIP_AS_NUMBER,
    SATKER_CODE_INVALID,
    VALUE_NOT_FOR_KIND,
    VALUE_NOT_SAME,
    VALUE_REQUIRED,
    VALUE_TOO_LONG,
)
from integrity.decree_files.model import (
    DecreeRow,
    ParsedDecree,
    RawRow,
    RowError,
    error_sort_key,
)
from integrity.decree_files.parser import (
    parse_decree_file,
)
from integrity.decree_files.xlsx_reader import (
    XLSX_EXPANSION_FACTOR,
)

__all__ = [
    "CELL_EXTRA",
    "CELL_FORMULA",
    "COLUMNS",
    "DATE_FORMAT_UNKNOWN",
    "DATE_IMPOSSIBLE",
    "DEFAULT_SATKER_TITLE",
    "EMAIL_INVALID",
    "EMPLOYEE_TYPES",
    "EMPLOYEE_TYPE_UNKNOWN",
    "FILE_BINARY",
    "FILE_CSV_BROKEN",
    "FILE_EMPTY",
    "FILE_NOT_UTF8",
    "FILE_NOT_XLSX",
    "FILE_NO_ROWS",
    "FILE_TOO_LARGE",
    "FILE_TOO_MANY_ROWS",
    "FILE_TYPE_UNSUPPORTED",
    "FILE_XLSX_BROKEN",
    "FILE_XLSX_NO_SHEET",
    "FILE_XLSX_TOO_BIG",
    "FILE_XLS_UNSUPPORTED",
    "HEADER_DUPLICATE",
    "HEADER_MISSING",
    "HEADER_REQUIRED",
    "HEADER_UNKNOWN",
    "HEADER_UNNAMED",
    "KINDS",
    "KIND_APPOINT",
    "KIND_END",
    "KIND_PLH",
    "KIND_PLT",
    "KIND_SATKER_HEAD",
    "KIND_UNKNOWN",
    "LOCATION_COLUMN",
    "LOCATION_FILE",
    "LOCATION_ROW",
    "MAX_LENGTHS",
    "MAX_ROWS",
    "NIP_AS_NUMBER",
    "ONLY_FOR",
    "POSITION_KINDS",
    "REQUIRED_COLUMNS",
    "SATKER_CODE_INVALID",
    "VALUE_NOT_FOR_KIND",
    "VALUE_NOT_SAME",
    "VALUE_REQUIRED",
    "VALUE_TOO_LONG",
    "XLSX_EXPANSION_FACTOR",
    "DecreeRow",
    "ParsedDecree",
    "RawRow",
    "RowError",
    "error_sort_key",
    "parse_decree_file",
]
