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
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pyhanko.sign.general import SigningError, as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.signers import Signer
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

from audit.errors import ApplicationError
from signatures import ca, keystore
from signatures.models import CaKey, SigningIdentity

IDENTITY_REVOKED = _("Identitas penandatangan ini sudah dicabut.")
IDENTITY_WRONG_BACKEND = _("Identitas penandatangan ini tidak memakai penyimpan kunci %(backend)s.")
CERT_EXPIRED = _("Sertifikat penandatangan sudah kedaluwarsa pada %(date)s.")
CERT_NOT_YET_VALID = _("Sertifikat penandatangan baru berlaku mulai %(date)s.")
CERT_IS_CA = _("Sertifikat ini adalah sertifikat CA, bukan sertifikat penandatangan.")
CERT_NOT_FOR_SIGNING = _("Sertifikat ini tidak boleh dipakai untuk tanda tangan (key usage).")
KEY_UNSUPPORTED = _("Jenis kunci tidak didukung: gunakan EC (P-256/P-384/P-521) atau RSA ≥ 2048 bit.")
PKCS12_TOO_LARGE = _("Berkas PKCS#12 terlalu besar (paling besar %(maximum)s KB).")
PKCS12_UNREADABLE = _("Berkas PKCS#12 tidak dapat dibuka: kata sandi salah atau berkas rusak.")
PKCS12_NO_KEY = _("Berkas PKCS#12 tidak berisi kunci privat.")
PKCS12_NO_CERT = _("Berkas PKCS#12 tidak berisi sertifikat penandatangan.")
PKCS12_KEY_MISMATCH = _("Kunci privat di berkas PKCS#12 tidak cocok dengan sertifikatnya.")
PKCS12_NOT_REGISTERED = _("Sertifikat di berkas PKCS#12 bukan sertifikat yang terdaftar untuk identitas ini.")
PKCS11_TOKEN_NOT_FOUND = _("Token %(label)s tidak ditemukan.")
PKCS11_LIBRARY_FAILED = _("Pustaka PKCS#11 %(path)s tidak dapat dimuat.")
PKCS11_PIN_INCORRECT = _("PIN token salah.")
PKCS11_PIN_LOCKED = _("PIN token terkunci: hubungi administrator token.")
PKCS11_KEY_NOT_FOUND = _("Kunci %(label)s tidak ditemukan di token.")
PKCS11_KEY_EXISTS = _("Token sudah berisi kunci dengan label %(label)s.")
PKCS11_FAILED = _("Operasi token PKCS#11 gagal: %(detail)s")
PKCS11_LOGGED_IN_ELSEWHERE = _("Token %(label)s sudah login oleh komponen lain di proses ini.")

PKCS12_MAX_BYTES = 64 * 1024


class KeyHolderError(ApplicationError):
    """A key holder cannot sign: revoked or expired certificate, wrong backend, unreadable key."""


class Pkcs12Error(KeyHolderError):
    """An uploaded PKCS#12 is refused: wrong password or damaged, no key or certificate, a CA or expired
    certificate, or a key that does not match its certificate."""


class Pkcs11Error(KeyHolderError):
    """A PKCS#11 token cannot be used: library, token or key not found, or the token refused."""


class WrongPin(Pkcs11Error):
    """The token refused the PIN."""

    status_code = 403


# --------------------------------------------------------------------------------------------------------
# The interface
# --------------------------------------------------------------------------------------------------------


@runtime_checkable
class KeyHolder(Protocol):
    """Where a signer's key lives. Chosen per signer (`SigningIdentity.backend`, see `key_holder_for`).

    `certificate` is the signer's certificate (asn1crypto, as pyHanko wants it); `signer_for()` returns a
    pyHanko `Signer` ready for `PdfSigner(...)`, embedding the chain up to the root. A holder checks its
    secret (passphrase, PIN, PKCS#12 password) when it is built, so a bad secret fails before any document
    work; it keeps no secret after the request.
    """

    backend: ClassVar[str]

    @property
    def certificate(self) -> asn1_x509.Certificate: ...

    def signer_for(self) -> Signer: ...


