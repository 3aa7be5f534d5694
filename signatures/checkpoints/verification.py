"""Verifying a checkpoint's signature: the CMS verdict against trust roots (shared with the offline check of
an exported file), and the check of a stored checkpoint that `audit_verify` calls."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.general import extract_signer_info
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from audit.models import AuditCheckpoint
from signatures import ca
from signatures.checkpoints.cms_data import _embedded_token, _reading_untrusted_bytes, _run, _signed_data
from signatures.checkpoints.errors import (
    SIGNATURE_INVALID,
    SIGNATURE_UNREADABLE,
    SIGNER_NOT_SYSTEM_SEAL,
    SIGNER_UNTRUSTED,
    STATEMENT_INVALID,
    STORED_FIELDS_MISMATCH,
    TIMESTAMP_BEFORE_STATEMENT,
    TIMESTAMP_INVALID,
    TIMESTAMP_MISSING,
    TIMESTAMP_TOKEN_MISMATCH,
    CheckpointSignatureError,
)
from signatures.checkpoints.seal import _is_system_seal, _subject_text
from signatures.revocation import embedded_material

CLOCK_TOLERANCE = datetime.timedelta(minutes=5)
_STRONG_DIGESTS = frozenset({"sha256", "sha384", "sha512"})
_EXPIRY_PROBLEMS = frozenset({"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"})


@dataclass(frozen=True)
class _Verified:
    signer: asn1_x509.Certificate
    timestamp: datetime.datetime
    token_der: bytes


def _status(
    statement: bytes, signed_data: cms.SignedData, context: dict[str, Any], moment: datetime.datetime | None
) -> Any:
    validation = ValidationContext(**context, allow_fetching=False, revocation_mode="soft-fail", moment=moment)
    return _run(
        async_validate_detached_cms(
            statement,
            signed_data,
            signer_validation_context=validation,
            key_usage_settings=KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"}),
        )
    )


def _verify_cms(
    statement: bytes,
    signed_data: cms.SignedData,
    *,
    trust_roots: Sequence[asn1_x509.Certificate],
    other_certs: Sequence[asn1_x509.Certificate] = (),
    crls: Sequence[asn1_crl.CertificateList] = (),
    ocsps: Sequence[asn1_ocsp.OCSPResponse] = (),
) -> _Verified:
    """The cryptographic verdict on a detached checkpoint signature: intact, made by a certificate that
    chains to `trust_roots`, with a valid, trusted signature timestamp. A signer certificate that has
    expired since is judged at the time the timestamp proves."""
    with _reading_untrusted_bytes():
        digest = extract_signer_info(signed_data)["digest_algorithm"]["algorithm"].native
    if digest not in _STRONG_DIGESTS:
        raise CheckpointSignatureError(SIGNATURE_UNREADABLE % {"detail": digest})
    token = _embedded_token(signed_data)
    context = {"trust_roots": list(trust_roots), "other_certs": list(other_certs), "crls": crls, "ocsps": ocsps}
    try:
        status = _status(statement, signed_data, context, None)
    except Exception as exc:  # any library failure on hostile input is a failed verification, never a crash
        raise CheckpointSignatureError(SIGNATURE_UNREADABLE % {"detail": type(exc).__name__}) from None
    if not (status.intact and status.valid):
        raise CheckpointSignatureError(SIGNATURE_INVALID)
    ts = status.timestamp_validity
    if ts is None:
        raise CheckpointSignatureError(TIMESTAMP_MISSING)
    if not (ts.intact and ts.valid):
        raise CheckpointSignatureError(TIMESTAMP_INVALID)
    if ts.trusted and getattr(status.trust_problem_indic, "name", "") in _EXPIRY_PROBLEMS:
        # The seal certificate has expired since, but the trusted timestamp proves when it signed: judge the
        # certificate at that time, as for PDFs (signatures.verify).
        try:
            status = _status(statement, signed_data, context, ts.timestamp)
        except Exception as exc:
            raise CheckpointSignatureError(SIGNATURE_UNREADABLE % {"detail": type(exc).__name__}) from None
    if not status.trusted:
        detail = getattr(status.trust_problem_indic, "name", "") or "tidak ada jalur ke CA induk"
        raise CheckpointSignatureError(SIGNER_UNTRUSTED % {"detail": detail})
    if not ts.trusted:
        raise CheckpointSignatureError(TIMESTAMP_INVALID)
    return _Verified(signer=status.signing_cert, timestamp=ts.timestamp, token_der=token.dump())


def _check_times(stated_time: datetime.datetime, verified: _Verified) -> None:
    if verified.timestamp < stated_time - CLOCK_TOLERANCE:
        raise CheckpointSignatureError(TIMESTAMP_BEFORE_STATEMENT)


def _revocation_material(
    signed_data: cms.SignedData,
) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse]]:
    """CRLs and OCSP responses of our CA for the signer and the TSA (made in-process, nothing fetched)."""
    with _reading_untrusted_bytes():
        choices = [*signed_data["certificates"], *_embedded_token(signed_data)["content"]["certificates"]]
        certs = [choice.chosen for choice in choices if choice.name == "certificate" and not choice.chosen.ca]
    return embedded_material(certs)


def verify_checkpoint_signature(checkpoint: AuditCheckpoint) -> None:
    """Check a stored checkpoint: its statement is canonical and agrees with its size, root, time and
    signer columns; the CMS signature over the statement is intact and made by the system seal of the
    embedded CA (chaining to `ca.trust_roots()`, not revoked); the embedded signature timestamp is valid,
    trusted, not earlier than the statement's time, and the same token as the stored one.

    This is the default `settings.PAKTA_CHECKPOINT_VERIFIER`, called by `audit_verify` for the latest
    checkpoint. Whether the journal still matches the checkpoint is `audit.verification.verify_chain`'s job.

    :raises CheckpointSignatureError: with the reason in Indonesian when any of the above fails.
    :raises signatures.ca.CaNotInitialized: the embedded CA has not been initialised.
    """
    try:
        stated = AuditCheckpoint.parse_statement(checkpoint.statement)
    except ValueError:
        raise CheckpointSignatureError(STATEMENT_INVALID) from None
    signed_data = _signed_data(bytes(checkpoint.signature))
    crls, ocsps = _revocation_material(signed_data)
    verified = _verify_cms(
        checkpoint.statement.encode("utf-8"), signed_data, trust_roots=ca.trust_roots(), crls=crls, ocsps=ocsps
    )
    if not _is_system_seal(verified.signer):
        raise CheckpointSignatureError(SIGNER_NOT_SYSTEM_SEAL)
    stored = (checkpoint.size, checkpoint.root_hex, checkpoint.created_at, checkpoint.signer_subject)
    if stored != (stated.size, stated.root_hex, stated.time, _subject_text(verified.signer)):
        raise CheckpointSignatureError(STORED_FIELDS_MISMATCH)
    if bytes(checkpoint.timestamp_token) != verified.token_der:
        raise CheckpointSignatureError(TIMESTAMP_TOKEN_MISMATCH)
    _check_times(stated.time, verified)
