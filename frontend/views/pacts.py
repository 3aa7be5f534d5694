"""Pact pages: home, my pacts, my team's pacts, pacts in scope, pact detail and its PDF.

Every page starts from `pacts_visible_to(user)`: a pact outside it answers 404 (existence is not
leaked); a page whose role the user lacks answers 403 (STYLE.md "Errors and input")."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from frontend.forms import PactFilterForm
from frontend.navigation import (
    can_browse_pacts,
    can_import_decrees,
    can_see_coverage,
    can_see_decrees,
    can_see_own_pacts,
    can_see_team,
)
from frontend.views.common import STATE_ORDER, group_by_state, pact_rows, with_parties
from frontend.views.coverage import coverage_summary
from integrity.explain import pact_explain
from integrity.models import InboxMessage, IntegrityPact, PactParty
from integrity.selectors import decrees_visible_to, pacts_visible_to, units_visible_to, user_scope
from integrity.services.pact_documents import pact_document_ensure
from integrity.workdays import today_jakarta

HOME_LIST_LIMIT = 5
PAGE_SIZE = 50


def _own_pacts(user: Any, official_id: int) -> Any:
    return pacts_visible_to(user).filter(parties__official_id=official_id).distinct()


# A team member's own pacts: those they sign as declarant or as a party, not those they witness
# as somebody else's superior (a Kasi's staff pacts are not the Kepala's team's pacts).
TEAM_ROLES = (PactParty.Role.DECLARANT, PactParty.Role.PARTY)


def _team_pacts(user: Any, subordinate_ids: set[int]) -> Any:
    return (
        pacts_visible_to(user)
        .filter(
            parties__official_id__in=subordinate_ids,
            parties__role__in=TEAM_ROLES,
            status__in=IntegrityPact.CURRENT_STATUSES,
        )
        .distinct()
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """One dashboard with the sections that apply to the user's roles."""
    user = request.user
    scope = user_scope(user)
    today = today_jakarta()
    context: dict[str, Any] = {"today": today}
    if can_see_own_pacts(scope):
        assert scope.official_id is not None
        own = with_parties(_own_pacts(user, scope.official_id)).order_by("due_date", "number")
        mine = group_by_state(pact_rows(own, today))
        context["mine"] = {
            "counts": {state: len(rows) for state, rows in mine.items()},
            "open": (mine["overdue"] + mine["pending"])[:HOME_LIST_LIMIT],
            "open_total": len(mine["overdue"]) + len(mine["pending"]),
        }
        context["unread"] = InboxMessage.objects.filter(official_id=scope.official_id, read_at__isnull=True).count()
    if can_see_team(scope):
        team = group_by_state(pact_rows(with_parties(_team_pacts(user, scope.subordinate_official_ids)), today))
        context["team"] = {"counts": {state: len(rows) for state, rows in team.items()}}
    if can_see_coverage(scope):
        context["coverage"] = coverage_summary(user, today)
    if can_see_decrees(scope):
        context["decrees"] = list(decrees_visible_to(user).order_by("-imported_at")[:HOME_LIST_LIMIT])
        context["can_import"] = can_import_decrees(user)
    return render(request, "frontend/home.html", context)


@login_required
@require_GET
def my_pacts(request: HttpRequest) -> HttpResponse:
    """ "Pakta saya": the user's own pacts, overdue first, then pending, signed and history."""
    scope = user_scope(request.user)
    if not can_see_own_pacts(scope):
        raise PermissionDenied
    assert scope.official_id is not None
    today = today_jakarta()
    rows = pact_rows(with_parties(_own_pacts(request.user, scope.official_id)).order_by("due_date", "number"), today)
    return render(
        request,
        "frontend/pacts_mine.html",
        {"groups": group_by_state(rows), "official_id": scope.official_id, "today": today},
    )


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """ "Pakta tim saya": the current pacts of the officials who report to the user."""
    scope = user_scope(request.user)
    if not can_see_team(scope):
        raise PermissionDenied
    today = today_jakarta()
    subordinates = scope.subordinate_official_ids
    rows = pact_rows(with_parties(_team_pacts(request.user, subordinates)).order_by("due_date", "number"), today)
    rows.sort(key=lambda r: (STATE_ORDER[r.state], r.pact.due_date, r.pact.number))
    members = [
        {
            "row": row,
            "member": next(
                (p for p in row.parties if p.official_id in subordinates and p.role in TEAM_ROLES), row.parties[0]
            ),
        }
        for row in rows
        if row.parties
    ]
    counts = {state: sum(1 for r in rows if r.state == state) for state in ("overdue", "pending", "signed")}
    return render(request, "frontend/team.html", {"members": members, "counts": counts, "today": today})


@login_required
@require_GET
def pacts_all(request: HttpRequest) -> HttpResponse:
    """Every pact in the user's organisation scope, filtered by unit and state (read-only)."""
    scope = user_scope(request.user)
    if not can_browse_pacts(scope):
        raise PermissionDenied
    today = today_jakarta()
    units = units_visible_to(request.user).order_by("code")
    form = PactFilterForm(request.GET or None, units=units)
    qs = pacts_visible_to(request.user)
    if form.is_bound and form.is_valid():
        unit = form.cleaned_data.get("unit")
        if unit is not None:
            qs = qs.filter(unit=unit)
        state = form.cleaned_data.get("state") or "current"
        if state == "current":
            qs = qs.filter(status__in=IntegrityPact.CURRENT_STATUSES)
        elif state == "overdue":
            qs = qs.filter(status=IntegrityPact.Status.PENDING, due_date__lt=today)
        elif state == "pending":
            qs = qs.filter(Q(status=IntegrityPact.Status.PENDING) & Q(due_date__gte=today))
        elif state != "all":
            qs = qs.filter(status=state)
    else:
        qs = qs.filter(status__in=IntegrityPact.CURRENT_STATUSES)
    page = Paginator(with_parties(qs).order_by("unit__code", "due_date", "number"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "frontend/pacts_all.html",
        {
            "form": form,
            "page": page,
            "rows": pact_rows(page.object_list, today),
            "query": query.urlencode(),
            "today": today,
        },
    )


@login_required
@require_GET
def pact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A pact: parties with their identity snapshot, state, due date, why it exists, the PDF."""
    pact = get_object_or_404(
        with_parties(pacts_visible_to(request.user)).select_related(
            "trigger_decree", "supersedes", "superseded_by_decree", "spending_unit"
        ),
        pk=pk,
    )
    today = today_jakarta()
    row = pact_rows([pact], today)[0]
    visible = pacts_visible_to(request.user)
    successors = list(visible.filter(supersedes=pact).order_by("pk"))
    predecessor = visible.filter(pk=pact.supersedes_id).first() if pact.supersedes_id else None
    return render(
        request,
        "frontend/pact_detail.html",
        {
            "pact": pact,
            "row": row,
            "why": pact_explain(pact),
            "predecessor": predecessor,
            "successors": successors,
            "today": today,
        },
    )


@login_required
@require_GET
@xframe_options_sameorigin
def pact_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The pact's PDF/A, rendered on first request (`pact_document_ensure`) and shown inline."""
    pact = get_object_or_404(pacts_visible_to(request.user), pk=pk)
    pact = pact_document_ensure(pact=pact, actor=request.user)
    response = FileResponse(
        pact.document.open("rb"),
        content_type="application/pdf",
        as_attachment="download" in request.GET,
        filename=f"{pact.number}.pdf",
    )
    response["Cache-Control"] = "private, max-age=0"
    return response
