"""Which key holder signs for a signing identity: chosen by its backend (`SigningIdentity.backend`)."""

from __future__ import annotations

from signatures.models import SigningIdentity
from signatures.signers.base import KeyHolder
from signatures.signers.embedded import EmbeddedKeyHolder
from signatures.signers.errors import PKCS12_UNREADABLE, Pkcs12Error
from signatures.signers.pkcs11 import DEFAULT_PKCS11_LIB, Pkcs11KeyHolder
from signatures.signers.pkcs12 import Pkcs12KeyHolder


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
