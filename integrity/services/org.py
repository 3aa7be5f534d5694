"""Write services for the organisation: units, positions, officials, satker, assignments.

Every function validates first and raises an `ApplicationError` (nothing written), then changes
state and records an audit event in the same transaction (STYLE.md "Every state change").
"""

import datetime
from typing import Any

from django.db import transaction

from audit.services import audit_record
from integrity import errors
from integrity.models import Assignment, Decree, Official, Position, Rank, SpendingUnit, SpendingUnitHead, Unit
from integrity.nip import first_appointment, validate_nip

ONE_DAY = datetime.timedelta(days=1)


def unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
    city: str = "",
    address: str = "",
    phone: str = "",
    website: str = "",
    actor: Any = None,
) -> Unit:
    if Unit.objects.filter(code=code).exists():
        raise errors.OrganisationError(errors.UNIT_CODE_TAKEN % {"code": code})
    with transaction.atomic():
        unit = Unit.objects.create(
            code=code, name=name, kind=kind, parent=parent, city=city, address=address, phone=phone, website=website
        )
        audit_record(
            action="integrity.unit.created",
            actor=actor,
            subject=unit,
            payload={"code": code, "name": name, "kind": kind, "parent": parent.code if parent else None},
        )
    return unit


def _check_superior_chain(code: str, start: Position | None, self_pk: int | None) -> None:
    """A position may not report to itself, directly or through a chain (DOMAIN.md §5.3)."""
    chain = [code]
    node = start
    seen: set[int] = set()
    while node is not None:
        if (self_pk is not None and node.pk == self_pk) or node.code == code:
            chain.append(node.code)
            if len(chain) == 2:
                raise errors.OrganisationError(errors.POSITION_REPORTS_TO_SELF % {"code": code})
            raise errors.OrganisationError(errors.POSITION_REPORTS_LOOP % {"code": code, "chain": " → ".join(chain)})
        if node.pk in seen:  # a loop above us that does not include us: refuse as well
            raise errors.OrganisationError(errors.POSITION_REPORTS_LOOP % {"code": code, "chain": " → ".join(chain)})
        seen.add(node.pk)
        chain.append(node.code)
        node = node.reports_to


def position_create(
    *,
    code: str,
    title: str,
    unit: Unit,
    reports_to: Position | None = None,
    is_unit_head: bool = False,
    kind: str = Position.Kind.STAFF,
    actor: Any = None,
) -> Position:
    if Position.objects.filter(code=code).exists():
        raise errors.OrganisationError(errors.POSITION_CODE_TAKEN % {"code": code})
    _check_superior_chain(code, reports_to, None)
    with transaction.atomic():
        position = Position.objects.create(
            code=code, title=title, unit=unit, reports_to=reports_to, is_unit_head=is_unit_head, kind=kind
        )
        audit_record(
            action="integrity.position.created",
            actor=actor,
            subject=position,
            payload={
                "code": code,
                "title": title,
                "unit": unit.code,
                "reports_to": reports_to.code if reports_to else None,
                "is_unit_head": is_unit_head,
                "kind": kind,
            },
        )
    return position


def position_set_superior(*, position: Position, reports_to: Position | None, actor: Any = None) -> Position:
    """Change the direct superior position; the next reconcile renews the affected pacts."""
    _check_superior_chain(position.code, reports_to, position.pk)
    with transaction.atomic():
        locked = Position.objects.select_for_update().get(pk=position.pk)
        old = locked.reports_to.code if locked.reports_to else None
        locked.reports_to = reports_to
        locked.save(update_fields=["reports_to"])
        audit_record(
            action="integrity.position.superior_changed",
            actor=actor,
            subject=locked,
            payload={"old": old, "new": reports_to.code if reports_to else None},
        )
    return locked


