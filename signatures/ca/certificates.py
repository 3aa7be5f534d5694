"""Certificate profiles of the embedded CA and the one builder that signs them.

Lifetimes, extended key usages and the certificate policy of every certificate the CA issues; the
extensions they share (key usage, CRL and OCSP pointers, the end-entity profile); and saving a newly
issued CA certificate with its private key encrypted under the CA key file.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from django.conf import settings

from signatures import keystore
from signatures.ca.keys import _context, _LoadedCaKey, _pkcs8
from signatures.ca.subjects import _CN_MAX
from signatures.models import CaKey

ROOT_VALIDITY = datetime.timedelta(days=365 * 20 + 5)
ISSUING_VALIDITY = datetime.timedelta(days=365 * 10 + 2)
SERVICE_VALIDITY = ISSUING_VALIDITY  # TSA and OCSP responder: clamped to the issuing CA's lifetime
SEAL_VALIDITY = datetime.timedelta(days=365 * 3 + 1)
IDENTITY_VALIDITY = datetime.timedelta(days=365 * 2)
BACKDATE = datetime.timedelta(minutes=5)  # tolerate relying parties whose clocks run a little behind

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
