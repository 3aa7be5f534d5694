""" "Why does this pact exist?" — the relationship, the assignments and the decrees behind it."""

from typing import Any

from integrity.models import Assignment, IntegrityPact, SpendingUnitHead


def _assignment(a: Assignment | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "assignment_id": a.pk,
        "official": a.official.full_name,
        "nip": a.official.nip,
        "position": a.position.title,
        "position_code": a.position.code,
        "unit": a.position.unit.name,
        "acting": a.acting or "definitive",
        "since": a.effective_date,
        "until": a.end_date,
        "decree": a.decree_number or None,
        "ended_by_decree": a.end_decree.number if a.end_decree_id and a.end_decree else None,
    }


def _headship(h: SpendingUnitHead | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return {
        "headship_id": h.pk,
        "official": h.official.full_name,
        "nip": h.official.nip,
        "title": h.title,
        "spending_unit_code": h.spending_unit.code,
        "spending_unit": h.spending_unit.name,
        "since": h.effective_date,
        "until": h.end_date,
        "decree": h.decree_number or None,
        "ended_by_decree": h.end_decree.number if h.end_decree_id and h.end_decree else None,
    }


def pact_explain(pact: IntegrityPact) -> dict[str, Any]:
    """A JSON-able answer: which relationship requires this pact, since when, caused by which
    decree, and (when superseded) what ended it and which pact replaced it."""
    related = ("official", "position__unit", "end_decree")
    declarant = (
        Assignment.objects.select_related(*related).get(pk=pact.declarant_assignment_id)
        if pact.declarant_assignment_id
        else None
    )
    counterparty = (
        Assignment.objects.select_related(*related).get(pk=pact.counterparty_assignment_id)
        if pact.counterparty_assignment_id
        else None
    )
    head = (
        SpendingUnitHead.objects.select_related("official", "spending_unit", "end_decree").get(pk=pact.satker_head_id)
        if pact.satker_head_id
        else None
    )
    if pact.kind == IntegrityPact.Kind.EMPLOYEE_SUPERIOR and declarant and counterparty:
        summary = (
            f"{declarant.official.full_name} ({declarant.position.title}) melapor langsung kepada "
            f"{counterparty.official.full_name} ({counterparty.position.title}) sejak {pact.effective_date:%d-%m-%Y}."
        )
    elif pact.kind == IntegrityPact.Kind.UNIT_HEAD_SATKER and counterparty and head:
        summary = (
            f"{counterparty.official.full_name} ({counterparty.position.title}) melayani satker "
            f"{head.spending_unit.code} {head.spending_unit.name} yang dipimpin {head.official.full_name} "
            f"sejak {pact.effective_date:%d-%m-%Y}."
        )
    else:
        summary = f"Pengangkatan dalam jabatan sejak {pact.effective_date:%d-%m-%Y}."
    successor = pact.superseded_by.order_by("pk").first()
    return {
        "summary": summary,
        "kind": pact.kind,
        "kind_label": pact.get_kind_display(),
        "relationship_key": pact.relationship_key,
        "effective_date": pact.effective_date,
        "due_date": pact.due_date,
        "due_date_provisional": pact.due_date_provisional,
        "declarant": _assignment(declarant),
        "counterparty": _assignment(counterparty),
        "satker_head": _headship(head),
        "trigger_decree": (
            {"number": pact.trigger_decree.number, "date": pact.trigger_decree.decree_date}
            if pact.trigger_decree_id and pact.trigger_decree
            else None
        ),
        "supersedes": pact.supersedes.number if pact.supersedes_id and pact.supersedes else None,
        "superseded": (
            {
                "at": pact.superseded_at,
                "reason": pact.supersede_reason,
                "decree": pact.superseded_by_decree.number
                if pact.superseded_by_decree_id and pact.superseded_by_decree
                else None,
                "successor": successor.number if successor else None,
            }
            if pact.status == IntegrityPact.Status.SUPERSEDED
            else None
        ),
    }
