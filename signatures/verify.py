"""Verification of signed PDFs (signatures issue §3): one strict verdict per file and a report per signature.

pyHanko's own judgement (`bottom_line`) is not enough for pacts, so pyHanko is used for what it is good at
(parsing, CMS cryptography, certificate paths, diffing revisions) and this module decides:

- **Fields are counted here.** Signature values are found by walking `/AcroForm /Fields` ourselves, not
  through pyHanko's enumeration (which silently skips unknown subfilters); a value referenced from several
  fields is counted once, for the first of them, and a filled field pyHanko sees that we did not is INVALID.
- **Formats.** Only `adbe.pkcs7.detached` and `ETSI.CAdES.detached` signatures and `ETSI.RFC3161` document
  timestamps are accepted; SHA-1 and MD5 are rejected. The `/ByteRange` must be `[0 a b c]` with the gap
  holding exactly the `/Contents` string, and the signed bytes must end exactly at the end of a revision.
- **Coverage.** The revision a signature covers is found from its byte range (not from where pyHanko last
  saw the signature dictionary change), so a signature dictionary rewritten later (spoofed `/Reason`) or a
  linearized first revision are judged correctly.
- **Changes after signing.** Each later revision is diffed with a stricter pyHanko policy: only new or
  filled signature fields (the next signatures), DSS/LTV data, document timestamps and the metadata those
  writers restamp are allowed. Filling other form fields, annotations, content or page changes are
  MODIFIED; so is a later revision that cannot even be read (the shadow-attack files). After the last
  signature or document timestamp only revisions carrying DSS data may follow, and bytes after the last
  `%%EOF` other than white space count as a change. A certification signature's DocMDP level caps the
  changes after it; with `expected_fields`, changes between signatures may only touch those fields.
- **Structure.** A revision whose trailer `/Size` does not cover its own objects (as in the incremental
  saving attack files) is INVALID; an unreadable file is CANNOT_VALIDATE, as is an encrypted one (pacts
  never are). JavaScript and other actions, XFA, rich media and attached files (except, when allowed,
  JSON data files with `/AFRelationship /Data`, as our pacts carry) are INVALID.
- **Trust.** The signer must chain to one of `trust_roots` (with key usage non-repudiation or digital
  signature); revoked or expired at the signing time (the signature timestamp when there is a trusted
  one) is UNTRUSTED, as is an untrusted timestamp. "Certified" (*tersertifikasi*, PP 71/2019 art. 60)
  means the chain ends in one of `certified_roots`; other trusted roots are *tidak tersertifikasi*.

Verdicts, strongest first: INVALID > MODIFIED > CANNOT_VALIDATE > UNTRUSTED > VALID. Any exception from
the PDF or crypto libraries is CANNOT_VALIDATE for what it concerns (never VALID, never a crash).

**Isolation.** Parsing and validation run in a child process (`forkserver`, with this module preloaded in
the server so a child starts in ~15 ms) under a wall-clock limit, an address-space limit (`RLIMIT_AS`) and
pyHanko's decode limits, which is what makes xref loops and decompression bombs harmless. `_run_isolated`
is the one seam: a long-lived worker pool (children recycled after N jobs, killed on timeout) can replace
the process-per-call there without touching the policy; it is not built yet. A two-signature pact takes
~90 ms inside the child, half of it pyHanko reading the two reserved `/Contents` hex strings one
character at a time (signing with a tighter `bytes_reserved` shortens that).

The child never touches Django settings or translations: it returns plain data (finding codes with
parameters) and the parent turns that into the report, translating reasons in the active language.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import logging
import math
import multiprocessing
import re
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any, cast

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.decode_limits import DecodeLimits, DocumentDecodeBudget
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader, RawPdfPath
from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DiffResult,
    DocInfoRule,
    DSSCompareRule,
    FormUpdatingRule,
    MetadataUpdateRule,
    ModificationLevel,
    ObjectStreamRule,
    ReferenceUpdate,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    SuspiciousModification,
    WhitelistRule,
    XrefStreamRule,
)
from pyhanko.sign.diff_analysis.commons import compare_key_refs
from pyhanko.sign.diff_analysis.rules_api import Context
from pyhanko.sign.validation import EmbeddedPdfSignature, validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT = 10.0
"""Seconds of wall-clock time one validation may take, process start included."""
DEFAULT_MEMORY_LIMIT = 1024 * 1024 * 1024
"""Bytes of address space the validating child may add to what it starts with."""
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""Larger files are refused before parsing. Pacts are tens of KB; a BSrE-signed scan stays far below."""

_MAX_REVISIONS = 200
_MAX_FIELDS = 500
_MAX_WALK_NODES = 200_000
_MAX_WALK_DEPTH = 100
_DECODE_LIMITS = DecodeLimits(document_budget=DocumentDecodeBudget(base_allowance=128 * 1024 * 1024, max_ratio=50))

_SIGNATURE_SUBFILTERS = frozenset({"/adbe.pkcs7.detached", "/ETSI.CAdES.detached"})
_TIMESTAMP_SUBFILTERS = frozenset({"/ETSI.RFC3161"})
_WEAK_DIGESTS = frozenset({"md2", "md5", "sha1"})
_EXPIRY_PROBLEMS = frozenset({"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED", "NOT_YET_VALID"})
_DANGEROUS_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute", "/GoToE", "/Rendition"}
)
_EOF_RE = re.compile(rb"startxref\s+(\d+)\s*%%EOF")
# Not followed when looking for actions and attachments: back-references (the page, the parent) lead to
# objects reached anyway, and the rest can hold no actions but can be large (the structure tree of a tagged
# PDF has thousands of objects, which pyHanko reads from object streams in quadratic time).
_SKIPPED_KEYS = frozenset(
    {
        "/Parent", "/P", "/StructTreeRoot", "/StructParent", "/StructParents", "/Resources", "/Contents",
        "/Metadata", "/OutputIntents", "/PieceInfo", "/Thumb", "/MarkInfo", "/AP", "/DSS", "/Font",
        "/Length", "/Filter", "/DecodeParms",
    }
)  # fmt: skip
_ACTIVE_TOKEN_RE = re.compile(rb"/(JavaScript|JS|Launch|RichMedia|XFA)(?![A-Za-z0-9])")


# --------------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------------


class Verdict(enum.StrEnum):
    """One verdict for the whole file."""

    VALID = "VALID"
    UNTRUSTED = "UNTRUSTED"
    MODIFIED = "MODIFIED"
    INVALID = "INVALID"
    CANNOT_VALIDATE = "CANNOT_VALIDATE"

    @property
    def label(self) -> str:
        return str(_VERDICT_LABELS[self])


_VERDICT_LABELS = {
    Verdict.VALID: _("Sah"),
    Verdict.UNTRUSTED: _("Utuh, tetapi penanda tangan tidak tepercaya"),
    Verdict.MODIFIED: _("Diubah setelah ditandatangani"),
    Verdict.INVALID: _("Tidak sah"),
    Verdict.CANNOT_VALIDATE: _("Tidak dapat diperiksa"),
}
# Strongest first: a definite failure outranks "could not check", which outranks "not trusted".
_VERDICT_ORDER = (Verdict.INVALID, Verdict.MODIFIED, Verdict.CANNOT_VALIDATE, Verdict.UNTRUSTED, Verdict.VALID)


class SignatureKind(enum.StrEnum):
    APPROVAL = "approval"
    CERTIFICATION = "certification"
    DOC_TIMESTAMP = "doc_timestamp"


class Coverage(enum.StrEnum):
    ENTIRE_FILE = "entire_file"
    ENTIRE_REVISION = "entire_revision"
    PARTIAL = "partial"


class RevocationStatus(enum.StrEnum):
    GOOD = "good"
    """Revocation information was required and found, and the certificate is not revoked."""
    REVOKED = "revoked"
    UNKNOWN = "unknown"
    """Checked in soft-fail mode: not revoked as far as the given information shows, possibly unchecked."""
    NOT_CHECKED = "not_checked"
    """The chain did not reach a trust root, so revocation was not looked at."""


class Changes(enum.StrEnum):
    """What was changed after a signature."""

    NONE = "none"
    LTV = "ltv"
    """Only validation data (DSS), document timestamps and metadata."""
    SIGNATURES = "signatures"
    """Also later signatures, filling or creating signature fields."""
    FORBIDDEN = "forbidden"
    UNKNOWN = "unknown"
    """The signature could not be checked far enough to tell."""


