"""The text shown on a document's pages (`extract_text`), decoded through each font's `/ToUnicode` map."""

from __future__ import annotations

import re
from typing import Any

from pyhanko.pdf_utils import generic

from signatures.pdf.objects import _get, _inherited, _items, _page_objects, _reader, _reading
from signatures.pdf.syntax import _EndOfData, _Name, _Op, _parse


@_reading
def extract_text(pdf: bytes) -> str:
    """The text shown on every page, through each font's `/ToUnicode` map (best effort, for checks).

    Each text object (BT … ET) becomes one line; spacing inside a line follows the glyphs only, so
    compare text with whitespace removed. Layout, reading order and hyphenation are not reconstructed.

    :raises PdfError: the PDF cannot be read.
    """
    reader = _reader(pdf)
    lines: list[str] = []
    for _page_num, page in _page_objects(reader):
        contents = _get(page, "/Contents")
        if contents is None:
            continue
        streams = _items(contents) if isinstance(contents, generic.ArrayObject) else [contents]
        data = b"\n".join(bytes(stream.data) for stream in streams)
        _show_text(data, _inherited(page, "/Resources"), lines, 0)
    return "\n".join(lines)


def _show_text(content: bytes, resources: Any, lines: list[str], depth: int) -> None:
    decoders: dict[str, _FontDecoder] = {}
    font: _FontDecoder | None = None
    operands: list[Any] = []
    current: list[str] = []
    pos = 0
    while True:
        try:
            token, pos = _parse(content, pos, content_stream=True)
        except _EndOfData:
            break
        if not isinstance(token, _Op):
            operands.append(token)
            continue
        op = str(token)
        if op == "Tf" and len(operands) >= 2 and isinstance(operands[-2], _Name):
            key = str(operands[-2])
            if key not in decoders:
                decoders[key] = _FontDecoder(resources["/Font"]["/" + key])
            font = decoders[key]
        elif op in ("Tj", "'", '"') and operands and isinstance(operands[-1], bytes) and font:
            current.append(font.decode(operands[-1]))
        elif op == "TJ" and operands and isinstance(operands[-1], list) and font:
            for item in operands[-1]:
                if isinstance(item, bytes):
                    current.append(font.decode(item))
                elif isinstance(item, (int, float)) and item < -200:
                    current.append(" ")
        elif op == "ET":
            lines.append("".join(current))
            current = []
        elif op == "Do" and operands and isinstance(operands[-1], _Name) and depth < 8:
            xobject = _get(_get(resources, "/XObject", {}), "/" + str(operands[-1]))
            if xobject is not None and _get(xobject, "/Subtype") == "/Form":
                _show_text(bytes(xobject.data), _get(xobject, "/Resources", resources), lines, depth + 1)
        elif op == "BI":
            end = content.find(b"EI", pos)
            pos = len(content) if end < 0 else end + 2
        operands = []
    if current:
        lines.append("".join(current))


class _FontDecoder:
    def __init__(self, font: generic.DictionaryObject) -> None:
        self.two_byte = _get(font, "/Subtype") == "/Type0"
        self.map: dict[int, str] = {}
        if "/ToUnicode" in font:
            self.map = _parse_cmap(bytes(font["/ToUnicode"].data))

    def decode(self, data: bytes) -> str:
        if self.two_byte:
            codes = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
        else:
            codes = list(data)
        if not self.map:
            return bytes(c for c in codes if c < 256).decode("latin-1")
        return "".join(self.map.get(code, "\ufffd") for code in codes)


_BFCHAR_RE = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE_RE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX_RE = re.compile(rb"<([0-9A-Fa-f]*)>")


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode("ascii")).decode("utf-16-be", errors="replace")


def _parse_cmap(cmap: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in _BFCHAR_RE.findall(cmap):
        values = _HEX_RE.findall(block)
        for src, dst in zip(values[0::2], values[1::2], strict=False):
            mapping[int(src, 16)] = _utf16(dst)
    for block in _BFRANGE_RE.findall(cmap):
        for line in re.finditer(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]*>)", block):
            low, high, dst = int(line.group(1), 16), int(line.group(2), 16), line.group(3)
            if dst.startswith(b"["):
                for offset, item in enumerate(_HEX_RE.findall(dst)):
                    mapping[low + offset] = _utf16(item)
            else:
                base = bytes.fromhex(dst[1:-1].decode("ascii"))
                for offset in range(min(high - low, 0xFFFF) + 1):
                    value = int.from_bytes(base, "big") + offset
                    mapping[low + offset] = value.to_bytes(len(base), "big").decode("utf-16-be", errors="replace")
    return mapping
