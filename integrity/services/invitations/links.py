"""The one-time, expiring link: a bearer token of which only the SHA-256 is stored, the URL that carries it,
the open invitation it opens, and when a new one expires."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from integrity.models import Invitation
from integrity.services.invitations.errors import (
    INVITATION_ACCEPTED,
    INVITATION_EXPIRED,
    INVITATION_NOT_FOUND,
    INVITATION_REVOKED,
    InvitationGone,
    InvitationNotFound,
)
from integrity.workdays import JAKARTA

TOKEN_BYTES = 32


def invitation_token_digest(token: str) -> str:
    """The SHA-256 (hex) under which an invitation's token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_url(token: str) -> str:
    """The link in the e-mail: `PAKTA_BASE_URL/undangan/<token>/`."""
    return settings.PAKTA_BASE_URL.rstrip("/") + reverse("frontend:invitation-accept", args=[token])


def invitation_for_token(token: str) -> Invitation:
    """The open, unexpired invitation this token opens (read only).

    :raises InvitationNotFound: no invitation has this token.
    :raises InvitationGone: it was accepted or revoked, or has expired.
    """
    invitation = (
        Invitation.objects.select_related("official", "official__user")
        .filter(token_sha256=invitation_token_digest(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationNotFound(INVITATION_NOT_FOUND)
    _check_open(invitation, timezone.now())
    return invitation


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, invitation_token_digest(token)


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.PAKTA_INVITATION_DAYS)


def _check_open(invitation: Invitation, now: datetime.datetime) -> None:
    status = invitation.status_at(now)
    if status == Invitation.Status.ACCEPTED:
        raise InvitationGone(INVITATION_ACCEPTED)
    if status == Invitation.Status.REVOKED:
        raise InvitationGone(INVITATION_REVOKED)
    if status == Invitation.Status.EXPIRED:
        expired = invitation.expires_at.astimezone(JAKARTA).strftime("%d-%m-%Y %H:%M")
        raise InvitationGone(INVITATION_EXPIRED % {"expired": expired})
