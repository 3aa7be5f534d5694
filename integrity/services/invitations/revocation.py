"""Revoking invitations: one by HR, or the open one of an official who is deactivated."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from integrity.models import Invitation, Official
from integrity.services.invitations.rules import _check_transition


def invitation_revoke(*, invitation: Invitation, actor: Any) -> Invitation:
    """Withdraw an open invitation: its link dies. Audit: `integrity.invitation.revoked`.

    :raises InvitationClosed: the invitation was accepted or revoked already.
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update(of=("self",)).select_related("official").get(pk=invitation.pk)
        _check_transition(locked, Invitation.Status.REVOKED)
        _revoke(locked, actor=actor, why="revoked")
    return locked


def invitations_revoke_open(*, official: Official, actor: Any) -> int:
    """Revoke the official's open invitation, if any, inside the caller's transaction (an official who is
    deactivated must not be able to create a login). Audit: `integrity.invitation.revoked`.

    :returns: the number of invitations revoked (0 or 1).
    """
    open_invitations = list(
        Invitation.objects.select_for_update(of=("self",))
        .select_related("official")
        .filter(official=official, accepted_at__isnull=True, revoked_at__isnull=True)
    )
    for invitation in open_invitations:
        _revoke(invitation, actor=actor, why="official_deactivated")
    return len(open_invitations)


def _revoke(invitation: Invitation, *, actor: Any, why: str) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        action="integrity.invitation.revoked",
        actor=actor,
        subject=invitation,
        payload={"nip": invitation.official.nip, "email": invitation.email, "cause": why},
    )