def official_create(
    *,
    nip: str,
    name: str,
    employee_type: str = Official.EmployeeType.PNS,
    title_prefix: str = "",
    title_suffix: str = "",
    rank_code: str = "",
    email: str = "",
    actor: Any = None,
) -> Official:
    """Register an official. NIP/NI PPPK validated per DOMAIN.md §5.1."""
    nip = validate_nip(nip, employee_type="pppk" if employee_type == Official.EmployeeType.PPPK else "pns")
    if not name.strip():
        raise errors.OrganisationError(errors.OFFICIAL_NAME_REQUIRED)
    existing = Official.objects.filter(nip=nip).first()
    if existing is not None:
        raise errors.OrganisationError(errors.OFFICIAL_NIP_TAKEN % {"nip": nip, "name": existing.full_name})
    rank = None
    if rank_code:
        rank = Rank.objects.filter(code=rank_code.strip()).first()
        if rank is None:
            raise errors.OrganisationError(errors.RANK_UNKNOWN % {"rank": rank_code})
    with transaction.atomic():
        official = Official.objects.create(
            nip=nip,
            name=name.strip(),
            employee_type=employee_type,
            title_prefix=title_prefix,
            title_suffix=title_suffix,
            rank=rank,
            email=email,
        )
        audit_record(
            action="integrity.official.created",
            actor=actor,
            subject=official,
            payload={"nip": nip, "name": official.full_name, "employee_type": employee_type, "rank": rank_code or None},
        )
    return official


def spending_unit_create(
    *, code: str, name: str, ministry_code: str, serving_unit: Unit, actor: Any = None
) -> SpendingUnit:
    if SpendingUnit.objects.filter(code=code).exists():
        raise errors.OrganisationError(errors.SATKER_CODE_TAKEN % {"code": code})
    if serving_unit.kind != Unit.Kind.SERVICE_OFFICE:
        raise errors.OrganisationError(errors.SATKER_SERVING_UNIT_KIND % {"unit": serving_unit.name})
    spending_unit = SpendingUnit(code=code, name=name, ministry_code=ministry_code, serving_unit=serving_unit)
    spending_unit.full_clean()
    with transaction.atomic():
        spending_unit.save()
        audit_record(
            action="integrity.spending_unit.created",
            actor=actor,
            subject=spending_unit,
            payload={"code": code, "name": name, "ministry_code": ministry_code, "serving_unit": serving_unit.code},
        )
    return spending_unit


def _is_acting(kind: str) -> bool:
    return kind != Assignment.Acting.DEFINITIVE


def assignment_plan(
    *, official: Official, position: Position, effective_date: datetime.date, acting: str = ""
) -> list[Assignment]:
    """Check a new assignment against history and return the open assignments it ends (the
    official's previous definitive post, the position's previous holder), each the day before.

    Raises `AssignmentOverlap` when the new period collides with history that is not simply
    "open and started earlier" (a back-dated move into a period already on record)."""
    first = first_appointment(official.nip, official.employee_type)
    if effective_date < first:
        raise errors.OrganisationError(
            errors.ASSIGNMENT_BEFORE_APPOINTMENT
            % {"date": effective_date.isoformat(), "name": official.full_name, "first": first.isoformat()}
        )
    to_end: list[Assignment] = []
    same_class = Assignment.objects.select_related("official", "position").overlapping(effective_date, None)
    if _is_acting(acting):
        same_class = same_class.exclude(acting=Assignment.Acting.DEFINITIVE)
    else:
        same_class = same_class.filter(acting=Assignment.Acting.DEFINITIVE)
    for existing in same_class.filter(official=official).order_by("effective_date"):
        if existing.end_date is None and existing.effective_date < effective_date and not _is_acting(acting):
            to_end.append(existing)
            continue
        raise errors.AssignmentOverlap(
            errors.ASSIGNMENT_OVERLAP_OFFICIAL
            % {
                "name": official.full_name,
                "position": existing.position.title,
                "start": existing.effective_date.isoformat(),
                "date": effective_date.isoformat(),
            }
        )
    holders = same_class.filter(position=position)
    if not _is_acting(acting):
        holders = holders.filter(acting=Assignment.Acting.DEFINITIVE)
    else:
        holders = holders.filter(acting=acting)
    for existing in holders.order_by("effective_date"):
        if existing.end_date is None and existing.effective_date < effective_date:
            if existing not in to_end:
                to_end.append(existing)
            continue
        raise errors.AssignmentOverlap(
            errors.ASSIGNMENT_OVERLAP_POSITION
            % {
                "position": position.title,
                "holder": existing.official.full_name,
                "start": existing.effective_date.isoformat(),
                "date": effective_date.isoformat(),
            }
        )
    return to_end


