"""The names certificates carry: what administrators and officials type, cleaned and bounded before it
goes into a certificate (RFC 5280 upper bounds) or a database column."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID

from signatures.ca.errors import (
    SUBJECT_FIELD_INVALID,
    SUBJECT_FIELD_REQUIRED,
    SUBJECT_FIELD_TOO_LONG,
    InvalidSubject,
)

_CN_MAX = 64  # RFC 5280 ub-common-name
_NAME_FIELD_MAX = 200
_SERIAL_FIELD_MAX = 64


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
