"""Reading one cell: CSV strings and the values openpyxl gives (numbers, dates, booleans) as text,
dates in the accepted formats, NIP and satker codes that a spreadsheet stored as numbers."""

import datetime
import re
from typing import Any

from integrity.decree_files.messages import DATE_FORMAT_UNKNOWN, DATE_IMPOSSIBLE, NIP_AS_NUMBER

_DATE_FORMATS = (
    (re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"), "YYYY-MM-DD"),
    (re.compile(r"^(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})$"), "DD-MM-YYYY"),
    (re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$"), "DD/MM/YYYY"),
)


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
