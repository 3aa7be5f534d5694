"""The empty signature field to add (`SignatureFieldSpec`) and the checks every writer applies to it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from signatures.pdf.errors import (
    FIELD_BOX_INVALID,
    FIELD_NAME_DUPLICATE,
    FIELD_NAME_INVALID,
    FIELD_PAGE_MISSING,
    PdfError,
)

_FIELD_NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class SignatureFieldSpec:
    """An empty signature field to add.

    `page` is the zero-based page index; `box` is `(x1, y1, x2, y2)` in PDF user space (points, origin at
    the bottom-left corner of the page), with `x1 < x2` and `y1 < y2`.
    """

    name: str
    page: int
    box: tuple[float, float, float, float]


def _check_names(fields: Sequence[SignatureFieldSpec]) -> None:
    seen: set[str] = set()
    for spec in fields:
        if not _FIELD_NAME_RE.fullmatch(spec.name):
            raise PdfError(FIELD_NAME_INVALID % {"name": repr(spec.name)})
        if spec.name in seen:
            raise PdfError(FIELD_NAME_DUPLICATE % {"name": spec.name})
        seen.add(spec.name)


def _check_box(spec: SignatureFieldSpec, mediabox: Sequence[float]) -> None:
    x1, y1, x2, y2 = spec.box
    mx1, my1, mx2, my2 = (float(v) for v in mediabox)
    inside = mx1 <= x1 < x2 <= mx2 and my1 <= y1 < y2 <= my2
    if not inside:
        raise PdfError(FIELD_BOX_INVALID % {"name": spec.name, "box": list(spec.box), "mediabox": [mx1, my1, mx2, my2]})


def _check_page(spec: SignatureFieldSpec, page_count: int) -> None:
    if not 0 <= spec.page < page_count:
        raise PdfError(FIELD_PAGE_MISSING % {"name": spec.name, "page": spec.page + 1, "pages": page_count})
