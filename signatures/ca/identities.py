"""Officials' signing identities: enrolling one with a key Pakta keeps under the official's passphrase,
certifying a key generated in a PKCS#11 token, registering the certificate of a PKCS#12 file, and
changing the passphrase. Revoking them is `signatures.ca.identity_revocation`."""

from __future__ import annotations

import contextlib
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from signatures import keystore
from signatures.ca.certificates import (
    IDENTITY_VALIDITY,
    _build,
    _end_entity_extensions,
    _fingerprint,
    _serial_hex,
)
from signatures.ca.errors import (
    IDENTITY_ALREADY_ACTIVE,
    IDENTITY_NOT_ACTIVE,
    IDENTITY_NOT_EMBEDDED,
    OLD_AND_NEW_PASSPHRASE_EQUAL,
    PUBLIC_KEY_INVALID,
    IdentityAlreadyActive,
    IdentityNotActive,
    IdentityNotEmbedded,
    InvalidPublicKey,
    PassphraseUnchanged,
)
from signatures.ca.keys import _current, _load, _pkcs8
from signatures.ca.subjects import _clean, _Subject
from signatures.models import CaKey, SigningIdentity


def _load_public_key(public_key_der: bytes) -> Any:
    try:
        public_key = serialization.load_der_public_key(public_key_der)
    except (ValueError, TypeError):
        raise InvalidPublicKey(PUBLIC_KEY_INVALID) from None
    if isinstance(public_key, ec.EllipticCurvePublicKey) and isinstance(public_key.curve, ec.SECP256R1):
        return public_key
    from cryptography.hazmat.primitives.asymmetric import rsa

    if isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size >= 2048:
        return public_key
    raise InvalidPublicKey(PUBLIC_KEY_INVALID)


def _create_identity(
    *,
    user: Any,
    backend: str,
    subject: _Subject,
    public_key: Any,
    encrypted_key: bytes = b"",
    token_label: str = "",
    key_label: str = "",
    actor: Any,
) -> SigningIdentity:
    """Issue the certificate and save the identity; runs inside the caller's transaction."""
    issuing = _load(_current(CaKey.Role.ISSUING))
    cert = _build(
        subject=subject.x509_name(),
        public_key=public_key,
        issuer=issuing,
        validity=IDENTITY_VALIDITY,
        now=timezone.now(),
        extensions=_end_entity_extensions(email=subject.email),
    )
    identity = SigningIdentity.objects.create(
        user=user,
        backend=backend,
        certificate=cert.public_bytes(serialization.Encoding.DER),
        issuer=issuing.row,
        serial=_serial_hex(cert.serial_number),
        subject_name=subject.name,
        subject_serial=subject.nip,
        subject_unit=subject.unit,
        subject_organisation=subject.organisation,
        subject_email=subject.email,
        issuer_name=cert.issuer.rfc4514_string()[:400],
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        encrypted_key=encrypted_key,
        pkcs11_token_label=token_label,
        pkcs11_key_label=key_label,
    )
    audit_record(
        action="signatures.identity.enrolled",
        actor=actor,
        subject=identity,
        payload={
            "user_id": user.pk,
            "backend": backend,
            "serial": identity.serial,
            "subject": cert.subject.rfc4514_string(),
            "not_after": identity.not_after,
            "token_label": token_label,
            "key_label": key_label,
        },
    )
    return identity


