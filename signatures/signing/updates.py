"""What every signing step shares: the digest algorithm, reading the input PDF and opening one incremental
update of it, checking the output is that update, and turning pyHanko's failures into domain errors."""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError as PyHankoPdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from signatures.signing.errors import PDF_UNREADABLE, SIGNING_FAILED, PdfSigningError

DIGEST_ALGORITHM = "sha256"


def _reader(pdf: bytes) -> PdfFileReader:
    try:
        return PdfFileReader(BytesIO(pdf), strict=False)
    except (PyHankoPdfError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise PdfSigningError(PDF_UNREADABLE % {"detail": exc}, extra={"detail": str(exc)}) from exc


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    try:
        return IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except (PyHankoPdfError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise PdfSigningError(PDF_UNREADABLE % {"detail": exc}, extra={"detail": str(exc)}) from exc


def _signing_error(exc: Exception) -> PdfSigningError:
    return PdfSigningError(SIGNING_FAILED % {"detail": exc}, extra={"detail": str(exc)})


def _is_timestamp_failure(exc: Exception) -> bool:
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    return isinstance(exc, TimestampRequestError) or type(exc).__module__.startswith("aiohttp")


def _checked_increment(before: bytes, after: bytes) -> bytes:
    """Refuse output that is not an incremental update of the input (it would break earlier signatures)."""
    if len(after) <= len(before) or not after.startswith(before):
        raise PdfSigningError(SIGNING_FAILED % {"detail": "output is not an incremental update"})
    return after