@dataclass(frozen=True)
class Finding:
    """One reason behind the verdict: a stable code, its parameters and the signature field it concerns."""

    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    field: str | None = None

    @property
    def verdict(self) -> Verdict | None:
        """The verdict this finding implies on its own, or None for a note that does not affect it."""
        return _MESSAGES[self.code][0]

    @property
    def message(self) -> str:
        """The human reason in the active language (Indonesian by default)."""
        template = _MESSAGES[self.code][1]
        return str(template) % _Params({"field": self.field or "", **self.params})


class _Params(dict[str, Any]):
    """Message parameters; a missing one reads as "-" instead of failing the whole report."""

    def __missing__(self, key: str) -> str:
        return "-"


@dataclass(frozen=True)
class SignatureReport:
    """What was found about one signature or document timestamp, in signing order."""

    field_name: str
    kind: SignatureKind
    other_field_names: tuple[str, ...]
    subfilter: str | None
    revision: int | None
    """Zero-based revision the signature covers; None when its byte range covers no whole revision."""
    signer_name: str | None
    signer_nip: str | None
    """The subject's serialNumber attribute, which carries the NIP in Indonesian signing certificates."""
    signer_issuer: str | None
    signer_certificate_sha256: str | None
    certified: bool
    """The chain ends in a configured certified-provider root (tersertifikasi)."""
    signing_time: datetime | None
    """As claimed by the signer (signed attribute or /M); not evidence by itself."""
    timestamp_time: datetime | None
    timestamp_authority: str | None
    timestamp_trusted: bool | None
    intact: bool
    """The signed bytes match and the CMS signature verifies."""
    trusted: bool
    trust_problem: str | None
    validated_at: datetime | None
    revocation: RevocationStatus
    coverage: Coverage
    pades_level: str | None
    docmdp_level: int | None
    changes_after: Changes
    changed_fields: tuple[str, ...]
    change_detail: str | None
    """pyHanko's technical explanation of a forbidden change (English), for support staff."""
    digest_algorithm: str | None

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-safe values (datetimes in ISO 8601, enums as their values)."""
        return {key: _jsonable(getattr(self, key)) for key in self.__dataclass_fields__}


@dataclass(frozen=True)
class VerificationReport:
    """The result of verifying one PDF. `reasons` explain every verdict other than VALID."""

    verdict: Verdict
    signatures: list[SignatureReport]
    findings: tuple[Finding, ...]
    unsigned_fields: tuple[str, ...]
    sha256: str
    size: int
    elapsed_ms: int

    @property
    def reasons(self) -> list[str]:
        """Human reasons, in the active language (Indonesian unless a translation is activated)."""
        return [finding.message for finding in self.findings]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form with a top-level "verdict" and a "signatures" list."""
        return {
            "verdict": self.verdict.value,
            "verdict_label": self.verdict.label,
            "signatures": [signature.to_dict() for signature in self.signatures],
            "reasons": self.reasons,
            "findings": [
                {"code": f.code, "field": f.field, "params": _jsonable(dict(f.params))} for f in self.findings
            ],
            "unsigned_fields": list(self.unsigned_fields),
            "sha256": self.sha256,
            "size": self.size,
            "elapsed_ms": self.elapsed_ms,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


V = Verdict
_MESSAGES: dict[str, tuple[Verdict | None, Any]] = {
    # Refused or not checkable
    "not_pdf": (V.CANNOT_VALIDATE, _("Berkas ini bukan PDF.")),
    "too_large": (
        V.CANNOT_VALIDATE,
        _("Berkas berukuran %(size)s bait melebihi batas %(limit)s bait; tidak diperiksa."),
    ),
    "encrypted": (
        V.CANNOT_VALIDATE,
        _("PDF terenkripsi tidak dapat diperiksa; dokumen pakta tidak pernah dienkripsi."),
    ),
    "unreadable": (V.CANNOT_VALIDATE, _("Struktur PDF tidak dapat dibaca (%(detail)s).")),
    "library_error": (V.CANNOT_VALIDATE, _("Tanda tangan %(field)s tidak dapat diperiksa (%(detail)s).")),
    "too_complex": (V.CANNOT_VALIDATE, _("Struktur objek PDF terlalu besar atau terlalu dalam untuk diperiksa.")),
    "timeout": (V.CANNOT_VALIDATE, _("Pemeriksaan melebihi batas waktu %(seconds)s detik.")),
    "memory": (V.CANNOT_VALIDATE, _("Pemeriksaan melebihi batas memori.")),
    "crashed": (V.CANNOT_VALIDATE, _("Proses pemeriksaan berhenti tanpa hasil (%(detail)s).")),
    # Broken
    "no_signatures": (V.INVALID, _("Dokumen tidak memuat tanda tangan elektronik.")),
    "too_many_revisions": (V.INVALID, _("Dokumen memiliki %(count)s revisi, melebihi batas %(limit)s.")),
    "structure_broken": (V.INVALID, _("Struktur revisi %(revision)s PDF rusak: %(detail)s.")),
    "active_content": (V.INVALID, _("Dokumen memuat konten aktif (%(kind)s), yang tidak pernah ada dalam pakta.")),
    "embedded_files": (
        V.INVALID,
        _(
            "Dokumen melampirkan %(count)s berkas; yang diizinkan hanya %(allowed)s berkas data "
            "(/AFRelationship /Data)."
        ),
    ),
    "signature_type_unsupported": (
        V.INVALID,
        _("Kolom %(field)s memuat jenis tanda tangan %(type)s yang tidak dikenal."),
    ),
    "subfilter_unsupported": (V.INVALID, _("Tanda tangan %(field)s memakai format %(subfilter)s yang tidak didukung.")),
    "byte_range_malformed": (V.INVALID, _("/ByteRange tanda tangan %(field)s tidak sah (%(detail)s).")),
    "contents_malformed": (V.INVALID, _("/Contents tanda tangan %(field)s tidak sah (%(detail)s).")),
    "weak_algorithm": (V.INVALID, _("Tanda tangan %(field)s memakai algoritme lemah %(algorithm)s.")),
    "signature_invalid": (
        V.INVALID,
        _("Nilai tanda tangan %(field)s tidak dapat diverifikasi dengan kunci penanda tangan."),
    ),
    "not_intact": (
        V.INVALID,
        _("Tanda tangan %(field)s rusak: bagian yang ditandatangani tidak cocok dengan tanda tangan."),
    ),
    "coverage_partial": (V.INVALID, _("Tanda tangan %(field)s tidak mencakup satu revisi dokumen secara utuh.")),
    "timestamp_invalid": (V.INVALID, _("Stempel waktu pada tanda tangan %(field)s rusak.")),
    "signature_unaccounted": (V.INVALID, _("Kolom tanda tangan %(field)s tidak dapat dihitung dengan pasti.")),
    "expected_unsigned": (V.INVALID, _("Kolom tanda tangan %(field)s belum ditandatangani.")),
    "unexpected_signature": (V.INVALID, _("Tanda tangan pada kolom %(field)s tidak direncanakan untuk dokumen ini.")),
    # Changed after signing
    "modified": (V.MODIFIED, _("Dokumen diubah setelah tanda tangan %(field)s dengan cara yang tidak diizinkan.")),
    "modified_unreadable": (
        V.MODIFIED,
        _("Dokumen diubah setelah tanda tangan %(field)s: revisi sesudahnya tidak dapat dibaca (%(detail)s)."),
    ),
    "modified_beyond_docmdp": (
        V.MODIFIED,
        _("Perubahan setelah tanda tangan sertifikasi %(field)s melampaui izin DocMDP P=%(level)s."),
    ),
    "modified_after_last": (
        V.MODIFIED,
        _(
            "Tanda tangan terakhir (%(field)s) tidak mencakup seluruh berkas: sesudahnya ada perubahan selain "
            "data validasi."
        ),
    ),
    "modified_fields": (
        V.MODIFIED,
        _(
            "Setelah tanda tangan %(field)s, kolom %(fields)s diubah, padahal bukan kolom tanda tangan yang "
            "direncanakan."
        ),
    ),
    "trailing_data": (V.MODIFIED, _("Ada %(count)s bait tambahan setelah akhir revisi terakhir dokumen.")),
    # Not trusted
    "untrusted": (V.UNTRUSTED, _("Penanda tangan %(field)s tidak terhubung ke akar sertifikat tepercaya.")),
    "revoked": (V.UNTRUSTED, _("Sertifikat penanda tangan %(field)s telah dicabut.")),
    "expired": (
        V.UNTRUSTED,
        _("Sertifikat penanda tangan %(field)s tidak berlaku pada waktu penandatanganan (%(problem)s)."),
    ),
    "trust_problem": (V.UNTRUSTED, _("Sertifikat penanda tangan %(field)s tidak dapat dipercaya (%(problem)s).")),
    "timestamp_untrusted": (V.UNTRUSTED, _("Stempel waktu pada %(field)s tidak berasal dari otoritas tepercaya.")),
    # Notes
    "object_unreadable": (None, _("Sebagian objek PDF tidak dapat dibaca (%(detail)s).")),
    "certification_not_first": (None, _("Tanda tangan sertifikasi %(field)s bukan tanda tangan pertama di dokumen.")),
    "not_a_signature": (None, _("Kolom %(field)s berisi nilai yang bukan tanda tangan.")),
    "duplicate_reference": (
        None,
        _("Tanda tangan yang sama dirujuk oleh beberapa kolom (%(fields)s); dihitung sekali."),
    ),
    "validated_at_timestamp": (
        None,
        _("Sertifikat penanda tangan %(field)s diperiksa pada waktu stempel waktu (%(moment)s)."),
    ),
}
del V


# --------------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------------

type CertificateLike = Any
"""asn1crypto or `cryptography` certificate, or DER/PEM bytes."""


@dataclass(frozen=True)
class _Job:
    """Everything the child needs, as picklable primitives."""

    pdf: bytes
    trust_roots: tuple[bytes, ...]
    certified_roots: tuple[bytes, ...]
    crls: tuple[bytes, ...]
    ocsps: tuple[bytes, ...]
    allow_fetching: bool
    require_revocation: bool
    expected_fields: tuple[str, ...] | None
    allowed_embedded_files: int
    moment: datetime | None


def verify_pdf_bytes(
    pdf: bytes,
    *,
    trust_roots: Sequence[CertificateLike],
    certified_roots: Sequence[CertificateLike] = (),
    crls: Sequence[Any] = (),
    ocsps: Sequence[Any] = (),
    allow_fetching: bool = False,
    require_revocation: bool = False,
    expected_fields: Sequence[str] | None = None,
    allowed_embedded_files: int = 0,
    moment: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    time_limit: float = DEFAULT_TIME_LIMIT,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> VerificationReport:
    """Verify every signature of `pdf` under the strict pact policy and give one verdict for the file.

    The work runs in a child process limited to `time_limit` seconds and `memory_limit` bytes of extra
    address space; a file over `max_bytes` is refused without parsing. Nothing is fetched over the network
    unless `allow_fetching`; revocation data normally comes in as `crls` and `ocsps` (asn1crypto objects
    or DER bytes) and is checked in soft-fail mode, or must be present when `require_revocation`.

    :param trust_roots: roots a signer must chain to for VALID; empty means every signer is UNTRUSTED.
    :param certified_roots: roots of certified providers (e.g. BSrE); signatures chaining to them are
        reported as certified. They must also be in `trust_roots` to count as trusted.
    :param expected_fields: when given, exactly these signature fields must carry signatures, and changes
        between signatures may only touch them.
    :param allowed_embedded_files: how many attached JSON files with `/AFRelationship /Data` are acceptable
        (1 for our own pacts, which carry their data that way); any other attachment is INVALID.
    :param moment: validate certificates at this time instead of the signing time or now.
    :return: the report; problems with the PDF are verdicts and reasons in it, never exceptions.
    :raises ValueError: a trust root, certified root, CRL or OCSP response is not a certificate or
        revocation object, or a limit is not positive (caller errors, not document errors).
    """
    started = time.monotonic()
    if max_bytes <= 0 or time_limit <= 0 or memory_limit <= 0:
        raise ValueError("limits must be positive")
    data = pdf if type(pdf) is bytes else bytes(pdf)
    job = _Job(
        pdf=data,
        trust_roots=tuple(_cert_der(c) for c in trust_roots),
        certified_roots=tuple(_cert_der(c) for c in certified_roots),
        crls=tuple(_revinfo_der(c, asn1_crl.CertificateList) for c in crls),
        ocsps=tuple(_revinfo_der(c, asn1_ocsp.OCSPResponse) for c in ocsps),
        allow_fetching=allow_fetching,
        require_revocation=require_revocation,
        expected_fields=tuple(expected_fields) if expected_fields is not None else None,
        allowed_embedded_files=allowed_embedded_files,
        moment=moment,
    )
    if len(data) > max_bytes:
        result: dict[str, Any] = _failure("too_large", size=len(data), limit=max_bytes)
    elif not _looks_like_pdf(data):
        result = _failure("not_pdf")
    else:
        result = _run_isolated(job, time_limit=time_limit, memory_limit=memory_limit)
    return _build_report(result, data, elapsed=time.monotonic() - started)


def _looks_like_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


def _failure(code: str, **params: Any) -> dict[str, Any]:
    return {"findings": [{"code": code, "params": params, "field": None}], "signatures": [], "unsigned_fields": []}


def _cert_der(value: CertificateLike) -> bytes:
    if isinstance(value, asn1_x509.Certificate):
        return bytes(value.dump())
    public_bytes = getattr(value, "public_bytes", None)
    if callable(public_bytes):  # cryptography.x509.Certificate
        from cryptography.hazmat.primitives.serialization import Encoding

        return bytes(public_bytes(Encoding.DER))
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        if pem.detect(raw):
            _, _, raw = pem.unarmor(raw)
        try:
            asn1_x509.Certificate.load(raw).native  # noqa: B018 (parses fully, raising on garbage)
        except Exception as exc:
            raise ValueError(f"not an X.509 certificate: {exc}") from exc
        return raw
    raise ValueError(f"not a certificate: {type(value).__name__}")


def _revinfo_der(value: Any, kind: type[Any]) -> bytes:
    if isinstance(value, kind):
        return bytes(cast(Any, value).dump())
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise ValueError(f"expected {kind.__name__} or DER bytes, got {type(value).__name__}")


# --------------------------------------------------------------------------------------------------------
# Isolation: one child process per validation
# --------------------------------------------------------------------------------------------------------

_MP_CONTEXT = "forkserver"


def _context() -> Any:
    context = multiprocessing.get_context(_MP_CONTEXT)
    if _MP_CONTEXT == "forkserver":
        # Takes effect when this process starts its fork server: the server imports the main module and
        # this one once, so each child begins with pyHanko loaded instead of importing it again.
        context.set_forkserver_preload(["__main__", __name__])
    return context


def _run_isolated(job: _Job, *, time_limit: float, memory_limit: int) -> dict[str, Any]:
    """Run `_analyse(job)` in a child process under the limits; the seam for a future worker pool."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child_main, args=(sender, job, memory_limit, time_limit), name="pakta-verify-pdf", daemon=True
    )
    deadline = time.monotonic() + time_limit
    try:
        process.start()
    except Exception as exc:  # e.g. no fork server possible, or called from a daemonic process
        receiver.close()
        sender.close()
        return _failure("crashed", detail=f"start: {exc}")
    sender.close()
    try:
        if receiver.poll(max(0.0, deadline - time.monotonic())):
            try:
                result = cast(dict[str, Any], receiver.recv())
            except (EOFError, OSError):
                result = _failure("crashed", detail=f"exit code {_reap(process)}")
        else:
            result = _failure("timeout", seconds=_format_seconds(time_limit))
    finally:
        receiver.close()
        _reap(process)
    return result


def _reap(process: Any) -> int | None:
    process.join(0.5)
    if process.is_alive():
        process.kill()
        process.join()
    return cast(int | None, process.exitcode)


def _format_seconds(seconds: float) -> str:
    return f"{seconds:g}"


def _child_main(sender: Any, job: _Job, memory_limit: int, time_limit: float) -> None:
    """Entry point of the child: limit resources, analyse, send plain data back."""
    try:
        _limit_resources(memory_limit, time_limit)
        warnings.simplefilter("ignore")
        for name in ("pyhanko", "pyhanko_certvalidator", "fontTools"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        result = _analyse(job)
    except MemoryError:
        result = _failure("memory")
    except RecursionError:
        result = _failure("too_complex")
    except BaseException as exc:  # the child reports everything; the parent decides
        result = _failure("unreadable", detail=_describe(exc))
    try:
        sender.send(result)
    except Exception as exc:  # e.g. MemoryError while pickling: the parent sees EOF and reports a crash
        logger.debug("could not send the verification result: %s", _describe(exc))
    finally:
        sender.close()


def _limit_resources(memory_limit: int, time_limit: float) -> None:
    try:
        import resource
    except ImportError:  # not POSIX: the parent's timeout still applies
        return
    current = _address_space_in_use()
    if current:  # the limit is on top of what the child already maps (unknown without /proc: no limit)
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = current + memory_limit
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    cpu = math.ceil(time_limit) + 1
    _cpu_soft, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    if cpu_hard != resource.RLIM_INFINITY:
        cpu = min(cpu, cpu_hard)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu_hard))


def _address_space_in_use() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    return text[:300]


# --------------------------------------------------------------------------------------------------------
# Analysis (runs in the child)
# --------------------------------------------------------------------------------------------------------


class _Resolver(HistoricalResolver):
    """pyHanko's historical view, tolerating references to objects that were never defined.

    pyHanko's orphan search raises KeyError on such dangling references (seen in DSS-produced files whose
    trailer carries `/AdditionalStreams [... N 0 R]` with N = /Size); a dangling reference resolves to
    null and has no dependencies, so it is skipped.
    """

    def _collect_indirect_references(self, obj: Any, seen: Any, since_revision: Any = None) -> None:
        if isinstance(obj, generic.IndirectObject) and since_revision is not None:
            try:
                self.reader.xrefs.get_introducing_revision(obj.reference)
            except KeyError:
                return
        super()._collect_indirect_references(obj, seen, since_revision)


class _Reader(PdfFileReader):
    def get_historical_resolver(self, revision: int) -> HistoricalResolver:
        cache = self._historical_resolver_cache
        if revision not in cache:
            cache[revision] = _Resolver(self, revision)
        return cache[revision]


class _LenientDssRule(DSSCompareRule):
    """pyHanko's DSS rule, except that VRI entries may be replaced or dropped (PAdES allows pruning).

    Replaced VRI entries are validated like new ones, and an overwritten VRI object is only cleared for
    its path under /DSS/VRI, so an object also used elsewhere still needs its own justification.
    """

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterator[ReferenceUpdate]:
        dss_context = Context.from_absolute(old, RawPdfPath("/Root", "/DSS"))
        old_dss, new_dss = yield from misc.map_with_return(
            compare_key_refs("/DSS", old, old.root, new.root), ReferenceUpdate.curry_ref(context_checked=dss_context)
        )
        if new_dss is None:
            return
        if old_dss is None:
            old_dss = generic.DictionaryObject()
        if not isinstance(old_dss, generic.DictionaryObject):
            raise misc.PdfReadError("/DSS is not a dictionary")
        if not isinstance(new_dss, generic.DictionaryObject):
            raise SuspiciousModification("/DSS is not a dictionary")
        stream_keys = {"/Certs", "/CRLs", "/OCSPs"}
        unexpected = set(new_dss.keys()) - ({"/Type", "/VRI"} | stream_keys)
        if unexpected:
            raise SuspiciousModification(f"Unexpected keys in DSS: {unexpected}.")
        from pyhanko.sign.diff_analysis.rules.form_field_rules import _validate_dss_substructure

        yield from _validate_dss_substructure(
            old, new, old_dss, new_dss, stream_keys, is_vri=False, context=dss_context
        )
        vri_context = Context.from_absolute(old, RawPdfPath("/Root", "/DSS", "/VRI"))
        old_vri, new_vri = yield from misc.map_with_return(
            compare_key_refs("/VRI", old, old_dss, new_dss), ReferenceUpdate.curry_ref(context_checked=vri_context)
        )
        if new_vri is None:
            return
        if not isinstance(new_vri, generic.DictionaryObject):
            raise SuspiciousModification("/VRI is not a dictionary")
        if not isinstance(old_vri, generic.DictionaryObject):
            old_vri = generic.DictionaryObject()
        overwritten = {ref.idnum for ref in new.explicit_refs_in_revision()}
        kept = generic.DictionaryObject()
        for key, old_value in old_vri.items():
            if key not in new_vri:
                continue
            new_value = new_vri.raw_get(key)
            if new_value != old_value:
                continue
            if isinstance(new_value, generic.IndirectObject) and new_value.idnum in overwritten:
                yield ReferenceUpdate(new_value.reference, context_checked=vri_context.descend(key))
                continue
            kept[key] = old_value
        yield from self._check_vri(old, new, kept, new_vri)


class _DanglingTrailerRefRule(WhitelistRule):
    """Allow defining an object that an earlier revision's trailer referenced before it existed.

    Only for trailer keys no viewer interprets (e.g. LibreOffice's `/AdditionalStreams`): the reference
    resolved to null before, and anything the new object is used for elsewhere still needs approval.
    """

    _MEANINGFUL = frozenset({"/Root", "/Info", "/Encrypt", "/ID", "/Prev", "/Size", "/XRefStm"})

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterator[ReferenceUpdate]:
        fresh = [ref for ref in new.explicit_refs_in_revision() if old.is_ref_unassignable(ref)]
        if not fresh:
            return
        old._load_reverse_xref_cache()
        for ref in fresh:
            for path in old._get_usages_of_ref(ref):
                first = next(iter(path), None)
                if isinstance(first, str) and first not in self._MEANINGFUL:
                    yield ReferenceUpdate(ref, context_checked=Context.from_absolute(old, path))


def _strict_policy() -> StandardDiffPolicy:
    """pyHanko's default policy minus filling of non-signature form fields, with lenient DSS updates."""
    lta = ModificationLevel.LTA_UPDATES
    return StandardDiffPolicy(
        global_rules=[
            CatalogModificationRule(),
            DocInfoRule().as_qualified(lta),
            XrefStreamRule().as_qualified(lta),
            ObjectStreamRule().as_qualified(lta),
            _LenientDssRule().as_qualified(lta),
            MetadataUpdateRule().as_qualified(lta),
            _DanglingTrailerRefRule().as_qualified(lta),
        ],
        form_rule=FormUpdatingRule(field_rules=[SigFieldCreationRule(), SigFieldModificationRule()]),
    )


@dataclass
class _SigValue:
    """A signature value found in the form, with every field that references it."""

    names: list[str]
    field: generic.DictionaryObject
    value: Any


@dataclass
class _Checked:
    """Per-signature state gathered in the child."""

    value: _SigValue
    kind: SignatureKind = SignatureKind.APPROVAL
    subfilter: str | None = None
    zone_end: int | None = None
    revision: int | None = None
    coverage: Coverage = Coverage.PARTIAL
    embedded: EmbeddedPdfSignature | None = None
    report: dict[str, Any] = dataclasses.field(default_factory=dict)
    broken: bool = False
    not_signature: bool = False


class _Analysis:
    def __init__(self, job: _Job) -> None:
        self.job = job
        self.pdf = job.pdf
        self.findings: list[dict[str, Any]] = []
        self.reader: _Reader
        self.revision_ends: dict[int, tuple[int, int]] = {}
        self._doc_timestamp_revisions: tuple[int, ...] = ()

    def add(self, code: str, field: str | None = None, **params: Any) -> None:
        self.findings.append({"code": code, "field": field, "params": params})

    # ---- whole file ------------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        try:
            self.reader = _Reader(BytesIO(self.pdf), strict=False, decode_limits=_DECODE_LIMITS)
        except (misc.PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError) as exc:
            return _failure("unreadable", detail=_describe(exc))
        try:
            encrypted = self.reader.encrypted
        except Exception as exc:
            return _failure("unreadable", detail=_describe(exc))
        if encrypted:
            return _failure("encrypted")
        xrefs = self.reader.xrefs
        if xrefs.total_revisions > _MAX_REVISIONS:
            return _failure("too_many_revisions", count=xrefs.total_revisions, limit=_MAX_REVISIONS)
        self.revision_ends = self._revision_ends()
        self._check_sizes()

        values, unsigned = self._signature_values()
        checked = [item for item in map(self._precheck, values) if not item.not_signature]
        checked.sort(key=lambda c: (c.revision if c.revision is not None else -1, c.zone_end or 0))
        for item in checked:
            if not item.broken:
                self._validate(item)
        self._doc_timestamp_revisions = tuple(
            c.revision
            for c in checked
            if c.kind is SignatureKind.DOC_TIMESTAMP and c.revision is not None and not c.broken
        )
        self._check_changes(checked)
        self._check_trailing_data()
        self._check_certification_order(checked)
        self._check_expected(checked, unsigned)
        self._scan_document()
        if not checked:
            self.add("no_signatures")
        return {
            "findings": self.findings,
            "signatures": [self._signature_dict(item) for item in checked],
            "unsigned_fields": unsigned,
        }

    def _revision_ends(self) -> dict[int, tuple[int, int]]:
        """Revision -> (offset just after its %%EOF, offset after the end-of-line that follows)."""
        xrefs = self.reader.xrefs
        by_startxref: dict[int, int] = {}
        for revision in range(xrefs.total_revisions):
            by_startxref.setdefault(xrefs.get_startxref_for_revision(revision), revision)
        ends: dict[int, tuple[int, int]] = {}
        for match in _EOF_RE.finditer(self.pdf):
            found = by_startxref.get(int(match.group(1)))
            if found is None or found in ends:
                continue
            if match.start() < xrefs.get_xref_container_info(found).end_location:
                continue
            eof_end = eol_end = match.end()
            while eol_end < len(self.pdf) and eol_end - eof_end < 2 and self.pdf[eol_end] in b"\r\n":
                eol_end += 1
            ends[found] = (eof_end, eol_end)
        return ends

    def _check_sizes(self) -> None:
        """Each revision's trailer /Size must exceed every object number its cross-reference section uses."""
        xrefs = self.reader.xrefs
        for revision in range(xrefs.total_revisions):
            size = xrefs.get_xref_container_info(revision).size
            highest = max((ref.idnum for ref in xrefs.explicit_refs_in_revision(revision)), default=0)
            if highest >= size:
                self.add("structure_broken", revision=revision + 1, detail=f"/Size {size}, object {highest}")

    def _check_trailing_data(self) -> None:
        last = self.reader.xrefs.total_revisions - 1
        end = self.revision_ends.get(last)
        if end is None:
            return
        tail = self.pdf[end[1] :]
        if tail.strip(b"\x00\t\n\x0c\r "):
            self.add("trailing_data", count=len(tail))

    # ---- signature fields ------------------------------------------------------------------------------

    def _signature_values(self) -> tuple[list[_SigValue], list[str]]:
        """Signature fields from /AcroForm /Fields, walked here; one entry per distinct value."""
        root = self.reader.root
        values: dict[Any, _SigValue] = {}
        unsigned: list[str] = []
        acroform = _deref(root.raw_get("/AcroForm")) if "/AcroForm" in root else None
        if not isinstance(acroform, generic.DictionaryObject) or "/Fields" not in acroform:
            return [], []
        seen: set[int] = set()
        count = 0

        def walk(node_ref: Any, parent_name: str, inherited_type: Any, depth: int) -> None:
            nonlocal count
            count += 1
            if depth > 32 or count > _MAX_FIELDS * 4:
                raise RecursionError("field tree too deep or too large")
            if isinstance(node_ref, generic.IndirectObject):
                if node_ref.idnum in seen:
                    return
                seen.add(node_ref.idnum)
            node = _deref(node_ref)
            if not isinstance(node, generic.DictionaryObject):
                return
            partial = _get(node, "/T")
            name = parent_name
            if partial is not None:
                name = f"{parent_name}.{partial}" if parent_name else str(partial)
            field_type = _get(node, "/FT", inherited_type)
            kids = _deref(node.raw_get("/Kids")) if "/Kids" in node else None
            if isinstance(kids, generic.ArrayObject) and any(
                isinstance(_deref(kid), generic.DictionaryObject) and "/T" in _deref(kid) for kid in kids
            ):
                for kid in kids:
                    walk(kid, name, field_type, depth + 1)
                return
            if field_type != "/Sig":
                return
            raw_value = node.raw_get("/V") if "/V" in node else None
            value = _deref(raw_value)
            if value is None or isinstance(value, generic.NullObject):
                unsigned.append(name)
                return
            key = ("ref", raw_value.idnum) if isinstance(raw_value, generic.IndirectObject) else ("direct", id(value))
            if key in values:
                values[key].names.append(name)
            else:
                values[key] = _SigValue([name], node, value)

        for ref in _deref(acroform.raw_get("/Fields")) or []:
            walk(ref, "", None, 0)
        result = list(values.values())
        self._cross_check(result)
        for value in result:
            if len(value.names) > 1:
                self.add("duplicate_reference", value.names[0], fields=", ".join(value.names))
        return result, unsigned

    def _cross_check(self, values: list[_SigValue]) -> None:
        """Defence in depth: a filled signature field pyHanko finds must be among the ones found here."""
        from pyhanko.sign.fields import enumerate_sig_fields

        known = {name for value in values for name in value.names}
        try:
            found = [str(name) for name, value, _ref in enumerate_sig_fields(self.reader, filled_status=True)]
        except Exception as exc:  # pyHanko could not walk the form; ours did, so only note it
            logger.debug("pyHanko could not enumerate signature fields: %s", _describe(exc))
            return
        for name in found:
            if name not in known:
                self.add("signature_unaccounted", name)

    def _precheck(self, value: _SigValue) -> _Checked:
        """Format checks made here, before pyHanko: type, subfilter, /ByteRange, /Contents, coverage."""
        item = _Checked(value)
        name = value.names[0]
        sig = value.value
        is_dict = isinstance(sig, generic.DictionaryObject) and not isinstance(sig, generic.StreamObject)
        if not is_dict or ("/Contents" not in sig and "/ByteRange" not in sig):
            # Not a signature at all (e.g. a form XObject put in /V): a change to the form, judged by the
            # difference analysis of the signatures before it.
            item.broken = item.not_signature = True
            self.add("not_a_signature", name)
            return item
        sig_type = str(_get(sig, "/Type", "/Sig"))
        if sig_type == "/DocTimeStamp":
            item.kind = SignatureKind.DOC_TIMESTAMP
        elif sig_type != "/Sig":
            return self._broken(item, "signature_type_unsupported", type=sig_type)
        elif _docmdp_of(sig) is not None:
            item.kind = SignatureKind.CERTIFICATION
        subfilter = _get(sig, "/SubFilter")
        item.subfilter = str(subfilter) if subfilter is not None else None
        allowed = _TIMESTAMP_SUBFILTERS if item.kind is SignatureKind.DOC_TIMESTAMP else _SIGNATURE_SUBFILTERS
        if item.subfilter not in allowed:
            return self._broken(item, "subfilter_unsupported", subfilter=item.subfilter or "-")
        if item.subfilter == "/adbe.pkcs7.detached" and item.kind is SignatureKind.DOC_TIMESTAMP:
            return self._broken(item, "subfilter_unsupported", subfilter=item.subfilter)

        byte_range = _get(sig, "/ByteRange")
        numbers = list(byte_range) if isinstance(byte_range, generic.ArrayObject) else None
        if numbers is None or len(numbers) != 4 or not all(isinstance(n, int) and n >= 0 for n in numbers):
            return self._broken(item, "byte_range_malformed", detail="bukan [0 a b c]")
        start, first_len, gap_end, second_len = (int(n) for n in numbers)
        zone_end = gap_end + second_len
        if start != 0 or first_len <= 0 or gap_end <= first_len + 1 or zone_end > len(self.pdf):
            return self._broken(item, "byte_range_malformed", detail=f"{numbers}, berkas {len(self.pdf)} bait")
        contents = _get(sig, "/Contents")
        if isinstance(contents, generic.TextStringObject):
            raw = bytes(contents.original_bytes)
        elif isinstance(contents, bytes):
            raw = bytes(contents)
        else:
            return self._broken(item, "contents_malformed", detail="bukan string")
        if not raw.rstrip(b"\x00"):
            return self._broken(item, "contents_malformed", detail="kosong")
        gap = self.pdf[first_len:gap_end]
        try:
            gap_bytes = bytes.fromhex(gap[1:-1].decode("ascii")) if gap[:1] == b"<" and gap[-1:] == b">" else None
        except (UnicodeDecodeError, ValueError):
            gap_bytes = None
        if gap_bytes is None or gap_bytes.rstrip(b"\x00") != raw.rstrip(b"\x00"):
            return self._broken(item, "byte_range_malformed", detail="celah tidak berisi /Contents")
        item.zone_end = zone_end

        revision = None
        for candidate, (eof_end, eol_end) in self.revision_ends.items():
            if eof_end <= zone_end <= eol_end:
                revision = candidate
                break
        xrefs = self.reader.xrefs
        if revision is not None and all(
            xrefs.get_xref_container_info(r).end_location <= zone_end for r in range(revision + 1)
        ):
            item.revision = revision
            whole_file = not self.pdf[zone_end:].strip(b"\x00\t\n\x0c\r ")
            item.coverage = Coverage.ENTIRE_FILE if whole_file else Coverage.ENTIRE_REVISION
        else:
            return self._broken(item, "coverage_partial")

        try:
            item.embedded = EmbeddedPdfSignature(self.reader, value.field, name)
        except MemoryError:  # the memory limit: reported as such, not as a library failure
            raise
        except Exception as exc:
            item.broken = True
            self.add("library_error", name, detail=_describe(exc))
        return item

    def _broken(self, item: _Checked, code: str, **params: Any) -> _Checked:
        item.broken = True
        self.add(code, item.value.names[0], **params)
        return item

    # ---- per signature: cryptography and trust ---------------------------------------------------------

    def _validation_context(self, moment: datetime | None) -> ValidationContext:
        job = self.job
        return ValidationContext(
            trust_roots=[asn1_x509.Certificate.load(der) for der in job.trust_roots],
            crls=[asn1_crl.CertificateList.load(der) for der in job.crls],
            ocsps=[asn1_ocsp.OCSPResponse.load(der) for der in job.ocsps],
            allow_fetching=job.allow_fetching and moment is None,
            revocation_mode="hard-fail" if job.require_revocation else "soft-fail",
            moment=moment,
            # Judging at a past moment (a trusted timestamp) with today's CRL: the CRL's revocation
            # dates decide, not its issue date, so a key revoked after signing stays good for it.
            retroactive_revinfo=moment is not None,
        )

    def _validate(self, item: _Checked) -> None:
        name = item.value.names[0]
        emb = item.embedded
        assert emb is not None
        report = item.report
        try:
            if item.kind is SignatureKind.DOC_TIMESTAMP:
                ts_status = validate_pdf_timestamp(emb, self._validation_context(self.job.moment), skip_diff=True)
                self._record_timestamp_signature(item, ts_status)
                return
            status = self._signature_status(emb, self.job.moment)
            moment = self.job.moment
            ts = status.timestamp_validity
            problem = status.trust_problem_indic
            if (
                moment is None
                and (status.revoked or (problem is not None and getattr(problem, "name", "") in _EXPIRY_PROBLEMS))
                and ts is not None
                and ts.intact
                and ts.valid
                and ts.trusted
            ):
                # Expired or revoked now, but a trusted timestamp proves when it was signed: judge the
                # certificate at that time (a key revoked before the timestamp stays REVOKED).
                moment = ts.timestamp
                status = self._signature_status(emb, moment)
                self.add("validated_at_timestamp", name, moment=moment.isoformat())
            report["validated_at"] = moment
        except MemoryError:  # the memory limit: reported as such, not as a library failure
            raise
        except Exception as exc:
            item.broken = True
            self.add("library_error", name, detail=_describe(exc))
            return
        self._record_signature(item, status)

    def _signature_status(self, emb: EmbeddedPdfSignature, moment: datetime | None) -> Any:
        context = self._validation_context(moment)
        return validate_pdf_signature(
            emb,
            signer_validation_context=context,
            ts_validation_context=context,
            key_usage_settings=KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"}),
            skip_diff=True,
        )

    def _record_signature(self, item: _Checked, status: Any) -> None:
        name = item.value.names[0]
        report = item.report
        self._record_signer(report, status.signing_cert, status)
        report["intact"] = bool(status.intact and status.valid)
        report["digest_algorithm"] = status.md_algorithm
        report["signing_time"] = status.signer_reported_dt
        mechanism = str(status.pkcs7_signature_mechanism or "").lower()
        weak = {status.md_algorithm.lower()} & _WEAK_DIGESTS or {d for d in _WEAK_DIGESTS if d in mechanism}
        if weak:
            item.broken = True
            self.add("weak_algorithm", name, algorithm=", ".join(sorted(weak)))
        if not report["intact"]:
            item.broken = True
            self.add("not_intact" if not status.intact else "signature_invalid", name)
            return
        ts = status.timestamp_validity
        if ts is not None:
            report["timestamp_time"] = ts.timestamp
            report["timestamp_authority"] = _subject_name(ts.signing_cert)
            report["timestamp_trusted"] = bool(ts.trusted)
            if not (ts.intact and ts.valid):
                item.broken = True
                self.add("timestamp_invalid", name)
            elif not ts.trusted:
                self.add("timestamp_untrusted", name)
        self._record_trust(item, status)

    def _record_timestamp_signature(self, item: _Checked, status: Any) -> None:
        name = item.value.names[0]
        report = item.report
        self._record_signer(report, status.signing_cert, status)
        report["intact"] = bool(status.intact and status.valid)
        report["digest_algorithm"] = status.md_algorithm
        report["timestamp_time"] = status.timestamp
        report["timestamp_authority"] = _subject_name(status.signing_cert)
        report["timestamp_trusted"] = bool(status.trusted)
        imprint = str(getattr(item.embedded, "external_md_algorithm", "") or "").lower()
        weak = {status.md_algorithm.lower(), imprint} & _WEAK_DIGESTS
        if weak:
            item.broken = True
            self.add("weak_algorithm", name, algorithm=", ".join(sorted(weak)))
        if not report["intact"]:
            item.broken = True
            self.add("not_intact" if not status.intact else "signature_invalid", name)
            return
        self._record_trust(item, status)

    def _record_signer(self, report: dict[str, Any], cert: Any, status: Any) -> None:
        if cert is None:
            return
        subject = cert.subject.native
        report["signer_name"] = _subject_name(cert)
        nip = subject.get("serial_number")
        report["signer_nip"] = str(nip) if nip is not None else None
        report["signer_issuer"] = _name_text(cert.issuer)
        report["signer_certificate_sha256"] = cert.sha256.hex()

    def _record_trust(self, item: _Checked, status: Any) -> None:
        name = item.value.names[0]
        report = item.report
        problem = status.trust_problem_indic
        report["trust_problem"] = getattr(problem, "name", None) if problem is not None else None
        report["trusted"] = bool(status.trusted)
        path = status.validation_path
        if status.revoked:
            report["revocation"] = RevocationStatus.REVOKED.value
        elif path is None or not status.trusted:
            report["revocation"] = RevocationStatus.NOT_CHECKED.value
        elif self.job.require_revocation:
            report["revocation"] = RevocationStatus.GOOD.value
        else:
            report["revocation"] = RevocationStatus.UNKNOWN.value
        anchor = _anchor_sha256(path) if path is not None else None
        certified = {hashlib.sha256(der).hexdigest() for der in self.job.certified_roots}
        report["certified"] = bool(status.trusted and anchor is not None and anchor in certified)
        if status.trusted:
            return
        if status.revoked:
            self.add("revoked", name)
        elif path is None or report["trust_problem"] in (None, "NO_CERTIFICATE_CHAIN_FOUND"):
            self.add("untrusted", name)
        elif report["trust_problem"] in _EXPIRY_PROBLEMS:
            self.add("expired", name, problem=report["trust_problem"])
        else:
            self.add("trust_problem", name, problem=report["trust_problem"])

    # ---- changes after each signature ------------------------------------------------------------------

    def _check_changes(self, checked: list[_Checked]) -> None:
        xrefs = self.reader.xrefs
        last_revision = xrefs.total_revisions - 1
        covering = [c for c in checked if c.revision is not None and not c.broken]
        if not covering:
            return
        # A broken later signature still ends the stretch the earlier ones answer for (the file is INVALID).
        last_signed = max(c.revision for c in checked if c.revision is not None)
        policy = _strict_policy()
        expected = set(self.job.expected_fields) if self.job.expected_fields is not None else None
        for item in covering:
            name = item.value.names[0]
            revision = item.revision
            assert revision is not None and item.embedded is not None
            report = item.report
            if revision == last_revision:
                report["changes_after"] = Changes.NONE.value
                continue
            docmdp = item.embedded.docmdp_level if item.kind is SignatureKind.CERTIFICATION else None
            try:
                result = policy.review_file(
                    self.reader, revision, field_mdp_spec=item.embedded.fieldmdp, doc_mdp=docmdp
                )
            except (misc.PdfError, ValueError, TypeError, IndexError, AssertionError) as exc:
                # The signed revision verified; what follows cannot even be read, so it cannot be one of
                # the changes we allow (a signature or validation data).
                report["changes_after"] = Changes.FORBIDDEN.value
                report["change_detail"] = _describe(exc)
                self.add("modified_unreadable", name, detail=_describe(exc))
                continue
            except MemoryError:  # the memory limit: reported as such, not as a library failure
                raise
            except Exception as exc:
                report["changes_after"] = Changes.UNKNOWN.value
                self.add("library_error", name, detail=_describe(exc))
                continue
            if not isinstance(result, DiffResult):
                report["changes_after"] = Changes.FORBIDDEN.value
                report["change_detail"] = str(result)[:500]
                self.add("modified", name)
                continue
            level = result.modification_level
            changed = sorted(str(f) for f in result.changed_form_fields)
            report["changed_fields"] = changed
            if level <= ModificationLevel.LTA_UPDATES:
                report["changes_after"] = Changes.LTV.value if level > ModificationLevel.NONE else Changes.NONE.value
            elif level == ModificationLevel.FORM_FILLING:
                report["changes_after"] = Changes.SIGNATURES.value
            else:
                report["changes_after"] = Changes.FORBIDDEN.value
                self.add("modified", name)
                continue
            if docmdp is not None and level.value > docmdp.value:
                report["changes_after"] = Changes.FORBIDDEN.value
                self.add("modified_beyond_docmdp", name, level=docmdp.value)
            elif revision == last_signed and (
                level > ModificationLevel.LTA_UPDATES or not self._only_validation_data_after(revision)
            ):
                report["changes_after"] = Changes.FORBIDDEN.value
                self.add("modified_after_last", name)
            elif expected is not None and set(changed) - expected:
                report["changes_after"] = Changes.FORBIDDEN.value
                self.add("modified_fields", name, fields=", ".join(sorted(set(changed) - expected)))

    def _only_validation_data_after(self, revision: int) -> bool:
        """Every revision after `revision` updates the DSS or changes nothing.

        pyHanko's policy lets metadata (/Info, XMP) change at the LTV level, which is right for a revision
        that adds a signature, a document timestamp or DSS data (pyHanko's writer restamps /ModDate in each)
        and for an incremental save a later signer then signed; after the last signature or timestamp, a
        revision with no validation data in it has no such excuse.
        """
        xrefs = self.reader.xrefs
        for later in range(revision + 1, xrefs.total_revisions):
            changed = {ref.idnum for ref in xrefs.explicit_refs_in_revision(later)}
            if changed and not self._touches_dss(later, changed):
                return False
        return True

    def _touches_dss(self, revision: int, changed: set[int]) -> bool:
        root = self.reader.get_historical_root(revision)
        if "/DSS" not in root:
            return False
        previous = self.reader.get_historical_root(revision - 1)
        dss = root.raw_get("/DSS")
        if "/DSS" not in previous or previous.raw_get("/DSS") != dss:
            return True
        if isinstance(dss, generic.IndirectObject):
            if dss.idnum in changed:
                return True
            dss = dss.get_object()
        arrays = (dss.raw_get(key) for key in ("/Certs", "/CRLs", "/OCSPs", "/VRI") if key in dss)
        return any(isinstance(value, generic.IndirectObject) and value.idnum in changed for value in arrays)

    def _check_certification_order(self, checked: list[_Checked]) -> None:
        seen_other = False
        for item in checked:
            if item.kind is SignatureKind.CERTIFICATION and seen_other:
                self.add("certification_not_first", item.value.names[0])
            if item.kind is SignatureKind.APPROVAL:
                seen_other = True

    def _check_expected(self, checked: list[_Checked], unsigned: list[str]) -> None:
        expected = self.job.expected_fields
        if expected is None:
            return
        signed = {item.value.names[0] for item in checked}
        for item in checked:
            if item.value.names[0] not in expected and item.kind is not SignatureKind.DOC_TIMESTAMP:
                self.add("unexpected_signature", item.value.names[0])
        for name in expected:
            if name not in signed:
                self.add("expected_unsigned", name)

    # ---- document content ------------------------------------------------------------------------------

    def _scan_document(self) -> None:
        """Look through every object reachable from the catalog for active content and attached files."""
        active: set[str] = set()
        files: dict[Any, Any] = {}
        seen: set[int] = set()
        budget = _MAX_WALK_NODES
        stack: list[tuple[Any, int]] = [(self.reader.trailer_view.raw_get("/Root"), 0)]
        unreadable = False
        while stack:
            node, depth = stack.pop()
            budget -= 1
            if budget < 0 or depth > _MAX_WALK_DEPTH:
                self.add("too_complex")
                return
            key: Any = None
            if isinstance(node, generic.IndirectObject):
                if node.idnum in seen:
                    continue
                seen.add(node.idnum)
                key = node.idnum
                try:
                    node = node.get_object()
                except Exception as exc:
                    if not unreadable:
                        self.add("object_unreadable", detail=_describe(exc))
                    unreadable = True
                    continue
            if isinstance(node, generic.DictionaryObject):
                self._inspect(node, key, active, files)
                for name in node:
                    if name not in _SKIPPED_KEYS:
                        stack.append((node.raw_get(name), depth + 1))
            elif isinstance(node, generic.ArrayObject):
                for index in range(len(node)):
                    stack.append((node.raw_get(index), depth + 1))
        if unreadable and not active:
            # What could not be parsed here may still be read by a lenient viewer: look at the raw bytes.
            active.update(match.group(1).decode() for match in _ACTIVE_TOKEN_RE.finditer(self.pdf))
        for kind in sorted(active):
            self.add("active_content", kind=kind)
        allowed = self.job.allowed_embedded_files
        data_files = [spec for spec in files.values() if _is_json_data(spec)]
        if len(files) > allowed or len(data_files) != len(files):
            self.add("embedded_files", count=len(files), allowed=allowed)

    def _inspect(self, node: generic.DictionaryObject, key: Any, active: set[str], files: dict[Any, Any]) -> None:
        action = _get(node, "/S", safe=True)
        if action in _DANGEROUS_ACTIONS:
            active.add(str(action)[1:])
        if "/JS" in node and action is None:
            active.add("JavaScript")
        node_type = _get(node, "/Type", safe=True)
        subtype = _get(node, "/Subtype", safe=True)
        if subtype in ("/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"):
            active.add(str(subtype)[1:])
        if "/XFA" in node and "/Fields" in node:
            active.add("XFA")
        if "/EF" in node and (node_type in (None, "/Filespec", "/F")):
            files[key if key is not None else id(node)] = node

    # ---- output ----------------------------------------------------------------------------------------

    def _signature_dict(self, item: _Checked) -> dict[str, Any]:
        report = item.report
        docmdp = _docmdp_of(item.value.value) if isinstance(item.value.value, generic.DictionaryObject) else None
        return {
            "field_name": item.value.names[0],
            "other_field_names": item.value.names[1:],
            "kind": item.kind.value,
            "subfilter": item.subfilter[1:] if item.subfilter else None,
            "revision": item.revision,
            "signer_name": report.get("signer_name"),
            "signer_nip": report.get("signer_nip"),
            "signer_issuer": report.get("signer_issuer"),
            "signer_certificate_sha256": report.get("signer_certificate_sha256"),
            "certified": report.get("certified", False),
            "signing_time": report.get("signing_time"),
            "timestamp_time": report.get("timestamp_time"),
            "timestamp_authority": report.get("timestamp_authority"),
            "timestamp_trusted": report.get("timestamp_trusted"),
            "intact": report.get("intact", False),
            "trusted": report.get("trusted", False),
            "trust_problem": report.get("trust_problem"),
            "validated_at": report.get("validated_at"),
            "revocation": report.get("revocation", RevocationStatus.NOT_CHECKED.value),
            "coverage": item.coverage.value,
            "pades_level": self._pades_level(item) if item.kind is not SignatureKind.DOC_TIMESTAMP else None,
            "docmdp_level": docmdp,
            "changes_after": report.get("changes_after", Changes.UNKNOWN.value),
            "changed_fields": report.get("changed_fields", []),
            "change_detail": report.get("change_detail"),
            "digest_algorithm": report.get("digest_algorithm"),
        }

    def _pades_level(self, item: _Checked) -> str | None:
        """A guess from what is present: timestamps, a DSS added later, a document timestamp after that."""
        if item.revision is None:
            return None
        revision = item.revision
        has_time = item.report.get("timestamp_time") is not None or any(
            r > revision for r in self._doc_timestamp_revisions
        )
        dss_revision = self._dss_revision_after(revision)
        if has_time and dss_revision is not None:
            if any(r >= dss_revision for r in self._doc_timestamp_revisions):
                return "B-LTA"
            return "B-LT"
        return "B-T" if has_time else "B-B"

    def _dss_revision_after(self, revision: int) -> int | None:
        for later in range(revision + 1, self.reader.xrefs.total_revisions):
            try:
                root = self.reader.get_historical_root(later)
                if "/DSS" in root and later not in self._unchanged_dss(later, root):
                    return later
            except Exception:
                return None
        return None

    def _unchanged_dss(self, revision: int, root: Any) -> set[int]:
        """{revision} when the DSS of `revision` is the same object as in the revision before."""
        try:
            previous = self.reader.get_historical_root(revision - 1)
        except Exception:
            return set()
        if "/DSS" not in previous:
            return set()
        old, new = previous.raw_get("/DSS"), root.raw_get("/DSS")
        if isinstance(old, generic.IndirectObject) and isinstance(new, generic.IndirectObject):
            changed = any(ref.idnum == new.idnum for ref in self.reader.xrefs.explicit_refs_in_revision(revision))
            if old.idnum == new.idnum and not changed:
                return {revision}
        return set()


def _analyse(job: _Job) -> dict[str, Any]:
    """The whole analysis of one file, as plain data; runs in the child process.

    An exception from the libraries ends the analysis as CANNOT_VALIDATE but keeps what was found before
    (a structural INVALID found first still decides the verdict).
    """
    analysis = _Analysis(job)
    try:
        return analysis.run()
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:
        analysis.add("unreadable", detail=_describe(exc))
        return {"findings": analysis.findings, "signatures": [], "unsigned_fields": []}


def _deref(value: Any) -> Any:
    return value.get_object() if isinstance(value, generic.IndirectObject) else value


def _get(node: generic.DictionaryObject, key: str, default: Any = None, *, safe: bool = False) -> Any:
    """`node[key]` dereferenced, or `default` when absent or null (pyHanko's `.get` does not dereference).

    With `safe`, a value that cannot be read also gives `default` (used while scanning for actions, where
    an unreadable object is reported once on its own).
    """
    try:
        return node[key] if key in node else default  # noqa: SIM401 (`.get` would not dereference)
    except KeyError:
        return default
    except Exception:
        if safe:
            return default
        raise


def _is_json_data(spec: generic.DictionaryObject) -> bool:
    """A file specification of an attached JSON file with `/AFRelationship /Data`, as our pacts carry."""
    if str(_get(spec, "/AFRelationship", "", safe=True)) != "/Data":
        return False
    embedded = _get(spec, "/EF", safe=True)
    stream = _get(embedded, "/F", safe=True) if isinstance(embedded, generic.DictionaryObject) else None
    return isinstance(stream, generic.StreamObject) and str(_get(stream, "/Subtype", safe=True)) == "/application/json"


def _docmdp_of(sig: generic.DictionaryObject) -> int | None:
    """The DocMDP /P of a certification signature dictionary, or None for an approval signature."""
    references = _deref(sig.raw_get("/Reference")) if "/Reference" in sig else None
    if not isinstance(references, generic.ArrayObject):
        return None
    for reference in references:
        reference = _deref(reference)
        if isinstance(reference, generic.DictionaryObject) and _get(reference, "/TransformMethod") == "/DocMDP":
            params = _deref(reference.raw_get("/TransformParams")) if "/TransformParams" in reference else None
            level = _get(params, "/P", 2) if isinstance(params, generic.DictionaryObject) else 2
            return int(level) if isinstance(level, int) else 2
    return None


def _subject_name(cert: Any) -> str | None:
    if cert is None:
        return None
    native = cert.subject.native
    common = native.get("common_name")
    if isinstance(common, list):
        common = common[0] if common else None
    return str(common) if common else _name_text(cert.subject)


def _name_text(name: Any) -> str:
    return str(name.human_friendly)


def _anchor_sha256(path: Any) -> str | None:
    try:
        anchor_cert = path.trust_anchor.certificate
    except Exception:
        return None
    return str(anchor_cert.sha256.hex()) if anchor_cert is not None else None


# --------------------------------------------------------------------------------------------------------
# Report building (parent)
# --------------------------------------------------------------------------------------------------------


def _build_report(result: Mapping[str, Any], pdf: bytes, *, elapsed: float) -> VerificationReport:
    found = [
        Finding(code=f["code"], params=dict(f.get("params") or {}), field=f.get("field"))
        for f in result.get("findings", [])
        if f.get("code") in _MESSAGES
    ]
    # The reason behind the verdict first; notes last; otherwise in the order they were found.
    findings = tuple(sorted(found, key=lambda f: _VERDICT_ORDER.index(f.verdict) if f.verdict else len(_VERDICT_ORDER)))
    signatures = [_signature_report(s) for s in result.get("signatures", [])]
    verdicts = {f.verdict for f in findings if f.verdict is not None}
    verdict = next((v for v in _VERDICT_ORDER if v in verdicts), Verdict.VALID)
    if verdict is Verdict.VALID and not signatures:
        verdict = Verdict.CANNOT_VALIDATE
    if verdict is Verdict.VALID and not all(s.intact and s.trusted for s in signatures):
        # Defence in depth: every VALID must rest on intact, trusted signatures.
        verdict = Verdict.CANNOT_VALIDATE
    return VerificationReport(
        verdict=verdict,
        signatures=signatures,
        findings=findings,
        unsigned_fields=tuple(result.get("unsigned_fields", [])),
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        elapsed_ms=round(elapsed * 1000),
    )


def _signature_report(data: Mapping[str, Any]) -> SignatureReport:
    return SignatureReport(
        field_name=data["field_name"],
        kind=SignatureKind(data["kind"]),
        other_field_names=tuple(data.get("other_field_names", ())),
        subfilter=data.get("subfilter"),
        revision=data.get("revision"),
        signer_name=data.get("signer_name"),
        signer_nip=data.get("signer_nip"),
        signer_issuer=data.get("signer_issuer"),
        signer_certificate_sha256=data.get("signer_certificate_sha256"),
        certified=bool(data.get("certified")),
        signing_time=data.get("signing_time"),
        timestamp_time=data.get("timestamp_time"),
        timestamp_authority=data.get("timestamp_authority"),
        timestamp_trusted=data.get("timestamp_trusted"),
        intact=bool(data.get("intact")),
        trusted=bool(data.get("trusted")),
        trust_problem=data.get("trust_problem"),
        validated_at=data.get("validated_at"),
        revocation=RevocationStatus(data.get("revocation", RevocationStatus.NOT_CHECKED.value)),
        coverage=Coverage(data.get("coverage", Coverage.PARTIAL.value)),
        pades_level=data.get("pades_level"),
        docmdp_level=data.get("docmdp_level"),
        changes_after=Changes(data.get("changes_after", Changes.UNKNOWN.value)),
        changed_fields=tuple(data.get("changed_fields", ())),
        change_detail=data.get("change_detail"),
        digest_algorithm=data.get("digest_algorithm"),
    )
