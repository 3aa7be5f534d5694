"""A unit's office seal, its key kept by the embedded CA (`SealKeyHolder`)."""

from __future__ import annotations

from typing import ClassVar

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.signers import Signer

from signatures import ca
from signatures.models import CaKey
from signatures.signers.base import LoadedKeySigner, PrivateKey, _to_asn1, check_signing_certificate


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
