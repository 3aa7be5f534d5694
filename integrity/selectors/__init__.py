"""Reads, scoped to a user (STYLE.md "Permissions: two layers"). Every list or detail in the
API and the web UI starts from one of these querysets; an object outside it answers 404.

Roles: HR administrator, compliance officer and auditor are granted over a unit subtree
(`RoleGrant`, all units when the grant has no unit); official, superior and unit head follow
from the user's current assignments.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from integrity.models import (
    Assignment,
    Decree,
    DecreeMove,
    IntegrityPact,
    Official,
    PactParty,
    Position,
    RoleGrant,
    SpendingUnit,
    SpendingUnitHead,
    Unit,
)
from integrity.workdays import today_jakarta

ALL = None  # a grant without a unit covers every unit


@dataclass
class UserScope:
    """What a user may see, computed once per request."""

    user_id: int | None
    is_superuser: bool = False
    official_id: int | None = None
    grants: dict[str, set[int] | None] = field(default_factory=dict)  # role -> unit ids (None = all)
    headed_unit_ids: set[int] = field(default_factory=set)  # subtrees of units the user heads today
    held_position_ids: set[int] = field(default_factory=set)
    subordinate_official_ids: set[int] = field(default_factory=set)

    def has_role(self, role: str) -> bool:
        return self.is_superuser or role in self.grants

    @property
    def is_hr_admin(self) -> bool:
        return self.has_role(RoleGrant.Role.HR_ADMIN)

    @property
    def is_compliance(self) -> bool:
        return self.has_role(RoleGrant.Role.COMPLIANCE)

    @property
    def is_auditor(self) -> bool:
        return self.has_role(RoleGrant.Role.AUDITOR)

    @property
    def is_superior(self) -> bool:
        return bool(self.subordinate_official_ids)

    @property
    def is_unit_head(self) -> bool:
        return bool(self.headed_unit_ids)

    def org_unit_ids(self, roles: tuple[str, ...] | None = None) -> set[int] | None:
        """Units whose organisation data the user may read (None = all). Grants and headships
        both count; `roles` narrows to some grants (e.g. only HR administrators may import)."""
        if self.is_superuser:
            return ALL
        units: set[int] = set()
        for role, ids in self.grants.items():
            if roles is not None and role not in roles:
                continue
            if ids is ALL:
                return ALL
            units |= ids
        if roles is None:
            units |= self.headed_unit_ids
        return units


def _subtrees(root_ids: set[int]) -> set[int]:
    if not root_ids:
        return set()
    children: dict[int | None, list[int]] = {}
    for pk, parent in Unit.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    result: set[int] = set()
    stack = list(root_ids)
    while stack:
        node = stack.pop()
        if node in result:
            continue
        result.add(node)
        stack.extend(children.get(node, []))
    return result


def user_scope(user: Any, *, day: datetime.date | None = None) -> UserScope:
    if user is None or not user.is_authenticated:
        return UserScope(user_id=None)
    if getattr(user, "_pakta_scope", None) is not None:
        cached: UserScope = user._pakta_scope
        return cached
    day = day or today_jakarta()
    scope = UserScope(user_id=user.pk, is_superuser=user.is_superuser)
    roots: dict[str, set[int]] = {}
    for role, unit_id in RoleGrant.objects.filter(user=user).values_list("role", "unit_id"):
        if unit_id is None:
            scope.grants[role] = ALL
        elif scope.grants.get(role, set()) is not ALL:
            roots.setdefault(role, set()).add(unit_id)
    for role, ids in roots.items():
        if scope.grants.get(role, set()) is not ALL:
            scope.grants[role] = _subtrees(ids)
    official = Official.objects.filter(user=user).only("id").first()
    if official is not None:
        scope.official_id = official.pk
        held = list(
            Assignment.objects.active_on(day)
            .filter(official=official)
            .values_list("position_id", "position__is_unit_head", "position__unit_id")
        )
        scope.held_position_ids = {p for p, _h, _u in held}
        scope.headed_unit_ids = _subtrees({u for _p, head, u in held if head})
        scope.subordinate_official_ids = set(
            Assignment.objects.active_on(day)
            .filter(position__reports_to_id__in=scope.held_position_ids)
            .exclude(official=official)
            .values_list("official_id", flat=True)
        )
    user._pakta_scope = scope
    return scope


def _unit_filter(unit_ids: set[int] | None, field_name: str) -> Q:
    if unit_ids is ALL:
        return Q()
    return Q(**{f"{field_name}__in": unit_ids})


def _nothing() -> Q:
    return Q(pk__in=[])


def pacts_visible_to(user: Any) -> QuerySet[IntegrityPact]:
    """Parties see their pacts; superiors their team's; unit heads, HR, compliance and auditors
    every pact of the units in their scope."""
    scope = user_scope(user)
    qs = IntegrityPact.objects.all()
    if scope.user_id is None:
        return qs.none()
    org_units = scope.org_unit_ids()
    if org_units is ALL:
        return qs
    condition = Q(unit_id__in=org_units) if org_units else _nothing()
    people = set(scope.subordinate_official_ids)
    if scope.official_id is not None:
        people.add(scope.official_id)
    if people:
        condition |= Q(Exists(PactParty.objects.filter(pact=OuterRef("pk"), official_id__in=people)))
    return qs.filter(condition)


def units_visible_to(user: Any) -> QuerySet[Unit]:
    scope = user_scope(user)
    if scope.user_id is None:
        return Unit.objects.none()
    org_units = scope.org_unit_ids()
    if org_units is ALL:
        return Unit.objects.all()
    own = (
        set(
            Assignment.objects.active_on(today_jakarta())
            .filter(official_id=scope.official_id)
            .values_list("position__unit_id", flat=True)
        )
        if scope.official_id
        else set()
    )
    return Unit.objects.filter(pk__in=(org_units or set()) | own)


def positions_visible_to(user: Any) -> QuerySet[Position]:
    return Position.objects.filter(unit__in=units_visible_to(user))


def officials_visible_to(user: Any) -> QuerySet[Official]:
    """Officials who held a position in the user's units at any time, satker heads of satker
    those units serve, the user and their team."""
    scope = user_scope(user)
    if scope.user_id is None:
        return Official.objects.none()
    org_units = scope.org_unit_ids()
    if org_units is ALL:
        return Official.objects.all()
    condition = _nothing()
    if org_units:
        condition |= Q(Exists(Assignment.objects.filter(official=OuterRef("pk"), position__unit_id__in=org_units)))
        condition |= Q(
            Exists(
                SpendingUnitHead.objects.filter(official=OuterRef("pk"), spending_unit__serving_unit_id__in=org_units)
            )
        )
    people = set(scope.subordinate_official_ids)
    if scope.official_id is not None:
        people.add(scope.official_id)
    if people:
        condition |= Q(pk__in=people)
    return Official.objects.filter(condition)


def spending_units_visible_to(user: Any) -> QuerySet[SpendingUnit]:
    scope = user_scope(user)
    if scope.user_id is None:
        return SpendingUnit.objects.none()
    org_units = scope.org_unit_ids()
    if org_units is ALL:
        return SpendingUnit.objects.all()
    condition = Q(serving_unit_id__in=org_units) if org_units else _nothing()
    if scope.official_id is not None:
        condition |= Q(
            Exists(SpendingUnitHead.objects.filter(spending_unit=OuterRef("pk"), official_id=scope.official_id))
        )
    return SpendingUnit.objects.filter(condition)


def assignments_visible_to(user: Any) -> QuerySet[Assignment]:
    scope = user_scope(user)
    if scope.user_id is None:
        return Assignment.objects.none()
    org_units = scope.org_unit_ids()
    if org_units is ALL:
        return Assignment.objects.all()
    condition = Q(position__unit_id__in=org_units) if org_units else _nothing()
    people = set(scope.subordinate_official_ids)
    if scope.official_id is not None:
        people.add(scope.official_id)
    if people:
        condition |= Q(official_id__in=people)
    return Assignment.objects.filter(condition)


def decrees_visible_to(user: Any) -> QuerySet[Decree]:
    """HR administrators, compliance officers and auditors see the decrees that touch their units."""
    scope = user_scope(user)
    roles = (RoleGrant.Role.HR_ADMIN, RoleGrant.Role.COMPLIANCE, RoleGrant.Role.AUDITOR)
    units = scope.org_unit_ids(roles)
    if scope.user_id is None or (units is not ALL and not units):
        return Decree.objects.none()
    if units is ALL:
        return Decree.objects.all()
    touching = DecreeMove.objects.filter(decree=OuterRef("pk")).filter(
        Q(position__unit_id__in=units) | Q(spending_unit__serving_unit_id__in=units)
    )
    # A `berhenti` row may name no position: it touches the units of the assignments it ended.
    ended = Assignment.objects.filter(end_decree=OuterRef("pk"), position__unit_id__in=units)
    return Decree.objects.filter(Q(Exists(touching)) | Q(Exists(ended)))


def hr_unit_ids(user: Any) -> set[int] | None:
    """Units where the user may import decrees (None = all); empty = may not import."""
    scope = user_scope(user)
    return scope.org_unit_ids((RoleGrant.Role.HR_ADMIN,))


def pact_is_overdue(pact: IntegrityPact, today: datetime.date | None = None) -> bool:
    return pact.status == IntegrityPact.Status.PENDING and pact.due_date < (today or today_jakarta())


@dataclass(frozen=True)
class CoverageCounts:
    """Current pacts: signed, pending (not yet due) and overdue, with whole-number percentages."""

    signed: int
    pending: int
    overdue: int

    @property
    def total(self) -> int:
        return self.signed + self.pending + self.overdue

    def percent(self, part: int) -> int:
        return round(100 * part / self.total) if self.total else 0

    @property
    def signed_percent(self) -> int:
        return self.percent(self.signed)

    @property
    def pending_percent(self) -> int:
        return self.percent(self.pending)

    @property
    def overdue_percent(self) -> int:
        return self.percent(self.overdue)


@dataclass(frozen=True)
class CoverageRow(CoverageCounts):
    unit_id: int
    unit_name: str
    unit_kind: str
    depth: int


def pact_coverage(user: Any, *, today: datetime.date | None = None) -> list[CoverageRow]:
    """Current pacts (signed / pending / overdue) per unit in the user's scope, in tree order.
    One grouped query for the counts; superseded pacts do not count."""
    from django.db.models import BooleanField, Case, Count, Value, When

    today = today or today_jakarta()
    visible = pacts_visible_to(user).filter(status__in=IntegrityPact.CURRENT_STATUSES)
    counts: dict[int, dict[str, int]] = {}
    for unit_id, status, overdue, n in (
        visible.annotate(
            late=Case(
                When(status=IntegrityPact.Status.PENDING, due_date__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by()
        .values_list("unit_id", "status", "late")
        .annotate(n=Count("id"))
    ):
        row = counts.setdefault(unit_id, {"signed": 0, "pending": 0, "overdue": 0})
        if status == IntegrityPact.Status.SIGNED:
            row["signed"] += n
        elif overdue:
            row["overdue"] += n
        else:
            row["pending"] += n
    units = {u.pk: u for u in Unit.objects.filter(pk__in=counts)}
    depth_cache: dict[int, int] = {}

    def depth(unit: Unit) -> int:
        if unit.pk not in depth_cache:
            depth_cache[unit.pk] = len(unit.ancestors()) - 1
        return depth_cache[unit.pk]

    rows = [
        CoverageRow(
            unit_id=pk,
            unit_name=units[pk].name,
            unit_kind=units[pk].kind,
            depth=depth(units[pk]),
            **counts[pk],
        )
        for pk in counts
    ]
    return sorted(rows, key=lambda r: ([a.code for a in units[r.unit_id].ancestors()], r.unit_name))
