"""The embedded certificate authority of a default install, and officials' signing identities.

The hierarchy, all ECDSA P-256 with SHA-256 (measurements.md §3), keys encrypted at rest with the CA key
file (`signatures.keystore`):

    root CA (20 y, CRL: /ca/crl/root.crl)
     └─ issuing CA (10 y, CRL: /ca/crl/issuing.crl, OCSP: /ca/ocsp)
         ├─ timestamping (TSA) certificate, extendedKeyUsage timeStamping (critical)
         ├─ OCSP responder certificate, extendedKeyUsage OCSPSigning + id-pkix-ocsp-nocheck
         ├─ one office seal certificate per unit
         └─ officials' signing certificates (2 y)

The URLs in certificates come from `settings.PAKTA_BASE_URL` at issuance; certificates already issued
keep the URLs they were issued with.

**Legal status.** Signatures made with these certificates are *tidak tersertifikasi* (PP 71/2019 Pasal 60
(2)–(4), DOMAIN.md §4.1): no Indonesian PSrE vouches for them, so they are legally recognised but must be
proven. Every end-entity certificate says so in a certificate policy notice. They meet Pasal 59(3) by
keeping each signing key under the signer's sole control (encrypted under a passphrase only the official
knows, asked at every signature, or inside a token) and by detecting any change after signing. Certified
signatures need a PSrE (BSrE) behind a remote key holder (`signatures.signers`).

Every write is audited in its own transaction (STYLE.md); audit payloads never contain a passphrase,
a PIN or key material.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError, ConflictError
from audit.services import audit_record
from signatures import keystore
from signatures.models import CaKey, Revocation, RevocationReason, SigningIdentity

CA_NOT_INITIALIZED = _("CA Pakta belum disiapkan: jalankan `python manage.py ca_init`.")
CA_ALREADY_INITIALIZED = _("CA Pakta sudah disiapkan.")
IDENTITY_ALREADY_ACTIVE = _("Akun ini sudah memiliki identitas penandatangan aktif. Cabut dulu yang lama.")
IDENTITY_NOT_ACTIVE = _("Identitas penandatangan ini sudah dicabut.")
IDENTITY_NOT_EMBEDDED = _("Passphrase hanya ada pada identitas yang kuncinya disimpan Pakta.")
SUBJECT_FIELD_REQUIRED = _("%(field)s wajib diisi.")
SUBJECT_FIELD_TOO_LONG = _("%(field)s terlalu panjang: paling banyak %(maximum)s karakter.")
SUBJECT_FIELD_INVALID = _("%(field)s berisi karakter yang tidak diperbolehkan.")
PUBLIC_KEY_INVALID = _("Kunci publik tidak dapat dibaca atau bukan kunci EC P-256/RSA ≥ 2048 bit.")
REASON_INVALID = _("Alasan pencabutan %(reason)s tidak dikenal.")
SEAL_CODE_REPEATED = _("Kode unit untuk segel dipakai lebih dari sekali.")
OLD_AND_NEW_PASSPHRASE_EQUAL = _("Passphrase baru harus berbeda dari yang lama.")

ROOT_VALIDITY = datetime.timedelta(days=365 * 20 + 5)
ISSUING_VALIDITY = datetime.timedelta(days=365 * 10 + 2)
SERVICE_VALIDITY = ISSUING_VALIDITY  # TSA and OCSP responder: clamped to the issuing CA's lifetime
SEAL_VALIDITY = datetime.timedelta(days=365 * 3 + 1)
IDENTITY_VALIDITY = datetime.timedelta(days=365 * 2)
BACKDATE = datetime.timedelta(minutes=5)  # tolerate relying parties whose clocks run a little behind
CRL_VALIDITY = datetime.timedelta(days=7)
CRL_REISSUE_AFTER = datetime.timedelta(hours=12)
OCSP_VALIDITY = datetime.timedelta(days=1)

# Extended key usages for document signing: RFC 9336 id-kp-documentSigning, and Microsoft's
# "Document Signing" that Adobe Reader accepts.
EKU_DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
EKU_DOCUMENT_SIGNING_MS = x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")
# Pakta's own object identifiers, in the UUID arc (ITU-T X.667), which needs no registration.
POLICY_UNCERTIFIED_SIGNATURE = x509.ObjectIdentifier("2.25.300139606546342495515925077380511480563")
POLICY_TIMESTAMPING = "2.25.156111328464617551500825743650233292059"
POLICY_NOTICE = (
    "Tanda tangan elektronik tidak tersertifikasi (PP 71/2019 Pasal 60), CA internal Pakta; bukan sertifikat PSrE."
)

_CN_MAX = 64  # RFC 5280 ub-common-name
_NAME_FIELD_MAX = 200
_SERIAL_FIELD_MAX = 64


class CaNotInitialized(ApplicationError):
    """The embedded CA has not been created yet (`manage.py ca_init`)."""

    status_code = 409


class CaAlreadyInitialized(ConflictError):
    """`ca_initialize` was called while a CA exists."""


class IdentityAlreadyActive(ConflictError):
    """The user already has an active embedded signing identity."""


class IdentityNotActive(ConflictError):
    """The signing identity was revoked; it cannot be used or changed."""


class IdentityNotEmbedded(ConflictError):
    """The operation needs an identity whose key Pakta holds (backend `embedded`)."""


class InvalidSubject(ApplicationError):
    """A name, NIP, unit or organisation for a certificate is empty, too long or has control characters."""


class InvalidPublicKey(ApplicationError):
    """A public key handed in for certification is unreadable or of an unsupported type or size."""


class PassphraseUnchanged(ApplicationError):
    """The new passphrase equals the old one."""


class InvalidRevocationReason(ApplicationError):
    """A revocation reason outside `RevocationReason`."""


# --------------------------------------------------------------------------------------------------------
# Reading the CA
# --------------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------------
# Building certificates
# --------------------------------------------------------------------------------------------------------


def _url(path: str) -> str:
    return settings.PAKTA_BASE_URL.rstrip("/") + path


def _serial_hex(serial: int) -> str:
    return format(serial, "x")


def _ski(cert: x509.Certificate) -> x509.SubjectKeyIdentifier:
    return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value


def _ca_name(organisation: str, kind: str) -> x509.Name:
    """ "Pakta Root CA - <organisation>": the kind comes first, so cutting to 64 characters never makes
    two of the CA's names equal."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{kind} - {organisation}"[:_CN_MAX]),
        ]
    )


