"""Key holders: where a signer's private key lives, behind one interface (signatures issue §1).

Every holder answers `signer_for()` with a pyHanko `Signer`, so the document code signs the same way
whatever holds the key:

- `EmbeddedKeyHolder(identity, passphrase)`: the key Pakta keeps for an official, encrypted under their
  passphrase; decrypted in memory for one signing request.
- `Pkcs12KeyHolder(pkcs12_bytes, password)`: a PKCS#12 file the signer uploads for one signature; read
  in memory and never stored.
- `Pkcs11KeyHolder(lib_path, token_label, pin, key_label, cert)`: a key inside a PKCS#11 token or HSM
  (tested with SoftHSM2); the key never leaves the token.
- `SealKeyHolder(unit_code)`: a unit's office seal, kept by the embedded CA.

`InProcessTimeStamper` answers RFC 3161 requests with the embedded TSA key, in-process.

**Keys are loaded once** (measurements.md §3): pyHanko's stock `SimpleSigner` and `DummyTimeStamper`
re-parse the private key on every raw signature (twice per PDF signature: dry run and real);
`LoadedKeySigner` and `InProcessTimeStamper` keep the parsed key object. The TSA and seal keys are
decrypted once per process; officials' keys once per signing request, because the passphrase is asked
every time and never kept.

**A remote signing provider** (BSrE's eSign API, a Cloud Signature Consortium (CSC) API service) plugs in
as one more holder, `RemoteKeyHolder`, not built yet. Its `certificate` comes from the provider's
certificate endpoint (BSrE `GET /api/v2/user/certificate/chain/{id}`, CSC `credentials/info`), and
`signer_for()` returns a pyHanko `Signer` whose `async_sign_raw` sends the hash to the provider with the
signer's passphrase/OTP (CSC: `credentials/authorize` for a SAD, then `signatures/signHash`; pyHanko
ships `pyhanko.sign.signers.csc_signer.CSCSigner` for this). BSrE's v2 API signs whole PDFs rather than
hashes, so a BSrE holder would sit beside pyHanko (send the PDF, receive the signed PDF) rather than
inside it: it should then expose `sign_pdf(pdf, field)` and the caller branch on it. Either way: never
retry a sign call automatically (an outcome after a timeout is unknown), never store the passphrase or
OTP (DOMAIN.md §4.2). Signatures through a PSrE are *tersertifikasi*; those of the embedded CA are not
(PP 71/2019 Pasal 60).

The package, one module per concern: `errors` (domain errors and their messages), `base` (the `KeyHolder`
interface, `LoadedKeySigner`, the checks on keys and certificates), one module per holder (`embedded`,
`seal`, `pkcs12`, `pkcs11`, the last with the process's token logins and key generation), `choice`
(`key_holder_for`) and `timestamper` (the embedded TSA). Callers use the names re-exported here.
"""

from signatures.signers.base import KeyHolder, LoadedKeySigner, PrivateKey, check_signing_certificate
from signatures.signers.choice import key_holder_for
from signatures.signers.embedded import EmbeddedKeyHolder
from signatures.signers.errors import (
    CERT_EXPIRED,
    CERT_IS_CA,
    CERT_NOT_FOR_SIGNING,
    CERT_NOT_YET_VALID,
    IDENTITY_REVOKED,
    IDENTITY_WRONG_BACKEND,
    KEY_UNSUPPORTED,
    PKCS11_FAILED,
    PKCS11_KEY_EXISTS,
    PKCS11_KEY_NOT_FOUND,
    PKCS11_LIBRARY_FAILED,
    PKCS11_LOGGED_IN_ELSEWHERE,
    PKCS11_PIN_INCORRECT,
    PKCS11_PIN_LOCKED,
    PKCS11_TOKEN_NOT_FOUND,
    PKCS12_KEY_MISMATCH,
    PKCS12_NO_CERT,
    PKCS12_NO_KEY,
    PKCS12_NOT_REGISTERED,
    PKCS12_TOO_LARGE,
    PKCS12_UNREADABLE,
    KeyHolderError,
    Pkcs11Error,
    Pkcs12Error,
    WrongPin,
)
from signatures.signers.pkcs11 import DEFAULT_PKCS11_LIB, Pkcs11KeyHolder, pkcs11_generate_key, pkcs11_logout_all
from signatures.signers.pkcs12 import (
    PKCS12_MAX_BYTES,
    Pkcs12Contents,
    Pkcs12KeyHolder,
    Pkcs12Untrusted,
    load_pkcs12,
    pkcs12_trust_check,
)
from signatures.signers.seal import SealKeyHolder
from signatures.signers.timestamper import InProcessTimeStamper, in_process_timestamper

# isort: split
# Private helpers reached as `signers.<name>` from outside the package, re-exported so they keep working
# (not API): the PKCS#11 tests open the process's logged-in token session (tests/signatures/test_signers.py,
# tests/signatures/test_enrol_command.py).
from signatures.signers.pkcs11 import _pkcs11_session as _pkcs11_session

__all__ = [
    "CERT_EXPIRED",
    "CERT_IS_CA",
    "CERT_NOT_FOR_SIGNING",
    "CERT_NOT_YET_VALID",
    "DEFAULT_PKCS11_LIB",
    "IDENTITY_REVOKED",
    "IDENTITY_WRONG_BACKEND",
    "KEY_UNSUPPORTED",
    "PKCS11_FAILED",
    "PKCS11_KEY_EXISTS",
    "PKCS11_KEY_NOT_FOUND",
    "PKCS11_LIBRARY_FAILED",
    "PKCS11_LOGGED_IN_ELSEWHERE",
    "PKCS11_PIN_INCORRECT",
    "PKCS11_PIN_LOCKED",
    "PKCS11_TOKEN_NOT_FOUND",
    "PKCS12_KEY_MISMATCH",
    "PKCS12_MAX_BYTES",
    "PKCS12_NOT_REGISTERED",
    "PKCS12_NO_CERT",
    "PKCS12_NO_KEY",
    "PKCS12_TOO_LARGE",
    "PKCS12_UNREADABLE",
    "EmbeddedKeyHolder",
    "InProcessTimeStamper",
    "KeyHolder",
    "KeyHolderError",
    "LoadedKeySigner",
    "Pkcs11Error",
    "Pkcs11KeyHolder",
    "Pkcs12Contents",
    "Pkcs12Error",
    "Pkcs12KeyHolder",
    "Pkcs12Untrusted",
    "PrivateKey",
    "SealKeyHolder",
    "WrongPin",
    "check_signing_certificate",
    "in_process_timestamper",
    "key_holder_for",
    "load_pkcs12",
    "pkcs11_generate_key",
    "pkcs11_logout_all",
    "pkcs12_trust_check",
]
