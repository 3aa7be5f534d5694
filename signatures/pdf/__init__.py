"""PDF plumbing for signatures: bytes in, bytes out.

It knows nothing about pacts. It adds empty signature fields to a finished document and reads back
what a document contains (signature fields, attached files, XMP metadata, fonts, text), which the
document services and their tests check.

Two properties matter for archived, signed documents:

- **PDF/A is kept.** Fields are added as an incremental update that leaves the original bytes, the
  XMP packet and the document information dictionary untouched (pyHanko would otherwise stamp a fresh
  `/ModDate` and `Producer` into both). Each field is a printable widget with an empty appearance
  stream, as PDF/A-2/3 require of annotations.
- **Output is deterministic.** The same input and the same fields always give the same bytes: the
  second half of the trailer `/ID` is derived from a SHA-256 of the input and the field specs instead of
  pyHanko's `os.urandom(16)`, and no date is written.

`add_signature_fields` writes the update directly when the document has the simple shape Typst
produces (one classic cross-reference table, catalog and pages uncompressed, a flat page tree, no form
and no annotations yet), reading only the trailer, catalog, page tree and the pages concerned. Through
pyHanko's reader and writer the same update took 4–6 ms against 0.3–1 ms, and pulled pact rendering to
0.74 of a bare Typst compile (bench/bench_documents.py; goal 0.8). Any other document goes through
pyHanko's incremental writer, configured for the same two properties.

The modules:

- `errors`: `PdfError` and its messages.
- `fields`: `SignatureFieldSpec` and the checks every writer applies to it.
- `writing`: `add_signature_fields`, choosing between `fast_update` (the direct writer) and pyHanko's
  incremental writer.
- `fast_update`: the direct writer; `syntax`: the small PDF object parser it and `text` share.
- `objects`: walking a document through pyHanko's reader, shared by `reading` and `text`.
- `reading`: signature fields, attached files, XMP metadata, fonts; `text`: `extract_text`.
"""

from signatures.pdf.errors import (
    FIELD_BOX_INVALID,
    FIELD_EXISTS,
    FIELD_NAME_DUPLICATE,
    FIELD_NAME_INVALID,
    FIELD_PAGE_MISSING,
    PDF_UNREADABLE,
    PDF_WRITE_FAILED,
    PdfError,
)
from signatures.pdf.fields import SignatureFieldSpec
from signatures.pdf.reading import (
    PdfFont,
    associated_files,
    embedded_files,
    fonts,
    signature_field_names,
    signature_fields,
    xmp_metadata,
)
from signatures.pdf.text import _show_text, extract_text
from signatures.pdf.writing import _add_with_pyhanko, _update_id, add_signature_fields

__all__ = [
    "FIELD_BOX_INVALID",
    "FIELD_EXISTS",
    "FIELD_NAME_DUPLICATE",
    "FIELD_NAME_INVALID",
    "FIELD_PAGE_MISSING",
    "PDF_UNREADABLE",
    "PDF_WRITE_FAILED",
    "PdfError",
    "PdfFont",
    "SignatureFieldSpec",
    # Private helpers re-exported only for tests that reach into them: `_update_id` and
    # `_add_with_pyhanko` (tests/integrity/test_documents.py compares the two writers), `_show_text`
    # (tests/signatures/test_signing.py reads the text of a signature appearance stream).
    "_add_with_pyhanko",
    "_show_text",
    "_update_id",
    "add_signature_fields",
    "associated_files",
    "embedded_files",
    "extract_text",
    "fonts",
    "signature_field_names",
    "signature_fields",
    "xmp_metadata",
]