def _key_usage(*, sign: bool = False, non_repudiation: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _build(
    *,
    subject: x509.Name,
    public_key: Any,
    issuer: _LoadedCaKey | None,
    self_key: ec.EllipticCurvePrivateKey | None = None,
    validity: datetime.timedelta,
    now: datetime.datetime,
    extensions: Iterable[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    """Sign a certificate; `issuer=None` makes it self-signed with `self_key`. The end is clamped to the
    issuer's, so no certificate outlives the CA that vouches for it."""
    not_after = now + validity
    if issuer is not None:
        not_after = min(not_after, issuer.cert.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(issuer.cert)), critical=False
        )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    signing_key = issuer.key if issuer is not None else self_key
    assert signing_key is not None
    return builder.sign(signing_key, hashes.SHA256())


def _revocation_pointers(issuer_role: str, *, ocsp_url: bool) -> list[tuple[x509.ExtensionType, bool]]:
    """CRL distribution point and authority information access for a certificate issued by `issuer_role`."""
    access = [
        x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(_url(f"/ca/{issuer_role}.crt"))
        )
    ]
    if ocsp_url:
        access.insert(
            0,
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(_url("/ca/ocsp"))
            ),
        )
    point = x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(_url(f"/ca/crl/{issuer_role}.crl"))],
        relative_name=None,
        reasons=None,
        crl_issuer=None,
    )
    return [(x509.AuthorityInformationAccess(access), False), (x509.CRLDistributionPoints([point]), False)]


def _end_entity_extensions(*, email: str = "") -> list[tuple[x509.ExtensionType, bool]]:
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(sign=True, non_repudiation=True), True),
        (
            x509.ExtendedKeyUsage(
                [EKU_DOCUMENT_SIGNING, EKU_DOCUMENT_SIGNING_MS, ExtendedKeyUsageOID.EMAIL_PROTECTION]
            ),
            False,
        ),
        (
            x509.CertificatePolicies(
                [
                    x509.PolicyInformation(
                        POLICY_UNCERTIFIED_SIGNATURE,
                        [x509.UserNotice(notice_reference=None, explicit_text=POLICY_NOTICE)],
                    )
                ]
            ),
            False,
        ),
        *_revocation_pointers(CaKey.Role.ISSUING, ocsp_url=True),
    ]
    if email:
        extensions.append((x509.SubjectAlternativeName([x509.RFC822Name(email)]), False))
    return extensions


