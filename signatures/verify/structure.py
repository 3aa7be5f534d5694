"""Revisions as bytes: where each one ends, whether its trailer covers its objects, what follows the last.

A signature's byte range must end exactly at the end of a revision (`revision_ends`); a revision whose
trailer `/Size` does not cover its own objects, as in the incremental saving attack files, is INVALID; bytes
after the last `%%EOF` other than white space count as a change.
"""

from __future__ import annotations

import re

from signatures.verify.state import Analysis

_EOF_RE = re.compile(rb"startxref\s+(\d+)\s*%%EOF")


def revision_ends(analysis: Analysis) -> dict[int, tuple[int, int]]:
    """Revision -> (offset just after its %%EOF, offset after the end-of-line that follows)."""
    xrefs = analysis.reader.xrefs
    by_startxref: dict[int, int] = {}
    for revision in range(xrefs.total_revisions):
        by_startxref.setdefault(xrefs.get_startxref_for_revision(revision), revision)
    ends: dict[int, tuple[int, int]] = {}
    for match in _EOF_RE.finditer(analysis.pdf):
        found = by_startxref.get(int(match.group(1)))
        if found is None or found in ends:
            continue
        if match.start() < xrefs.get_xref_container_info(found).end_location:
            continue
        eof_end = eol_end = match.end()
        while eol_end < len(analysis.pdf) and eol_end - eof_end < 2 and analysis.pdf[eol_end] in b"\r\n":
            eol_end += 1
        ends[found] = (eof_end, eol_end)
    return ends


def check_sizes(analysis: Analysis) -> None:
    """Each revision's trailer /Size must exceed every object number its cross-reference section uses."""
    xrefs = analysis.reader.xrefs
    for revision in range(xrefs.total_revisions):
        size = xrefs.get_xref_container_info(revision).size
        highest = max((ref.idnum for ref in xrefs.explicit_refs_in_revision(revision)), default=0)
        if highest >= size:
            analysis.add("structure_broken", revision=revision + 1, detail=f"/Size {size}, object {highest}")


def check_trailing_data(analysis: Analysis) -> None:
    """Anything but white space after the last revision's end of line is a change."""
    last = analysis.reader.xrefs.total_revisions - 1
    end = analysis.revision_ends.get(last)
    if end is None:
        return
    tail = analysis.pdf[end[1] :]
    if tail.strip(b"\x00\t\n\x0c\r "):
        analysis.add("trailing_data", count=len(tail))
