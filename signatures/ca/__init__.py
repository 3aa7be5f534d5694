"""The embedded certificate authority of a default install, and officials' signing identities.

The hierarchy, all ECDSA P-256 with SHA-256 (measurements.md §3), keys encrypted at rest with the CA key
file (`signatures.keystore`):

    root CA (20 y, CRL: /ca/crl/root.crl)
     └─ issuing CA (10 y, CRL: /ca/crl/issuing.crl, OCSP: /ca/ocsp)
         ├─ timestamping (TSA) certificate, extendedKeyUsage timeStamping (critical)
         ├─ OCSP responder certificate, extendedKeyUsage OCSPSigning + id-pkix-ocsp-nocheck
         ├─ one office seal certificate per unit
         └─ officials' signing certificates (2 y)

The URLs in certificates come from `settings.PAKTA_BASE_URL` at issuance; certificates already issued
keep the URLs they were issued with.

**Legal status.** Signatures made with these certificates are *tidak tersertifikasi* (PP 71/2019 Pasal 60
(2)–(4), DOMAIN.md §4.1): no Indonesian PSrE vouches for them, so they are legally recognised but must be
proven. Every end-entity certificate says so in a certificate policy notice. They meet Pasal 59(3) by
keeping each signing key under the signer's sole control (encrypted under a passphrase only the official
knows, asked at every signature, or inside a token) and by detecting any change after signing. Certified
signatures need a PSrE (BSrE) behind a remote key holder (`signatures.signers`).

Every write is audited in its own transaction (STYLE.md); audit payloads never contain a passphrase,
a PIN or key material.

The package, one module per concern: `errors` (domain errors and their messages), `keys` (reading the CA
and its keys, decrypted once per process), `subjects` (names typed for certificates), `certificates`
(profiles and the builder), `initialize` (creating the CA), `seals` (office seals), `identities`
(officials' enrolment), `identity_revocation`, `revocation_lists` (CRLs), `ocsp` and
`revocation_material` (both, in-process, for validators). Callers use the names re-exported here.
"""

from signatures.ca.certificates import (
    BACKDATE,
    EKU_DOCUMENT_SIGNING,
    EKU_DOCUMENT_SIGNING_MS,
    IDENTITY_VALIDITY,
    ISSUING_VALIDITY,
    POLICY_NOTICE,
    POLICY_TIMESTAMPING,
    POLICY_UNCERTIFIED_SIGNATURE,
    ROOT_VALIDITY,
    SEAL_VALIDITY,
    SERVICE_VALIDITY,
)
from signatures.ca.errors import (
    CA_ALREADY_INITIALIZED,
    CA_NOT_INITIALIZED,
    IDENTITY_ALREADY_ACTIVE,
    IDENTITY_NOT_ACTIVE,
    IDENTITY_NOT_EMBEDDED,
    OLD_AND_NEW_PASSPHRASE_EQUAL,
    PUBLIC_KEY_INVALID,
    REASON_INVALID,
    SEAL_CODE_REPEATED,
    SUBJECT_FIELD_INVALID,
    SUBJECT_FIELD_REQUIRED,
    SUBJECT_FIELD_TOO_LONG,
    CaAlreadyInitialized,
    CaNotInitialized,
    IdentityAlreadyActive,
    IdentityNotActive,
    IdentityNotEmbedded,
    InvalidPublicKey,
    InvalidRevocationReason,
    InvalidSubject,
    PassphraseUnchanged,
)
from signatures.ca.identities import (
    identity_change_passphrase,
    identity_enrol,
    identity_enrol_token_key,
    identity_register_pkcs12,
)
from signatures.ca.identity_revocation import identities_revoke_for_user, identity_revoke
from signatures.ca.initialize import ca_initialize
from signatures.ca.keys import ca_certificate, ca_certificate_der, ca_chain, ca_exists, load_ca_key, trust_roots
from signatures.ca.ocsp import OCSP_VALIDITY, ocsp_response_der, ocsp_responses_for_serials
from signatures.ca.revocation_lists import CRL_REISSUE_AFTER, CRL_VALIDITY, crl_der
from signatures.ca.revocation_material import revocation_material_for
from signatures.ca.seals import ca_issue_seal

# isort: split
# Private helpers reached as `ca.<name>` from outside the package, re-exported so they keep working (not API):
# the benchmark enrols without the per-identity KDF (bench/bench_signing/), the CA tests compute OCSP
# CertID hashes (tests/signatures/test_ca.py).
from signatures.ca.identities import _create_identity as _create_identity
from signatures.ca.keys import _pkcs8 as _pkcs8
from signatures.ca.ocsp import _issuer_hashes as _issuer_hashes
from signatures.ca.subjects import _Subject as _Subject

__all__ = [
    "BACKDATE",
    "CA_ALREADY_INITIALIZED",
    "CA_NOT_INITIALIZED",
    "CRL_REISSUE_AFTER",
    "CRL_VALIDITY",
    "EKU_DOCUMENT_SIGNING",
    "EKU_DOCUMENT_SIGNING_MS",
    "IDENTITY_ALREADY_ACTIVE",
    "IDENTITY_NOT_ACTIVE",
    "IDENTITY_NOT_EMBEDDED",
    "IDENTITY_VALIDITY",
    "ISSUING_VALIDITY",
    "OCSP_VALIDITY",
    "OLD_AND_NEW_PASSPHRASE_EQUAL",
    "POLICY_NOTICE",
    "POLICY_TIMESTAMPING",
    "POLICY_UNCERTIFIED_SIGNATURE",
    "PUBLIC_KEY_INVALID",
    "REASON_INVALID",
    "ROOT_VALIDITY",
    "SEAL_CODE_REPEATED",
    "SEAL_VALIDITY",
    "SERVICE_VALIDITY",
    "SUBJECT_FIELD_INVALID",
    "SUBJECT_FIELD_REQUIRED",
    "SUBJECT_FIELD_TOO_LONG",
    "CaAlreadyInitialized",
    "CaNotInitialized",
    "IdentityAlreadyActive",
    "IdentityNotActive",
    "IdentityNotEmbedded",
    "InvalidPublicKey",
    "InvalidRevocationReason",
    "InvalidSubject",
    "PassphraseUnchanged",
    "ca_certificate",
    "ca_certificate_der",
    "ca_chain",
    "ca_exists",
    "ca_initialize",
    "ca_issue_seal",
    "crl_der",
    "identities_revoke_for_user",
    "identity_change_passphrase",
    "identity_enrol",
    "identity_enrol_token_key",
    "identity_register_pkcs12",
    "identity_revoke",
    "load_ca_key",
    "ocsp_response_der",
    "ocsp_responses_for_serials",
    "revocation_material_for",
    "trust_roots",
]
