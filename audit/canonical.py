"""Canonical JSON for audit payloads: sorted keys, compact, UTF-8, no floats, secrets masked.

The same input always gives the same bytes, so a payload's hash can be recomputed years later.
"""

import datetime
import decimal
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

MASK = "********"
# Keys whose values are never written to the journal (STYLE.md "secrets masked"). A key is
# sensitive when one of its words (split on _ - . and spaces) is a marker: "user_pin" and
# "passphrase" are masked, "pinjaman" and "footprint" are not.
SENSITIVE_WORDS = frozenset({"password", "passphrase", "secret", "pkcs12", "pin", "token", "otp"})
_WORD_SPLIT = re.compile(r"[_\-.\s]+")


def is_sensitive(key: str) -> bool:
    low = key.lower()
    return "private_key" in low or any(word in SENSITIVE_WORDS for word in _WORD_SPLIT.split(low))


def normalize(value: Any) -> Any:
    """Turn a payload into JSON-safe primitives; refuse floats (their text is not canonical)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        raise TypeError("audit payloads must not contain floats; use str or Decimal")
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise TypeError("audit payloads need aware datetimes")
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {
            str(k): (MASK if is_sensitive(str(k)) and v not in (None, "") else normalize(v)) for k, v in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [normalize(v) for v in value]
        return sorted(items, key=canonical_json) if isinstance(value, (set, frozenset)) else items
    raise TypeError(f"cannot put {type(value).__name__} into an audit payload")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
