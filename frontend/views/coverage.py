""" "Cakupan pakta": signed / pending / overdue current pacts per unit and section in scope."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from frontend.navigation import can_browse_pacts, can_see_coverage
from integrity.selectors import CoverageCounts, CoverageRow, pact_coverage, user_scope
from integrity.workdays import today_jakarta

MAX_INDENT = 6


Totals = CoverageCounts  # the sum over every unit in scope


@dataclass(frozen=True)
class Bar:
    """One stacked bar of the chart: segment offsets and widths in percent of the row total
    (exact, so the segments always fill the bar; the labels use the rounded percentages)."""

    row: CoverageRow
    indent: int
    signed_width: float
    pending_width: float
    overdue_width: float

    @property
    def pending_x(self) -> float:
        return self.signed_width

    @property
    def overdue_x(self) -> float:
        return self.signed_width + self.pending_width


def _bar(row: CoverageRow, min_depth: int) -> Bar:
    total = row.total or 1
    return Bar(
        row=row,
        indent=min(row.depth - min_depth, MAX_INDENT),
        signed_width=round(100 * row.signed / total, 3),
        pending_width=round(100 * row.pending / total, 3),
        overdue_width=round(100 * row.overdue / total, 3),
    )


def totals_of(rows: list[CoverageRow]) -> Totals:
    return Totals(
        signed=sum(r.signed for r in rows),
        pending=sum(r.pending for r in rows),
        overdue=sum(r.overdue for r in rows),
    )


def coverage_summary(user: Any, today: datetime.date) -> Totals:
    return totals_of(pact_coverage(user, today=today))


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    scope = user_scope(request.user)
    if not can_see_coverage(scope):
        raise PermissionDenied
    today = today_jakarta()
    rows = pact_coverage(request.user, today=today)
    min_depth = min((r.depth for r in rows), default=0)
    return render(
        request,
        "frontend/coverage.html",
        {
            "bars": [_bar(r, min_depth) for r in rows],
            "totals": totals_of(rows),
            "today": today,
            "can_browse": can_browse_pacts(scope),
            "read_only": scope.is_auditor and not (scope.is_compliance or scope.is_unit_head),
        },
    )
