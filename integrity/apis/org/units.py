"""Units: the list (filters) and creation under a parent in the HR scope, and one unit."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from integrity.apis.base import Pagination, PaktaApiView, paginated
from integrity.apis.org.scope import READ_OR_HR_WRITE, ScopedPrimaryKeyField, _require_hr_scope
from integrity.apis.serializers import UnitBriefSerializer, choice_text
from integrity.models import Unit
from integrity.permissions import ROOT_UNIT_NEEDS_GLOBAL_HR
from integrity.selectors import hr_unit_ids, units_visible_to
from integrity.services import org


class UnitOutputSerializer(serializers.ModelSerializer):
    kind = choice_text(Unit.Kind)
    parent = UnitBriefSerializer(allow_null=True)

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "parent", "city", "address", "phone", "website"]
        read_only_fields = fields


class UnitListCreateApi(PaktaApiView):
    """GET: the units in your scope. POST: create a unit under a parent in your HR scope."""

    permission_classes = READ_OR_HR_WRITE
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Unit.Kind.choices, required=False)
        # "parent" shadows Field.parent in the stubs only: DRF moves declared fields off the class.
        parent = serializers.IntegerField(required=False, help_text="Direct children of this unit id.")  # type: ignore[assignment]
        q = serializers.CharField(required=False, help_text="Part of the code or name.")

    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=40)
        name = serializers.CharField(max_length=200)
        kind = serializers.ChoiceField(choices=Unit.Kind.choices)
        parent = ScopedPrimaryKeyField(units_visible_to, Unit, allow_null=True, required=False)  # type: ignore[assignment]
        city = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
        address = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
        phone = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
        website = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    @extend_schema(parameters=[FilterSerializer], responses=UnitOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = units_visible_to(request.user).select_related("parent").order_by("code")
        f = filters.validated_data
        if "kind" in f:
            qs = qs.filter(kind=f["kind"])
        if "parent" in f:
            qs = qs.filter(parent_id=f["parent"])
        if f.get("q"):
            qs = qs.filter(Q(code__icontains=f["q"]) | Q(name__icontains=f["q"]))
        return paginated(self, request, qs, UnitOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: UnitOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        parent = data.get("parent")
        if parent is None:
            if hr_unit_ids(request.user) is not None:
                raise PermissionDenied(ROOT_UNIT_NEEDS_GLOBAL_HR)
        else:
            _require_hr_scope(request.user, parent)
        unit = org.unit_create(**data, actor=request.user)
        return Response(UnitOutputSerializer(unit).data, status=status.HTTP_201_CREATED)


class UnitDetailApi(PaktaApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UnitOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        unit = get_object_or_404(units_visible_to(request.user).select_related("parent"), pk=pk)
        return Response(UnitOutputSerializer(unit).data)
