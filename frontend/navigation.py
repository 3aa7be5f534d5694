"""Who sees which page: the role badges and the navigation, both derived from `user_scope`.

The page views check the same predicates (`can_*` below), so a link is shown exactly when the
page it points to would open (STYLE.md "Permissions: two layers")."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from integrity.apis.ca_status import can_read_ca
from integrity.models import RoleGrant
from integrity.selectors import UserScope, hr_unit_ids, user_scope
from integrity.services.invitations import inviter_unit_ids


def can_see_own_pacts(scope: UserScope) -> bool:
    return scope.official_id is not None


def can_see_team(scope: UserScope) -> bool:
    return scope.is_superior


def can_see_coverage(scope: UserScope) -> bool:
    """Compliance officers and unit heads watch coverage; auditors read it."""
    return scope.is_compliance or scope.is_unit_head or scope.is_auditor


def can_browse_pacts(scope: UserScope) -> bool:
    """Anyone with an organisation scope (a grant or a headship) may list the pacts in it."""
    units = scope.org_unit_ids()
    return units is None or bool(units)


def can_import_decrees(user: Any) -> bool:
    """HR administrators import decrees; an auditor grant makes an account read-only whatever
    else it holds (separation of duties, as the API's `ReadOnlyForAuditor`)."""
    units = hr_unit_ids(user)
    if units is not None and not units:
        return False
    scope = user_scope(user)
    return scope.is_superuser or RoleGrant.Role.AUDITOR not in scope.grants


def can_see_decrees(scope: UserScope) -> bool:
    return scope.is_hr_admin or scope.is_compliance or scope.is_auditor


def can_manage_invitations(user: Any) -> bool:
    """HR administrators and compliance officers invite the satker heads their units serve (not auditors)."""
    units = inviter_unit_ids(user)
    return units is None or bool(units)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Promise
    url: str
    current: bool


@dataclass(frozen=True)
class Navigation:
    roles: list[Promise]
    items: list[NavItem]


# url name -> the url names whose pages belong to that item (for aria-current)
_SECTIONS: dict[str, tuple[str, ...]] = {
    "home": ("home",),
    "pacts": ("pacts", "pact-detail", "pact-sign"),
    "team": ("team",),
    "coverage": ("coverage", "pacts-all"),
    "decree-upload": ("decree-upload", "decree-preview", "decree-apply"),
    "decrees": ("decrees", "decree-detail"),
    "inbox": ("inbox",),
    "enrol": ("enrol",),
    "ca-admin": ("ca-admin",),
    "invitations": ("invitations", "invitation-send", "invitation-resend", "invitation-revoke"),
    "verify": ("verify", "verify-document"),
}


def role_labels(user: Any, scope: UserScope) -> list[Promise]:
    labels: list[Promise] = []
    if user.is_superuser:
        labels.append(_("Administrator sistem"))
    if scope.official_id is not None:
        labels.append(_("Pegawai"))
    if scope.is_superior:
        labels.append(_("Atasan"))
    if scope.is_unit_head:
        labels.append(_("Kepala unit"))
    if scope.is_hr_admin and not user.is_superuser:
        labels.append(_("Administrator SDM"))
    if scope.is_compliance and not user.is_superuser:
        labels.append(_("Petugas kepatuhan"))
    if scope.is_auditor and not user.is_superuser:
        labels.append(_("Auditor"))
    return labels


def navigation_for(request: HttpRequest) -> Navigation:
    user = request.user
    # Verification is public (signatures issue §3): everyone, signed in or not, gets its link.
    verify = ("verify", _("Verifikasi dokumen"))
    if not user.is_authenticated:
        return Navigation(roles=[], items=_items(request, [verify]))
    scope = user_scope(user)
    wanted: list[tuple[str, Promise]] = [("home", _("Beranda"))]
    if can_see_own_pacts(scope):
        wanted.append(("pacts", _("Pakta saya")))
    if can_see_team(scope):
        wanted.append(("team", _("Pakta tim saya")))
    if can_see_coverage(scope):
        wanted.append(("coverage", _("Cakupan pakta")))
    may_import = can_import_decrees(user)
    if may_import:
        wanted.append(("decree-upload", _("Unggah SK")))
    if may_import or can_see_decrees(scope):
        wanted.append(("decrees", _("Daftar SK")))
    if can_manage_invitations(user):
        wanted.append(("invitations", _("Undangan satker")))
    if can_see_own_pacts(scope):
        wanted.append(("inbox", _("Kotak masuk")))
        wanted.append(("enrol", _("Identitas tanda tangan")))
    if can_read_ca(scope):
        wanted.append(("ca-admin", _("CA Pakta")))
    wanted.append(verify)
    return Navigation(roles=role_labels(user, scope), items=_items(request, wanted))


def _items(request: HttpRequest, wanted: list[tuple[str, Promise]]) -> list[NavItem]:
    match = getattr(request, "resolver_match", None)
    current_name = match.url_name if match is not None and match.namespace == "frontend" else None
    return [
        NavItem(
            url_name=name,
            label=label,
            url=reverse(f"frontend:{name}"),
            current=current_name in _SECTIONS.get(name, (name,)),
        )
        for name, label in wanted
    ]
