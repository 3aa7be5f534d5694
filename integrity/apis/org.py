"""The organisation: units, positions, officials, satker and assignments.

Reads are scoped (`integrity.selectors.*_visible_to`): anything outside the user's scope answers
404. Creation goes through `integrity.services.org` and is for HR administrators, only inside
their HR scope (403 otherwise); auditors never write.
"""

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
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
from integrity.models import Assignment, Official, Position, SpendingUnit, Unit
from integrity.nip import normalize_nip
from integrity.permissions import (
    ROOT_UNIT_NEEDS_GLOBAL_HR,
    UNIT_OUTSIDE_HR_SCOPE,
    IsHrAdminOrReadOnly,
    ReadOnlyForAuditor,
    hr_scope_contains,
    hr_scope_with_ancestors,
)
from integrity.selectors import (
    assignments_visible_to,
    hr_unit_ids,
    officials_visible_to,
    positions_visible_to,
    spending_units_visible_to,
    units_visible_to,
)
from integrity.services import org

READ_OR_HR_WRITE = [IsAuthenticated, ReadOnlyForAuditor, IsHrAdminOrReadOnly]
NOT_FOUND_IN_SCOPE = _("Tidak ditemukan dalam lingkup Anda.")


def _require_hr_scope(user: Any, unit: Unit) -> None:
    if not hr_scope_contains(user, [unit.pk]):
        raise PermissionDenied(UNIT_OUTSIDE_HR_SCOPE % {"unit": unit.name})


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference that must be visible to the requesting user; anything else reads as "does not
    exist", so input cannot probe for objects outside the scope."""

    default_error_messages = {"does_not_exist": NOT_FOUND_IN_SCOPE}

    def __init__(self, scoped: Any, model: type[Any], **kwargs: Any) -> None:
        self.scoped = scoped  # (user) -> QuerySet
        # The empty queryset only tells the schema generator the type; lookups use get_queryset.
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.scoped(self.context["request"].user)


# --- units -----------------------------------------------------------------------------------


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


# --- positions -------------------------------------------------------------------------------


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


# --- officials -------------------------------------------------------------------------------


class OfficialOutputSerializer(serializers.ModelSerializer):
    rank = serializers.CharField(source="rank.code", allow_null=True, default=None)

    class Meta:
        model = Official
        fields = [
            "id",
            "nip",
            "nip_display",
            "employee_type",
            "name",
            "title_prefix",
            "title_suffix",
            "full_name",
            "rank",
            "email",
            "is_active",
        ]
        read_only_fields = fields


class OfficialListCreateApi(PaktaApiView):
    """GET: officials who served in your units, the satker heads they serve, you and your team.
    POST: register an official (HR administrators; NIP checked per DOMAIN.md §5.1)."""

    permission_classes = READ_OR_HR_WRITE
    pagination_class = Pagination

    class FilterSerializer(serializers.Serializer):
        nip = serializers.CharField(required=False, help_text="Exact NIP; separators allowed.")
        q = serializers.CharField(required=False, help_text="Part of the name or NIP.")
        is_active = serializers.BooleanField(required=False, allow_null=True, default=None)

    class InputSerializer(serializers.Serializer):
        nip = serializers.CharField(max_length=30)
        name = serializers.CharField(max_length=150)
        employee_type = serializers.ChoiceField(
            choices=Official.EmployeeType.choices, default=Official.EmployeeType.PNS
        )
        title_prefix = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
        title_suffix = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
        rank_code = serializers.CharField(max_length=10, required=False, default="", allow_blank=True)
        email = serializers.EmailField(required=False, default="", allow_blank=True)

    @extend_schema(parameters=[FilterSerializer], responses=OfficialOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = officials_visible_to(request.user).select_related("rank").order_by("name", "pk")
        if f.get("nip"):
            qs = qs.filter(nip=normalize_nip(f["nip"]))
        if f.get("q"):
            qs = qs.filter(Q(name__icontains=f["q"]) | Q(nip__contains=normalize_nip(f["q"]) or f["q"]))
        if f.get("is_active") is not None:
            qs = qs.filter(is_active=f["is_active"])
        return paginated(self, request, qs, OfficialOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: OfficialOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        official = org.official_create(**serializer.validated_data, actor=request.user)
        return Response(OfficialOutputSerializer(official).data, status=status.HTTP_201_CREATED)


class OfficialDetailApi(PaktaApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OfficialOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        qs = officials_visible_to(request.user).select_related("rank")
        return Response(OfficialOutputSerializer(get_object_or_404(qs, pk=pk)).data)


# --- spending units (satker) -----------------------------------------------------------------


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


# --- assignments -----------------------------------------------------------------------------


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