def _clean(value: str, field: str, maximum: int, *, required: bool = True) -> str:
    value = " ".join(value.split())
    if not value:
        if required:
            raise InvalidSubject(SUBJECT_FIELD_REQUIRED % {"field": field})
        return ""
    if len(value) > maximum:
        raise InvalidSubject(SUBJECT_FIELD_TOO_LONG % {"field": field, "maximum": maximum})
    if not value.isprintable():
        raise InvalidSubject(SUBJECT_FIELD_INVALID % {"field": field})
    return value


@dataclass(frozen=True)
class _Subject:
    name: str
    nip: str
    unit: str
    organisation: str
    email: str

    @classmethod
    def clean(cls, *, name: str, nip: str, unit_name: str, organisation: str, email: str = "") -> _Subject:
        return cls(
            name=_clean(name, "Nama", _CN_MAX),
            nip=_clean(nip, "NIP", _SERIAL_FIELD_MAX),
            unit=_clean(unit_name, "Unit", _NAME_FIELD_MAX),
            organisation=_clean(organisation, "Organisasi", _NAME_FIELD_MAX),
            email=_clean(email, "E-mail", 254, required=False),
        )

    def x509_name(self) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organisation),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, self.unit),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, self.nip),
                x509.NameAttribute(NameOID.COMMON_NAME, self.name),
            ]
        )


