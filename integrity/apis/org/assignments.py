"""Assignments: who held which position when, read-only (they change only through decrees)."""

import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from integrity.apis.base import Pagination, PaktaApiView, paginated
from integrity.apis.serializers import (
    OfficialBriefSerializer,
    PositionBriefSerializer,
    UnitBriefSerializer,
    choice_text,
)
from integrity.models import Assignment
from integrity.selectors import assignments_visible_to


class AssignmentOutputSerializer(serializers.ModelSerializer):
    official = OfficialBriefSerializer()
    position = PositionBriefSerializer()
    unit = UnitBriefSerializer(source="position.unit")
    acting = choice_text(Assignment.Acting)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "official",
            "position",
            "unit",
            "acting",
            "effective_date",
            "end_date",
            "decree_id",
            "decree_number",
            "decree_date",
            "inauguration_date",
            "end_decree_id",
        ]
        read_only_fields = fields


class AssignmentListApi(PaktaApiView):
    """Who held which position when, in your scope. Assignments change only through decrees."""

    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        on = serializers.DateField(required=False, help_text="Only assignments active on this date (YYYY-MM-DD).")
        position = serializers.IntegerField(required=False)
        official = serializers.IntegerField(required=False)
        unit = serializers.IntegerField(required=False, help_text="Positions of this unit (not its subtree).")
        acting = serializers.ChoiceField(choices=Assignment.Acting.choices, required=False, allow_blank=True)

    @extend_schema(parameters=[FilterSerializer], responses=AssignmentOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f: dict[str, Any] = filters.validated_data
        qs = assignments_visible_to(request.user).select_related("official", "position__unit")
        on: datetime.date | None = f.get("on")
        if on is not None:
            qs = qs.active_on(on)  # type: ignore[attr-defined]
        if "position" in f:
            qs = qs.filter(position_id=f["position"])
        if "official" in f:
            qs = qs.filter(official_id=f["official"])
        if "unit" in f:
            qs = qs.filter(position__unit_id=f["unit"])
        if "acting" in f:
            qs = qs.filter(acting=f["acting"])
        return paginated(self, request, qs.order_by("-effective_date", "pk"), AssignmentOutputSerializer)


class AssignmentDetailApi(PaktaApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AssignmentOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        qs = assignments_visible_to(request.user).select_related("official", "position__unit")
        return Response(AssignmentOutputSerializer(get_object_or_404(qs, pk=pk)).data)
