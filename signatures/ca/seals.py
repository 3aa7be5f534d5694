"""Office seals: one certificate per unit, its key held by the CA, for documents sealed in the office's
name rather than signed by an official."""

from __future__ import annotations

import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from signatures.ca.certificates import SEAL_VALIDITY, _build, _end_entity_extensions, _new_ca_row
from signatures.ca.keys import _current, _load, _LoadedCaKey
from signatures.ca.subjects import _CN_MAX, _NAME_FIELD_MAX, _clean
from signatures.models import CaKey


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