def identity_enrol(
    *,
    user: Any,
    passphrase: str,
    name: str,
    nip: str,
    unit_name: str,
    organisation: str,
    email: str = "",
    actor: Any,
) -> SigningIdentity:
    """Enrol an official for signing with a key Pakta keeps (backend `embedded`).

    Pakta generates an ECDSA P-256 key pair, the issuing CA certifies it for two years (subject
    CN=name, serialNumber=NIP, OU=unit, O=organisation, C=ID; keyUsage digitalSignature +
    nonRepudiation, critical; document-signing extended key usages; OCSP and CRL pointers), and the
    private key is stored only encrypted under a key derived from `passphrase` (scrypt + AES-256-GCM,
    `signatures.keystore`). The passphrase is not stored or audited; signing asks for it every time, which
    keeps the key in the official's sole control (PP 71/2019 Pasal 59(3) b, DOMAIN.md §4.1).

    :raises signatures.keystore.PassphraseTooShort: shorter than the policy; nothing is written.
    :raises signatures.keystore.PassphraseTooLong: longer than the policy.
    :raises InvalidSubject: a name field is empty, too long or has control characters.
    :raises IdentityAlreadyActive: the user already has an active embedded identity.
    :raises CaNotInitialized: the CA has not been initialised.
    """
    keystore.check_passphrase_policy(passphrase)
    subject = _Subject.clean(name=name, nip=nip, unit_name=unit_name, organisation=organisation, email=email)
    if SigningIdentity.objects.filter(user=user, backend=SigningIdentity.Backend.EMBEDDED, status="active").exists():
        raise IdentityAlreadyActive(IDENTITY_ALREADY_ACTIVE)
    _current(CaKey.Role.ISSUING)
    # The slow part (scrypt) runs before the transaction, so it does not hold the write lock.
    private_key = ec.generate_private_key(ec.SECP256R1())
    encrypted = keystore.encrypt_with_passphrase(_pkcs8(private_key), passphrase)
    with transaction.atomic():
        type(user)._default_manager.select_for_update().filter(pk=user.pk).first()
        if SigningIdentity.objects.filter(
            user=user, backend=SigningIdentity.Backend.EMBEDDED, status=SigningIdentity.Status.ACTIVE
        ).exists():
            raise IdentityAlreadyActive(IDENTITY_ALREADY_ACTIVE)
        return _create_identity(
            user=user,
            backend=SigningIdentity.Backend.EMBEDDED,
            subject=subject,
            public_key=private_key.public_key(),
            encrypted_key=encrypted,
            actor=actor,
        )


def identity_enrol_token_key(
    *,
    user: Any,
    public_key_der: bytes,
    token_label: str,
    key_label: str,
    name: str,
    nip: str,
    unit_name: str,
    organisation: str,
    email: str = "",
    actor: Any,
) -> SigningIdentity:
    """Certify a key generated inside a PKCS#11 token or HSM (backend `pkcs11`).

    The private key never leaves the token (`signatures.signers.pkcs11_generate_key` makes it there);
    only its public key (SubjectPublicKeyInfo DER) comes here. The certificate has the same profile as
    `identity_enrol`. The caller vouches that the key is the official's (an administrator enrols at the
    token); a user may hold several token identities.

    :raises InvalidPublicKey: the public key is unreadable, or not P-256 / RSA ≥ 2048.
    :raises InvalidSubject: a name field or label is empty, too long or has control characters.
    :raises CaNotInitialized: the CA has not been initialised.
    """
    subject = _Subject.clean(name=name, nip=nip, unit_name=unit_name, organisation=organisation, email=email)
    token_label = _clean(token_label, "Label token", 32)
    key_label = _clean(key_label, "Label kunci", 64)
    public_key = _load_public_key(public_key_der)
    with transaction.atomic():
        return _create_identity(
            user=user,
            backend=SigningIdentity.Backend.PKCS11,
            subject=subject,
            public_key=public_key,
            token_label=token_label,
            key_label=key_label,
            actor=actor,
        )