def key_holder_for(
    identity: SigningIdentity, *, secret: str, pkcs11_lib: str | None = None, pkcs12_bytes: bytes | None = None
) -> KeyHolder:
    """The key holder for a signing identity, given the secret the signer typed for this signature:
    the passphrase (embedded), the token PIN (pkcs11) or the PKCS#12 password with the uploaded file.

    :param pkcs11_lib: path of the PKCS#11 module; defaults to `settings.PAKTA_PKCS11_LIB` when present,
        else Debian's SoftHSM2.
    :raises KeyHolderError: see the holder classes; a missing PKCS#12 upload is a `Pkcs12Error`.
    :raises signatures.keystore.WrongPassphrase: the passphrase does not open the embedded key.
    """
    if identity.backend == SigningIdentity.Backend.EMBEDDED:
        return EmbeddedKeyHolder(identity, secret)
    if identity.backend == SigningIdentity.Backend.PKCS11:
        from django.conf import settings

        lib_path: str = pkcs11_lib or getattr(settings, "PAKTA_PKCS11_LIB", None) or DEFAULT_PKCS11_LIB
        return Pkcs11KeyHolder(
            lib_path,
            identity.pkcs11_token_label,
            secret,
            identity.pkcs11_key_label,
            bytes(identity.certificate),
            identity=identity,
        )
    if pkcs12_bytes is None:
        raise Pkcs12Error(PKCS12_UNREADABLE)
    return Pkcs12KeyHolder(pkcs12_bytes, secret, identity=identity)


# --------------------------------------------------------------------------------------------------------
# Signing with a loaded key
# --------------------------------------------------------------------------------------------------------

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _raw_sign(key: PrivateKey, data: bytes, mechanism: algos.SignedDigestAlgorithm, digest_algorithm: str) -> bytes:
    """Sign `data` with a loaded key under pyHanko's chosen mechanism (ECDSA, RSA PKCS#1 v1.5 or PSS)."""
    try:
        algorithm = mechanism.signature_algo
    except ValueError:
        algorithm = mechanism["algorithm"].native
    hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
    if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hash_algorithm))
    if algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hash_algorithm)
    if algorithm == "rsassa_pss" and isinstance(key, rsa.RSAPrivateKey):
        pss_padding, pss_hash = process_pss_params(mechanism["parameters"])
        return key.sign(data, pss_padding, pss_hash)
    raise SigningError(f"signature mechanism {algorithm} does not fit a {type(key).__name__}")


