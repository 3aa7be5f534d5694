"""Integrity pacts: list with filters, detail with "why", the PDF, and coverage per unit.

The list runs a constant number of queries whatever the page size: the user's scope (a few
small queries, once per request), the optional unit subtree, a capped COUNT, the page (unit and
satker joined) and one query for the page's parties.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from integrity.apis.base import Pagination, PaktaApiView, PdfRenderer
from integrity.apis.serializers import ErrorSerializer, SpendingUnitBriefSerializer, UnitBriefSerializer, choice_text
from integrity.explain import pact_explain
from integrity.models import IntegrityPact, PactParty, Unit
from integrity.nip import normalize_nip
from integrity.selectors import pact_coverage, pact_is_overdue, pacts_visible_to
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


def _today(context: Mapping[str, Any]) -> datetime.date:
    """ "Today" in Asia/Jakarta, computed once per request by the view (or now, for one object)."""
    today: datetime.date | None = context.get("today")
    return today if today is not None else today_jakarta()


class PactPartySerializer(serializers.ModelSerializer):
    """A signatory as frozen on the pact (DOMAIN.md §7 rule 4), with the live official id."""

    name = serializers.CharField(source="snapshot.name")
    nip = serializers.CharField(source="snapshot.nip")
    position = serializers.CharField(source="snapshot.position")

    class Meta:
        model = PactParty
        fields = ["order", "role", "official_id", "name", "nip", "position", "signed_at"]
        read_only_fields = fields


class PactListItemSerializer(serializers.ModelSerializer):
    kind = choice_text(IntegrityPact.Kind)
    status = choice_text(IntegrityPact.Status)
    overdue = serializers.SerializerMethodField()
    unit = UnitBriefSerializer()
    spending_unit = SpendingUnitBriefSerializer(allow_null=True)
    parties = PactPartySerializer(many=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = IntegrityPact
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "overdue",
            "effective_date",
            "due_date",
            "due_date_provisional",
            "signed_at",
            "unit",
            "spending_unit",
            "parties",
            "url",
        ]
        read_only_fields = fields

    def get_overdue(self, pact: IntegrityPact) -> bool:
        """Pending and past its due date (Asia/Jakarta)."""
        return pact_is_overdue(pact, _today(self.context))

    def get_url(self, pact: IntegrityPact) -> str:
        path = reverse("integrity_api:pact-detail", args=[pact.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


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


class _ExplainAssignmentSerializer(serializers.Serializer):
    assignment_id = serializers.IntegerField()
    official = serializers.CharField()
    nip = serializers.CharField()
    position = serializers.CharField()
    position_code = serializers.CharField()
    unit = serializers.CharField()
    acting = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField(allow_null=True)
    decree = serializers.CharField(allow_null=True)
    ended_by_decree = serializers.CharField(allow_null=True)


class _ExplainHeadshipSerializer(serializers.Serializer):
    headship_id = serializers.IntegerField()
    official = serializers.CharField()
    nip = serializers.CharField()
    title = serializers.CharField()
    spending_unit_code = serializers.CharField()
    spending_unit = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField(allow_null=True)
    decree = serializers.CharField(allow_null=True)
    ended_by_decree = serializers.CharField(allow_null=True)


class _ExplainDecreeSerializer(serializers.Serializer):
    number = serializers.CharField()
    date = serializers.DateField()


class _ExplainSupersededSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    reason = serializers.CharField()
    decree = serializers.CharField(allow_null=True)
    successor = serializers.CharField(allow_null=True)


class PactWhySerializer(serializers.Serializer):
    """`integrity.explain.pact_explain`: the relationship behind the pact and what changed it."""

    summary = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    relationship_key = serializers.CharField()
    effective_date = serializers.DateField()
    due_date = serializers.DateField()
    due_date_provisional = serializers.BooleanField()
    declarant = _ExplainAssignmentSerializer(allow_null=True)
    counterparty = _ExplainAssignmentSerializer(allow_null=True)
    satker_head = _ExplainHeadshipSerializer(allow_null=True)
    trigger_decree = _ExplainDecreeSerializer(allow_null=True)
    supersedes = serializers.CharField(allow_null=True)
    superseded = _ExplainSupersededSerializer(allow_null=True)


class LinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    url = serializers.CharField()


class PactHistorySerializer(serializers.Serializer):
    """Links along the pact's history; a link may lead outside your scope (then it answers 404)."""

    supersedes = LinkSerializer(allow_null=True)
    superseded_by = LinkSerializer(many=True)
    trigger_decree = LinkSerializer(allow_null=True)
    superseded_by_decree = LinkSerializer(allow_null=True)


class PactDetailSerializer(PactListItemSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    pdf_url = serializers.SerializerMethodField()
    why = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta(PactListItemSerializer.Meta):
        fields = [
            *PactListItemSerializer.Meta.fields,
            "kind_label",
            "status_label",
            "relationship_key",
            "created_at",
            "superseded_at",
            "supersede_reason",
            "external_reference",
            "document_sha256",
            "pdf_url",
            "why",
            "history",
        ]
        read_only_fields = fields

    def _url(self, name: str, pk: int) -> str:
        path = reverse(f"integrity_api:{name}", args=[pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_pdf_url(self, pact: IntegrityPact) -> str:
        return self._url("pact-pdf", pact.pk)

    @extend_schema_field(PactWhySerializer)
    def get_why(self, pact: IntegrityPact) -> dict[str, Any]:
        return PactWhySerializer(pact_explain(pact)).data

    def _link(self, obj: Any, name: str) -> dict[str, Any] | None:
        if obj is None:
            return None
        return {"id": obj.pk, "number": obj.number, "url": self._url(name, obj.pk)}

    @extend_schema_field(PactHistorySerializer)
    def get_history(self, pact: IntegrityPact) -> dict[str, Any]:
        return {
            "supersedes": self._link(pact.supersedes, "pact-detail"),
            "superseded_by": [self._link(p, "pact-detail") for p in pact.superseded_by.order_by("pk")],
            "trigger_decree": self._link(pact.trigger_decree, "decree-detail"),
            "superseded_by_decree": self._link(pact.superseded_by_decree, "decree-detail"),
        }


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
