"""The pact reconciler and pact state changes (issue "pact engine"; source report item 9).

Pacts are derived state. `pacts_reconcile(as_of=D)` compares the pacts the organisation requires
on D (integrity.pact_rules) with the current pacts and
- creates the missing ones, due `PAKTA_PACT_DUE_WORKING_DAYS` working days after the date that
  triggered them (integrity.workdays, policy "pact_signing"),
- supersedes the current pacts whose relationship no longer exists (kept forever, with the
  decree that ended them),
- never duplicates (also a partial unique index) and is idempotent: a second run changes nothing.
Runs are serialised by a row lock on `ReconcileState`, and the number of queries per run does
not grow with the number of pacts (bulk writes, bulk audit events).
"""

import contextlib
import datetime
import gc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.services import audit_record, audit_record_many
from integrity import errors
from integrity.models import (
    Assignment,
    IntegrityPact,
    Official,
    PactParty,
    ReconcileState,
    SpendingUnitHead,
)
from integrity.pact_rules import Relationship, required_relationships
from integrity.workdays import add_working_days

PACT_POLICY = "pact_signing"


@dataclass
class ReconcileResult:
    as_of: datetime.date
    created: list[int] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.superseded)


def _snapshot(official: Official, *, position: str, unit: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The identity of a signer frozen at creation (DOMAIN.md §7 rule 4)."""
    return {
        "name": official.full_name,
        "nip": official.nip,
        "nip_display": official.nip_display,
        "employee_type": official.employee_type,
        "rank": str(official.rank) if official.rank else "",
        "position": position,
        "unit": unit,
        **(extra or {}),
    }


def _locked_state() -> ReconcileState:
    state = ReconcileState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        ReconcileState.objects.get_or_create(pk=1)
        state = ReconcileState.objects.select_for_update().get(pk=1)
    return state


def _supersede_reason(
    pact: IntegrityPact,
    as_of: datetime.date,
    ended: tuple[dict[int, Assignment], dict[int, SpendingUnitHead]],
) -> tuple[str, int | None]:
    """Say which side of the relationship ended, and by which decree."""
    ended_assignments, ended_heads = ended
    sides: list[Any] = [
        ended_assignments[i]
        for i in (pact.declarant_assignment_id, pact.counterparty_assignment_id)
        if i is not None and i in ended_assignments
    ]
    if pact.satker_head_id is not None and pact.satker_head_id in ended_heads:
        sides.append(ended_heads[pact.satker_head_id])
    for side in sides:
        if side.end_date is not None and side.end_date < as_of:
            who = side.official.full_name
            what = side.position.title if isinstance(side, Assignment) else f"{side.title} {side.spending_unit.code}"
            decree = side.end_decree.number if side.end_decree_id else "-"
            since = side.end_date + datetime.timedelta(days=1)
            return (f"{who} tidak lagi menjabat {what} sejak {since:%d-%m-%Y} (SK {decree})", side.end_decree_id)
    return ("Hubungan atasan/pihak berubah (jabatan atasan berganti pemegang atau susunan organisasi berubah)", None)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """A large reconcile allocates tens of thousands of short-lived model objects; Python's
    cyclic collector then spends ~40 % of the run scanning them (bench/bench_reconcile.py).
    Nothing here forms cycles that must be freed early, so collect once at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def pacts_reconcile(*, as_of: datetime.date, actor: Any = None) -> ReconcileResult:
    """Bring the stored pacts in line with the organisation on `as_of`. Idempotent."""
    with _gc_paused():
        return _reconcile(as_of=as_of, actor=actor)


def _reconcile(*, as_of: datetime.date, actor: Any) -> ReconcileResult:
    result = ReconcileResult(as_of=as_of)
    with transaction.atomic():
        state = _locked_state()
        desired = required_relationships(as_of)
        current = {
            pact.relationship_key: pact
            for pact in IntegrityPact.objects.select_for_update().filter(status__in=IntegrityPact.CURRENT_STATUSES)
        }
        stale = [pact for key, pact in current.items() if key not in desired]
        missing = [rel for key, rel in desired.items() if key not in current]
        result.unchanged = len(current) - len(stale)
        now = timezone.now()
        events: list[dict[str, Any]] = []

        superseded_by_anchor: dict[tuple[str, int | None], IntegrityPact] = {}
        if stale:
            ended = _ended_sides(stale)
            parties = _first_party_officials([p.pk for p in stale])
            for pact in stale:
                reason, decree_id = _supersede_reason(pact, as_of, ended)
                pact.status = IntegrityPact.Status.SUPERSEDED
                pact.superseded_at = now
                pact.superseded_by_decree_id = decree_id
                pact.supersede_reason = reason[:300]
                anchor = (
                    (pact.kind, pact.spending_unit_id)
                    if pact.kind == IntegrityPact.Kind.UNIT_HEAD_SATKER
                    else (pact.kind, parties.get(pact.pk))
                )
                superseded_by_anchor[anchor] = pact
                events.append(
                    {
                        "action": "integrity.pact.superseded",
                        "subject": pact,
                        "payload": {"number": pact.number, "reason": pact.supersede_reason, "decree_id": decree_id},
                    }
                )
            _mark_superseded(stale, now)
            result.superseded = [p.pk for p in stale]

        if missing:
            created = _create_pacts(missing, state, superseded_by_anchor)
            result.created = [p.pk for p in created]
            events.extend(
                {
                    "action": "integrity.pact.created",
                    "subject": pact,
                    "payload": {
                        "number": pact.number,
                        "kind": pact.kind,
                        "relationship": pact.relationship_key,
                        "effective_date": pact.effective_date,
                        "due_date": pact.due_date,
                        "trigger_decree_id": pact.trigger_decree_id,
                        "supersedes": pact.supersedes.number if pact.supersedes else None,
                    },
                }
                for pact in created
            )
        state.last_run_at = now
        state.last_as_of = as_of
        state.save(update_fields=["pact_counter", "last_run_at", "last_as_of"])
        if events:
            events.append(
                {
                    "action": "integrity.pacts.reconciled",
                    "subject_type": "integrity.reconcilestate",
                    "subject_id": 1,
                    "payload": {"as_of": as_of, "created": len(result.created), "superseded": len(result.superseded)},
                }
            )
            audit_record_many(events, actor=actor)
        if result.created:
            created_ids = list(result.created)
            transaction.on_commit(lambda: _enqueue_documents(created_ids))
    return result


def _mark_superseded(pacts: list[IntegrityPact], now: datetime.datetime) -> None:
    """Write the supersession of `pacts` in one UPDATE per backend parameter limit (one on
    PostgreSQL): `UPDATE ... FROM (VALUES ...)`, valid on PostgreSQL and SQLite >= 3.33.

    `bulk_update` would need one query per batch and builds a CASE WHEN per pact and field,
    which is most of a large reconcile's time (bench/bench_reconcile.py)."""
    table = connection.ops.quote_name(IntegrityPact._meta.db_table)
    rows = [(pact.pk, pact.supersede_reason, pact.superseded_by_decree_id) for pact in pacts]
    limit = connection.features.max_query_params
    per_query = (limit - 2) // 3 if limit else len(rows)
    superseded_at = connection.ops.adapt_datetimefield_value(now)  # as the ORM stores it (naive UTC on SQLite)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_query):
            chunk = rows[start : start + per_query]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET status = %s, superseded_at = %s, supersede_reason = v.column2, "  # noqa: S608
                f"superseded_by_decree_id = CAST(v.column3 AS bigint) FROM (VALUES {values}) AS v "
                f"WHERE {table}.id = v.column1",
                [IntegrityPact.Status.SUPERSEDED.value, superseded_at, *(value for row in chunk for value in row)],
            )


