"""Creating the embedded CA once per install: root, issuing CA, TSA and OCSP responder, and the first
office seals (`manage.py ca_init`, the demo seed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from signatures.ca.certificates import (
    ISSUING_VALIDITY,
    ROOT_VALIDITY,
    SERVICE_VALIDITY,
    _build,
    _ca_name,
    _fingerprint,
    _key_usage,
    _new_ca_row,
    _revocation_pointers,
    _serial_hex,
)
from signatures.ca.errors import CA_ALREADY_INITIALIZED, SEAL_CODE_REPEATED, CaAlreadyInitialized, InvalidSubject
from signatures.ca.keys import _LoadedCaKey
from signatures.ca.seals import _issue_seal
from signatures.ca.subjects import _NAME_FIELD_MAX, _clean
from signatures.models import CaKey


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
