"""Officials leaving or being disabled, and what their signing certificate says about them.

    official_deactivate            the official leaves the organisation or is disabled: their login is
                                   disabled, their signing certificates revoked (CRL, OCSP) and their
                                   sessions ended at once (signatures issue §1)
    official_certificate_subject   the name, NIP, unit and organisation a signing certificate carries

Deactivation does not end assignments or satker headships: those follow the decrees
(`integrity.services.org`, DOMAIN.md §6). It acts on the person's access, not on the organisation's
history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError, ConflictError
from audit.services import audit_record
from integrity.models import Assignment, Official, SpendingUnitHead
from integrity.workdays import today_jakarta
from signatures import ca
from signatures.models import RevocationReason

REASON_REQUIRED = _("Alasan penonaktifan wajib diisi.")
REASON_TOO_LONG = _("Alasan penonaktifan terlalu panjang: paling banyak %(maximum)s karakter.")
OFFICIAL_ALREADY_INACTIVE = _("%(name)s sudah nonaktif.")
CRL_REASON_INVALID = _("Alasan pencabutan sertifikat %(reason)s tidak dikenal (pilihan: %(choices)s).")

REASON_MAX_LENGTH = 300
# The CRL reasons that fit someone leaving (affiliation changed) or being disabled (privilege withdrawn).
DEACTIVATION_CRL_REASONS = (
    RevocationReason.AFFILIATION_CHANGED,
    RevocationReason.PRIVILEGE_WITHDRAWN,
    RevocationReason.CESSATION_OF_OPERATION,
    RevocationReason.KEY_COMPROMISE,
)


class DeactivationRefused(ApplicationError):
    """The reason is missing or too long, or the CRL reason is not one for a departure."""


class OfficialAlreadyInactive(ConflictError):
    """The official was deactivated before; nothing was written."""


@dataclass(frozen=True)
class CertificateSubject:
    """What a signing certificate names (`signatures.ca.identity_enrol`)."""

    name: str
    nip: str
    unit_name: str
    organisation: str
    email: str


def official_certificate_subject(
    official: Official, *, email: str = "", day: datetime.date | None = None
) -> CertificateSubject:
    """The subject of an official's signing certificate: name with titles, NIP, and where they work.

    An official holding a position here: OU = the position's unit, O = `PAKTA_INSTITUTION_NAME`. A satker
    head of another ministry (no position here, DOMAIN.md §5.4): OU = "Satker <code>", O = the satker's
    name, from the current or upcoming headship. Neither: OU = O = `PAKTA_INSTITUTION_NAME`.
    """
    day = day or today_jakarta()
    email = email or official.email
    assignment = (
        Assignment.objects.active_on(day)
        .filter(official=official)
        .select_related("position__unit")
        .order_by("acting", "effective_date", "pk")
        .first()
    )
    if assignment is not None:
        unit = assignment.position.unit.name
        return CertificateSubject(official.full_name, official.nip, unit, settings.PAKTA_INSTITUTION_NAME, email)
    headship = (
        SpendingUnitHead.objects.filter(official=official)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("spending_unit")
        .order_by("effective_date", "pk")
        .first()
    )
    if headship is not None:
        satker = headship.spending_unit
        return CertificateSubject(official.full_name, official.nip, f"Satker {satker.code}", satker.name, email)
    institution = settings.PAKTA_INSTITUTION_NAME
    return CertificateSubject(official.full_name, official.nip, institution, institution, email)


def official_identity_enrol(*, user: Any, passphrase: str, subject: CertificateSubject, actor: Any) -> Any:
    """Enrol `user` with a key Pakta keeps under `passphrase`, the certificate naming `subject`
    (`signatures.ca.identity_enrol`, which raises what it says). Audit: `signatures.identity.enrolled`."""
    return ca.identity_enrol(
        user=user,
        passphrase=passphrase,
        name=subject.name,
        nip=subject.nip,
        unit_name=subject.unit_name,
        organisation=subject.organisation,
        email=subject.email,
        actor=actor,
    )


def official_deactivate(
    *,
    official: Official,
    reason: str,
    actor: Any,
    crl_reason: str = RevocationReason.AFFILIATION_CHANGED,
) -> Official:
    """Deactivate an official who left the organisation or was disabled (signatures issue §1: "an official
    who leaves the organisation or is disabled has the certificate revoked and sessions ended at once").

    In one transaction: the official becomes inactive, their login (if any) is disabled, every active
    signing identity is revoked with `crl_reason` (our CRL lists it, OCSP answers `revoked`), every session
    of the login is deleted, and an open invitation is revoked. Audit: `integrity.official.deactivated`
    (with `signatures.identity.revoked` per certificate, `integrity.invitation.revoked` per invitation).
    Signatures made before stay valid: they were made while the certificate was good.

    :raises DeactivationRefused: `reason` is empty or too long, or `crl_reason` is not one for a departure.
    :raises OfficialAlreadyInactive: the official is inactive already; nothing is written.
    """
    from integrity.services.invitations import invitations_revoke_open  # invitations imports this module

    reason = (reason or "").strip()
    if not reason:
        raise DeactivationRefused(REASON_REQUIRED)
    if len(reason) > REASON_MAX_LENGTH:
        raise DeactivationRefused(REASON_TOO_LONG % {"maximum": REASON_MAX_LENGTH})
    if crl_reason not in DEACTIVATION_CRL_REASONS:
        choices = ", ".join(str(value) for value in DEACTIVATION_CRL_REASONS)
        raise DeactivationRefused(CRL_REASON_INVALID % {"reason": repr(crl_reason), "choices": choices})
    with transaction.atomic():
        locked = Official.objects.select_for_update(of=("self",)).select_related("user").get(pk=official.pk)
        if not locked.is_active:
            raise OfficialAlreadyInactive(OFFICIAL_ALREADY_INACTIVE % {"name": locked.full_name})
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        user = locked.user
        revoked = 0
        if user is not None:
            user.is_active = False
            user.save(update_fields=["is_active"])
            # Ends the sessions as well, also when the user had no identity.
            revoked = ca.identities_revoke_for_user(user=user, reason=crl_reason, actor=actor)
        invitations = invitations_revoke_open(official=locked, actor=actor)
        audit_record(
            action="integrity.official.deactivated",
            actor=actor,
            subject=locked,
            payload={
                "nip": locked.nip,
                "reason": reason,
                "crl_reason": crl_reason,
                "username": user.get_username() if user is not None else None,
                "identities_revoked": revoked,
                "invitations_revoked": invitations,
            },
        )
    official.is_active = False
    return locked
