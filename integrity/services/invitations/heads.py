"""Reads for the inviter: the satker heads they may invite, with their logins and latest invitations."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from integrity.models import Invitation, Official, RoleGrant, SpendingUnitHead
from integrity.selectors import ALL, user_scope
from integrity.workdays import today_jakarta


def current_headships(official: Official, day: datetime.date | None = None) -> list[SpendingUnitHead]:
    """The satker headships of the official that have not ended by `day` (current or upcoming)."""
    day = day or today_jakarta()
    return list(
        SpendingUnitHead.objects.filter(official=official)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("spending_unit")
        .order_by("effective_date", "pk")
    )


@dataclass(frozen=True)
class InvitationRow:
    """A satker head in the inviter's scope, with their login (if any) and their latest invitation."""

    headship: SpendingUnitHead
    official: Official
    username: str
    invitation: Invitation | None
    status: str  # "account", or an Invitation.Status, or "none"

    @property
    def can_send(self) -> bool:
        return self.status in ("none", Invitation.Status.ACCEPTED, Invitation.Status.REVOKED) and not self.username

    @property
    def is_open(self) -> bool:
        return self.status in (Invitation.Status.PENDING, Invitation.Status.EXPIRED)


INVITER_ROLES = (RoleGrant.Role.HR_ADMIN, RoleGrant.Role.COMPLIANCE)


def inviter_unit_ids(user: Any) -> set[int] | None:
    """Units whose satker heads the user may invite (None = all): HR administrators and compliance officers
    over their grants. An auditor grant makes the account read-only whatever else it holds."""
    scope = user_scope(user)
    if scope.user_id is None:
        return set()
    if not scope.is_superuser and RoleGrant.Role.AUDITOR in scope.grants:
        return set()
    return scope.org_unit_ids(INVITER_ROLES)


def satker_heads_for_inviter(user: Any, *, day: datetime.date | None = None) -> list[InvitationRow]:
    """The current and upcoming heads of the satker served by the user's units, with their invitations."""
    day = day or today_jakarta()
    units = inviter_unit_ids(user)
    if units is not ALL and not units:
        return []
    heads = (
        SpendingUnitHead.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("official__user", "spending_unit")
        .order_by("spending_unit__code", "effective_date", "pk")
    )
    if units is not ALL:
        heads = heads.filter(spending_unit__serving_unit_id__in=units)
    heads_list = list(heads)
    latest: dict[int, Invitation] = {}
    for sent in Invitation.objects.filter(official_id__in={h.official_id for h in heads_list}).order_by(
        "official_id", "-created_at", "-pk"
    ):
        latest.setdefault(sent.official_id, sent)
    now = timezone.now()
    rows = []
    for head in heads_list:
        official = head.official
        invitation = latest.get(official.pk)
        username = official.user.get_username() if official.user is not None else ""
        status = invitation.status_at(now) if invitation is not None else "none"
        if username and status != Invitation.Status.ACCEPTED:
            status = "account"  # linked by HR, or an earlier invitation's account
        rows.append(InvitationRow(head, official, username, invitation, status))
    return rows