def _pkcs8(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _new_ca_row(*, role: str, label: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> CaKey:
    return CaKey.objects.create(
        role=role,
        label=label,
        certificate=cert.public_bytes(serialization.Encoding.DER),
        encrypted_key=keystore.encrypt_with_ca_key(_pkcs8(key), context=_context(role, label)),
        serial=_serial_hex(cert.serial_number),
        subject=cert.subject.rfc4514_string()[:400],
        not_after=cert.not_valid_after_utc,
    )


def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


# --------------------------------------------------------------------------------------------------------
# Writes: the CA
# --------------------------------------------------------------------------------------------------------


def ca_initialize(*, organisation: str, unit_seals: Sequence[tuple[str, str]] = (), actor: Any = None) -> CaKey:
    """Create the embedded CA: root (20 y), issuing CA (10 y), TSA and OCSP responder certificates, and an
    office seal certificate for each `(unit code, unit name)` in `unit_seals`.

    All private keys are ECDSA P-256, encrypted with the CA key file before they touch the database.
    The CA key file must exist (`ca_init` creates it on a new install).

    :returns: the root key row.
    :raises CaAlreadyInitialized: a CA exists; nothing is written.
    :raises InvalidSubject: the organisation name or a unit name is empty or too long, or a unit code repeats.
    :raises signatures.keystore.KeystoreError: the CA key file is missing or invalid.
    """
    organisation = _clean(organisation, "Organisasi", _NAME_FIELD_MAX)
    seals = [(_clean(code, "Kode unit", 40), _clean(name, "Nama unit", _NAME_FIELD_MAX)) for code, name in unit_seals]
    codes = [code for code, _name in seals]
    if len(set(codes)) != len(codes):
        raise InvalidSubject(SEAL_CODE_REPEATED)
    now = timezone.now()
    with transaction.atomic():
        if CaKey.objects.select_for_update().filter(role=CaKey.Role.ROOT, retired_at__isnull=True).exists():
            raise CaAlreadyInitialized(CA_ALREADY_INITIALIZED)
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_cert = _build(
            subject=_ca_name(organisation, "Pakta Root CA"),
            public_key=root_key.public_key(),
            issuer=None,
            self_key=root_key,
            validity=ROOT_VALIDITY,
            now=now,
            extensions=[(x509.BasicConstraints(ca=True, path_length=1), True), (_key_usage(ca=True), True)],
        )
        root_row = _new_ca_row(role=CaKey.Role.ROOT, label="", cert=root_cert, key=root_key)
        root = _LoadedCaKey(row=root_row, cert=root_cert, key=root_key)

        issuing_key = ec.generate_private_key(ec.SECP256R1())
        issuing_cert = _build(
            subject=_ca_name(organisation, "Pakta CA"),
            public_key=issuing_key.public_key(),
            issuer=root,
            validity=ISSUING_VALIDITY,
            now=now,
            extensions=[
                (x509.BasicConstraints(ca=True, path_length=0), True),
                (_key_usage(ca=True), True),
                *_revocation_pointers(CaKey.Role.ROOT, ocsp_url=False),
            ],
        )
        issuing_row = _new_ca_row(role=CaKey.Role.ISSUING, label="", cert=issuing_cert, key=issuing_key)
        issuing = _LoadedCaKey(row=issuing_row, cert=issuing_cert, key=issuing_key)

        tsa_key = ec.generate_private_key(ec.SECP256R1())
        tsa_cert = _build(
            subject=_ca_name(organisation, "Pakta TSA"),
            public_key=tsa_key.public_key(),
            issuer=issuing,
            validity=SERVICE_VALIDITY,
            now=now,
            extensions=[
                (x509.BasicConstraints(ca=False, path_length=None), True),
                (_key_usage(sign=True, non_repudiation=True), True),
                (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
                *_revocation_pointers(CaKey.Role.ISSUING, ocsp_url=True),
            ],
        )
        _new_ca_row(role=CaKey.Role.TSA, label="", cert=tsa_cert, key=tsa_key)

        ocsp_key = ec.generate_private_key(ec.SECP256R1())
        ocsp_cert = _build(
            subject=_ca_name(organisation, "Pakta OCSP"),
            public_key=ocsp_key.public_key(),
            issuer=issuing,
            validity=SERVICE_VALIDITY,
            now=now,
            extensions=[
                (x509.BasicConstraints(ca=False, path_length=None), True),
                (_key_usage(sign=True), True),
                (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), False),
                (x509.OCSPNoCheck(), False),
            ],
        )
        _new_ca_row(role=CaKey.Role.OCSP, label="", cert=ocsp_cert, key=ocsp_key)

        for code, name in seals:
            _issue_seal(issuing=issuing, unit_code=code, unit_name=name, organisation=organisation, now=now)
        audit_record(
            action="signatures.ca.initialized",
            actor=actor,
            subject=root_row,
            payload={
                "organisation": organisation,
                "root_sha256": _fingerprint(root_cert),
                "issuing_sha256": _fingerprint(issuing_cert),
                "tsa_serial": _serial_hex(tsa_cert.serial_number),
                "ocsp_serial": _serial_hex(ocsp_cert.serial_number),
                "seals": [code for code, _name in seals],
                "base_url": settings.PAKTA_BASE_URL,
            },
        )
    return root_row


def _issue_seal(
    *, issuing: _LoadedCaKey, unit_code: str, unit_name: str, organisation: str, now: datetime.datetime
) -> CaKey:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit_name),
            x509.NameAttribute(NameOID.COMMON_NAME, unit_name[:_CN_MAX]),
        ]
    )
    cert = _build(
        subject=subject,
        public_key=key.public_key(),
        issuer=issuing,
        validity=SEAL_VALIDITY,
        now=now,
        extensions=_end_entity_extensions(),
    )
    return _new_ca_row(role=CaKey.Role.SEAL, label=unit_code, cert=cert, key=key)


def ca_issue_seal(*, unit_code: str, unit_name: str, organisation: str, actor: Any = None) -> CaKey:
    """Issue (or renew) the office seal certificate of one unit; a current seal of the same unit is
    retired, not revoked: seals made with it stay valid until it expires.

    :raises CaNotInitialized: the CA has not been initialised.
    :raises InvalidSubject: the unit code, unit name or organisation is empty or too long.
    """
    unit_code = _clean(unit_code, "Kode unit", 40)
    unit_name = _clean(unit_name, "Nama unit", _NAME_FIELD_MAX)
    organisation = _clean(organisation, "Organisasi", _NAME_FIELD_MAX)
    now = timezone.now()
    with transaction.atomic():
        issuing = _load(_current(CaKey.Role.ISSUING))
        previous = list(
            CaKey.objects.select_for_update().filter(role=CaKey.Role.SEAL, label=unit_code, retired_at__isnull=True)
        )
        for row in previous:
            row.retired_at = now
            row.save(update_fields=["retired_at"])
        seal = _issue_seal(
            issuing=issuing, unit_code=unit_code, unit_name=unit_name, organisation=organisation, now=now
        )
        audit_record(
            action="signatures.seal.issued",
            actor=actor,
            subject=seal,
            payload={"unit_code": unit_code, "serial": seal.serial, "replaced": [row.serial for row in previous]},
        )
    return seal


