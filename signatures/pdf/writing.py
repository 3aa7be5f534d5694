"""Adding empty signature fields: `add_signature_fields`, through the direct writer (`fast_update`) or,
for any other document, pyHanko's incremental writer configured for the same two properties (PDF/A kept,
output deterministic).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from io import BytesIO
from typing import cast

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError as PyHankoPdfError
from pyhanko.sign.fields import SigFieldSpec, append_signature_field, enumerate_sig_fields

from signatures.pdf.errors import FIELD_EXISTS, PDF_WRITE_FAILED, PdfError
from signatures.pdf.fast_update import _FastUpdate
from signatures.pdf.fields import SignatureFieldSpec, _check_box, _check_names, _check_page
from signatures.pdf.objects import _inherited, _page_objects
from signatures.pdf.syntax import _Unsupported


def add_signature_fields(pdf: bytes, fields: Sequence[SignatureFieldSpec]) -> bytes:
    """Return `pdf` with one empty, visible signature field per spec, in the given order.

    The fields are appended as one incremental update (the input bytes are a prefix of the output),
    each a printable, locked widget with an empty appearance stream, listed in `/AcroForm /Fields` in
    the order given, so signers and tools see the signing order. XMP and the information dictionary are
    left as they are, which keeps PDF/A conformance claims valid; the output is a pure function of the
    input and the specs.

    :raises PdfError: the input is not a readable PDF; a field name is invalid (1–64 of `A–Z a–z 0–9 _ -`,
        no dots since PDF uses them for field hierarchy), repeated, or already present in the document;
        a page does not exist; a box is empty or not inside its page's `/MediaBox`; pyHanko refused
        the update.
    """
    if not fields:
        return pdf
    _check_names(fields)
    update_id = _update_id(pdf, fields)
    try:
        return _FastUpdate.plan(pdf).write(fields, update_id)
    except (_Unsupported, ValueError, IndexError):
        return _add_with_pyhanko(pdf, fields, update_id)


def _update_id(pdf: bytes, fields: Sequence[SignatureFieldSpec]) -> bytes:
    """The second half of the trailer /ID: new for every distinct update, the same for the same one."""
    digest = hashlib.sha256(pdf)
    for spec in fields:
        digest.update(repr((spec.name, spec.page, tuple(float(v) for v in spec.box))).encode())
    return digest.digest()[:16]


class _DeterministicWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer without its two sources of variation."""

    def __init__(self, stream: BytesIO, update_id: bytes) -> None:
        super().__init__(stream, strict=False)
        self._update_id = generic.ByteStringObject(update_id)

    def _update_meta(self) -> None:
        # pyHanko sets /ModDate and Producer to "now" in both the info dictionary and XMP; leaving
        # the producer's metadata alone keeps the output deterministic and the PDF/A claims intact.
        return

    def _populate_trailer(self, trailer: generic.DictionaryObject) -> None:
        super()._populate_trailer(trailer)
        id1 = self.prev.trailer_view.get("/ID", [self._update_id])[0]
        trailer[generic.pdf_name("/ID")] = generic.ArrayObject([id1, self._update_id])


def _add_with_pyhanko(pdf: bytes, fields: Sequence[SignatureFieldSpec], update_id: bytes) -> bytes:
    try:
        writer = _DeterministicWriter(BytesIO(pdf), update_id)
        pages = _page_objects(writer.prev)
        for spec in fields:
            _check_page(spec, len(pages))
            _check_box(spec, _inherited(pages[spec.page][1], "/MediaBox"))
            if any(True for _ in enumerate_sig_fields(writer.prev, with_name=spec.name)):
                raise PdfError(FIELD_EXISTS % {"name": spec.name})
        for spec in fields:
            # pyHanko annotates the box as ints but writes any number (rounded to 4 decimals).
            box = cast(tuple[int, int, int, int], spec.box)
            append_signature_field(
                writer, SigFieldSpec(spec.name, on_page=spec.page, box=box, empty_field_appearance=False)
            )
        out = BytesIO()
        writer.write(out)
    except PdfError:
        raise
    except (PyHankoPdfError, KeyError, TypeError, ValueError) as exc:
        raise PdfError(PDF_WRITE_FAILED % {"detail": exc}, extra={"detail": str(exc)}) from exc
    return out.getvalue()
