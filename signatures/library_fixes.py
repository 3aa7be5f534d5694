"""Fixes to the libraries under the signing code, applied once per process when `signatures` is imported
(`signatures/__init__.py`), so the web process, the task worker and the verification child processes
(whose fork server preloads `signatures.verify`) all run with them. Nothing here imports Django.

- **asn1crypto re-encoding** (`fix_asn1crypto_reencoding`): asn1crypto 1.5.1, the newest release, never
  clears the "changed" mark of a structure it has encoded (asn1crypto issue #256, fixed upstream in commit
  a767d2d, in no release yet). A CMS built in memory (each signature, timestamp token and seal) is then
  encoded again at every later access, twice per nesting level: some signatures took 8-33 s instead of
  ~50 ms (measured, `make bench`, line `asn1crypto_reencoding`). The fix does what the upstream commit does:
  after a structure's contents are (re)built, it is no longer marked as changed. It is skipped when the
  installed asn1crypto already behaves (`asn1crypto_reencodes()` is False).
- **pyHanko's hex string reader** (`read_hex_string_fast`): pyHanko 0.38 reads a PDF hex string one byte at
  a time through its tokenizer, and every signature's `/Contents` is a hex string of several thousand
  characters read again for each signature looked at (66 reads and 140 000 characters for one pact from
  certification to seal). The replacement slices up to the closing `>` and hands over to pyHanko's own
  reader whenever the string holds anything but hex digits and white space, so results and errors are
  identical (tests compare both); it halves the time of a signature, a seal and a verification.
"""

from __future__ import annotations

import binascii
import re
from typing import Any

from asn1crypto import algos, core
from pyhanko.pdf_utils import generic

# --------------------------------------------------------------------------------------------------------
# asn1crypto
# --------------------------------------------------------------------------------------------------------

_ASN1_FIXED_MARK = "pakta_reencoding_fix"


def asn1crypto_reencodes() -> bool:
    """Whether asn1crypto leaves a structure marked as changed after encoding it (the bug above)."""
    value = algos.DigestAlgorithm({"algorithm": "sha256"})
    value.dump()
    return bool(value._mutated)


def fix_asn1crypto_reencoding() -> bool:
    """Clear a constructed structure's changed mark once its contents are encoded (upstream a767d2d).

    :returns: whether the fix was applied now (False: not needed, or applied before).
    """
    applied = False
    for cls in (core.Sequence, core.SequenceOf, core.Set, core.SetOf):
        original = cls.__dict__.get("_set_contents")
        if original is None or getattr(original, _ASN1_FIXED_MARK, False):
            continue
        if not applied and not asn1crypto_reencodes():
            return False

        def _set_contents(self: Any, force: bool = False, _original: Any = original) -> None:
            _original(self, force)
            self._mutated = False

        setattr(_set_contents, _ASN1_FIXED_MARK, True)
        setattr(cls, "_set_contents", _set_contents)  # noqa: B010 (a method replaced on purpose)
        applied = True
    return applied


# --------------------------------------------------------------------------------------------------------
# pyHanko hex strings
# --------------------------------------------------------------------------------------------------------

_HEX_WHITESPACE = re.compile(rb"[\x00\t\n\x0c\r ]+")
_HEX_ONLY = re.compile(rb"[0-9A-Fa-f]*")
_HEX_CHUNK = 16 * 1024

PYHANKO_READ_HEX = generic.read_hex_string_from_stream
"""pyHanko's own reader, as shipped (kept for the fallback, the tests and the benchmark's raw side)."""


def read_hex_string_fast(stream: Any) -> generic.ByteStringObject | generic.TextStringObject:
    """pyHanko's `generic.read_hex_string_from_stream`, for the common case in bulk: `stream` is at the `<`
    of a hex string; read up to the closing `>`, drop white space, decode. Anything else inside (a comment,
    a stray character) or a missing `>` hands over to pyHanko's reader from the same position, so the result
    and the errors are pyHanko's own."""
    start = stream.tell()
    stream.read(1)
    parts: list[bytes] = []
    while True:
        chunk = stream.read(_HEX_CHUNK)
        if not chunk:
            stream.seek(start)
            return PYHANKO_READ_HEX(stream)
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            stream.seek(start + 1 + sum(len(part) for part in parts) + 1)
            break
        parts.append(chunk)
    digits = _HEX_WHITESPACE.sub(b"", b"".join(parts))
    if _HEX_ONLY.fullmatch(digits) is None:
        stream.seek(start)
        return PYHANKO_READ_HEX(stream)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def install_fast_hex_strings() -> None:
    """Use `read_hex_string_fast` wherever pyHanko reads a hex string (`generic.read_object` looks the
    function up in its module at each call)."""
    if generic.read_hex_string_from_stream is PYHANKO_READ_HEX:
        generic.read_hex_string_from_stream = read_hex_string_fast


def apply() -> None:
    """Apply every fix in this process; idempotent."""
    fix_asn1crypto_reencoding()
    install_fast_hex_strings()