def _enqueue_documents(pact_ids: list[int]) -> None:
    from integrity.tasks import render_pact_documents

    render_pact_documents.enqueue(pact_ids)


def _ended_sides(pacts: Iterable[IntegrityPact]) -> tuple[dict[int, Assignment], dict[int, SpendingUnitHead]]:
    """The assignments and satker headships behind `pacts` that have ended, by id."""
    assignment_ids: set[int] = set()
    head_ids: set[int] = set()
    for pact in pacts:
        assignment_ids.update(i for i in (pact.declarant_assignment_id, pact.counterparty_assignment_id) if i)
        if pact.satker_head_id:
            head_ids.add(pact.satker_head_id)
    assignments = {
        a.pk: a
        for a in Assignment.objects.filter(pk__in=assignment_ids, end_date__isnull=False).select_related(
            "official", "position", "end_decree"
        )
    }
    heads = {
        h.pk: h
        for h in SpendingUnitHead.objects.filter(pk__in=head_ids, end_date__isnull=False).select_related(
            "official", "spending_unit", "end_decree"
        )
    }
    return assignments, heads


def _first_party_officials(pact_ids: list[int]) -> dict[int, int]:
    return dict(PactParty.objects.filter(pact_id__in=pact_ids, order=1).values_list("pact_id", "official_id"))


