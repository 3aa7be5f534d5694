"""Officials' keys kept by Pakta, encrypted under their passphrase (`EmbeddedKeyHolder`)."""

from __future__ import annotations

from typing import ClassVar

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.signers import Signer

from signatures import ca, keystore
from signatures.models import SigningIdentity
from signatures.signers.base import LoadedKeySigner, _check_identity, _check_key, _to_asn1


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
