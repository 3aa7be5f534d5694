"""Spending units (satker): the list and registration under a KPPN in the HR scope, and one satker."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from integrity.apis.base import Pagination, PaktaApiView, paginated
from integrity.apis.org.scope import READ_OR_HR_WRITE, ScopedPrimaryKeyField, _require_hr_scope
from integrity.apis.serializers import UnitBriefSerializer
from integrity.models import SpendingUnit, Unit
from integrity.selectors import spending_units_visible_to, units_visible_to
from integrity.services import org


class SpendingUnitOutputSerializer(serializers.ModelSerializer):
    serving_unit = UnitBriefSerializer()

    class Meta:
        model = SpendingUnit
        fields = ["id", "code", "name", "ministry_code", "serving_unit"]
        read_only_fields = fields


class SpendingUnitListCreateApi(PaktaApiView):
    """GET: the satker served by the units in your scope (and the one you head). POST: register
    a satker served by a KPPN in your HR scope."""

    permission_classes = READ_OR_HR_WRITE
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        serving_unit = serializers.IntegerField(required=False)
        ministry_code = serializers.CharField(required=False, max_length=3)
        q = serializers.CharField(required=False, help_text="Part of the code or name.")

    class InputSerializer(serializers.Serializer):
        code = serializers.RegexField(r"^\d{6}$", max_length=6)
        name = serializers.CharField(max_length=250)
        ministry_code = serializers.RegexField(r"^\d{3}$", max_length=3)
        serving_unit = ScopedPrimaryKeyField(units_visible_to, Unit)

    @extend_schema(parameters=[FilterSerializer], responses=SpendingUnitOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = spending_units_visible_to(request.user).select_related("serving_unit").order_by("code")
        if "serving_unit" in f:
            qs = qs.filter(serving_unit_id=f["serving_unit"])
        if f.get("ministry_code"):
            qs = qs.filter(ministry_code=f["ministry_code"])
        if f.get("q"):
            qs = qs.filter(Q(code__contains=f["q"]) | Q(name__icontains=f["q"]))
        return paginated(self, request, qs, SpendingUnitOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: SpendingUnitOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        _require_hr_scope(request.user, serializer.validated_data["serving_unit"])
        spending_unit = org.spending_unit_create(**serializer.validated_data, actor=request.user)
        return Response(SpendingUnitOutputSerializer(spending_unit).data, status=status.HTTP_201_CREATED)


class SpendingUnitDetailApi(PaktaApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SpendingUnitOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        qs = spending_units_visible_to(request.user).select_related("serving_unit")
        return Response(SpendingUnitOutputSerializer(get_object_or_404(qs, pk=pk)).data)
