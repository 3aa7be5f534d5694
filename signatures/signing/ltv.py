"""Long-term validation: sealing a signed PDF (PAdES B-LTA, `seal_lta`), document timestamps, and reading
the certificates a signed PDF carries (to gather their revocation data, to know when its last timestamp
expires, to tell whether a certificate chains to a certified root)."""

from __future__ import annotations

import asyncio
import datetime
import uuid
from collections.abc import Coroutine, Iterable, Sequence
from io import BytesIO
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError as PyHankoPdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError, extract_certificate_info
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError
from pyhanko_certvalidator.path import ValidationPath

from signatures.signing.errors import (
    NOT_SIGNED,
    PDF_UNREADABLE,
    TIMESTAMP_FAILED,
    VALIDATION_DATA_MISSING,
    LongTermValidationError,
    PdfSigningError,
    TimestampError,
)
from signatures.signing.reservation import _tst_reserve
from signatures.signing.updates import (
    DIGEST_ALGORITHM,
    _checked_increment,
    _is_timestamp_failure,
    _reader,
    _signing_error,
    _writer,
)


def seal_lta(
    pdf: bytes,
    *,
    timestamper: TimeStamper,
    trust_roots: Sequence[asn1_x509.Certificate],
    crls: Iterable[asn1_crl.CertificateList | bytes] = (),
    ocsps: Iterable[asn1_ocsp.OCSPResponse | bytes] = (),
    field_name: str | None = None,
) -> bytes:
    """Seal `pdf` for the long term (PAdES B-LTA): put the validation data of every signature, signature
    timestamp and document timestamp in the file into its Document Security Store, then add a document
    timestamp over everything, in one incremental update.

    Certificates chain to `trust_roots`; revocation is checked hard-fail against `crls` and `ocsps` only
    (nothing is fetched here: hand in the data for every certificate on every path, the new timestamp's
    TSA included, as `signatures.revocation.validation_material` gathers it for the certificates of
    `signature_certificates_with_chains` and `signatures.tsa.tsa_certificates`). On a file sealed before,
    this renews the archive timestamp chain: fresh validation data for the last timestamp, then a new
    timestamp.

    :param field_name: name of the document timestamp's field; `Archive_<random>` by default.
    :returns: the sealed PDF; `pdf` is a prefix of it.
    :raises PdfSigningError: `pdf` cannot be read, contains no signature, or pyHanko refused it.
    :raises LongTermValidationError: a certificate does not chain to `trust_roots`, or its revocation data
        is missing or says revoked; nothing is produced.
    :raises TimestampError: the timestamping authority failed.
    """
    writer = _writer(pdf)
    reader = writer.prev  # the writer's own reader: the file is parsed once
    if not reader.embedded_signatures:
        raise PdfSigningError(NOT_SIGNED)
    context = _validation_context(trust_roots, crls, ocsps)
    paths = _run(_collect_paths(reader, context))
    try:
        DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=paths, validation_context=context)
    except (PyHankoPdfError, KeyError, TypeError, ValueError) as exc:
        raise _signing_error(exc) from exc
    return _document_timestamp(pdf, writer, timestamper=timestamper, context=context, field_name=field_name)


def add_document_timestamp(pdf: bytes, *, timestamper: TimeStamper, field_name: str | None = None) -> bytes:
    """Add a bare document timestamp (RFC 3161, `ETSI.RFC3161`) over the whole of `pdf`, without
    validation data; `seal_lta` is the archival form.

    :returns: the timestamped PDF; `pdf` is a prefix of it.
    :raises PdfSigningError: `pdf` cannot be read or pyHanko refused it.
    :raises TimestampError: the timestamping authority failed.
    """
    _reader(pdf)
    return _document_timestamp(pdf, _writer(pdf), timestamper=timestamper, context=None, field_name=field_name)


def signature_certificates(pdf: bytes) -> list[asn1_x509.Certificate]:
    """The certificates behind every signature, signature timestamp and document timestamp in `pdf`
    (signers and TSAs, each once, in document order), to gather revocation data for `seal_lta`.

    :raises PdfSigningError: `pdf` cannot be read.
    """
    return signature_certificates_with_chains(pdf)[0]


def signature_certificates_with_chains(
    pdf: bytes,
) -> tuple[list[asn1_x509.Certificate], list[asn1_x509.Certificate]]:
    """`signature_certificates(pdf)`, and the other certificates the same CMS signatures and timestamp
    tokens carry (issuing CAs, sometimes roots or unrelated ones), each once, in document order and none of
    the first list. Sealing needs both: a certified provider's (PSrE) signer chains root → issuing CA →
    signer, and only the CMS says which issuing CA; its revocation data is needed too.

    :returns: (signers and TSAs, the other carried certificates).
    :raises PdfSigningError: `pdf` cannot be read.
    """
    reader = _reader(pdf)
    signers_found: dict[bytes, asn1_x509.Certificate] = {}
    carried: dict[bytes, asn1_x509.Certificate] = {}
    try:
        for embedded in reader.embedded_signatures:
            signed_datas = [embedded.signed_data]
            for signed in (False, True):
                signed_datas.extend(extract_tst_data_iter(embedded.signer_info, signed=signed))
            for signed_data in signed_datas:
                info = extract_certificate_info(signed_data)
                signers_found.setdefault(info.signer_cert.sha256, info.signer_cert)
                for other in info.other_certs:
                    carried.setdefault(other.sha256, other)
    except (PyHankoPdfError, KeyError, TypeError, ValueError) as exc:
        raise PdfSigningError(PDF_UNREADABLE % {"detail": exc}, extra={"detail": str(exc)}) from exc
    others = [cert for digest, cert in carried.items() if digest not in signers_found]
    return list(signers_found.values()), others


