"""Positions: the list and creation in a unit of the HR scope, and one position."""

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from integrity.apis.base import Pagination, PaktaApiView, paginated
from integrity.apis.org.scope import READ_OR_HR_WRITE, ScopedPrimaryKeyField, _require_hr_scope
from integrity.apis.serializers import PositionBriefSerializer, UnitBriefSerializer, choice_text
from integrity.models import Position, Unit
from integrity.permissions import hr_scope_with_ancestors
from integrity.selectors import positions_visible_to, units_visible_to
from integrity.services import org


class PositionOutputSerializer(serializers.ModelSerializer):
    kind = choice_text(Position.Kind)
    unit = UnitBriefSerializer()
    reports_to = PositionBriefSerializer(allow_null=True)

    class Meta:
        model = Position
        fields = ["id", "code", "title", "kind", "is_unit_head", "unit", "reports_to"]
        read_only_fields = fields


def _positions_hr_may_report_to(user: Any) -> QuerySet[Position]:
    units = hr_scope_with_ancestors(user)
    return Position.objects.all() if units is None else Position.objects.filter(unit_id__in=units)


class PositionListCreateApi(PaktaApiView):
    """GET: the positions of the units in your scope. POST: create a position in a unit of your
    HR scope; it may report to a position in that scope or above it."""

    permission_classes = READ_OR_HR_WRITE
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        unit = serializers.IntegerField(required=False)
        is_unit_head = serializers.BooleanField(required=False, allow_null=True, default=None)
        q = serializers.CharField(required=False, help_text="Part of the code or title.")

    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=40)
        title = serializers.CharField(max_length=200)
        unit = ScopedPrimaryKeyField(units_visible_to, Unit)
        reports_to = ScopedPrimaryKeyField(_positions_hr_may_report_to, Position, allow_null=True, required=False)
        is_unit_head = serializers.BooleanField(default=False)
        kind = serializers.ChoiceField(choices=Position.Kind.choices, default=Position.Kind.STAFF)

    @extend_schema(parameters=[FilterSerializer], responses=PositionOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = positions_visible_to(request.user).select_related("unit", "reports_to").order_by("unit__code", "code")
        if "unit" in f:
            qs = qs.filter(unit_id=f["unit"])
        if f.get("is_unit_head") is not None:
            qs = qs.filter(is_unit_head=f["is_unit_head"])
        if f.get("q"):
            qs = qs.filter(Q(code__icontains=f["q"]) | Q(title__icontains=f["q"]))
        return paginated(self, request, qs, PositionOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: PositionOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        _require_hr_scope(request.user, serializer.validated_data["unit"])
        position = org.position_create(**serializer.validated_data, actor=request.user)
        return Response(PositionOutputSerializer(position).data, status=status.HTTP_201_CREATED)


class PositionDetailApi(PaktaApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PositionOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        qs = positions_visible_to(request.user).select_related("unit", "reports_to")
        return Response(PositionOutputSerializer(get_object_or_404(qs, pk=pk)).data)
