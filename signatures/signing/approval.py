"""Signatures in a document: the certification signature that comes first (`certify_pdf`) and the
approval signatures in its prepared fields (`sign_pdf_field`), both PAdES B-T."""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError as PyHankoPdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.timestamps import TimeStamper

from signatures.signers import KeyHolder
from signatures.signing.errors import (
    ALREADY_SIGNED,
    FIELD_EXISTS,
    FIELD_FILLED,
    FIELD_MISSING,
    PDF_UNREADABLE,
    TIMESTAMP_FAILED,
    PdfSigningError,
    SignatureFieldError,
    TimestampError,
)
from signatures.signing.reservation import _reserve
from signatures.signing.updates import (
    DIGEST_ALGORITHM,
    _checked_increment,
    _is_timestamp_failure,
    _signing_error,
    _writer,
)
from signatures.stamp import SignatureStamp, stamp_style, stamp_text_params


class _TimedPdfSigner(signers.PdfSigner):
    """A `PdfSigner` whose signing time is given, so the time in the CMS, in /M and on the visible stamp
    are one and the same moment (pyHanko otherwise reads the clock in the machine's local zone)."""

    def __init__(self, *args: Any, signing_time: datetime.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def certify_pdf(
    pdf: bytes,
    *,
    key_holder: KeyHolder,
    field_name: str,
    timestamper: TimeStamper,
    reason: str | None = None,
    location: str | None = None,
    signing_time: datetime.datetime | None = None,
) -> bytes:
    """Certify `pdf`: a PAdES B-T certification signature with DocMDP P=2 in a new invisible field
    `field_name`, so afterwards only the document's prepared signature fields may be filled (and
    validation data and document timestamps added).

    :param signing_time: the claimed signing time (timezone-aware); now by default.
    :returns: the certified PDF; `pdf` is a prefix of it.
    :raises PdfSigningError: `pdf` cannot be read, or pyHanko refused to sign it.
    :raises SignatureFieldError: `pdf` already has a field called `field_name`, or is already signed
        (a certification signature must come first).
    :raises TimestampError: the timestamping authority failed.
    """
    writer = _writer(pdf)  # its reader (`prev`) answers the checks: the file is parsed once
    reader = writer.prev
    if any(True for _ in fields.enumerate_sig_fields(reader, filled_status=True)):
        raise SignatureFieldError(ALREADY_SIGNED)
    if _field_value(reader, field_name) is not _MISSING:
        raise SignatureFieldError(FIELD_EXISTS % {"field": field_name})
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=DIGEST_ALGORITHM,
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        reason=reason,
        location=location,
    )
    field_spec = fields.SigFieldSpec(field_name, box=None, readable_field_name=field_name)
    return _sign(
        pdf,
        meta=meta,
        key_holder=key_holder,
        timestamper=timestamper,
        field_spec=field_spec,
        existing_fields_only=False,
        stamp=None,
        signing_time=signing_time,
        writer=writer,
    )


def sign_pdf_field(
    pdf: bytes,
    *,
    key_holder: KeyHolder,
    field_name: str,
    timestamper: TimeStamper,
    stamp: SignatureStamp | None,
    reason: str | None = None,
    location: str | None = None,
    signing_time: datetime.datetime | None = None,
) -> bytes:
    """Sign the prepared, empty signature field `field_name` of `pdf`: an approval signature, PAdES B-T,
    with the visible `stamp` drawn in the field (an invisible field shows nothing; `stamp=None` leaves the
    field's appearance empty).

    :param signing_time: the claimed signing time (timezone-aware), shown on the stamp in WIB; now by
        default.
    :returns: the signed PDF; `pdf` is a prefix of it.
    :raises PdfSigningError: `pdf` cannot be read, or pyHanko refused to sign it (for example because a
        certification signature forbids any change).
    :raises SignatureFieldError: the field does not exist or is already signed.
    :raises TimestampError: the timestamping authority failed.
    """
    writer = _writer(pdf)  # its reader (`prev`) answers the checks: the file is parsed once
    value = _field_value(writer.prev, field_name)
    if value is _MISSING:
        raise SignatureFieldError(FIELD_MISSING % {"field": field_name})
    if value is not None:
        raise SignatureFieldError(FIELD_FILLED % {"field": field_name})
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=DIGEST_ALGORITHM,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    return _sign(
        pdf,
        meta=meta,
        key_holder=key_holder,
        timestamper=timestamper,
        field_spec=None,
        existing_fields_only=True,
        stamp=stamp,
        signing_time=signing_time,
        writer=writer,
    )


def _sign(
    pdf: bytes,
    *,
    meta: signers.PdfSignatureMetadata,
    key_holder: KeyHolder,
    timestamper: TimeStamper,
    field_spec: fields.SigFieldSpec | None,
    existing_fields_only: bool,
    stamp: SignatureStamp | None,
    signing_time: datetime.datetime | None,
    writer: IncrementalPdfFileWriter | None = None,
) -> bytes:
    """Sign `pdf`; `writer`, when given, is a fresh incremental writer on `pdf` to use for the first
    attempt (the caller already parsed the file with it)."""
    moment = timezone.localtime(signing_time or timezone.now())
    signer = key_holder.signer_for()
    text_params = stamp_text_params(stamp, moment) if stamp is not None else None
    pdf_signer = _TimedPdfSigner(
        meta,
        signer,
        timestamper=timestamper,
        stamp_style=stamp_style() if stamp is not None else None,
        new_field_spec=field_spec,
        signing_time=moment,
    )
    reserved: int | None = _reserve(signer, timestamper)
    for _attempt in range(2):
        if writer is None:
            writer = _writer(pdf)
        out = BytesIO()
        try:
            pdf_signer.sign_pdf(
                writer,
                existing_fields_only=existing_fields_only,
                bytes_reserved=reserved,
                appearance_text_params=dict(text_params) if text_params else None,
                output=out,
            )
        except SigningError as exc:
            if reserved is not None and "larger than expected" in str(exc):
                reserved = None  # our estimate was short: let pyHanko measure with a dry run
                writer = None  # the failed attempt wrote into it
                continue
            raise _signing_error(exc) from exc
        except (PyHankoPdfError, KeyError, TypeError, ValueError) as exc:
            raise _signing_error(exc) from exc
        except TimestampError:
            raise
        except Exception as exc:
            if _is_timestamp_failure(exc):
                raise TimestampError(TIMESTAMP_FAILED % {"detail": exc}) from exc
            raise
        return _checked_increment(pdf, out.getvalue())
    raise AssertionError("unreachable")  # pragma: no cover


_MISSING: Any = object()


def _field_value(reader: PdfFileReader, name: str) -> Any:
    """The field's signature value (None when empty), or `_MISSING` when there is no such field."""
    try:
        for _name, value, _ref in fields.enumerate_sig_fields(reader, with_name=name):
            return value
    except (PyHankoPdfError, KeyError, TypeError, ValueError) as exc:
        raise PdfSigningError(PDF_UNREADABLE % {"detail": exc}, extra={"detail": str(exc)}) from exc
    return _MISSING