class LoadedKeySigner(Signer):
    """A pyHanko `Signer` that signs with an already-parsed private key (never re-parsed per signature,
    unlike `SimpleSigner`). `chain` is embedded with the signer's certificate."""

    def __init__(
        self, *, key: PrivateKey, cert: asn1_x509.Certificate, chain: Sequence[asn1_x509.Certificate] = ()
    ) -> None:
        super().__init__(signing_cert=cert, cert_registry=SimpleCertificateStore.from_certs([cert, *chain]))
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign `data` (the DER of the signed attributes) with the loaded key."""
        return _raw_sign(self._key, data, self.get_signature_mechanism_for_digest(digest_algorithm), digest_algorithm)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        return self.sign_raw(data, digest_algorithm)


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _check_key(key: Any) -> PrivateKey:
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in ("secp256r1", "secp384r1", "secp521r1"):
        return key
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048:
        return key
    raise KeyHolderError(KEY_UNSUPPORTED)


def _public_der(public_key: Any) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def check_signing_certificate(cert: x509.Certificate, *, at: datetime.datetime | None = None) -> None:
    """Refuse a certificate that cannot make a signature now: a CA certificate, one outside its validity
    period, or one whose key usage allows neither digitalSignature nor nonRepudiation.

    :raises KeyHolderError: with the reason, in Indonesian.
    """
    now = at or timezone.now()
    if _is_ca(cert):
        raise KeyHolderError(CERT_IS_CA)
    if now > cert.not_valid_after_utc:
        raise KeyHolderError(CERT_EXPIRED % {"date": _local(cert.not_valid_after_utc)})
    if now < cert.not_valid_before_utc:
        raise KeyHolderError(CERT_NOT_YET_VALID % {"date": _local(cert.not_valid_before_utc)})
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise KeyHolderError(CERT_NOT_FOR_SIGNING)


def _check_identity(identity: SigningIdentity, backend: str) -> x509.Certificate:
    if identity.backend != backend:
        raise KeyHolderError(IDENTITY_WRONG_BACKEND % {"backend": backend})
    if identity.status != SigningIdentity.Status.ACTIVE:
        raise KeyHolderError(IDENTITY_REVOKED)
    cert = x509.load_der_x509_certificate(bytes(identity.certificate))
    check_signing_certificate(cert)
    return cert


# --------------------------------------------------------------------------------------------------------
# Holders
# --------------------------------------------------------------------------------------------------------


class EmbeddedKeyHolder:
    """An official's key kept by Pakta, opened with their passphrase for one signing request.

    :raises KeyHolderError: the identity is not embedded, was revoked, or its certificate expired.
    :raises signatures.keystore.WrongPassphrase: the passphrase does not open the key.
    :raises signatures.ca.CaNotInitialized: the CA is gone (its chain cannot be embedded).
    """

    backend: ClassVar[str] = SigningIdentity.Backend.EMBEDDED

    def __init__(self, identity: SigningIdentity, passphrase: str) -> None:
        cert = _check_identity(identity, SigningIdentity.Backend.EMBEDDED)
        key_der = keystore.decrypt_with_passphrase(bytes(identity.encrypted_key), passphrase)
        self._key = _check_key(serialization.load_der_private_key(key_der, password=None))
        del key_der
        self._cert = _to_asn1(cert)
        self._chain = ca.ca_chain()
        self.identity = identity

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._cert

    def signer_for(self) -> Signer:
        """A pyHanko signer holding the decrypted key object (nothing is written anywhere)."""
        return LoadedKeySigner(key=self._key, cert=self._cert, chain=self._chain)


class SealKeyHolder:
    """A unit's office seal (CA-held key, decrypted once per process). Who may apply a seal is decided by
    the caller; this holder only signs.

    :raises signatures.ca.CaNotInitialized: no current seal for `unit_code`.
    :raises KeyHolderError: the seal certificate expired (renew it with `ca.ca_issue_seal`).
    """

    backend: ClassVar[str] = "seal"

    def __init__(self, unit_code: str) -> None:
        cert, key = ca.load_ca_key(CaKey.Role.SEAL, unit_code)
        check_signing_certificate(cert)
        self._key: PrivateKey = key
        self._cert = _to_asn1(cert)
        self._chain = ca.ca_chain()

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._cert

    def signer_for(self) -> Signer:
        """A pyHanko signer for the seal key."""
        return LoadedKeySigner(key=self._key, cert=self._cert, chain=self._chain)


@dataclass(frozen=True)
class Pkcs12Contents:
    """What a checked PKCS#12 holds: the key, the signer's certificate and any other certificates."""

    key: PrivateKey
    cert: x509.Certificate
    chain: list[x509.Certificate]


