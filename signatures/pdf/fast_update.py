"""The direct writer: the incremental update of `add_signature_fields` written byte by byte.

It handles the simple shape Typst produces (one classic cross-reference table, catalog and pages
uncompressed, a flat page tree, no form and no annotations yet), reading only the trailer, catalog, page
tree and the pages concerned; anything else raises `_Unsupported` and goes through pyHanko (`writing`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from signatures.pdf.fields import SignatureFieldSpec, _check_box, _check_page
from signatures.pdf.syntax import (
    _OBJ_HEADER_RE,
    _STARTXREF_RE,
    _STREAM_KEYWORD_RE,
    _TRAILER_RE,
    _XREF_SUBSECTION_RE,
    _Name,
    _parse,
    _Ref,
    _Unsupported,
)

# Widget flags: Print (bit 3, required by PDF/A) + Locked (bit 8), as pyHanko sets them.
_WIDGET_FLAGS = 132


def _num(value: float) -> bytes:
    """A PDF number with at most 4 decimals, always written the same way."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode("ascii")


def _pdf_name_string(name: str) -> bytes:
    # `name` is checked against `fields._FIELD_NAME_RE`, so it needs no escaping inside a literal string.
    return b"(" + name.encode("ascii") + b")"


class _FastUpdate:
    """Incremental update written directly for single-revision PDFs with a classic xref table."""

    def __init__(
        self, pdf: bytes, startxref: int, size: int, trailer: dict[str, Any], xref: list[tuple[int, int, int]]
    ) -> None:
        self.pdf = pdf
        self.startxref = startxref
        self.size = size
        self.trailer = trailer
        self.xref = xref
        root = trailer.get("Root")
        if not isinstance(root, _Ref):
            raise _Unsupported("trailer /Root")
        self.root_ref = root
        self.root_span, self.root = self._dict_object(root)
        if "AcroForm" in self.root:
            raise _Unsupported("existing /AcroForm")
        pages_ref = self.root.get("Pages")
        if not isinstance(pages_ref, _Ref):
            raise _Unsupported("/Pages")
        _, pages = self._dict_object(pages_ref)
        kids = pages.get("Kids")
        if not isinstance(kids, list) or not all(isinstance(k, _Ref) for k in kids):
            raise _Unsupported("/Kids")
        self.page_refs: list[_Ref] = kids

    @classmethod
    def plan(cls, pdf: bytes) -> _FastUpdate:
        match = _STARTXREF_RE.search(pdf, max(0, len(pdf) - 1024))
        if match is None or not pdf.startswith(b"%PDF-"):
            raise _Unsupported("no startxref")
        startxref = int(match.group(1))
        if pdf[startxref : startxref + 4] != b"xref":
            raise _Unsupported("xref stream")
        # Subsections are (first number, count, offset of the first 20-byte entry); entries are read
        # only for the few objects needed. The trailer keyword right after the last entry confirms the
        # fixed entry width.
        xref: list[tuple[int, int, int]] = []
        pos = startxref + 4
        while (sub := _XREF_SUBSECTION_RE.match(pdf, pos)) is not None:
            first, count = int(sub.group(1)), int(sub.group(2))
            xref.append((first, count, sub.end()))
            pos = sub.end() + 20 * count
        trailer_match = _TRAILER_RE.match(pdf, pos)
        if trailer_match is None:
            raise _Unsupported("trailer")
        trailer, _ = _parse(pdf, trailer_match.end())
        if not isinstance(trailer, dict) or {"Prev", "XRefStm", "Encrypt"} & trailer.keys():
            raise _Unsupported("updated, hybrid or encrypted file")
        size = trailer.get("Size")
        if not isinstance(size, int):
            raise _Unsupported("/Size")
        return cls(pdf, startxref, size, trailer, xref)

    def _offset(self, ref: _Ref) -> int:
        for first, count, at in self.xref:
            if first <= ref.num < first + count:
                entry = self.pdf[at + 20 * (ref.num - first) : at + 20 * (ref.num - first + 1)]
                if entry[17:18] == b"n" and int(entry[11:16]) == ref.gen == 0:
                    return int(entry[:10])
        raise _Unsupported(f"object {ref.num} {ref.gen} not in use in the xref table")

    def _dict_object(self, ref: _Ref) -> tuple[tuple[int, int], dict[str, Any]]:
        offset = self._offset(ref)
        header = _OBJ_HEADER_RE.match(self.pdf, offset)
        if header is None or int(header.group(1)) != ref.num:
            raise _Unsupported(f"object {ref.num} header")
        value, end = _parse(self.pdf, header.end())
        if not isinstance(value, dict) or _STREAM_KEYWORD_RE.match(self.pdf, end):
            raise _Unsupported(f"object {ref.num} is not a plain dictionary")
        return (header.end(), end), value

    def _page(self, index: int) -> tuple[_Ref, tuple[int, int], dict[str, Any]]:
        ref = self.page_refs[index]
        span, page = self._dict_object(ref)
        if page.get("Type") != _Name("Page") or "Annots" in page:
            raise _Unsupported("nested page tree or existing annotations")
        box = page.get("MediaBox")
        if not (isinstance(box, list) and len(box) == 4 and all(isinstance(v, (int, float)) for v in box)):
            raise _Unsupported("inherited /MediaBox")
        return ref, span, page

    def write(self, fields: Sequence[SignatureFieldSpec], update_id: bytes) -> bytes:
        pages: dict[int, tuple[_Ref, tuple[int, int], dict[str, Any]]] = {}
        for spec in fields:
            _check_page(spec, len(self.page_refs))
            if spec.page not in pages:
                pages[spec.page] = self._page(spec.page)
            _check_box(spec, pages[spec.page][2]["MediaBox"])

        next_num = self.size
        objects: dict[int, bytes] = {}
        annots: dict[int, list[int]] = {index: [] for index in pages}
        field_nums: list[int] = []
        for spec in fields:
            field_num, ap_num = next_num, next_num + 1
            next_num += 2
            x1, y1, x2, y2 = spec.box
            page_ref = pages[spec.page][0]
            objects[field_num] = b"".join(
                [
                    b"<</Type/Annot/Subtype/Widget/FT/Sig/T",
                    _pdf_name_string(spec.name),
                    b"/F %d/Rect[%s %s %s %s]" % (_WIDGET_FLAGS, _num(x1), _num(y1), _num(x2), _num(y2)),
                    b"/P %d %d R/AP<</N %d 0 R>>>>" % (page_ref.num, page_ref.gen, ap_num),
                ]
            )
            objects[ap_num] = (
                b"<</Type/XObject/Subtype/Form/BBox[0 0 %s %s]/Resources<<>>/Length 0>>\nstream\n\nendstream"
                % (_num(x2 - x1), _num(y2 - y1))
            )
            annots[spec.page].append(field_num)
            field_nums.append(field_num)
        acroform_num = next_num
        next_num += 1
        objects[acroform_num] = b"<</Fields[%s]/SigFlags 1>>" % _refs(field_nums)

        (start, end) = self.root_span
        objects[self.root_ref.num] = _dict_with(self.pdf[start:end], b"/AcroForm %d 0 R" % acroform_num)
        for index, (ref, (start, end), _page) in pages.items():
            objects[ref.num] = _dict_with(self.pdf[start:end], b"/Annots[%s]" % _refs(annots[index]))

        out = bytearray(self.pdf)
        if not out.endswith(b"\n"):
            out += b"\n"
        positions: dict[int, int] = {}
        for num in sorted(objects):
            positions[num] = len(out)
            out += b"%d 0 obj\n" % num
            out += objects[num]
            out += b"\nendobj\n"
        xref_at = len(out)
        out += b"xref\n0 1\n0000000000 65535 f\r\n"
        for first, run in _runs(sorted(positions)):
            out += b"%d %d\n" % (first, len(run))
            for num in run:
                out += b"%010d 00000 n\r\n" % positions[num]
        out += b"trailer\n<</Size %d/Root %d %d R" % (next_num, self.root_ref.num, self.root_ref.gen)
        info = self.trailer.get("Info")
        if isinstance(info, _Ref):
            out += b"/Info %d %d R" % (info.num, info.gen)
        out += b"/ID[<%s><%s>]" % (_first_id(self.trailer, update_id).hex().encode(), update_id.hex().encode())
        out += b"/Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (self.startxref, xref_at)
        return bytes(out)


def _first_id(trailer: dict[str, Any], update_id: bytes) -> bytes:
    """The permanent half of /ID is kept (ISO 32000-1 §14.4); a file without one gets a derived one."""
    ids = trailer.get("ID")
    if isinstance(ids, list) and ids and isinstance(ids[0], bytes):
        return ids[0]
    return update_id


def _refs(nums: Sequence[int]) -> bytes:
    return b" ".join(b"%d 0 R" % num for num in nums)


def _dict_with(raw: bytes, entry: bytes) -> bytes:
    """`raw` is a dictionary `<<...>>`; add one entry before its closing `>>`."""
    body = raw.rstrip()
    if not body.endswith(b">>"):
        raise _Unsupported("dictionary end")
    return body[:-2] + entry + b">>"


def _runs(nums: Sequence[int]) -> Iterator[tuple[int, list[int]]]:
    run: list[int] = []
    for num in nums:
        if run and num != run[-1] + 1:
            yield run[0], run
            run = []
        run.append(num)
    if run:
        yield run[0], run
