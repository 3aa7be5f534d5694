"""The signing plan of a pact (signatures issue §2): certification by the office seal, the parties'
signatures in order, the long-term seal, and archive renewal.

    pact_issue_for_signing   PENDING pact -> revision 1: the rendered PDF certified by the seal of the
                             pact's office (DocMDP P=2: afterwards only the prepared fields may be filled)
    pacts_issue_for_signing  the same for freshly rendered pacts (the render task), ahead of the signers
    pact_sign                the party whose turn it is signs its prepared field (PAdES B-T, visible
                             stamp); after the last party, pact_seal runs
    pact_seal                validation data + document timestamp (PAdES B-LTA); PENDING -> SIGNED; the
                             validation report follows in the worker (store_pact_validation_report)
    pacts_seal_pending       retries pact_seal for pacts whose parties all signed but that are not sealed
    pacts_retimestamp_due    renews the archive timestamp of sealed pacts before its certificate expires

Rules kept here (signatures issue §2, DOMAIN.md §4):

- **Only our own documents.** Pakta signs only the document it rendered: revision 1 is made from
  `IntegrityPact.document`, whose bytes must match the SHA-256 recorded when it was rendered, and every
  later revision must hash to its row and begin with those bytes (each step is an incremental update).
  Anything else, a file swapped on disk included, is refused and nothing is written.
- **Order.** Parties sign in `PactParty.order` (default: employee, then superior; satker head, then KPPN
  head); the signer must be the official of the lowest-ordered unsigned party. Out of order, a non-party,
  or a pact that is not PENDING: refused before any key is touched, nothing written.
- **Crash safety.** Each revision's file is written to `pacts/revisions/<sha256>.pdf` (temporary file in
  the same directory, fsync, rename, fsync of the directory) before its row, the party's `signed_at` and
  the audit event commit together. A crash leaves either nothing or a complete revision; a file without a
  row is harmless and reused when the same bytes come again.
- **Exactly one signature per field.** The pact row is locked (`SELECT ... FOR UPDATE`) while a signature
  is made and stored, the turn is checked again under the lock, and the database allows one revision per
  party. A repeated request with the same `Idempotency-Key` returns the revision the first one made.
- **Passphrases.** Wrong ones are counted per identity and lock signing after five
  (`signatures.lockout`); they are never stored, logged or audited.

Sealing runs after the last signature has committed, in its own transaction: the signer's act is
complete either way, and a seal that fails (logged) leaves the pact PENDING with all parties signed,
for `pacts_seal_pending` to finish; the lead's scheduler should run it with `pacts_retimestamp_due`.

Modules: `errors` (errors, their messages, the PENDING guard), `files` (content-addressed revision files:
stored durably, read and checked), `issue`, `sign`, `seal`, `archive` (renewal). The reads (the newest
revision, its checked bytes, whose turn it is, the verification URL) are `integrity.selectors.signing`'s.
Names that tests and the bench patch are patched where they are looked up: `sign._seal_after_last_signature`
(the automatic seal), `seal._seal_bytes` (validation data + document timestamp, also used by `archive`),
`sign.audit_record`.
"""

from integrity.services.signing.archive import pacts_retimestamp_due
from integrity.services.signing.errors import (
    ALREADY_SIGNED,
    DETAIL_ALREADY_SIGNED,
    DETAIL_FIELDS_CHANGED,
    DETAIL_FILE_MISSING,
    DETAIL_RENDERED_CHANGED,
    DETAIL_REVISION_CHANGED,
    DETAIL_REVISION_FOREIGN,
    DOCUMENT_NOT_OURS,
    IDEMPOTENCY_KEY_INVALID,
    IDEMPOTENCY_KEY_REUSED,
    KEY_HOLDER_NOT_YOURS,
    NO_IDENTITY,
    NOT_A_PARTY,
    NOT_ISSUED,
    NOT_READY_TO_SEAL,
    NOT_YOUR_TURN,
    PACT_NOT_SIGNABLE,
    PASSPHRASE_REQUIRED,
    AlreadySigned,
    DocumentNotOurs,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    KeyHolderNotYours,
    NoSigningIdentity,
    NotAParty,
    NotReadyToSeal,
    NotYourTurn,
    PactNotSignable,
    PassphraseRequired,
)
from integrity.services.signing.files import REVISIONS_DIR
from integrity.services.signing.issue import (
    SEAL_FIELD,
    SEAL_REASON,
    VERIFICATION_ID_LENGTH,
    pact_issue_for_signing,
    pacts_issue_for_signing,
)
from integrity.services.signing.seal import pact_seal, pacts_seal_pending
from integrity.services.signing.sign import SIGN_REASON, pact_sign

__all__ = [
    "ALREADY_SIGNED",
    "DETAIL_ALREADY_SIGNED",
    "DETAIL_FIELDS_CHANGED",
    "DETAIL_FILE_MISSING",
    "DETAIL_RENDERED_CHANGED",
    "DETAIL_REVISION_CHANGED",
    "DETAIL_REVISION_FOREIGN",
    "DOCUMENT_NOT_OURS",
    "IDEMPOTENCY_KEY_INVALID",
    "IDEMPOTENCY_KEY_REUSED",
    "KEY_HOLDER_NOT_YOURS",
    "NOT_A_PARTY",
    "NOT_ISSUED",
    "NOT_READY_TO_SEAL",
    "NOT_YOUR_TURN",
    "NO_IDENTITY",
    "PACT_NOT_SIGNABLE",
    "PASSPHRASE_REQUIRED",
    "REVISIONS_DIR",
    "SEAL_FIELD",
    "SEAL_REASON",
    "SIGN_REASON",
    "VERIFICATION_ID_LENGTH",
    "AlreadySigned",
    "DocumentNotOurs",
    "IdempotencyKeyInvalid",
    "IdempotencyKeyReused",
    "KeyHolderNotYours",
    "NoSigningIdentity",
    "NotAParty",
    "NotReadyToSeal",
    "NotYourTurn",
    "PactNotSignable",
    "PassphraseRequired",
    "pact_issue_for_signing",
    "pact_seal",
    "pact_sign",
    "pacts_issue_for_signing",
    "pacts_retimestamp_due",
    "pacts_seal_pending",
]