def _create_pacts(
    missing: list[Relationship],
    state: ReconcileState,
    superseded_by_anchor: dict[tuple[str, int | None], IntegrityPact],
) -> list[IntegrityPact]:
    missing = sorted(missing, key=lambda r: (r.effective_date, r.key))
    assignment_ids = {i for r in missing for i in (r.declarant_assignment_id, r.counterparty_assignment_id) if i}
    assignments = {
        a.pk: a
        for a in Assignment.objects.filter(pk__in=assignment_ids).select_related("official__rank", "position__unit")
    }
    heads = {
        h.pk: h
        for h in SpendingUnitHead.objects.filter(
            pk__in={r.satker_head_id for r in missing if r.satker_head_id}
        ).select_related("official__rank", "spending_unit")
    }
    due_cache: dict[datetime.date, Any] = {}
    pacts: list[IntegrityPact] = []
    party_specs: list[list[tuple[int, str, dict[str, Any]]]] = []
    for rel in missing:
        if rel.effective_date not in due_cache:
            due_cache[rel.effective_date] = add_working_days(
                rel.effective_date, settings.PAKTA_PACT_DUE_WORKING_DAYS, policy=PACT_POLICY
            )
        due = due_cache[rel.effective_date]
        state.pact_counter += 1
        pacts.append(
            IntegrityPact(
                number=f"PI-{rel.effective_date:%Y}-{state.pact_counter:06d}",
                kind=rel.kind,
                relationship_key=rel.key,
                unit_id=rel.unit_id,
                declarant_assignment_id=rel.declarant_assignment_id,
                counterparty_assignment_id=rel.counterparty_assignment_id,
                spending_unit_id=rel.spending_unit_id,
                satker_head_id=rel.satker_head_id,
                effective_date=rel.effective_date,
                due_date=due.date,
                due_date_provisional=due.provisional,
                trigger_decree_id=rel.trigger_decree_id,
                supersedes=superseded_by_anchor.get(rel.anchor),
            )
        )
        party_specs.append(_party_specs(rel, assignments, heads))
    # No fixed batch size: Django sends as many rows per INSERT as the backend allows (all of them
    # on PostgreSQL), so the number of queries does not grow with the number of pacts.
    IntegrityPact.objects.bulk_create(pacts)
    parties = [
        PactParty(
            pact=pact,
            order=order,
            role=role,
            official_id=official_id,
            snapshot=snapshot,
            field_name=f"Sig{order}_{role.capitalize()}",
        )
        for pact, specs in zip(pacts, party_specs, strict=True)
        for order, (official_id, role, snapshot) in enumerate(specs, start=1)
    ]
    PactParty.objects.bulk_create(parties)
    return pacts


def _party_specs(
    rel: Relationship, assignments: dict[int, Assignment], heads: dict[int, SpendingUnitHead]
) -> list[tuple[int, str, dict[str, Any]]]:
    def of_assignment(assignment_id: int) -> dict[str, Any]:
        a = assignments[assignment_id]
        title = a.position.title
        if a.acting:
            title = f"{a.get_acting_display().split(' ')[0]} {title}"
        return _snapshot(a.official, position=title, unit=a.position.unit.name)

    if rel.kind == IntegrityPact.Kind.UNIT_HEAD_SATKER:
        assert rel.satker_head_id is not None and rel.counterparty_assignment_id is not None
        head = heads[rel.satker_head_id]
        satker = {"spending_unit_code": head.spending_unit.code, "spending_unit_name": head.spending_unit.name}
        return [
            (
                head.official_id,
                "party",
                _snapshot(head.official, position=head.title, unit=head.spending_unit.name, extra=satker),
            ),
            (rel.signers[1][0], "party", of_assignment(rel.counterparty_assignment_id)),
        ]
    specs = []
    assert rel.declarant_assignment_id is not None
    specs.append((rel.signers[0][0], "declarant", of_assignment(rel.declarant_assignment_id)))
    if rel.counterparty_assignment_id is not None:
        specs.append((rel.signers[1][0], "witness", of_assignment(rel.counterparty_assignment_id)))
    return specs


def pact_record_external_signature(
    *, pact: IntegrityPact, reference: str, signed_on: datetime.date, actor: Any = None
) -> IntegrityPact:
    """Record that a pact was signed outside Pakta (e.g. TTE through Nadine, DOMAIN.md §10.4.3),
    keeping the external document reference. PENDING -> SIGNED only."""
    with transaction.atomic():
        locked = IntegrityPact.objects.select_for_update().get(pk=pact.pk)
        if locked.status != IntegrityPact.Status.PENDING:
            raise errors.PactTransitionError(
                errors.PACT_NOT_CURRENT % {"number": locked.number, "status": locked.get_status_display()}
            )
        signed_at = timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time(12, 0)))
        locked.status = IntegrityPact.Status.SIGNED
        locked.signed_at = signed_at
        locked.external_reference = reference
        locked.save(update_fields=["status", "signed_at", "external_reference"])
        locked.parties.update(signed_at=signed_at)
        audit_record(
            action="integrity.pact.signed_externally",
            actor=actor,
            subject=locked,
            payload={"number": locked.number, "reference": reference, "signed_on": signed_on},
        )
    return locked