def last_timestamp_valid_until(pdf: bytes) -> datetime.datetime | None:
    """When the last document timestamp of `pdf` stops proving anything by itself: the earliest end of
    validity in its TSA certificate's chain as embedded in the token. None without a document timestamp.
    Archives must be timestamped again before then.

    :raises PdfSigningError: `pdf` cannot be read.
    """
    reader = _reader(pdf)
    timestamps = reader.embedded_timestamp_signatures
    if not timestamps:
        return None
    try:
        info = extract_certificate_info(timestamps[-1].signed_data)
        chain = _chain_of(info.signer_cert, info.other_certs)
    except (PyHankoPdfError, KeyError, TypeError, ValueError) as exc:
        raise PdfSigningError(PDF_UNREADABLE % {"detail": exc}, extra={"detail": str(exc)}) from exc
    ends: list[datetime.datetime] = [cert.not_valid_after for cert in chain]
    return min(ends)


def certificate_chains_to(
    cert: asn1_x509.Certificate,
    *,
    roots: Sequence[asn1_x509.Certificate],
    intermediates: Iterable[asn1_x509.Certificate] = (),
) -> bool:
    """Whether `cert` has a valid certification path to one of `roots` now: signatures, validity periods,
    CA constraints and key usage checked, names not merely compared; revocation is not looked at (nothing
    is fetched). Used to decide whether a stamp may say *tersertifikasi* (a PSrE's root) before signing.
    A certificate that cannot be validated is simply not chained (False); nothing is raised.
    """
    if not roots:
        return False
    context = ValidationContext(trust_roots=list(roots), allow_fetching=False, revocation_mode="soft-fail")
    validator = CertificateValidator(cert, intermediate_certs=list(intermediates), validation_context=context)
    try:
        _run(validator.async_validate_usage(set()))
    except (PathBuildingError, PathValidationError, ValidationError):
        return False
    return True


def _chain_of(cert: asn1_x509.Certificate, others: Iterable[asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    by_subject = {other.subject.dump(): other for other in others}
    chain = [cert]
    while chain[-1].issuer.dump() != chain[-1].subject.dump() and len(chain) < 8:
        parent = by_subject.get(chain[-1].issuer.dump())
        if parent is None or parent in chain:
            break
        chain.append(parent)
    return chain


def _validation_context(
    trust_roots: Sequence[asn1_x509.Certificate],
    crls: Iterable[asn1_crl.CertificateList | bytes],
    ocsps: Iterable[asn1_ocsp.OCSPResponse | bytes],
) -> ValidationContext:
    return ValidationContext(
        trust_roots=list(trust_roots),
        crls=list(crls),
        ocsps=list(ocsps),
        allow_fetching=False,
        revocation_mode="hard-fail",
    )


async def _collect_paths(reader: PdfFileReader, context: ValidationContext) -> list[ValidationPath]:
    paths: list[ValidationPath] = []
    for embedded in reader.embedded_signatures:
        try:
            paths.extend(await collect_validation_info(embedded, context))
        except (PathBuildingError, PathValidationError, ValidationError) as exc:
            subject = _signer_subject(embedded)
            raise LongTermValidationError(
                VALIDATION_DATA_MISSING % {"subject": subject, "detail": exc},
                extra={"field": embedded.field_name, "subject": subject, "detail": str(exc)},
            ) from exc
    return paths


def _signer_subject(embedded: Any) -> str:
    try:
        return str(embedded.signer_cert.subject.human_friendly)
    except Exception:  # only for the message
        return "?"


def _document_timestamp(
    pdf: bytes,
    writer: IncrementalPdfFileWriter,
    *,
    timestamper: TimeStamper,
    context: ValidationContext | None,
    field_name: str | None,
) -> bytes:
    name = field_name or f"Archive_{uuid.uuid4().hex[:12]}"
    pdf_timestamper = signers.PdfTimeStamper(timestamper, field_name=name)
    out = BytesIO()
    try:
        pdf_timestamper.timestamp_pdf(
            writer,
            DIGEST_ALGORITHM,
            validation_context=context,
            bytes_reserved=_tst_reserve(timestamper),
            output=out,
        )
    except (PathBuildingError, PathValidationError, ValidationError) as exc:
        raise LongTermValidationError(
            VALIDATION_DATA_MISSING % {"subject": "TSA", "detail": exc}, extra={"detail": str(exc)}
        ) from exc
    except (SigningError, PyHankoPdfError, KeyError, TypeError, ValueError) as exc:
        raise _signing_error(exc) from exc
    except Exception as exc:
        if _is_timestamp_failure(exc):
            raise TimestampError(TIMESTAMP_FAILED % {"detail": exc}) from exc
        raise
    return _checked_increment(pdf, out.getvalue())


def _run[T](coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)
