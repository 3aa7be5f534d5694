"""Signing PDFs: certification, approval signatures with a visible stamp, long-term sealing (PAdES B-LTA) and
archive timestamps. Bytes in, bytes out; it knows nothing about pacts or the database.

The plan a document goes through (signatures issue §2, measurements.md §3–4):

1. `certify_pdf`: a certification signature (DocMDP P=2, "fill in forms and sign") in a new, invisible
   field. The document's signature fields exist before it (they are part of the rendered document), so
   each later signature only fills a prepared field, which P=2 allows; never P=3, which would also allow
   annotations.
2. `sign_pdf_field`: an approval signature in a prepared field (`existing_fields_only`), PAdES B-T (the
   CMS carries a signature timestamp), with the visible stamp of `signatures.stamp`.
3. `seal_lta`: validation data for every signature and timestamp in the file (certificates, CRLs, OCSP
   responses, handed in: nothing is fetched) in the Document Security Store, then a document timestamp:
   PAdES B-LTA, the only level that passes AdES validation from embedded data alone (measurements.md §4).
   Calling it again on a sealed file renews the archive timestamp chain (new validation data for the last
   timestamp, then a new timestamp) before the timestamping certificate expires.

Every step is one incremental update: the input bytes are a prefix of the output.

**Speed.** Keys are loaded once (`signatures.signers`), and the space for the CMS is reserved from the
size of the certificates involved (`bytes_reserved`), which skips pyHanko's dry-run signature (1.8×,
measurements.md §3). If the reservation turns out too small, the signature is made again with pyHanko's
own estimate, so a larger chain than expected costs time, never a failure.

**Reading signatures fast.** pyHanko's hex string reader, which reads every signature's `/Contents` one
byte at a time, is replaced process-wide when `signatures` is imported (`signatures.library_fixes`): it
halves the time of a signature and of a seal.

**One timestamper per process.** `pakta_timestamper()` is the embedded TSA (`signers.in_process_timestamper`)
or, when `settings.PAKTA_TSA_URL` is set, an RFC 3161 client for that URL, built once.
"""

from __future__ import annotations

import asyncio
import datetime
import threading
import uuid
from collections.abc import Coroutine, Iterable, Sequence
from io import BytesIO
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError as PyHankoPdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError, extract_certificate_info
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError
from pyhanko_certvalidator.path import ValidationPath

from audit.errors import ApplicationError, ConflictError
from signatures.signers import InProcessTimeStamper, KeyHolder, in_process_timestamper
from signatures.stamp import SignatureStamp, stamp_style, stamp_text_params

DIGEST_ALGORITHM = "sha256"

PDF_UNREADABLE = _("Berkas PDF tidak dapat dibaca untuk ditandatangani: %(detail)s")
SIGNING_FAILED = _("Tanda tangan elektronik tidak dapat dibuat: %(detail)s")
FIELD_MISSING = _("Dokumen tidak memiliki kolom tanda tangan %(field)s.")
FIELD_FILLED = _("Kolom tanda tangan %(field)s sudah ditandatangani.")
FIELD_EXISTS = _("Dokumen sudah memiliki kolom %(field)s; segel harus berada di kolom baru.")
ALREADY_SIGNED = _("Dokumen sudah ditandatangani; sertifikasi hanya boleh menjadi tanda tangan pertama.")
NOT_SIGNED = _("Dokumen belum memuat tanda tangan apa pun untuk disegel.")
VALIDATION_DATA_MISSING = _(
    "Data validasi jangka panjang tidak dapat disusun: sertifikat %(subject)s tidak dapat divalidasi (%(detail)s)."
)
TIMESTAMP_FAILED = _("Stempel waktu tidak dapat diperoleh dari otoritas stempel waktu: %(detail)s")

# DER bytes of a CMS signature beyond its certificates and signature value: signed attributes (content
# type, signing time, digest, signing certificate v2, CMS algorithm protection), the unsigned attribute
# holding the signature timestamp, algorithm identifiers and structure. Measured: 1 500 for our chain.
_CMS_OVERHEAD = 1536
# The same for a timestamp token from the embedded TSA beyond its certificates (TSTInfo, attributes,
# signature). Measured: 891.
_TST_OVERHEAD = 960
# Slack for what varies between signatures (ECDSA values, serial numbers, nonces), in DER bytes.
_SLACK = 512
# A timestamp token from an external TSA, whose chain is unknown before asking it.
_EXTERNAL_TST_ESTIMATE = 8 * 1024


class PdfSigningError(ApplicationError):
    """The PDF could not be signed: unreadable, or pyHanko refused it. Nothing was produced."""


