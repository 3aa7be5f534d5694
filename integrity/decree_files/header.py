"""Reading the header row (row 1): names are case-insensitive, in any order; unknown, duplicate
and missing required columns are errors."""

import re
from typing import Any

from integrity.decree_files.cells import _text
from integrity.decree_files.columns import COLUMNS, REQUIRED_COLUMNS
from integrity.decree_files.messages import HEADER_DUPLICATE, HEADER_REQUIRED, HEADER_UNKNOWN
from integrity.decree_files.model import RowError

_HEADER_SPACES = re.compile(r"[\s\-]+")


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
