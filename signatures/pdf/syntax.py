"""A small PDF object parser (dictionaries, arrays, names, numbers, strings, references; content-stream
operators), enough for the direct writer (`fast_update`) and for text extraction (`text`).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple


class _Unsupported(Exception):
    """The document is not of the simple shape the direct writer handles; use pyHanko."""


_STARTXREF_RE = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_SUBSECTION_RE = re.compile(rb"\s*(\d+) (\d+)[ \t]*\r?\n")
_TRAILER_RE = re.compile(rb"\s*trailer\s*")
_OBJ_HEADER_RE = re.compile(rb"(\d+)\s+(\d+)\s+obj\b\s*")
_STREAM_KEYWORD_RE = re.compile(rb"\s*stream\b")
_WHITESPACE = frozenset(b" \t\r\n\f\x00")
_NUMBER_START = frozenset(b"0123456789+-.")
_REGULAR = rb"[^ \t\r\n\f\x00()<>\[\]{}/%]"
_COMMENT_RE = re.compile(rb"%[^\r\n]*")
_NAME_RE = re.compile(_REGULAR + rb"*")
_WORD_RE = re.compile(_REGULAR + rb"+")
_NUMBER_RE = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?!" + _REGULAR + rb")")
_REF_RE = re.compile(rb"(\d+)[ \t\r\n\f\x00]+(\d+)[ \t\r\n\f\x00]+R(?!" + _REGULAR + rb")")
_NAME_ESCAPE_RE = re.compile(rb"#([0-9A-Fa-f]{2})")
_NOT_HEX_RE = re.compile(rb"[^0-9A-Fa-f]")
_STRING_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


class _Ref(NamedTuple):
    num: int
    gen: int


class _Name(str):
    pass


class _Op(str):
    pass


class _EndOfData(Exception):
    pass


def _parse(buf: bytes, pos: int, *, content_stream: bool = False) -> tuple[Any, int]:
    """Parse one object (or, in a content stream, one operand or operator) at `pos`; return it and
    the position after it. Iterative and dispatched on the first byte of each token, because it runs
    for every document rendered.

    :raises _Unsupported: a syntax error. :raises _EndOfData: only whitespace is left (content streams).
    """
    length = len(buf)
    # Open containers: (is_dictionary, items); a dictionary collects key, value, key, value, ...
    stack: list[tuple[bool, list[Any]]] = []
    while True:
        while pos < length and (buf[pos] in _WHITESPACE or buf[pos] == 0x25):  # 0x25: % comment
            pos = _COMMENT_RE.match(buf, pos).end() if buf[pos] == 0x25 else pos + 1  # type: ignore[union-attr]
        if pos >= length:
            if content_stream and not stack:
                raise _EndOfData
            raise _Unsupported("unexpected end of data")
        first = buf[pos]
        value: Any
        if first == 0x2F:  # /Name
            match = _NAME_RE.match(buf, pos + 1)
            assert match is not None  # the pattern also matches the empty name
            raw, pos = match.group(), match.end()
            value = _Name((_NAME_ESCAPE_RE.sub(_unescape_name, raw) if b"#" in raw else raw).decode("latin-1"))
        elif first in _NUMBER_START:
            ref = None if content_stream else _REF_RE.match(buf, pos)
            if ref is not None:
                value, pos = _Ref(int(ref.group(1)), int(ref.group(2))), ref.end()
            else:
                match = _NUMBER_RE.match(buf, pos)
                if match is None:
                    raise _Unsupported(f"number at {pos}")
                text, pos = match.group(), match.end()
                value = float(text) if b"." in text else int(text)
        elif first == 0x3C and buf[pos + 1 : pos + 2] == b"<":  # <<
            stack.append((True, []))
            pos += 2
            continue
        elif first == 0x5B:  # [
            stack.append((False, []))
            pos += 1
            continue
        elif first == 0x3E or first == 0x5D:  # >> or ]
            is_dict = first == 0x3E
            if is_dict and buf[pos + 1 : pos + 2] != b">":
                raise _Unsupported(f"stray > at {pos}")
            if not stack or stack[-1][0] != is_dict:
                raise _Unsupported(f"unbalanced container at {pos}")
            pos += 2 if is_dict else 1
            items = stack.pop()[1]
            if is_dict:
                if len(items) % 2 or not all(isinstance(key, _Name) for key in items[0::2]):
                    raise _Unsupported(f"dictionary keys at {pos}")
                value = {str(key): item for key, item in zip(items[0::2], items[1::2], strict=True)}
            else:
                value = items
        elif first == 0x28:  # (literal string)
            value, pos = _literal_string(buf, pos + 1)
        elif first == 0x3C:  # <hex string>
            end = buf.find(b">", pos)
            if end < 0:
                raise _Unsupported(f"hex string at {pos}")
            digits = _NOT_HEX_RE.sub(b"", buf[pos + 1 : end])
            value = bytes.fromhex((digits + b"0" if len(digits) % 2 else digits).decode("ascii"))
            pos = end + 1
        else:
            match = _WORD_RE.match(buf, pos)
            if match is None:
                raise _Unsupported(f"syntax at {pos}")
            word, pos = match.group().decode("latin-1"), match.end()
            if word in ("true", "false"):
                value = word == "true"
            elif word == "null":
                value = None
            elif content_stream and not stack:
                value = _Op(word)
            else:
                raise _Unsupported(f"keyword {word!r} at {pos}")
        if not stack:
            return value, pos
        stack[-1][1].append(value)


def _unescape_name(match: re.Match[bytes]) -> bytes:
    return bytes([int(match.group(1), 16)])


def _literal_string(buf: bytes, pos: int) -> tuple[bytes, int]:
    out = bytearray()
    depth = 1
    i = pos
    length = len(buf)
    while i < length:
        c = buf[i]
        if c == 0x5C:  # backslash
            i += 1
            if i >= length:
                break
            e = buf[i]
            if e in _STRING_ESCAPES:
                out.append(_STRING_ESCAPES[e])
            elif 0x30 <= e <= 0x37:
                digits = buf[i : i + 3]
                n = 1
                while n < len(digits) and 0x30 <= digits[n] <= 0x37:
                    n += 1
                out.append(int(digits[:n], 8) & 0xFF)
                i += n - 1
            elif e == 0x0D:
                if i + 1 < length and buf[i + 1] == 0x0A:
                    i += 1
            elif e != 0x0A:
                out.append(e)
        elif c == 0x28:
            depth += 1
            out.append(c)
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
            out.append(c)
        else:
            out.append(c)
        i += 1
    raise _Unsupported("unterminated string")
