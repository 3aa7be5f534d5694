"""A key inside a PKCS#11 token or HSM (`Pkcs11KeyHolder`): the process's login on each token, and key
generation inside the token (`pkcs11_generate_key`). The key never leaves the token."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from typing import Any, ClassVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.sign.signers import Signer

from signatures import ca
from signatures.models import SigningIdentity
from signatures.signers.base import check_signing_certificate
from signatures.signers.errors import (
    IDENTITY_REVOKED,
    PKCS11_FAILED,
    PKCS11_KEY_EXISTS,
    PKCS11_KEY_NOT_FOUND,
    PKCS11_LIBRARY_FAILED,
    PKCS11_LOGGED_IN_ELSEWHERE,
    PKCS11_PIN_INCORRECT,
    PKCS11_PIN_LOCKED,
    PKCS11_TOKEN_NOT_FOUND,
    KeyHolderError,
    Pkcs11Error,
    WrongPin,
)

DEFAULT_PKCS11_LIB = "/usr/lib/softhsm/libsofthsm2.so"


@dataclass
class _TokenLogin:
    session: Any
    verifier: bytes


_pkcs11_lock = threading.Lock()
_pkcs11_logins: dict[tuple[str, str], _TokenLogin] = {}
# One lock per token: a PKCS#11 session runs one operation at a time, and the process shares one session
# per token; signatures on it are serialised, and a login is ended only between them.
_token_locks: dict[tuple[str, str], threading.Lock] = {}


def _token_lock(key: tuple[str, str]) -> threading.Lock:
    with _pkcs11_lock:
        return _token_locks.setdefault(key, threading.Lock())


# Key for PIN verifiers; random per process, never leaves memory. A verifier is not the PIN.
_PIN_VERIFIER_KEY = secrets.token_bytes(32)


def _pin_verifier(lib_path: str, token_label: str, pin: str) -> bytes:
    message = "\0".join((lib_path, token_label, pin)).encode("utf-8")
    return hmac.new(_PIN_VERIFIER_KEY, message, hashlib.sha256).digest()


def _pkcs11_session(lib_path: str, token_label: str, pin: str) -> Any:
    """A logged-in session on the token, opened once per process.

    PKCS#11 login is per process (a second C_Login raises UserAlreadyLoggedIn; measurements.md §5), so the
    first signer's PIN logs the process in, and later requests are checked against an HMAC of the PIN that
    logged in (a random per-process key; the PIN itself is never kept). A PIN that does not match ends the
    login and goes to the token, which judges it and counts failures towards its own lockout; a token PIN
    changed since is picked up the same way.
    """
    import pkcs11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    key = (lib_path, token_label)
    verifier = _pin_verifier(lib_path, token_label, pin)
    with _token_lock(key), _pkcs11_lock:  # the token's lock first: no signature is running on it meanwhile
        login = _pkcs11_logins.get(key)
        if login is not None:
            if hmac.compare_digest(login.verifier, verifier):
                return login.session
            del _pkcs11_logins[key]
            with contextlib.suppress(pkcs11.PKCS11Error):
                login.session.close()  # C_Logout + C_CloseSession
        try:
            session = open_pkcs11_session(lib_path, token_criteria=TokenCriteria(label=token_label), user_pin=pin)
        except pkcs11.PinIncorrect:
            raise WrongPin(PKCS11_PIN_INCORRECT) from None
        except pkcs11.PinLocked:
            raise Pkcs11Error(PKCS11_PIN_LOCKED) from None
        except pkcs11.UserAlreadyLoggedIn:
            raise Pkcs11Error(PKCS11_LOGGED_IN_ELSEWHERE % {"label": token_label}) from None
        except pkcs11.PKCS11Error as exc:
            if "OS exception while loading" in str(exc) or "loading" in str(exc):
                raise Pkcs11Error(PKCS11_LIBRARY_FAILED % {"path": lib_path}) from None
            if "No token" in str(exc):
                raise Pkcs11Error(PKCS11_TOKEN_NOT_FOUND % {"label": token_label}) from None
            raise Pkcs11Error(PKCS11_FAILED % {"detail": type(exc).__name__}) from None
        _pkcs11_logins[key] = _TokenLogin(session=session, verifier=verifier)
        return session


def pkcs11_logout_all() -> None:
    """End every PKCS#11 login this process holds (tests; process shutdown)."""
    import pkcs11

    with _pkcs11_lock:
        for login in _pkcs11_logins.values():
            with contextlib.suppress(pkcs11.PKCS11Error):
                login.session.close()
        _pkcs11_logins.clear()