class SignatureFieldError(ConflictError):
    """The signature field to fill is missing or already signed, or the new field's name is taken."""


class LongTermValidationError(ApplicationError):
    """Validation data for sealing could not be assembled: a certificate does not chain to a trust root,
    or its revocation status is missing or bad."""

    status_code = 409


class TimestampError(ApplicationError):
    """The timestamping authority did not answer with a usable timestamp."""

    status_code = 503


# --------------------------------------------------------------------------------------------------------
# The timestamper
# --------------------------------------------------------------------------------------------------------

_http_lock = threading.Lock()
_http_timestampers: dict[str, HTTPTimeStamper] = {}


def pakta_timestamper() -> TimeStamper:
    """The timestamping authority for signatures and archive timestamps, one per process: an RFC 3161
    client for `settings.PAKTA_TSA_URL` when it is set, else the embedded TSA (in-process, no HTTP).

    :raises signatures.ca.CaNotInitialized: no external TSA is configured and the CA has not been
        initialised.
    """
    url = getattr(settings, "PAKTA_TSA_URL", "")
    if not url:
        return in_process_timestamper()
    with _http_lock:
        stamper = _http_timestampers.get(url)
        if stamper is None:
            stamper = HTTPTimeStamper(url, timeout=10)
            _http_timestampers[url] = stamper
    return stamper


# --------------------------------------------------------------------------------------------------------
# Signing
# --------------------------------------------------------------------------------------------------------


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
    reader = _reader(pdf)
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
    reader = _reader(pdf)
    value = _field_value(reader, field_name)
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
) -> bytes:
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


# --------------------------------------------------------------------------------------------------------
# Long-term validation
# --------------------------------------------------------------------------------------------------------


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
    reader = _reader(pdf)
    if not reader.embedded_signatures:
        raise PdfSigningError(NOT_SIGNED)
    context = _validation_context(trust_roots, crls, ocsps)
    paths = _run(_collect_paths(reader, context))
    writer = _writer(pdf)
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


# --------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------

_MISSING: Any = object()


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


def _field_value(reader: PdfFileReader, name: str) -> Any:
    """The field's signature value (None when empty), or `_MISSING` when there is no such field."""
    try:
        for _name, value, _ref in fields.enumerate_sig_fields(reader, with_name=name):
            return value
    except (PyHankoPdfError, KeyError, TypeError, ValueError) as exc:
        raise PdfSigningError(PDF_UNREADABLE % {"detail": exc}, extra={"detail": str(exc)}) from exc
    return _MISSING


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


def _cert_size(cert: asn1_x509.Certificate) -> int:
    return len(cert.dump())


def _signature_value_size(cert: asn1_x509.Certificate) -> int:
    """DER bytes of a signature value made with the key of `cert` (ECDSA: two integers; RSA: the modulus)."""
    key = cert.public_key
    if key.algorithm == "rsa":
        return key.bit_size // 8 + 8
    return 2 * (key.bit_size // 8) + 12


def _tst_size(timestamper: TimeStamper) -> int:
    """Estimated DER size of one timestamp token from `timestamper`."""
    if isinstance(timestamper, InProcessTimeStamper):
        certs = [timestamper.tsa_cert, *timestamper._chain]  # same package; no public accessor
        return sum(_cert_size(cert) for cert in certs) + _signature_value_size(timestamper.tsa_cert) + _TST_OVERHEAD
    return _EXTERNAL_TST_ESTIMATE


def _reserve(signer: signers.Signer, timestamper: TimeStamper | None) -> int | None:
    """Hex characters to reserve for a CMS signature by `signer` with a signature timestamp: twice the
    estimated DER size with some slack (the CMS is written as hex). A tight reservation matters beyond
    file size: pyHanko parses hex strings one byte at a time, for every signature on every later read.
    None (pyHanko's dry run) when the signer's certificate is not known in advance."""
    if signer.signing_cert is None:
        return None
    certs = {cert.dump() for cert in (signer.cert_registry or ())}
    certs.add(signer.signing_cert.dump())
    der = sum(len(cert) for cert in certs) + _signature_value_size(signer.signing_cert) + _CMS_OVERHEAD
    if timestamper is not None:
        der += _tst_size(timestamper)
    return _round_hex(der)


def _tst_reserve(timestamper: TimeStamper) -> int:
    return _round_hex(_tst_size(timestamper))


def _round_hex(der_size: int) -> int:
    hex_chars = 2 * (der_size + _SLACK)
    return -(-hex_chars // 256) * 256


def _run[T](coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)
