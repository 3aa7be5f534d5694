"""Shared pieces of the page views: pacts as table rows, with their state for today."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from integrity.models import IntegrityPact, PactParty
from integrity.selectors import pact_is_overdue

STATE_ORDER = {"overdue": 0, "pending": 1, "signed": 2, "superseded": 3}


def pact_state(pact: IntegrityPact, today: datetime.date) -> str:
    """The state a reader cares about: a pending pact past its due date is "overdue"."""
    if pact_is_overdue(pact, today):
        return "overdue"
    return str(pact.status)


@dataclass(frozen=True)
class PactRow:
    """A pact as a table row: its state for today and its parties in signing order."""

    pact: IntegrityPact
    state: str
    parties: list[PactParty]
    days_late: int = 0

    @property
    def is_overdue(self) -> bool:
        return self.state == "overdue"


def with_parties(qs: QuerySet[IntegrityPact]) -> QuerySet[IntegrityPact]:
    return qs.select_related("unit").prefetch_related(Prefetch("parties", queryset=PactParty.objects.order_by("order")))


def pact_rows(pacts: Iterable[IntegrityPact], today: datetime.date) -> list[PactRow]:
    rows = []
    for pact in pacts:
        state = pact_state(pact, today)
        rows.append(
            PactRow(
                pact=pact,
                state=state,
                parties=list(pact.parties.all()),
                days_late=(today - pact.due_date).days if state == "overdue" else 0,
            )
        )
    return rows


def group_by_state(rows: list[PactRow]) -> dict[str, list[PactRow]]:
    groups: dict[str, list[PactRow]] = {state: [] for state in STATE_ORDER}
    for row in rows:
        groups[row.state].append(row)
    return groups
