"""Reading the PDF: pyHanko's reader made tolerant of dangling references, and small object helpers.

`lookup` and `deref` dereference what pyHanko's own `.get` and `.raw_get` leave as indirect references;
`docmdp_of` tells a certification signature dictionary from an approval one.
"""

from __future__ import annotations

from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import DecodeLimits, DocumentDecodeBudget
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

DECODE_LIMITS = DecodeLimits(document_budget=DocumentDecodeBudget(base_allowance=128 * 1024 * 1024, max_ratio=50))
"""pyHanko's limits on decoding streams, which make decompression bombs harmless."""


class _Resolver(HistoricalResolver):
    """pyHanko's historical view, tolerating references to objects that were never defined.

    pyHanko's orphan search raises KeyError on such dangling references (seen in DSS-produced files whose
    trailer carries `/AdditionalStreams [... N 0 R]` with N = /Size); a dangling reference resolves to
    null and has no dependencies, so it is skipped.
    """

    def _collect_indirect_references(self, obj: Any, seen: Any, since_revision: Any = None) -> None:
        if isinstance(obj, generic.IndirectObject) and since_revision is not None:
            try:
                self.reader.xrefs.get_introducing_revision(obj.reference)
            except KeyError:
                return
        super()._collect_indirect_references(obj, seen, since_revision)


class Reader(PdfFileReader):
    """pyHanko's reader, with the tolerant historical view above for every revision."""

    def get_historical_resolver(self, revision: int) -> HistoricalResolver:
        cache = self._historical_resolver_cache
        if revision not in cache:
            cache[revision] = _Resolver(self, revision)
        return cache[revision]


def deref(value: Any) -> Any:
    """`value` itself, or the object it refers to."""
    return value.get_object() if isinstance(value, generic.IndirectObject) else value


def lookup(node: generic.DictionaryObject, key: str, default: Any = None, *, safe: bool = False) -> Any:
    """`node[key]` dereferenced, or `default` when absent or null (pyHanko's `.get` does not dereference).

    With `safe`, a value that cannot be read also gives `default` (used while scanning for actions, where
    an unreadable object is reported once on its own).
    """
    try:
        return node[key] if key in node else default  # noqa: SIM401 (`.get` would not dereference)
    except KeyError:
        return default
    except Exception:
        if safe:
            return default
        raise


def docmdp_of(sig: generic.DictionaryObject) -> int | None:
    """The DocMDP /P of a certification signature dictionary, or None for an approval signature."""
    references = deref(sig.raw_get("/Reference")) if "/Reference" in sig else None
    if not isinstance(references, generic.ArrayObject):
        return None
    for reference in references:
        reference = deref(reference)
        if isinstance(reference, generic.DictionaryObject) and lookup(reference, "/TransformMethod") == "/DocMDP":
            params = deref(reference.raw_get("/TransformParams")) if "/TransformParams" in reference else None
            level = lookup(params, "/P", 2) if isinstance(params, generic.DictionaryObject) else 2
            return int(level) if isinstance(level, int) else 2
    return None