def _name_value(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def identity_register_pkcs12(*, user: Any, pkcs12_bytes: bytes, password: str, actor: Any) -> SigningIdentity:
    """Register the certificate of a PKCS#12 file the official will upload at each signature (backend
    `pkcs12`), typically one a PSrE issued. The file is opened in memory to check it can sign; only the
    certificate and its subject are kept, never the key or the password. Our CRL and OCSP do not cover
    such a certificate (`issuer` stays empty): its own CA answers for it.

    :raises signatures.signers.Pkcs12Error: wrong password or damaged file, no key or certificate, or a
        key that does not match; nothing is written.
    :raises signatures.signers.KeyHolderError: a CA or expired certificate, one not for signing, or an
        unsupported key.
    """
    from signatures.signers import load_pkcs12  # signers imports this package

    cert = load_pkcs12(pkcs12_bytes, password).cert
    emails: list[str] = []
    with contextlib.suppress(x509.ExtensionNotFound):
        emails = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.RFC822Name
        )
    subject = cert.subject
    with transaction.atomic():
        identity = SigningIdentity.objects.create(
            user=user,
            backend=SigningIdentity.Backend.PKCS12,
            certificate=cert.public_bytes(serialization.Encoding.DER),
            serial=_serial_hex(cert.serial_number),
            subject_name=(_name_value(subject, NameOID.COMMON_NAME) or subject.rfc4514_string())[:200],
            subject_serial=_name_value(subject, NameOID.SERIAL_NUMBER)[:64],
            subject_unit=_name_value(subject, NameOID.ORGANIZATIONAL_UNIT_NAME)[:200],
            subject_organisation=_name_value(subject, NameOID.ORGANIZATION_NAME)[:200],
            subject_email=(emails[0] if emails else _name_value(subject, NameOID.EMAIL_ADDRESS))[:254],
            issuer_name=cert.issuer.rfc4514_string()[:400],
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
        )
        audit_record(
            action="signatures.identity.registered",
            actor=actor,
            subject=identity,
            payload={
                "user_id": user.pk,
                "backend": identity.backend,
                "serial": identity.serial,
                "subject": subject.rfc4514_string(),
                "issuer": identity.issuer_name,
                "sha256": _fingerprint(cert),
            },
        )
    return identity


def identity_change_passphrase(*, identity: SigningIdentity, old: str, new: str, actor: Any) -> SigningIdentity:
    """Re-encrypt an embedded identity's private key under a new passphrase (the key and certificate
    stay the same).

    :raises IdentityNotEmbedded: the identity's key is not held by Pakta.
    :raises IdentityNotActive: the identity was revoked.
    :raises signatures.keystore.PassphraseTooShort: the new passphrase is shorter than the policy.
    :raises signatures.keystore.PassphraseTooLong: the new passphrase is longer than the policy.
    :raises PassphraseUnchanged: the new passphrase equals the old one.
    :raises signatures.keystore.WrongPassphrase: `old` does not open the key; nothing is written.
    """
    if identity.backend != SigningIdentity.Backend.EMBEDDED:
        raise IdentityNotEmbedded(IDENTITY_NOT_EMBEDDED)
    if identity.status != SigningIdentity.Status.ACTIVE:
        raise IdentityNotActive(IDENTITY_NOT_ACTIVE)
    keystore.check_passphrase_policy(new)
    if old == new:
        raise PassphraseUnchanged(OLD_AND_NEW_PASSPHRASE_EQUAL)
    blob = bytes(identity.encrypted_key)
    key_der = keystore.decrypt_with_passphrase(blob, old)
    encrypted = keystore.encrypt_with_passphrase(key_der, new)
    with transaction.atomic():
        locked = SigningIdentity.objects.select_for_update().get(pk=identity.pk)
        if locked.status != SigningIdentity.Status.ACTIVE:
            raise IdentityNotActive(IDENTITY_NOT_ACTIVE)
        if bytes(locked.encrypted_key) != blob:  # changed meanwhile: the old passphrase may no longer fit
            keystore.decrypt_with_passphrase(bytes(locked.encrypted_key), old)
        locked.encrypted_key = encrypted
        locked.save(update_fields=["encrypted_key"])
        audit_record(
            action="signatures.identity.passphrase_changed",
            actor=actor,
            subject=locked,
            payload={"serial": locked.serial},
        )
    identity.encrypted_key = encrypted
    return locked