def assignment_start(
    *,
    official: Official,
    position: Position,
    effective_date: datetime.date,
    acting: str = Assignment.Acting.DEFINITIVE,
    decree: Decree | None = None,
    decree_number: str = "",
    decree_date: datetime.date | None = None,
    inauguration_date: datetime.date | None = None,
    actor: Any = None,
) -> Assignment:
    """Appoint an official to a position from `effective_date` (TMT). A rotation or a
    replacement ends the open assignments it displaces the day before (DOMAIN.md §1.4)."""
    with transaction.atomic():
        to_end = assignment_plan(official=official, position=position, effective_date=effective_date, acting=acting)
        for old in to_end:
            _end(old, effective_date - ONE_DAY, decree=decree, actor=actor, reason="replaced")
        assignment = Assignment.objects.create(
            official=official,
            position=position,
            effective_date=effective_date,
            acting=acting,
            decree=decree,
            decree_number=decree.number if decree else decree_number,
            decree_date=decree.decree_date if decree else decree_date,
            inauguration_date=inauguration_date,
        )
        audit_record(
            action="integrity.assignment.started",
            actor=actor,
            subject=assignment,
            payload={
                "nip": official.nip,
                "position": position.code,
                "effective_date": effective_date,
                "acting": acting or "definitive",
                "decree": assignment.decree_number or None,
            },
        )
    return assignment


def _end(assignment: Assignment, end_date: datetime.date, *, decree: Decree | None, actor: Any, reason: str) -> None:
    assignment.end_date = end_date
    assignment.end_decree = decree
    assignment.save(update_fields=["end_date", "end_decree"])
    audit_record(
        action="integrity.assignment.ended",
        actor=actor,
        subject=assignment,
        payload={
            "nip": assignment.official.nip,
            "position": assignment.position.code,
            "end_date": end_date,
            "reason": reason,
            "decree": decree.number if decree else None,
        },
    )


def assignment_end(
    *, assignment: Assignment, end_date: datetime.date, decree: Decree | None = None, actor: Any = None
) -> Assignment:
    """End an assignment on `end_date` (its last day): retirement, transfer out, dismissal."""
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("official", "position").get(pk=assignment.pk)
        if locked.end_date is not None and locked.end_date < end_date:
            raise errors.OrganisationError(
                errors.ASSIGNMENT_ALREADY_ENDED
                % {"name": locked.official.full_name, "position": locked.position.title, "end": locked.end_date}
            )
        if end_date < locked.effective_date:
            raise errors.OrganisationError(
                errors.ASSIGNMENT_END_BEFORE_START % {"end": end_date, "start": locked.effective_date}
            )
        _end(locked, end_date, decree=decree, actor=actor, reason="ended")
    return locked


def satker_head_appoint(
    *,
    spending_unit: SpendingUnit,
    official: Official,
    effective_date: datetime.date,
    title: str = "Kepala Satker",
    decree: Decree | None = None,
    decree_number: str = "",
    actor: Any = None,
) -> SpendingUnitHead:
    """Record a new satker head (KPA); the previous open headship ends the day before."""
    with transaction.atomic():
        previous = list(
            SpendingUnitHead.objects.select_for_update()
            .filter(spending_unit=spending_unit)
            .overlapping(effective_date, None)
            .select_related("official")
        )
        for old in previous:
            if old.end_date is not None or old.effective_date >= effective_date:
                raise errors.AssignmentOverlap(
                    errors.SATKER_HEAD_OVERLAP
                    % {
                        "code": spending_unit.code,
                        "holder": old.official.full_name,
                        "start": old.effective_date.isoformat(),
                        "date": effective_date.isoformat(),
                    }
                )
        for old in previous:
            old.end_date = effective_date - ONE_DAY
            old.end_decree = decree
            old.save(update_fields=["end_date", "end_decree"])
            audit_record(
                action="integrity.satker_head.ended",
                actor=actor,
                subject=old,
                payload={"satker": spending_unit.code, "nip": old.official.nip, "end_date": old.end_date},
            )
        head = SpendingUnitHead.objects.create(
            spending_unit=spending_unit,
            official=official,
            title=title,
            effective_date=effective_date,
            decree=decree,
            decree_number=decree.number if decree else decree_number,
        )
        audit_record(
            action="integrity.satker_head.appointed",
            actor=actor,
            subject=head,
            payload={
                "satker": spending_unit.code,
                "nip": official.nip,
                "effective_date": effective_date,
                "decree": head.decree_number or None,
            },
        )
    return head
