"""The report of one verification: the verdict, one report per signature, their JSON form.

These are the values callers see (`signatures.verify.verify_pdf_bytes` returns a `VerificationReport`); the
child process only ever returns plain data, which `signatures.verify.verifier` turns into these.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from signatures.verify.findings import Finding


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
VERDICT_ORDER = (Verdict.INVALID, Verdict.MODIFIED, Verdict.CANNOT_VALIDATE, Verdict.UNTRUSTED, Verdict.VALID)


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