# --------------------------------------------------------------------------------------------------------
# Writes: signing identities
# --------------------------------------------------------------------------------------------------------


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
    from signatures.signers import load_pkcs12  # signers imports this module

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


def _end_sessions(user: Any) -> int:
    """Delete the user's database sessions (the default session engine): they are logged out at once."""
    user_id = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def identity_revoke(*, identity: SigningIdentity, reason: str, actor: Any) -> SigningIdentity:
    """Revoke a signing identity: it can no longer sign, our CRL lists its certificate and OCSP answers
    `revoked` (certificates of other CAs are only marked here), and the user's sessions end at once.

    :raises InvalidRevocationReason: `reason` is not a `RevocationReason`.
    :raises IdentityNotActive: the identity was already revoked; nothing is written.
    """
    if reason not in RevocationReason.values:
        raise InvalidRevocationReason(REASON_INVALID % {"reason": repr(reason)})
    with transaction.atomic():
        locked = SigningIdentity.objects.select_for_update().get(pk=identity.pk)
        if SigningIdentity.Status.REVOKED not in SigningIdentity.ALLOWED_TRANSITIONS[locked.status]:
            raise IdentityNotActive(IDENTITY_NOT_ACTIVE)
        now = timezone.now()
        locked.status = SigningIdentity.Status.REVOKED
        locked.revoked_at = now
        locked.revocation_reason = reason
        locked.save(update_fields=["status", "revoked_at", "revocation_reason"])
        if locked.issuer_id is not None:
            Revocation.objects.create(
                issuer_id=locked.issuer_id, serial=locked.serial, revoked_at=now, reason=reason, identity=locked
            )
        ended = _end_sessions(locked.user)
        audit_record(
            action="signatures.identity.revoked",
            actor=actor,
            subject=locked,
            payload={"serial": locked.serial, "reason": reason, "user_id": locked.user_id, "sessions_ended": ended},
        )
    identity.status, identity.revoked_at, identity.revocation_reason = locked.status, now, reason
    return locked


def identities_revoke_for_user(*, user: Any, reason: str, actor: Any) -> int:
    """Revoke every active signing identity of a user who left the organisation or was disabled, and end
    their sessions even when they had none (signatures issue §1).

    :returns: the number of identities revoked.
    :raises InvalidRevocationReason: `reason` is not a `RevocationReason`.
    """
    if reason not in RevocationReason.values:
        raise InvalidRevocationReason(REASON_INVALID % {"reason": repr(reason)})
    with transaction.atomic():
        identities = list(SigningIdentity.objects.select_for_update().filter(user=user, status="active"))
        for identity in identities:
            identity_revoke(identity=identity, reason=reason, actor=actor)
        if not identities:
            _end_sessions(user)
    return len(identities)


# --------------------------------------------------------------------------------------------------------
# Revocation status: CRL and OCSP
# --------------------------------------------------------------------------------------------------------

_crl_lock = threading.Lock()
_crl_cache: dict[tuple[str, int, int], tuple[bytes, datetime.datetime]] = {}


def crl_der(issuer_role: str = CaKey.Role.ISSUING) -> bytes:
    """The current CRL of the root or issuing CA (DER), listing every certificate it revoked, valid for
    7 days. It is re-signed when a revocation is added and at least every 12 hours (one per process).

    :raises CaNotInitialized: the CA has not been initialised.
    :raises ValueError: `issuer_role` is neither `root` nor `issuing`.
    """
    if issuer_role not in (CaKey.Role.ROOT, CaKey.Role.ISSUING):
        raise ValueError(f"no CRL for {issuer_role!r}")
    issuer = _load(_current(issuer_role))
    revocations = list(Revocation.objects.filter(issuer=issuer.row).order_by("pk"))
    cache_key = (_fingerprint(issuer.cert), len(revocations), revocations[-1].pk if revocations else 0)
    now = timezone.now()
    with _crl_lock:
        cached = _crl_cache.get(cache_key)
    if cached is not None and now - cached[1] < CRL_REISSUE_AFTER:
        return cached[0]
    this_update = now.replace(microsecond=0)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(this_update)
        .next_update(this_update + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(int(this_update.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(issuer.cert)), critical=False
        )
    )
    for revocation in revocations:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(int(revocation.serial, 16))
            .revocation_date(revocation.revoked_at)
        )
        if revocation.reason != RevocationReason.UNSPECIFIED:  # RFC 5280 §5.3.1: omit rather than "unspecified"
            entry = entry.add_extension(x509.CRLReason(x509.ReasonFlags[revocation.reason]), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    der = builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    with _crl_lock:
        if len(_crl_cache) > 64:
            _crl_cache.clear()
        _crl_cache[cache_key] = (der, now)
    return der


def _issuer_hashes(cert: x509.Certificate, algorithm: hashes.HashAlgorithm) -> tuple[bytes, bytes]:
    """OCSP CertID hashes of an issuer: of its subject name (DER) and of its public key bit string."""
    name = hashes.Hash(algorithm)
    name.update(cert.subject.public_bytes())
    key = hashes.Hash(algorithm)
    key.update(
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)).public_key["public_key"].contents[1:]
    )
    return name.finalize(), key.finalize()


