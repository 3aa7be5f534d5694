"""Reading the embedded CA: its current key rows, their private keys decrypted once per process, and the
certificates to embed in signatures or to trust when validating them.

CA private keys are stored encrypted with the CA key file (`signatures.keystore`), bound to their role
and label (`_context`); `_loaded_keys` is the one per-process cache of decrypted keys.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from signatures import keystore
from signatures.ca.errors import CA_NOT_INITIALIZED, CaNotInitialized
from signatures.models import CaKey


@dataclass(frozen=True)
class _LoadedCaKey:
    row: CaKey
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


_loaded_lock = threading.Lock()
_loaded_keys: dict[bytes, _LoadedCaKey] = {}


def _load(row: CaKey) -> _LoadedCaKey:
    """A CA key decrypted and parsed once per process (cached by a digest of its encrypted blob)."""
    digest = hashlib.sha256(bytes(row.encrypted_key) + bytes(row.certificate)).digest()
    with _loaded_lock:
        loaded = _loaded_keys.get(digest)
    if loaded is None:
        der = keystore.decrypt_with_ca_key(bytes(row.encrypted_key), context=_context(row.role, row.label))
        key = serialization.load_der_private_key(der, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):  # pragma: no cover - we only ever write EC keys
            raise TypeError(f"CA key {row.role}/{row.label} is not an EC key")
        loaded = _LoadedCaKey(row=row, cert=x509.load_der_x509_certificate(bytes(row.certificate)), key=key)
        with _loaded_lock:
            if len(_loaded_keys) > 256:  # only tests make this many CAs in one process
                _loaded_keys.clear()
            _loaded_keys[digest] = loaded
    return loaded


def _context(role: str, label: str) -> bytes:
    return f"pakta-ca-key:{role}:{label}".encode()


def _pkcs8(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _current(role: str, label: str = "") -> CaKey:
    row = CaKey.objects.filter(role=role, label=label, retired_at__isnull=True).first()
    if row is None:
        raise CaNotInitialized(CA_NOT_INITIALIZED)
    return row


def load_ca_key(role: str, label: str = "") -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The current certificate and loaded private key of a CA role (for in-process signers: the TSA,
    office seals). The key is decrypted once per process.

    :raises CaNotInitialized: no current key of that role and label.
    :raises signatures.keystore.KeystoreError: the CA key file is missing, wrong or the blob is damaged.
    """
    loaded = _load(_current(role, label))
    return loaded.cert, loaded.key


def ca_exists() -> bool:
    """Whether the embedded CA has been initialised (a current root key exists)."""
    return CaKey.objects.filter(role=CaKey.Role.ROOT, retired_at__isnull=True).exists()


def ca_certificate(role: str = CaKey.Role.ISSUING, label: str = "") -> asn1_x509.Certificate:
    """The current certificate of a CA role, as pyHanko wants it (asn1crypto).

    :raises CaNotInitialized: no current key of that role and label.
    """
    return asn1_x509.Certificate.load(bytes(_current(role, label).certificate))


def ca_certificate_der(role: str = CaKey.Role.ISSUING) -> bytes:
    """The DER bytes of the current root or issuing CA certificate (served at /ca/root.crt, /ca/issuing.crt).

    :raises CaNotInitialized: the CA has not been initialised.
    """
    return bytes(_current(role).certificate)


def ca_chain() -> list[asn1_x509.Certificate]:
    """The certificates above an end-entity certificate, nearest first: [issuing CA, root].

    :raises CaNotInitialized: the CA has not been initialised.
    """
    return [ca_certificate(CaKey.Role.ISSUING), ca_certificate(CaKey.Role.ROOT)]


def trust_roots() -> list[asn1_x509.Certificate]:
    """The embedded root certificate(s) to trust when validating signatures made with this CA
    (current and retired roots: signatures made before a root rollover must still validate)."""
    rows = CaKey.objects.filter(role=CaKey.Role.ROOT).order_by("created_at")
    return [asn1_x509.Certificate.load(bytes(row.certificate)) for row in rows]
