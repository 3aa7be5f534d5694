"""Per signature: the CMS cryptography, the timestamp and the signer's certificate path.

The signer must chain to one of the job's trust roots (with key usage non-repudiation or digital signature);
revoked or expired at the signing time (the signature timestamp when there is a trusted one) is UNTRUSTED, as
is an untrusted timestamp. SHA-1 and MD5 are rejected. "Certified" (*tersertifikasi*, PP 71/2019 art. 60)
means the chain ends in one of the certified roots.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.validation import EmbeddedPdfSignature, validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from signatures.verify.findings import describe
from signatures.verify.report import RevocationStatus, SignatureKind
from signatures.verify.state import Analysis, Checked

_WEAK_DIGESTS = frozenset({"md2", "md5", "sha1"})
_EXPIRY_PROBLEMS = frozenset({"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED", "NOT_YET_VALID"})


def validate(analysis: Analysis, item: Checked) -> None:
    """Check the cryptography and the trust of one prechecked signature or document timestamp."""
    name = item.value.names[0]
    emb = item.embedded
    assert emb is not None
    report = item.report
    try:
        if item.kind is SignatureKind.DOC_TIMESTAMP:
            ts_status = validate_pdf_timestamp(emb, _validation_context(analysis, analysis.job.moment), skip_diff=True)
            _record_timestamp_signature(analysis, item, ts_status)
            return
        status = _signature_status(analysis, emb, analysis.job.moment)
        moment = analysis.job.moment
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
            status = _signature_status(analysis, emb, moment)
            analysis.add("validated_at_timestamp", name, moment=moment.isoformat())
        report["validated_at"] = moment
    except MemoryError:  # the memory limit: reported as such, not as a library failure
        raise
    except Exception as exc:
        item.broken = True
        analysis.add("library_error", name, detail=describe(exc))
        return
    _record_signature(analysis, item, status)


def _validation_context(analysis: Analysis, moment: datetime | None) -> ValidationContext:
    job = analysis.job
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


def _signature_status(analysis: Analysis, emb: EmbeddedPdfSignature, moment: datetime | None) -> Any:
    context = _validation_context(analysis, moment)
    return validate_pdf_signature(
        emb,
        signer_validation_context=context,
        ts_validation_context=context,
        key_usage_settings=KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"}),
        skip_diff=True,
    )


def _record_signature(analysis: Analysis, item: Checked, status: Any) -> None:
    name = item.value.names[0]
    report = item.report
    _record_signer(report, status.signing_cert, status)
    report["intact"] = bool(status.intact and status.valid)
    report["digest_algorithm"] = status.md_algorithm
    report["signing_time"] = status.signer_reported_dt
    mechanism = str(status.pkcs7_signature_mechanism or "").lower()
    weak = {status.md_algorithm.lower()} & _WEAK_DIGESTS or {d for d in _WEAK_DIGESTS if d in mechanism}
    if weak:
        item.broken = True
        analysis.add("weak_algorithm", name, algorithm=", ".join(sorted(weak)))
    if not report["intact"]:
        item.broken = True
        analysis.add("not_intact" if not status.intact else "signature_invalid", name)
        return
    ts = status.timestamp_validity
    if ts is not None:
        report["timestamp_time"] = ts.timestamp
        report["timestamp_authority"] = _subject_name(ts.signing_cert)
        report["timestamp_trusted"] = bool(ts.trusted)
        if not (ts.intact and ts.valid):
            item.broken = True
            analysis.add("timestamp_invalid", name)
        elif not ts.trusted:
            analysis.add("timestamp_untrusted", name)
    _record_trust(analysis, item, status)


def _record_timestamp_signature(analysis: Analysis, item: Checked, status: Any) -> None:
    name = item.value.names[0]
    report = item.report
    _record_signer(report, status.signing_cert, status)
    report["intact"] = bool(status.intact and status.valid)
    report["digest_algorithm"] = status.md_algorithm
    report["timestamp_time"] = status.timestamp
    report["timestamp_authority"] = _subject_name(status.signing_cert)
    report["timestamp_trusted"] = bool(status.trusted)
    imprint = str(getattr(item.embedded, "external_md_algorithm", "") or "").lower()
    weak = {status.md_algorithm.lower(), imprint} & _WEAK_DIGESTS
    if weak:
        item.broken = True
        analysis.add("weak_algorithm", name, algorithm=", ".join(sorted(weak)))
    if not report["intact"]:
        item.broken = True
        analysis.add("not_intact" if not status.intact else "signature_invalid", name)
        return
    _record_trust(analysis, item, status)


def _record_signer(report: dict[str, Any], cert: Any, status: Any) -> None:
    if cert is None:
        return
    subject = cert.subject.native
    report["signer_name"] = _subject_name(cert)
    nip = subject.get("serial_number")
    report["signer_nip"] = str(nip) if nip is not None else None
    report["signer_issuer"] = _name_text(cert.issuer)
    report["signer_certificate_sha256"] = cert.sha256.hex()


def _record_trust(analysis: Analysis, item: Checked, status: Any) -> None:
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
    elif analysis.job.require_revocation:
        report["revocation"] = RevocationStatus.GOOD.value
    else:
        report["revocation"] = RevocationStatus.UNKNOWN.value
    anchor = _anchor_sha256(path) if path is not None else None
    certified = {hashlib.sha256(der).hexdigest() for der in analysis.job.certified_roots}
    report["certified"] = bool(status.trusted and anchor is not None and anchor in certified)
    if status.trusted:
        return
    if status.revoked:
        analysis.add("revoked", name)
    elif path is None or report["trust_problem"] in (None, "NO_CERTIFICATE_CHAIN_FOUND"):
        analysis.add("untrusted", name)
    elif report["trust_problem"] in _EXPIRY_PROBLEMS:
        analysis.add("expired", name, problem=report["trust_problem"])
    else:
        analysis.add("trust_problem", name, problem=report["trust_problem"])


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
