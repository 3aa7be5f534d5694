"""Sending an invitation, and sending an open one again with a new link."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from audit.services import audit_record
from integrity.models import Invitation, Official
from integrity.services.invitations.errors import (
    EMAIL_INVALID,
    INVITATION_OPEN_EXISTS,
    InvitationAlreadyOpen,
    InvitationRefused,
)
from integrity.services.invitations.links import _expiry, _new_token
from integrity.services.invitations.mail import _mail_on_commit
from integrity.services.invitations.rules import _check_invitable, _check_transition

EMAIL_MAX_LENGTH = 254  # RFC 5321 path limit; the column's length


def invitation_send(*, official: Official, email: str, actor: Any) -> Invitation:
    """Invite a satker head without a login: an invitation valid `PAKTA_INVITATION_DAYS` days, its link
    e-mailed to `email` after the commit. Audit: `integrity.invitation.sent`.

    :raises InvitationRefused: the e-mail address is invalid, the official is inactive or heads no satker.
    :raises OfficialHasAccount: the official already has a login.
    :raises InvitationAlreadyOpen: the official has an open invitation (resend or revoke it).
    """
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvitationRefused(EMAIL_INVALID % {"email": repr(email[:EMAIL_MAX_LENGTH])}) from None
    if len(email) > EMAIL_MAX_LENGTH:
        raise InvitationRefused(EMAIL_INVALID % {"email": repr(email[:EMAIL_MAX_LENGTH])})
    token, digest = _new_token()
    with transaction.atomic():
        locked = Official.objects.select_for_update(of=("self",)).select_related("user").get(pk=official.pk)
        _check_invitable(locked)
        if Invitation.objects.filter(official=locked, accepted_at__isnull=True, revoked_at__isnull=True).exists():
            raise InvitationAlreadyOpen(INVITATION_OPEN_EXISTS % {"name": locked.full_name})
        invitation = Invitation.objects.create(
            official=locked,
            email=email,
            token_sha256=digest,
            created_by=actor if getattr(actor, "pk", None) else None,
            expires_at=_expiry(),
        )
        audit_record(
            action="integrity.invitation.sent",
            actor=actor,
            subject=invitation,
            payload={"nip": locked.nip, "email": email, "expires_at": invitation.expires_at},
        )
        _mail_on_commit(invitation, token)
    return invitation


def invitation_resend(*, invitation: Invitation, actor: Any) -> Invitation:
    """Send an open (pending or expired) invitation again with a new token and a new expiry: the old link
    dies at once. Audit: `integrity.invitation.resent`.

    :raises InvitationClosed: the invitation was accepted or revoked.
    :raises InvitationRefused: the official is inactive or no longer heads a satker.
    :raises OfficialHasAccount: the official got a login meanwhile.
    """
    token, digest = _new_token()
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update(of=("self",)).select_related("official__user").get(pk=invitation.pk)
        )
        _check_transition(locked, Invitation.Status.PENDING)
        _check_invitable(locked.official)
        locked.token_sha256 = digest
        locked.expires_at = _expiry()
        locked.resent_count += 1
        locked.save(update_fields=["token_sha256", "expires_at", "resent_count"])
        audit_record(
            action="integrity.invitation.resent",
            actor=actor,
            subject=locked,
            payload={
                "nip": locked.official.nip,
                "email": locked.email,
                "expires_at": locked.expires_at,
                "resent_count": locked.resent_count,
            },
        )
        _mail_on_commit(locked, token)
    return locked