def _status_of(
    issuer: CaKey, serial: int
) -> tuple[ocsp.OCSPCertStatus, datetime.datetime | None, x509.ReasonFlags | None]:
    serial_hex = _serial_hex(serial)
    revocation = Revocation.objects.filter(issuer=issuer, serial=serial_hex).first()
    if revocation is not None:
        reason = None if revocation.reason == RevocationReason.UNSPECIFIED else x509.ReasonFlags[revocation.reason]
        return ocsp.OCSPCertStatus.REVOKED, revocation.revoked_at, reason
    issued = (
        SigningIdentity.objects.filter(issuer=issuer, serial=serial_hex).exists()
        or CaKey.objects.filter(serial=serial_hex, role__in=[CaKey.Role.TSA, CaKey.Role.OCSP, CaKey.Role.SEAL]).exists()
    )
    return (ocsp.OCSPCertStatus.GOOD if issued else ocsp.OCSPCertStatus.UNKNOWN), None, None


def _ocsp_response(
    *,
    issuer_name_hash: bytes,
    issuer_key_hash: bytes,
    algorithm: hashes.HashAlgorithm,
    serial: int,
    nonce: bytes | None,
) -> ocsp.OCSPResponse:
    issuing = _load(_current(CaKey.Role.ISSUING))
    if (issuer_name_hash, issuer_key_hash) != _issuer_hashes(issuing.cert, algorithm):
        # Not a certificate of our issuing CA: we are not authoritative for it (RFC 6960 §2.3).
        return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    responder = _load(_current(CaKey.Role.OCSP))
    status, revoked_at, reason = _status_of(issuing.row, serial)
    now = timezone.now().replace(microsecond=0)
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            issuer_name_hash=issuer_name_hash,
            issuer_key_hash=issuer_key_hash,
            serial_number=serial,
            algorithm=algorithm,
            cert_status=status,
            this_update=now,
            next_update=now + OCSP_VALIDITY,
            revocation_time=revoked_at,
            revocation_reason=reason,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, responder.cert)
        .certificates([responder.cert])
    )
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.sign(responder.key, hashes.SHA256())


def ocsp_response_der(request_der: bytes) -> bytes:
    """Answer an OCSP request (RFC 6960, one certificate per request) for a certificate of the issuing CA:
    `good`, `revoked` (with time and reason) or `unknown`, signed by the OCSP responder certificate, with
    the request's nonce echoed. A malformed request gets `malformedRequest`; a certificate of another
    issuer `unauthorized`.

    :raises CaNotInitialized: the CA has not been initialised.
    """
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        nonce: bytes | None
        try:
            nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
        except x509.ExtensionNotFound:
            nonce = None
        fields = (request.issuer_name_hash, request.issuer_key_hash, request.hash_algorithm, request.serial_number)
    except (ValueError, TypeError, x509.UnsupportedGeneralNameType):
        return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(
            serialization.Encoding.DER
        )
    name_hash, key_hash, algorithm, serial = fields
    response = _ocsp_response(
        issuer_name_hash=name_hash, issuer_key_hash=key_hash, algorithm=algorithm, serial=serial, nonce=nonce
    )
    return response.public_bytes(serialization.Encoding.DER)


def _as_cryptography(cert: asn1_x509.Certificate | x509.Certificate | bytes) -> x509.Certificate:
    if isinstance(cert, x509.Certificate):
        return cert
    if isinstance(cert, asn1_x509.Certificate):
        return x509.load_der_x509_certificate(cert.dump())
    return x509.load_der_x509_certificate(bytes(cert))