def pkcs11_generate_key(*, lib_path: str, token_label: str, pin: str, key_label: str) -> bytes:
    """Generate an ECDSA P-256 key pair inside the token (private key sensitive, never extractable,
    usable only to sign) and return its public key (SubjectPublicKeyInfo DER) for certification
    (`ca.identity_enrol_token_key`).

    :raises WrongPin: the token refused the PIN.
    :raises Pkcs11Error: library or token not found, PIN locked, a key with that label exists, or the
        token refused.
    """
    import pkcs11
    from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

    logged_in = _pkcs11_session(lib_path, token_label, pin)
    try:
        # Key generation needs a read-write session; the process is logged in already, so no PIN here.
        session = logged_in.token.open(rw=True)
    except pkcs11.PKCS11Error as exc:
        raise Pkcs11Error(PKCS11_FAILED % {"detail": type(exc).__name__}) from None
    try:
        existing = list(
            session.get_objects(
                {pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY, pkcs11.Attribute.LABEL: key_label}
            )
        )
        if existing:
            raise Pkcs11Error(PKCS11_KEY_EXISTS % {"label": key_label})
        parameters = session.create_domain_parameters(
            pkcs11.KeyType.EC, {pkcs11.Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True
        )
        key_id = secrets.token_bytes(8)
        public, _private = parameters.generate_keypair(
            store=True,
            label=key_label,
            id=key_id,
            public_template={pkcs11.Attribute.VERIFY: True},
            private_template={
                pkcs11.Attribute.SENSITIVE: True,
                pkcs11.Attribute.EXTRACTABLE: False,
                pkcs11.Attribute.SIGN: True,
                pkcs11.Attribute.DERIVE: False,
                pkcs11.Attribute.DECRYPT: False,
                pkcs11.Attribute.UNWRAP: False,
            },
        )
        return encode_ec_public_key(public)
    except pkcs11.PKCS11Error as exc:
        raise Pkcs11Error(PKCS11_FAILED % {"detail": type(exc).__name__}) from None
    finally:
        session.close()  # a session opened without a PIN closes without logging the process out


class Pkcs11KeyHolder:
    """A key inside a PKCS#11 token or HSM, used through pyHanko's `PKCS11Signer`.

    The session is logged in once per process (see `_pkcs11_session`); the PIN is still asked for and
    checked at every signature. EC keys sign with the raw CKM_ECDSA mechanism (pyHanko hashes): SoftHSM
    2.6.1 lacks CKM_ECDSA_SHA256. The certificate comes from Pakta (`cert`, DER or asn1crypto), not from
    the token.

    :raises WrongPin: the token refused the PIN.
    :raises Pkcs11Error: library, token or key not found; PIN locked; token error.
    :raises KeyHolderError: the certificate is expired or not for signing; the identity was revoked.
    """

    backend: ClassVar[str] = SigningIdentity.Backend.PKCS11

    def __init__(
        self,
        lib_path: str,
        token_label: str,
        pin: str,
        key_label: str,
        cert: asn1_x509.Certificate | bytes,
        *,
        identity: SigningIdentity | None = None,
    ) -> None:
        import pkcs11

        if identity is not None and identity.status != SigningIdentity.Status.ACTIVE:
            raise KeyHolderError(IDENTITY_REVOKED)
        der = cert.dump() if isinstance(cert, asn1_x509.Certificate) else bytes(cert)
        parsed = x509.load_der_x509_certificate(der)
        check_signing_certificate(parsed)
        self._cert = asn1_x509.Certificate.load(der)
        self.identity = identity
        self._session = _pkcs11_session(lib_path, token_label, pin)
        try:
            self._session.get_key(object_class=pkcs11.ObjectClass.PRIVATE_KEY, label=key_label)
        except pkcs11.NoSuchKey:
            raise Pkcs11Error(PKCS11_KEY_NOT_FOUND % {"label": key_label}) from None
        except pkcs11.PKCS11Error as exc:
            raise Pkcs11Error(PKCS11_FAILED % {"detail": type(exc).__name__}) from None
        self._key_label = key_label
        self._lock = _token_lock((lib_path, token_label))
        self._use_raw = isinstance(parsed.public_key(), ec.EllipticCurvePublicKey)
        self._chain = ca.ca_chain() if ca.ca_exists() else []

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._cert

    def signer_for(self) -> Signer:
        """A pyHanko `PKCS11Signer` on the process's session for this token, signing under the token's lock."""
        from pyhanko.sign.pkcs11 import PKCS11Signer

        lock = self._lock

        class _OneAtATime(PKCS11Signer):
            async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
                with lock:
                    return await super().async_sign_raw(data, digest_algorithm, dry_run)

        return _OneAtATime(
            self._session,
            key_label=self._key_label,
            signing_cert=self._cert,
            ca_chain=self._chain,
            other_certs_to_pull=(),
            use_raw_mechanism=self._use_raw,
        )
