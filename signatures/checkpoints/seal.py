"""The system seal that signs checkpoints: issued on first use, renewed before it expires, and recognised
by the CA's records or, offline, by its name."""

from __future__ import annotations

import contextlib
import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from signatures import ca
from signatures.models import CaKey
from signatures.signers import SealKeyHolder

SYSTEM_SEAL_CODE = "SYSTEM"
SYSTEM_SEAL_NAME = "Sistem Pakta"
SEAL_RENEW_BEFORE = datetime.timedelta(days=30)


def _organisation() -> str:
    names = ca.ca_certificate(CaKey.Role.ROOT).subject.native
    return str(names.get("organization_name") or settings.PAKTA_INSTITUTION_NAME)


def _system_seal() -> SealKeyHolder:
    """The system seal, issued on first use and renewed `SEAL_RENEW_BEFORE` its expiry."""
    try:
        cert, _key = ca.load_ca_key(CaKey.Role.SEAL, SYSTEM_SEAL_CODE)
        due = cert.not_valid_after_utc - timezone.now() < SEAL_RENEW_BEFORE
    except ca.CaNotInitialized:
        if not ca.ca_exists():
            raise
        due = True
    if due:
        # IntegrityError: another process issued it at the same moment; use theirs.
        with contextlib.suppress(IntegrityError):
            ca.ca_issue_seal(unit_code=SYSTEM_SEAL_CODE, unit_name=SYSTEM_SEAL_NAME, organisation=_organisation())
    return SealKeyHolder(SYSTEM_SEAL_CODE)


def _is_system_seal(cert: asn1_x509.Certificate) -> bool:
    der = cert.dump()
    rows = CaKey.objects.filter(role=CaKey.Role.SEAL, label=SYSTEM_SEAL_CODE).only("certificate")
    return any(bytes(row.certificate) == der for row in rows)


def _named_like_system_seal(cert: asn1_x509.Certificate) -> bool:
    """Offline, without the CA's records: a seal certificate names the unit in OU and CN and, unlike an
    official's, carries no serialNumber (NIP)."""
    name = x509.load_der_x509_certificate(cert.dump()).subject

    def values(oid: x509.ObjectIdentifier) -> list[str]:
        return [str(attr.value) for attr in name.get_attributes_for_oid(oid)]

    return (
        values(NameOID.COMMON_NAME) == [SYSTEM_SEAL_NAME]
        and values(NameOID.ORGANIZATIONAL_UNIT_NAME) == [SYSTEM_SEAL_NAME]
        and not values(NameOID.SERIAL_NUMBER)
    )


def _subject_text(cert: asn1_x509.Certificate) -> str:
    return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()
