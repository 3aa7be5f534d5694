"""Who may be invited and which status changes an invitation allows (checks shared by the writes)."""

from __future__ import annotations

from django.utils import timezone

from integrity.models import Invitation, Official
from integrity.services.invitations.errors import (
    INVITATION_CLOSED,
    OFFICIAL_HAS_ACCOUNT,
    OFFICIAL_INACTIVE,
    OFFICIAL_NOT_SATKER_HEAD,
    InvitationClosed,
    InvitationRefused,
    OfficialHasAccount,
)
from integrity.services.invitations.heads import current_headships


def _check_transition(invitation: Invitation, target: str) -> None:
    status = invitation.status_at(timezone.now())
    if target not in Invitation.ALLOWED_TRANSITIONS[status]:
        label = Invitation.Status(status).label
        raise InvitationClosed(INVITATION_CLOSED % {"name": invitation.official.full_name, "status": label})


def _check_invitable(official: Official, *, require_headship: bool = True) -> None:
    if not official.is_active:
        raise InvitationRefused(OFFICIAL_INACTIVE % {"name": official.full_name})
    if official.user is not None:
        raise OfficialHasAccount(
            OFFICIAL_HAS_ACCOUNT % {"name": official.full_name, "username": official.user.get_username()}
        )
    if require_headship and not current_headships(official):
        raise InvitationRefused(OFFICIAL_NOT_SATKER_HEAD % {"name": official.full_name})
