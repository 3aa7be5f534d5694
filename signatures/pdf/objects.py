"""Walking a document through pyHanko's reader: opening it, dereferencing, pages, inherited attributes,
and `_reading`, which turns a reader function's errors into `PdfError`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError as PyHankoPdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from signatures.pdf.errors import PDF_UNREADABLE, PdfError


def _reader(pdf: bytes) -> PdfFileReader:
    try:
        return PdfFileReader(BytesIO(pdf), strict=False)
    except (PyHankoPdfError, KeyError, TypeError, ValueError) as exc:
        raise PdfError(PDF_UNREADABLE % {"detail": exc}, extra={"detail": str(exc)}) from exc


def _get(node: Any, key: str, default: Any = None) -> Any:
    """`node[key]` dereferenced (pyHanko's `.get` and iteration return indirect references as they are)."""
    return node[key] if key in node else default  # noqa: SIM401 (`.get` would not dereference)


def _items(array: Any) -> list[Any]:
    """The dereferenced items of a PDF array."""
    return [array[i] for i in range(len(array))]


def _page_objects(reader: PdfFileReader) -> list[tuple[int, generic.DictionaryObject]]:
    """(object number, page dictionary) for every page, in order."""
    result: list[tuple[int, generic.DictionaryObject]] = []

    def walk(node: generic.DictionaryObject, depth: int) -> None:
        kids = node["/Kids"]
        for i in range(len(kids)):
            ref = kids.raw_get(i)
            kid = ref.get_object()
            if _get(kid, "/Type") == "/Pages" and depth < 32:
                walk(kid, depth + 1)
            else:
                result.append((ref.idnum, kid))

    walk(reader.root["/Pages"], 0)
    return result


def _inherited(page: generic.DictionaryObject, key: str) -> Any:
    node: Any = page
    for _level in range(32):
        if key in node:
            return node[key]
        if "/Parent" not in node:
            break
        node = node["/Parent"]
    raise KeyError(key)


def _reading[R](func: Callable[[bytes], R]) -> Callable[[bytes], R]:
    """Turn pyHanko's (and malformed-object) errors of a reader function into PdfError."""

    @functools.wraps(func)
    def wrapper(pdf: bytes) -> R:
        try:
            return func(pdf)
        except PdfError:
            raise
        except (PyHankoPdfError, KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise PdfError(PDF_UNREADABLE % {"detail": exc}, extra={"detail": str(exc)}) from exc

    return wrapper