def revocation_material_for(
    cert: asn1_x509.Certificate | x509.Certificate | bytes,
) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse]]:
    """CRLs and OCSP responses to hand to a pyHanko/certvalidator `ValidationContext(crls=..., ocsps=...)`
    for a certificate of our CA, made in-process (no HTTP to ourselves: 7x faster, measurements.md §4).

    For a certificate issued by our issuing CA: the issuing and root CRLs and a fresh OCSP response.
    For the issuing CA's own certificate: the root CRL. For any other certificate: nothing.

    :raises CaNotInitialized: the CA has not been initialised.
    """
    target = _as_cryptography(cert)
    issuing = _load(_current(CaKey.Role.ISSUING))
    root = _load(_current(CaKey.Role.ROOT))
    root_crl = asn1_crl.CertificateList.load(crl_der(CaKey.Role.ROOT))
    if target.issuer == root.cert.subject and target.subject != root.cert.subject:
        return [root_crl], []
    if target.issuer != issuing.cert.subject:
        return [], []
    crls = [asn1_crl.CertificateList.load(crl_der(CaKey.Role.ISSUING)), root_crl]
    try:
        target.extensions.get_extension_for_class(x509.OCSPNoCheck)
        return crls, []
    except x509.ExtensionNotFound:
        pass
    name_hash, key_hash = _issuer_hashes(issuing.cert, hashes.SHA256())
    response = _ocsp_response(
        issuer_name_hash=name_hash,
        issuer_key_hash=key_hash,
        algorithm=hashes.SHA256(),
        serial=target.serial_number,
        nonce=None,
    )
    return crls, [asn1_ocsp.OCSPResponse.load(response.public_bytes(serialization.Encoding.DER))]


def ocsp_responses_for_serials(serials: Iterable[int]) -> dict[int, asn1_ocsp.OCSPResponse]:
    """Fresh OCSP responses for certificates of the issuing CA, one per distinct serial number (SHA-256
    CertIDs, no nonce, signed by the OCSP responder), as `revocation_material_for` makes them one at a
    time: the statuses are read in three queries for all serials together (sealing,
    `signatures.revocation`). A serial the issuing CA never issued gets `unknown`, as in `ocsp_response_der`.

    :raises CaNotInitialized: the CA has not been initialised.
    """
    wanted = {serial: _serial_hex(serial) for serial in sorted(set(serials))}
    if not wanted:
        return {}
    issuing = _load(_current(CaKey.Role.ISSUING))
    responder = _load(_current(CaKey.Role.OCSP))
    revoked: dict[str, Revocation] = {}
    for revocation in Revocation.objects.filter(issuer=issuing.row, serial__in=wanted.values()).order_by("pk"):
        revoked.setdefault(revocation.serial, revocation)
    issued = set(
        SigningIdentity.objects.filter(issuer=issuing.row, serial__in=wanted.values()).values_list("serial", flat=True)
    ) | set(
        CaKey.objects.filter(
            serial__in=wanted.values(), role__in=[CaKey.Role.TSA, CaKey.Role.OCSP, CaKey.Role.SEAL]
        ).values_list("serial", flat=True)
    )
    algorithm = hashes.SHA256()
    name_hash, key_hash = _issuer_hashes(issuing.cert, algorithm)
    now = timezone.now().replace(microsecond=0)
    responses: dict[int, asn1_ocsp.OCSPResponse] = {}
    for serial, serial_hex in wanted.items():
        entry = revoked.get(serial_hex)
        reason: x509.ReasonFlags | None = None
        revoked_at: datetime.datetime | None = None
        if entry is not None:
            status = ocsp.OCSPCertStatus.REVOKED
            revoked_at = entry.revoked_at
            if entry.reason != RevocationReason.UNSPECIFIED:
                reason = x509.ReasonFlags[entry.reason]
        else:
            status = ocsp.OCSPCertStatus.GOOD if serial_hex in issued else ocsp.OCSPCertStatus.UNKNOWN
        response = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                issuer_name_hash=name_hash,
                issuer_key_hash=key_hash,
                serial_number=serial,
                algorithm=algorithm,
                cert_status=status,
                this_update=now,
                next_update=now + OCSP_VALIDITY,
                revocation_time=revoked_at,
                revocation_reason=reason,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, responder.cert)
            .certificates([responder.cert])
            .sign(responder.key, hashes.SHA256())
        )
        responses[serial] = asn1_ocsp.OCSPResponse.load(response.public_bytes(serialization.Encoding.DER))
    return responses
