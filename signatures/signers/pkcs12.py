"""A PKCS#12 file the signer uploads for one signature, read in memory and never stored
(`load_pkcs12`, `Pkcs12KeyHolder`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import ClassVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.signers import Signer

from signatures import ca
from signatures.models import SigningIdentity
from signatures.signers.base import (
    LoadedKeySigner,
    PrivateKey,
    _check_key,
    _is_ca,
    _public_der,
    _to_asn1,
    check_signing_certificate,
)
from signatures.signers.errors import (
    CERT_IS_CA,
    IDENTITY_REVOKED,
    PKCS12_KEY_MISMATCH,
    PKCS12_NO_CERT,
    PKCS12_NO_KEY,
    PKCS12_NOT_REGISTERED,
    PKCS12_TOO_LARGE,
    PKCS12_UNREADABLE,
    PKCS12_UNTRUSTED,
    KeyHolderError,
    Pkcs12Error,
)

PKCS12_MAX_BYTES = 64 * 1024


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


class Pkcs12Untrusted(Pkcs12Error):
    """The PKCS#12 file's certificate does not chain to our CA or a configured PSrE root: its signatures
    could never be sealed."""


def pkcs12_trust_check(contents: Pkcs12Contents) -> None:
    """Refuse a PKCS#12 certificate with no valid path, now, to our CA's roots (`signatures.ca.trust_roots`)
    or a certified PSrE root (`PAKTA_CERTIFIED_ROOTS_DIR`), the file's other certificates as intermediates:
    its signatures could never be sealed, and the pact would stay pending.

    :raises Pkcs12Untrusted: no such path.
    """
    from signatures.signing import certificate_chains_to  # signing imports this package
    from signatures.verification_service import certified_roots

    roots = [*ca.trust_roots(), *certified_roots()]
    intermediates = [_asn1(other) for other in contents.chain]
    if not certificate_chains_to(_asn1(contents.cert), roots=roots, intermediates=intermediates):
        raise Pkcs12Untrusted(PKCS12_UNTRUSTED)


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
