"""Officials: the list and registration (HR administrators, NIP checked), and one official."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from integrity.apis.base import Pagination, PaktaApiView, paginated
from integrity.apis.org.scope import READ_OR_HR_WRITE
from integrity.models import Official
from integrity.nip import normalize_nip
from integrity.selectors import officials_visible_to
from integrity.services import org


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
