"""Signed checkpoints of the audit journal (signatures issue §4).

Periodically (the nightly task `signatures.tasks.checkpoint_audit_journal`) and on demand
(`manage.py audit_checkpoint create`), the journal's Merkle root (RFC 9162, `audit.selectors.journal_root`)
goes into a canonical statement

    {"log":"pakta-audit","root":"<hex>","size":<n>,"time":"<ISO 8601 UTC>"}

which the **system seal** signs as a detached CMS SignedData (RFC 5652; ECDSA P-256, SHA-256) carrying an
RFC 3161 signature timestamp from the embedded TSA as unsigned attribute. `audit.services.
audit_checkpoint_store` recomputes the root and keeps the checkpoint. `audit_verify` then compares the
journal with the latest checkpoint, so a deleted tail is caught even when the head was reset, and checks
its signature through `verify_checkpoint_signature` (found by `settings.PAKTA_CHECKPOINT_VERIFIER`,
because `audit` may not import `signatures`).

The system seal is an office seal (`CaKey` role `seal`, label `SYSTEM`, "Sistem Pakta"), issued on first
use and renewed a month before it expires. A checkpoint exported as a JSON file (`checkpoint_export`) and
kept elsewhere still proves the journal's size and root if the database, checkpoints included, is later
altered; it verifies offline with the CA root alone (`checkpoint_verify_exported`) or with OpenSSL
(`openssl cms -verify` for the signature, `openssl ts -verify` for the timestamp; steps in the file).

Modules: `errors` (the error and its messages), `cms_data` (reading the CMS from untrusted bytes), `seal`
(the system seal), `signing` (`checkpoint_create`), `verification` (`verify_checkpoint_signature`),
`export` (`checkpoint_export`, `checkpoint_verify_exported`). The tests also reach `_run`, `_system_seal`,
`_check_times` and `_Verified` through this package; a name they patch is patched where it is looked up:
`seal.SEAL_RENEW_BEFORE`.
"""

from signatures.checkpoints.cms_data import _run as _run
from signatures.checkpoints.errors import (
    EXPORT_TOO_LARGE,
    EXPORT_UNREADABLE,
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
from signatures.checkpoints.export import (
    EXPORT_FORMAT,
    EXPORT_MAX_BYTES,
    HOW_TO_VERIFY,
    checkpoint_export,
    checkpoint_verify_exported,
)
from signatures.checkpoints.seal import (
    SEAL_RENEW_BEFORE,
    SYSTEM_SEAL_CODE,
    SYSTEM_SEAL_NAME,
)
from signatures.checkpoints.seal import _system_seal as _system_seal
from signatures.checkpoints.signing import (
    DIGEST_ALGORITHM,
    checkpoint_create,
)
from signatures.checkpoints.verification import (
    CLOCK_TOLERANCE,
    verify_checkpoint_signature,
)
from signatures.checkpoints.verification import _check_times as _check_times
from signatures.checkpoints.verification import _Verified as _Verified

__all__ = [
    "CLOCK_TOLERANCE",
    "DIGEST_ALGORITHM",
    "EXPORT_FORMAT",
    "EXPORT_MAX_BYTES",
    "EXPORT_TOO_LARGE",
    "EXPORT_UNREADABLE",
    "HOW_TO_VERIFY",
    "SEAL_RENEW_BEFORE",
    "SIGNATURE_INVALID",
    "SIGNATURE_UNREADABLE",
    "SIGNER_NOT_SYSTEM_SEAL",
    "SIGNER_UNTRUSTED",
    "STATEMENT_INVALID",
    "STORED_FIELDS_MISMATCH",
    "SYSTEM_SEAL_CODE",
    "SYSTEM_SEAL_NAME",
    "TIMESTAMP_BEFORE_STATEMENT",
    "TIMESTAMP_INVALID",
    "TIMESTAMP_MISSING",
    "TIMESTAMP_TOKEN_MISMATCH",
    "CheckpointSignatureError",
    "checkpoint_create",
    "checkpoint_export",
    "checkpoint_verify_exported",
    "verify_checkpoint_signature",
]