def load_pkcs12(data: bytes, password: str, *, at: datetime.datetime | None = None) -> Pkcs12Contents:
    """Open a PKCS#12 in memory and check it can sign: a key, an end-entity certificate valid now whose
    public key is the key's, and a supported key type. Nothing is stored.

    The signer's certificate is the one paired with the key; a file that pairs none is read as holding
    exactly one end-entity certificate among its certificates.

    :raises Pkcs12Error: too large; wrong password or not a PKCS#12; no key; no (or several candidate)
        signer certificates; the key does not match the certificate.
    :raises KeyHolderError: a CA or expired certificate, a certificate not for signing, an unsupported key.
    """
    if len(data) > PKCS12_MAX_BYTES:
        raise Pkcs12Error(PKCS12_TOO_LARGE % {"maximum": PKCS12_MAX_BYTES // 1024})
    try:
        bundle = pkcs12.load_pkcs12(bytes(data), password.encode("utf-8") if password else None)
    except (ValueError, TypeError):
        raise Pkcs12Error(PKCS12_UNREADABLE) from None
    if bundle.key is None:
        raise Pkcs12Error(PKCS12_NO_KEY)
    others = [item.certificate for item in bundle.additional_certs]
    cert = bundle.cert.certificate if bundle.cert is not None else None
    if cert is None:
        leaves = [candidate for candidate in others if not _is_ca(candidate)]
        if len(leaves) != 1:
            if len(leaves) == 0 and others:
                raise KeyHolderError(CERT_IS_CA)
            raise Pkcs12Error(PKCS12_NO_CERT)
        cert = leaves[0]
        others = [candidate for candidate in others if candidate is not cert]
    check_signing_certificate(cert, at=at)
    key = _check_key(bundle.key)
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise Pkcs12Error(PKCS12_KEY_MISMATCH)
    return Pkcs12Contents(key=key, cert=cert, chain=others)


class Pkcs12KeyHolder:
    """A PKCS#12 file the signer uploads for one signature: opened in memory, never stored.

    The certificate chain embedded in the signature is the file's other certificates, plus our CA's
    chain when our CA issued the certificate. With `identity`, the file's certificate must be that
    identity's.

    :raises Pkcs12Error: see `load_pkcs12`; or the certificate is not the identity's.
    :raises KeyHolderError: see `load_pkcs12`; or the identity was revoked.
    """

    backend: ClassVar[str] = SigningIdentity.Backend.PKCS12

    def __init__(self, pkcs12_bytes: bytes, password: str, *, identity: SigningIdentity | None = None) -> None:
        contents = load_pkcs12(pkcs12_bytes, password)
        if identity is not None:
            if identity.status != SigningIdentity.Status.ACTIVE:
                raise KeyHolderError(IDENTITY_REVOKED)
            if contents.cert.public_bytes(serialization.Encoding.DER) != bytes(identity.certificate):
                raise Pkcs12Error(PKCS12_NOT_REGISTERED)
        self.identity = identity  # the registered identity this file was checked against, if any
        self._key = contents.key
        self._cert = _to_asn1(contents.cert)
        chain = [_to_asn1(cert) for cert in contents.chain]
        if ca.ca_exists() and contents.cert.issuer == x509.load_der_x509_certificate(ca.ca_certificate_der()).subject:
            chain += ca.ca_chain()
        self._chain = chain

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._cert

    def signer_for(self) -> Signer:
        """A pyHanko signer holding the key from the file."""
        return LoadedKeySigner(key=self._key, cert=self._cert, chain=self._chain)


# --------------------------------------------------------------------------------------------------------
# PKCS#11
# --------------------------------------------------------------------------------------------------------

DEFAULT_PKCS11_LIB = "/usr/lib/softhsm/libsofthsm2.so"


@dataclass
class _TokenLogin:
    session: Any
    verifier: bytes


_pkcs11_lock = threading.Lock()
_pkcs11_logins: dict[tuple[str, str], _TokenLogin] = {}
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
    with _pkcs11_lock:
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
        self._use_raw = isinstance(parsed.public_key(), ec.EllipticCurvePublicKey)
        self._chain = ca.ca_chain() if ca.ca_exists() else []

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._cert

    def signer_for(self) -> Signer:
        """A pyHanko `PKCS11Signer` on the process's session for this token."""
        from pyhanko.sign.pkcs11 import PKCS11Signer

        return PKCS11Signer(
            self._session,
            key_label=self._key_label,
            signing_cert=self._cert,
            ca_chain=self._chain,
            other_certs_to_pull=(),
            use_raw_mechanism=self._use_raw,
        )


# --------------------------------------------------------------------------------------------------------
# Timestamps
# --------------------------------------------------------------------------------------------------------


class InProcessTimeStamper(TimeStamper):
    """An RFC 3161 time-stamping authority in-process, signing with a key loaded once (EC or RSA).

    Unlike pyHanko's `DummyTimeStamper` (a test device that re-parses its key per token and is RSA-only),
    it keeps the parsed key, uses Pakta's TSA policy OID, a random 64-bit serial number, an accuracy of one
    second, echoes the request's nonce, and identifies its certificate with ESS signing-certificate-v2
    (SHA-256). The TSA certificate and its issuing CA are embedded in each token.
    """

    def __init__(
        self,
        *,
        tsa_cert: asn1_x509.Certificate,
        tsa_key: PrivateKey,
        chain: Sequence[asn1_x509.Certificate] = (),
        policy: str = ca.POLICY_TIMESTAMPING,
    ) -> None:
        super().__init__(include_nonce=True)
        self.tsa_cert = tsa_cert
        self._key = tsa_key
        self._chain = list(chain)
        self._policy = policy

    def _signed_attributes(self, tst_info_der: bytes, now: datetime.datetime) -> cms.CMSAttributes:
        return cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(now)})),
                simple_cms_attribute("signing_certificate_v2", as_signing_certificate_v2(self.tsa_cert, "sha256")),
                simple_cms_attribute("message_digest", hashlib.sha256(tst_info_der).digest()),
            ]
        )

    def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Answer a time-stamp request with a granted response carrying a signed token."""
        now = datetime.datetime.now(datetime.UTC)
        tst_fields: dict[str, Any] = {
            "version": "v1",
            "policy": self._policy,
            "message_imprint": req["message_imprint"],
            "serial_number": secrets.randbits(64),
            "gen_time": now,
            "accuracy": {"seconds": 1},
            "tsa": asn1_x509.GeneralName(name="directory_name", value=self.tsa_cert.subject),
        }
        if req["nonce"].native is not None:
            tst_fields["nonce"] = req["nonce"]
        tst_info_der = tsp.TSTInfo(tst_fields).dump()
        signed_attrs = self._signed_attributes(tst_info_der, now)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            signature = self._key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
            signature_algorithm = "sha256_ecdsa"
        else:
            signature = self._key.sign(signed_attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
            signature_algorithm = "sha256_rsa"
        digest_algorithm = algos.DigestAlgorithm({"algorithm": "sha256"})
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                            {"issuer": self.tsa_cert.issuer, "serial_number": self.tsa_cert.serial_number}
                        )
                    }
                ),
                "digest_algorithm": digest_algorithm,
                "signed_attrs": signed_attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": signature_algorithm}),
                "signature": signature,
            }
        )
        signed_data = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": cms.DigestAlgorithms((digest_algorithm,)),
                "encap_content_info": cms.EncapsulatedContentInfo(
                    {"content_type": "tst_info", "content": cms.ParsableOctetString(tst_info_der)}
                ),
                "certificates": [self.tsa_cert, *self._chain],
                "signer_infos": [signer_info],
            }
        )
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
        return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return self.request_tsa_response(req)


_timestamper_lock = threading.Lock()
_timestampers: dict[bytes, InProcessTimeStamper] = {}


def in_process_timestamper() -> InProcessTimeStamper:
    """The embedded TSA as a pyHanko timestamper, built once per process (rebuilt if the TSA key changes).

    :raises signatures.ca.CaNotInitialized: the CA has not been initialised.
    """
    cert, key = ca.load_ca_key(CaKey.Role.TSA)
    fingerprint = cert.fingerprint(hashes.SHA256())
    with _timestamper_lock:
        stamper = _timestampers.get(fingerprint)
        if stamper is None:
            issuing = ca.ca_certificate(CaKey.Role.ISSUING)
            stamper = InProcessTimeStamper(tsa_cert=_to_asn1(cert), tsa_key=key, chain=[issuing])
            if len(_timestampers) > 8:
                _timestampers.clear()
            _timestampers[fingerprint] = stamper
    return stamper
