"""The key holder interface, and what every holder shares: a pyHanko `Signer` over an already-parsed key
(`LoadedKeySigner`) and the checks a key and a signer's certificate must pass before anything is signed."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

from asn1crypto import algos
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.utils import timezone
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

from signatures.models import SigningIdentity
from signatures.signers.errors import (
    CERT_EXPIRED,
    CERT_IS_CA,
    CERT_NOT_FOR_SIGNING,
    CERT_NOT_YET_VALID,
    IDENTITY_REVOKED,
    IDENTITY_WRONG_BACKEND,
    KEY_UNSUPPORTED,
    KeyHolderError,
)


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
