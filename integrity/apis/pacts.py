"""Integrity pacts: list with filters, detail with "why", the PDF, and coverage per unit.

The list runs a constant number of queries whatever the page size: the user's scope (a few
small queries, once per request), the optional unit subtree, a capped COUNT, the page (unit and
satker joined) and one query for the page's parties. The serializers are in
`integrity.apis.pact_serializers`.
"""

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from integrity.apis.base import Pagination, PaktaApiView, PdfRenderer
from integrity.apis.pact_serializers import PactDetailSerializer, PactListItemSerializer
from integrity.apis.serializers import ErrorSerializer
from integrity.models import IntegrityPact, PactParty, Unit
from integrity.nip import normalize_nip
from integrity.selectors import pact_coverage, pacts_visible_to
from integrity.services.pact_documents import pact_document_ensure
from integrity.workdays import today_jakarta

ORDERINGS = {"-created": ("-id",), "due_date": ("due_date", "id"), "-due_date": ("-due_date", "-id")}


def unit_subtree_ids(unit_id: int) -> set[int]:
    """The unit and every unit below it (one query: organisations are small and shallow)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Unit.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    result: set[int] = set()
    stack = [unit_id]
    while stack:
        node = stack.pop()
        if node not in result:
            result.add(node)
            stack.extend(children.get(node, []))
    return result


# The list is the hot path (issue §9: p95 < 50 ms at 100,000 pacts). It reads plain rows
# (`values()`) and builds the items directly instead of instantiating models and running DRF's
# nested serializers, which cost more than the queries (measured in bench/bench_api.py). The
# items are exactly what `PactListItemSerializer` gives for the same pact (tests/api assert it);
# the serializer stays the single description of an item (schema, detail view).
_LIST_COLUMNS = (
    "id",
    "number",
    "kind",
    "status",
    "effective_date",
    "due_date",
    "due_date_provisional",
    "signed_at",
    "unit_id",
    "unit__code",
    "unit__name",
    "unit__kind",
    "spending_unit_id",
    "spending_unit__code",
    "spending_unit__name",
)
_DATETIME = serializers.DateTimeField()


def _datetime(value: datetime.datetime | None) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def pact_list_items(rows: list[dict[str, Any]], *, request: Request, today: datetime.date) -> list[dict[str, Any]]:
    """List items for a page of `values(*_LIST_COLUMNS)` rows: one query for all their parties."""
    parties: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
    for pact_id, order, role, official_id, snapshot, signed_at in (
        PactParty.objects.filter(pact_id__in=parties)
        .order_by("pact_id", "order")
        .values_list("pact_id", "order", "role", "official_id", "snapshot", "signed_at")
    ):
        parties[pact_id].append(
            {
                "order": order,
                "role": role,
                "official_id": official_id,
                "name": snapshot.get("name"),
                "nip": snapshot.get("nip"),
                "position": snapshot.get("position"),
                "signed_at": _datetime(signed_at),
            }
        )
    base_url = request.build_absolute_uri(reverse("integrity_api:pact-list"))
    pending = IntegrityPact.Status.PENDING
    return [
        {
            "id": row["id"],
            "number": row["number"],
            "kind": row["kind"],
            "status": row["status"],
            "overdue": row["status"] == pending and row["due_date"] < today,
            "effective_date": row["effective_date"].isoformat(),
            "due_date": row["due_date"].isoformat(),
            "due_date_provisional": row["due_date_provisional"],
            "signed_at": _datetime(row["signed_at"]),
            "unit": {
                "id": row["unit_id"],
                "code": row["unit__code"],
                "name": row["unit__name"],
                "kind": row["unit__kind"],
            },
            "spending_unit": (
                {"id": row["spending_unit_id"], "code": row["spending_unit__code"], "name": row["spending_unit__name"]}
                if row["spending_unit_id"] is not None
                else None
            ),
            "parties": parties[row["id"]],
            "url": f"{base_url}{row['id']}/",
        }
        for row in rows
    ]


class PactListApi(PaktaApiView):
    """Pacts in your scope: your own, your team's, and those of the units you head or hold a
    grant over. `unit` includes the unit's whole subtree (a KPPN shows its sections' pacts too)."""

    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=IntegrityPact.Status.choices, required=False)
        kind = serializers.ChoiceField(choices=IntegrityPact.Kind.choices, required=False)
        unit = serializers.IntegerField(required=False, help_text="Unit id; includes every unit below it.")
        party = serializers.IntegerField(required=False, help_text="Official id of a signatory.")
        nip = serializers.CharField(required=False, help_text="NIP of a signatory (separators allowed).")
        overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
        ordering = serializers.ChoiceField(choices=list(ORDERINGS), default="-created")

    @extend_schema(parameters=[FilterSerializer], responses=PactListItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        today = today_jakarta()
        qs = pacts_visible_to(request.user)
        if "status" in f:
            qs = qs.filter(status=f["status"])
        if "kind" in f:
            qs = qs.filter(kind=f["kind"])
        if "unit" in f:
            qs = qs.filter(unit_id__in=unit_subtree_ids(f["unit"]))
        if "party" in f:
            qs = qs.filter(Exists(PactParty.objects.filter(pact=OuterRef("pk"), official_id=f["party"])))
        if f.get("nip"):
            nip = normalize_nip(f["nip"])
            qs = qs.filter(Exists(PactParty.objects.filter(pact=OuterRef("pk"), official__nip=nip)))
        late = Q(status=IntegrityPact.Status.PENDING, due_date__lt=today)
        if f.get("overdue") is True:
            qs = qs.filter(late)
        elif f.get("overdue") is False:
            qs = qs.exclude(late)
        paginator = Pagination()
        page = qs.order_by(*ORDERINGS[f["ordering"]]).values(*_LIST_COLUMNS)
        rows = paginator.paginate_queryset(page, request, count_queryset=qs)
        return paginator.get_paginated_response(pact_list_items(rows, request=request, today=today))


# --- detail ----------------------------------------------------------------------------------


class PactDetailApi(PaktaApiView):
    """One pact, with `why` it exists (the relationship, assignments and decrees behind it) and
    links along its history."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PactDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        qs = pacts_visible_to(request.user).select_related(
            "unit", "spending_unit", "supersedes", "trigger_decree", "superseded_by_decree"
        )
        pact = get_object_or_404(qs, pk=pk)
        return Response(PactDetailSerializer(pact, context={"request": request}).data)


