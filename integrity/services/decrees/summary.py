"""Summarising an applied decree for its preview: the assignments and satker headships it started
and ended, and the pacts the reconcile created and superseded."""

import datetime

from integrity.decree_files import KIND_SATKER_HEAD, ParsedDecree
from integrity.models import Assignment, IntegrityPact, SpendingUnitHead
from integrity.services.decrees.apply import _Context
from integrity.services.decrees.results import (
    AssignmentChange,
    DecreePreview,
    PactCreatedSummary,
    PactPartySummary,
    PactSupersededSummary,
)


def _assignment_change(assignment: Assignment, day: datetime.date) -> AssignmentChange:
    return AssignmentChange(
        nip=assignment.official.nip,
        name=assignment.official.full_name,
        position=f"{assignment.position.title} ({assignment.position.code})",
        unit=assignment.position.unit.name,
        acting=assignment.acting,
        date=day,
    )


def _headship_change(head: SpendingUnitHead, day: datetime.date) -> AssignmentChange:
    return AssignmentChange(
        nip=head.official.nip,
        name=head.official.full_name,
        position=f"{head.title} {head.spending_unit.code}",
        unit=head.spending_unit.name,
        acting=KIND_SATKER_HEAD,
        date=day,
    )


def _summarise(
    parsed: ParsedDecree, ctx: _Context, as_of: datetime.date, created_ids: list[int], superseded_ids: list[int]
) -> DecreePreview:
    decree = ctx.decree
    related = ("official", "position__unit")
    started = [_assignment_change(a, a.effective_date) for a in decree.started_assignments.select_related(*related)]
    started += [
        _headship_change(h, h.effective_date)
        for h in decree.started_headships.select_related("official", "spending_unit")
    ]
    ended = [
        _assignment_change(a, a.end_date)
        for a in decree.ended_assignments.select_related(*related).order_by("end_date", "pk")
        if a.end_date is not None
    ]
    ended += [
        _headship_change(h, h.end_date)
        for h in decree.ended_headships.select_related("official", "spending_unit").order_by("end_date", "pk")
        if h.end_date is not None
    ]
    created = []
    for pact in (
        IntegrityPact.objects.filter(pk__in=created_ids).select_related("supersedes").prefetch_related("parties")
    ):
        created.append(
            PactCreatedSummary(
                number=pact.number,
                kind=pact.kind,
                kind_label=str(pact.get_kind_display()),
                parties=tuple(
                    PactPartySummary(
                        role=party.role,
                        name=party.snapshot.get("name", ""),
                        nip=party.snapshot.get("nip", ""),
                        position=party.snapshot.get("position", ""),
                        unit=party.snapshot.get("unit", ""),
                    )
                    for party in sorted(pact.parties.all(), key=lambda p: p.order)
                ),
                effective_date=pact.effective_date,
                due_date=pact.due_date,
                due_date_provisional=pact.due_date_provisional,
                supersedes=pact.supersedes.number if pact.supersedes else "",
            )
        )
    superseded = [
        PactSupersededSummary(
            number=pact.number,
            kind=pact.kind,
            kind_label=str(pact.get_kind_display()),
            parties=tuple(
                party.snapshot.get("name", "") for party in sorted(pact.parties.all(), key=lambda p: p.order)
            ),
            reason=pact.supersede_reason,
        )
        for pact in IntegrityPact.objects.filter(pk__in=superseded_ids).prefetch_related("parties")
    ]
    return DecreePreview(
        number=parsed.number,
        decree_date=parsed.decree_date,
        title=parsed.title,
        as_of=as_of,
        content_sha256=parsed.content_sha256,
        already_imported=False,
        moves=tuple(ctx.moves),
        officials_created=tuple(ctx.officials_created),
        assignments_started=tuple(sorted(started, key=lambda c: (c.date, c.nip, c.position))),
        assignments_ended=tuple(sorted(ended, key=lambda c: (c.date, c.nip, c.position))),
        pacts_created=tuple(sorted(created, key=lambda p: p.number)),
        pacts_superseded=tuple(sorted(superseded, key=lambda p: p.number)),
    )
