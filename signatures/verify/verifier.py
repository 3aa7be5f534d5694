"""The parent side of a verification: check the inputs, run the analysis isolated, build the report.

`verify_pdf_bytes` is the entry point (re-exported as `signatures.verify.verify_pdf_bytes`). It calls
`isolation.run_isolated` through the module, so replacing that one attribute (a worker pool, or the benchmark
running the analysis in-process) changes how every verification runs.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from signatures.verify import isolation
from signatures.verify.findings import MESSAGES, Finding, failure
from signatures.verify.report import (
    VERDICT_ORDER,
    Changes,
    Coverage,
    RevocationStatus,
    SignatureKind,
    SignatureReport,
    Verdict,
    VerificationReport,
)
from signatures.verify.state import Job

DEFAULT_TIME_LIMIT = 10.0
"""Seconds of wall-clock time one validation may take, process start included."""
DEFAULT_MEMORY_LIMIT = 1024 * 1024 * 1024
"""Bytes of address space the validating child may add to what it starts with."""
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""Larger files are refused before parsing. Pacts are tens of KB; a BSrE-signed scan stays far below."""

type CertificateLike = Any
"""asn1crypto or `cryptography` certificate, or DER/PEM bytes."""


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
    job = Job(
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
        result: dict[str, Any] = failure("too_large", size=len(data), limit=max_bytes)
    elif not _looks_like_pdf(data):
        result = failure("not_pdf")
    else:
        result = isolation.run_isolated(job, time_limit=time_limit, memory_limit=memory_limit)
    return _build_report(result, data, elapsed=time.monotonic() - started)


def _looks_like_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


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


def _build_report(result: Mapping[str, Any], pdf: bytes, *, elapsed: float) -> VerificationReport:
    found = [
        Finding(code=f["code"], params=dict(f.get("params") or {}), field=f.get("field"))
        for f in result.get("findings", [])
        if f.get("code") in MESSAGES
    ]
    # The reason behind the verdict first; notes last; otherwise in the order they were found.
    findings = tuple(sorted(found, key=lambda f: VERDICT_ORDER.index(f.verdict) if f.verdict else len(VERDICT_ORDER)))
    signatures = [_signature_report(s) for s in result.get("signatures", [])]
    verdicts = {f.verdict for f in findings if f.verdict is not None}
    verdict = next((v for v in VERDICT_ORDER if v in verdicts), Verdict.VALID)
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
