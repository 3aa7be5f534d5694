"""DRF permission classes for the integrity API (STYLE.md "Permissions: two layers").

Layer 1, scope, is in `integrity.selectors`: every list and detail starts from a `*_visible_to`
queryset, so an object outside the user's scope answers 404. Layer 2, action, is here: a user
who can see an object but may not act on it gets 403.

Roles (DOMAIN.md; issue §9): HR administrator, compliance officer and auditor are granted over a
unit subtree (`RoleGrant`); official, superior and unit head follow from assignments.
- Reads: any signed-in user, through the scoped querysets.
- Organisation writes and decree preview/import: HR administrators, only inside their HR scope.
- Audit journal proofs: compliance officers, auditors and superusers.
- Auditors never write, even if they also hold another grant (separation of duties).
"""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from integrity.models import RoleGrant, Unit
from integrity.selectors import hr_unit_ids, user_scope

NOT_HR_ADMIN = _("Hanya administrator SDM yang boleh melakukan tindakan ini.")
NOT_COMPLIANCE_OR_AUDITOR = _("Hanya petugas kepatuhan dan auditor yang boleh membuka jejak audit.")
AUDITOR_READ_ONLY = _("Auditor hanya dapat membaca; tindakan ini mengubah data.")
UNIT_OUTSIDE_HR_SCOPE = _("Unit %(unit)s berada di luar lingkup administrator SDM Anda.")
ROOT_UNIT_NEEDS_GLOBAL_HR = _("Unit tanpa induk hanya dapat dibuat oleh administrator SDM seluruh unit.")


class IsHrAdmin(BasePermission):
    """An HR administrator (of some unit subtree, or of all units)."""

    message = NOT_HR_ADMIN

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and user_scope(request.user).is_hr_admin)


class IsHrAdminOrReadOnly(BasePermission):
    """Reads for every signed-in user (scoped by the view's queryset); writes for HR administrators."""

    message = NOT_HR_ADMIN

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user_scope(request.user).is_hr_admin


class IsComplianceOrAuditor(BasePermission):
    """Compliance officers, auditors and superusers (the audit journal's readers)."""

    message = NOT_COMPLIANCE_OR_AUDITOR

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        scope = user_scope(request.user)
        return scope.is_compliance or scope.is_auditor


class ReadOnlyForAuditor(BasePermission):
    """An auditor never changes data, whatever other grant the account also holds."""

    message = AUDITOR_READ_ONLY

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS or not (request.user and request.user.is_authenticated):
            return True
        scope = user_scope(request.user)
        return scope.is_superuser or RoleGrant.Role.AUDITOR not in scope.grants


def hr_scope_contains(user: Any, unit_ids: Iterable[int]) -> bool:
    """True when every unit is inside the user's HR scope."""
    allowed = hr_unit_ids(user)
    return allowed is None or set(unit_ids) <= allowed


def hr_scope_with_ancestors(user: Any) -> set[int] | None:
    """HR scope plus the units above it (None = all): a position may report to one up the tree,
    e.g. a KPPN head to the head of the Kanwil, which the KPPN's HR administrator does not manage."""
    allowed = hr_unit_ids(user)
    if allowed is None:
        return None
    parents = dict(Unit.objects.values_list("id", "parent_id"))
    result = set(allowed)
    for unit_id in allowed:
        node = parents.get(unit_id)
        while node is not None and node not in result:
            result.add(node)
            node = parents.get(node)
    return result