class PactPdfApi(PaktaApiView):
    """The pact as PDF/A, rendered on the first request and stored (the same bytes afterwards).
    Shown inline; the file name is the pact number."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The pact document."),
            (404, "application/json"): OpenApiResponse(ErrorSerializer, description="Not in your scope."),
        }
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        pact = get_object_or_404(pacts_visible_to(request.user), pk=pk)
        pact = pact_document_ensure(pact=pact, actor=request.user)
        response = FileResponse(pact.document.open("rb"), content_type="application/pdf", filename=f"{pact.number}.pdf")
        if pact.document_sha256:
            response["ETag"] = f'"{pact.document_sha256}"'
        return response


# --- coverage --------------------------------------------------------------------------------


class CoverageRowSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    unit_kind = serializers.CharField()
    depth = serializers.IntegerField(help_text="0 for the root of the organisation.")
    signed = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Pending and not yet due.")
    overdue = serializers.IntegerField()
    total = serializers.IntegerField()
    signed_percent = serializers.IntegerField()
    pending_percent = serializers.IntegerField()
    overdue_percent = serializers.IntegerField()


class CoverageApi(PaktaApiView):
    """Current pacts (signed / pending / overdue) per unit in your scope, in tree order."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CoverageRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = pact_coverage(request.user)
        return Response(CoverageRowSerializer(rows, many=True).data)
