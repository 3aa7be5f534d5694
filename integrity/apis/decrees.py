"""Decrees (SK mutasi/pengangkatan): list, detail with moves, preview and import of a CSV/XLSX file.

Upload rules (issue §9, "bad input"): a body over `PAKTA_MAX_UPLOAD_BYTES` is refused with 413
before it is read; a file that cannot be used is refused with 400 and its per-row report
(`extra.errors[] = {row, column, message}`); a position or satker outside the HR administrator's
scope is refused with 403 listing those rows. In every one of these cases nothing is written.

Scope of a file: every position (`kode_jabatan`) and satker (`kode_satker`) it names must be in
the uploader's HR scope; a `berhenti` row without `kode_jabatan` ends every post the person holds,
so those posts must be in scope. Moving someone *into* your unit from another one is allowed: the
decree is imported by the HR office of the destination, as SK mutasi are.
"""

import datetime
from typing import Any

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from audit.errors import ApplicationError
from integrity.apis.base import Pagination, PaktaApiView, UploadApiView, paginated
from integrity.apis.serializers import (
    ErrorSerializer,
    PositionBriefSerializer,
    SpendingUnitBriefSerializer,
    choice_text,
)
from integrity.decree_files import KIND_END, ParsedDecree, RowError, parse_decree_file
from integrity.models import Assignment, Decree, DecreeMove, Official, Position, SpendingUnit
from integrity.permissions import IsHrAdmin, IsHrAdminOrReadOnly, ReadOnlyForAuditor
from integrity.selectors import decrees_visible_to, hr_unit_ids
from integrity.services.decrees import decree_import, decree_preview

FILE_REQUIRED = _("Unggah berkas SK (CSV atau XLSX) pada kolom %(field)s.")
ROWS_OUT_OF_SCOPE = _(
    "Berkas %(file)s memuat %(count)s baris di luar lingkup administrator SDM Anda (baris %(rows)s); "
    "tidak ada yang disimpan."
)
POSITION_OUT_OF_SCOPE = _("Jabatan %(code)s berada di luar lingkup administrator SDM Anda.")
SATKER_OUT_OF_SCOPE = _("Satker %(code)s berada di luar lingkup administrator SDM Anda.")
HELD_POST_OUT_OF_SCOPE = _(
    "%(nip)s memegang jabatan %(code)s di luar lingkup administrator SDM Anda; sebutkan kode_jabatan."
)

UPLOAD_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="The file is unusable; `extra.errors` lists every problem."),
    403: OpenApiResponse(ErrorSerializer, description="Not an HR administrator, or rows outside your HR scope."),
    413: OpenApiResponse(ErrorSerializer, description="The upload is larger than PAKTA_MAX_UPLOAD_BYTES."),
}


class RowsOutOfScope(ApplicationError):
    status_code = 403


def rows_outside_hr_scope(parsed: ParsedDecree, user: Any) -> list[RowError]:
    """The rows naming a position or satker outside the user's HR scope (a few queries per file)."""
    allowed = hr_unit_ids(user)
    if allowed is None:
        return []
    position_units = dict(
        Position.objects.filter(code__in={r.position_code for r in parsed.rows if r.position_code}).values_list(
            "code", "unit_id"
        )
    )
    satker_units = dict(
        SpendingUnit.objects.filter(code__in={r.satker_code for r in parsed.rows if r.satker_code}).values_list(
            "code", "serving_unit_id"
        )
    )
    # Unknown codes are not a scope question: the import reports them as unknown (400).
    errors = [
        RowError(row.row, "kode_jabatan", str(POSITION_OUT_OF_SCOPE % {"code": row.position_code}))
        for row in parsed.rows
        if row.position_code in position_units and position_units[row.position_code] not in allowed
    ]
    errors += [
        RowError(row.row, "kode_satker", str(SATKER_OUT_OF_SCOPE % {"code": row.satker_code}))
        for row in parsed.rows
        if row.satker_code in satker_units and satker_units[row.satker_code] not in allowed
    ]
    full_stops = [r for r in parsed.rows if r.kind == KIND_END and not r.position_code]
    if full_stops:
        officials = dict(Official.objects.filter(nip__in={r.nip for r in full_stops}).values_list("nip", "id"))
        for row in full_stops:
            if row.nip not in officials:
                continue
            held = (
                Assignment.objects.active_on(row.effective_date - datetime.timedelta(days=1))
                .filter(official_id=officials[row.nip])
                .exclude(position__unit_id__in=allowed)
                .values_list("position__code", flat=True)
                .first()
            )
            if held is not None:
                errors.append(RowError(row.row, "nip", str(HELD_POST_OUT_OF_SCOPE % {"nip": row.nip, "code": held})))
    return sorted(errors, key=lambda e: (e.row or 0, e.column or ""))


class DecreeUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The decree as CSV (UTF-8) or XLSX; see samples/README.md.")


class DecreeUploadMixin(UploadApiView):
    parser_classes = [MultiPartParser, FormParser]

    def parsed_upload(self, request: Request) -> ParsedDecree:
        """Size guard -> presence -> parse -> HR scope of every row; raises the 4xx to answer."""
        uploaded = self.uploaded_file(request)
        if uploaded is None:
            message = FILE_REQUIRED % {"field": "file"}
            raise ApplicationError(message, {"errors": [{"row": None, "column": None, "message": str(message)}]})
        name, content = uploaded
        parsed = parse_decree_file(name, content)
        outside = rows_outside_hr_scope(parsed, request.user)
        if outside:
            rows = ", ".join(str(r) for r in sorted({e.row for e in outside if e.row is not None}))
            raise RowsOutOfScope(
                ROWS_OUT_OF_SCOPE % {"file": parsed.filename, "count": len({e.row for e in outside}), "rows": rows},
                {"file": parsed.filename, "number": parsed.number, "errors": [e.as_dict() for e in outside]},
            )
        return parsed


# --- output ----------------------------------------------------------------------------------


class DecreeListItemSerializer(serializers.ModelSerializer):
    imported_by = serializers.CharField(source="imported_by.username", allow_null=True, default=None)
    moves_count = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Decree
        fields = [
            "id",
            "number",
            "decree_date",
            "title",
            "source_name",
            "content_sha256",
            "imported_by",
            "imported_at",
            "moves_count",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, decree: Decree) -> str:
        path = reverse("integrity_api:decree-detail", args=[decree.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class DecreeMoveSerializer(serializers.ModelSerializer):
    kind = choice_text(DecreeMove.Kind)
    position = PositionBriefSerializer(allow_null=True)
    spending_unit = SpendingUnitBriefSerializer(allow_null=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = DecreeMove
        fields = ["row_number", "kind", "nip", "name", "position", "spending_unit", "effective_date"]
        read_only_fields = fields

    def get_name(self, move: DecreeMove) -> str:
        return str(move.data.get("name", ""))


class DecreeDetailSerializer(DecreeListItemSerializer):
    moves = DecreeMoveSerializer(many=True)

    class Meta(DecreeListItemSerializer.Meta):
        fields = [*DecreeListItemSerializer.Meta.fields, "moves"]
        read_only_fields = fields


class _MoveSummarySerializer(serializers.Serializer):
    row = serializers.IntegerField()
    kind = serializers.CharField()
    nip = serializers.CharField()
    name = serializers.CharField()
    position = serializers.CharField()
    effective_date = serializers.DateField()
    official_created = serializers.BooleanField()
    takes_effect_later = serializers.BooleanField()


class _AssignmentChangeSerializer(serializers.Serializer):
    nip = serializers.CharField()
    name = serializers.CharField()
    position = serializers.CharField()
    unit = serializers.CharField()
    acting = serializers.CharField(help_text='"" definitive, "plt", "plh" or "kepala_satker".')
    date = serializers.DateField(help_text="TMT of a start; last day of an end.")


class _PactPartySummarySerializer(serializers.Serializer):
    role = serializers.CharField()
    name = serializers.CharField()
    nip = serializers.CharField()
    position = serializers.CharField()
    unit = serializers.CharField()


class _PactCreatedSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    parties = _PactPartySummarySerializer(many=True)
    effective_date = serializers.DateField()
    due_date = serializers.DateField()
    due_date_provisional = serializers.BooleanField()
    supersedes = serializers.CharField()


class _PactSupersededSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    parties = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()


class DecreePreviewSerializer(serializers.Serializer):
    """What importing the file does (`integrity.services.decrees.DecreePreview`)."""

    number = serializers.CharField()
    decree_date = serializers.DateField(allow_null=True)
    title = serializers.CharField()
    as_of = serializers.DateField()
    content_sha256 = serializers.CharField()
    already_imported = serializers.BooleanField()
    moves = _MoveSummarySerializer(many=True)
    pending_moves = _MoveSummarySerializer(many=True)
    officials_created = serializers.ListField(child=serializers.CharField())
    assignments_started = _AssignmentChangeSerializer(many=True)
    assignments_ended = _AssignmentChangeSerializer(many=True)
    pacts_created = _PactCreatedSerializer(many=True)
    pacts_superseded = _PactSupersededSerializer(many=True)


class DecreeImportResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    created = serializers.BooleanField(help_text="False: the same decree was imported before; nothing changed.")
    decree = DecreeListItemSerializer()
    changes = DecreePreviewSerializer(allow_null=True)
    pacts_created = serializers.ListField(child=serializers.IntegerField())
    pacts_superseded = serializers.ListField(child=serializers.IntegerField())


# --- views -----------------------------------------------------------------------------------


def _decrees(user: Any) -> Any:
    return decrees_visible_to(user).select_related("imported_by").annotate(moves_count=Count("moves"))


class DecreeListImportApi(DecreeUploadMixin):
    """GET: decrees touching your units (HR administrators, compliance officers, auditors).
    POST: import a decree file (HR administrators): 201 with the changes; 200 when the same
    decree was imported before (nothing changes)."""

    permission_classes = [IsAuthenticated, ReadOnlyForAuditor, IsHrAdminOrReadOnly]
    pagination_class = Pagination

    @extend_schema(responses=DecreeListItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated(
            self, request, _decrees(request.user).order_by("-decree_date", "number"), DecreeListItemSerializer
        )

    @extend_schema(
        request={"multipart/form-data": DecreeUploadSerializer},
        responses={201: DecreeImportResultSerializer, 200: DecreeImportResultSerializer, **UPLOAD_ERRORS},
    )
    def post(self, request: Request) -> Response:
        parsed = self.parsed_upload(request)
        result = decree_import(parsed=parsed, actor=request.user, source_name=parsed.filename)
        # The uploader may always see the decree they just imported (even one made only of full
        # stops, which name no position and so fall outside `decrees_visible_to`).
        decree = (
            Decree.objects.select_related("imported_by").annotate(moves_count=Count("moves")).get(pk=result.decree.pk)
        )
        data = {
            "message": result.message,
            "created": result.created,
            "decree": decree,
            "changes": result.changes.as_dict() if result.changes is not None else None,
            "pacts_created": list(result.pacts_created),
            "pacts_superseded": list(result.pacts_superseded),
        }
        body = DecreeImportResultSerializer(data, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class DecreePreviewApi(DecreeUploadMixin):
    """What importing the file would do, as of today: moves, assignments started and ended, pacts
    created and superseded. Writes nothing."""

    permission_classes = [IsAuthenticated, ReadOnlyForAuditor, IsHrAdmin]

    @extend_schema(
        request={"multipart/form-data": DecreeUploadSerializer},
        responses={200: DecreePreviewSerializer, **UPLOAD_ERRORS},
    )
    def post(self, request: Request) -> Response:
        parsed = self.parsed_upload(request)
        preview = decree_preview(parsed=parsed, actor=request.user)
        return Response(DecreePreviewSerializer(preview.as_dict()).data)


class DecreeDetailApi(PaktaApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=DecreeDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        qs = _decrees(request.user).prefetch_related("moves__position", "moves__spending_unit")
        decree = get_object_or_404(qs, pk=pk)
        return Response(DecreeDetailSerializer(decree, context={"request": request}).data)
