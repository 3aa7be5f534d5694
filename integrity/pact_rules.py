"""Which pacts the organisation requires on a given date (issue "pact engine"; DOMAIN.md §1.3-1.4).

Pure reads: `required_relationships(day)` loads the organisation as it stood on `day` in a
fixed number of queries and returns one `Relationship` per pact that must exist:

- EMPLOYEE_SUPERIOR: each position's holder with the holder of the position it reports to
  (the official declares, the direct superior countersigns "Menyaksikan");
- UNIT_HEAD_SATKER: each unit head with the current head of every satker its unit serves;
- INDIVIDUAL: each holder alone, when `PAKTA_INDIVIDUAL_PACTS` is on.

A position's holder is its definitive assignee, else its Plt, else its Plh (a Plh standing in
beside a definitive holder neither signs nor countersigns). A relationship is identified by the
assignments (or headship) on both sides, so replacing either side yields a new relationship.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings

from integrity.models import Assignment, IntegrityPact, Position, SpendingUnit, SpendingUnitHead

_ACTING_RANK: dict[str, int] = {
    Assignment.Acting.DEFINITIVE.value: 0,
    Assignment.Acting.PLT.value: 1,
    Assignment.Acting.PLH.value: 2,
}


@dataclass(frozen=True)
class AssignmentRow:
    id: int
    official_id: int
    position_id: int
    effective_date: datetime.date
    acting: str
    decree_id: int | None


@dataclass(frozen=True)
class HeadRow:
    id: int
    official_id: int
    spending_unit_id: int
    effective_date: datetime.date
    decree_id: int | None


@dataclass(frozen=True)
class Relationship:
    key: str
    kind: str
    unit_id: int
    effective_date: datetime.date
    trigger_decree_id: int | None
    declarant_assignment_id: int | None = None
    counterparty_assignment_id: int | None = None
    satker_head_id: int | None = None
    spending_unit_id: int | None = None
    # (official_id, role) in signing order
    signers: tuple[tuple[int, str], ...] = field(default=())

    @property
    def anchor(self) -> tuple[str, int | None]:
        """What a renewal continues: the declarant's official for internal pacts, the satker for
        external ones. A new pact with the anchor of a superseded one `supersedes` it."""
        if self.kind == IntegrityPact.Kind.UNIT_HEAD_SATKER:
            return (self.kind, self.spending_unit_id)
        return (self.kind, self.signers[0][0])


def relationship_key_employee_superior(declarant_id: int, superior_id: int) -> str:
    return f"ES:{declarant_id}:{superior_id}"


def relationship_key_unit_head_satker(head_assignment_id: int, satker_head_id: int) -> str:
    return f"US:{head_assignment_id}:{satker_head_id}"


def relationship_key_individual(assignment_id: int) -> str:
    return f"IN:{assignment_id}"


def _later(a_date: datetime.date, a_decree: int | None, b_date: datetime.date, b_decree: int | None) -> tuple:
    """The start of a relationship is the later of its two sides; so is the decree that caused it."""
    if b_date > a_date:
        return b_date, b_decree if b_decree is not None else a_decree
    return a_date, a_decree if a_decree is not None else b_decree


def position_holders(day: datetime.date) -> dict[int, AssignmentRow]:
    """position id -> the assignment that holds it on `day` (definitive > Plt > Plh)."""
    rows = (
        Assignment.objects.active_on(day)
        .order_by()
        .values_list("id", "official_id", "position_id", "effective_date", "acting", "decree_id")
    )
    holders: dict[int, AssignmentRow] = {}
    for values in rows:
        row = AssignmentRow(*values)
        current = holders.get(row.position_id)
        if current is None or (_ACTING_RANK[row.acting], row.effective_date, row.id) < (
            _ACTING_RANK[current.acting],
            current.effective_date,
            current.id,
        ):
            holders[row.position_id] = row
    return holders


def required_relationships(day: datetime.date) -> dict[str, Relationship]:
    holders = position_holders(day)
    positions = {
        pk: (reports_to, is_head, unit_id)
        for pk, reports_to, is_head, unit_id in Position.objects.order_by().values_list(
            "id", "reports_to_id", "is_unit_head", "unit_id"
        )
    }
    result: dict[str, Relationship] = {}
    es = IntegrityPact.Kind.EMPLOYEE_SUPERIOR
    for position_id, holder in holders.items():
        reports_to, _is_head, unit_id = positions[position_id]
        if reports_to is None:
            continue
        superior = holders.get(reports_to)
        if superior is None or superior.official_id == holder.official_id:
            continue
        start, decree = _later(holder.effective_date, holder.decree_id, superior.effective_date, superior.decree_id)
        key = relationship_key_employee_superior(holder.id, superior.id)
        result[key] = Relationship(
            key=key,
            kind=es,
            unit_id=unit_id,
            effective_date=start,
            trigger_decree_id=decree,
            declarant_assignment_id=holder.id,
            counterparty_assignment_id=superior.id,
            signers=((holder.official_id, "declarant"), (superior.official_id, "witness")),
        )

    heads_by_unit: dict[int, list[AssignmentRow]] = {}
    for position_id, holder in holders.items():
        _reports_to, is_head, unit_id = positions[position_id]
        if is_head:
            heads_by_unit.setdefault(unit_id, []).append(holder)
    if heads_by_unit:
        satker_units = dict(
            SpendingUnit.objects.filter(serving_unit_id__in=heads_by_unit)
            .order_by()
            .values_list("id", "serving_unit_id")
        )
        satker_heads: dict[int, HeadRow] = {}
        for values in (
            SpendingUnitHead.objects.active_on(day)
            .filter(spending_unit_id__in=satker_units)
            .order_by("effective_date", "id")
            .values_list("id", "official_id", "spending_unit_id", "effective_date", "decree_id")
        ):
            row = HeadRow(*values)
            satker_heads.setdefault(row.spending_unit_id, row)
        us = IntegrityPact.Kind.UNIT_HEAD_SATKER
        for spending_unit_id, satker_head in satker_heads.items():
            unit_id = satker_units[spending_unit_id]
            for head in heads_by_unit.get(unit_id, []):
                if head.official_id == satker_head.official_id:
                    continue
                start, decree = _later(
                    head.effective_date, head.decree_id, satker_head.effective_date, satker_head.decree_id
                )
                key = relationship_key_unit_head_satker(head.id, satker_head.id)
                result[key] = Relationship(
                    key=key,
                    kind=us,
                    unit_id=unit_id,
                    effective_date=start,
                    trigger_decree_id=decree,
                    counterparty_assignment_id=head.id,
                    satker_head_id=satker_head.id,
                    spending_unit_id=spending_unit_id,
                    # DOMAIN.md §10.4.4 / issue: satker head signs first, then the unit head.
                    signers=((satker_head.official_id, "party"), (head.official_id, "party")),
                )

    if settings.PAKTA_INDIVIDUAL_PACTS:
        ind = IntegrityPact.Kind.INDIVIDUAL
        for position_id, holder in holders.items():
            key = relationship_key_individual(holder.id)
            result[key] = Relationship(
                key=key,
                kind=ind,
                unit_id=positions[position_id][2],
                effective_date=holder.effective_date,
                trigger_decree_id=holder.decree_id,
                declarant_assignment_id=holder.id,
                signers=((holder.official_id, "declarant"),),
            )
    return result
