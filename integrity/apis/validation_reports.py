"""A signed pact's validation report, downloadable (signatures issue §3).

    GET /api/v1/pacts/<id>/validation-report/     the verdict, the human summary and Pakta's full report (JSON)
    GET /api/v1/pacts/<id>/validation-report.xml  the ETSI TS 119 102-2 XML report pyHanko produced

Both start from `pacts_visible_to`: a pact outside your scope answers 404, and so does a pact without a
report (not SIGNED yet, or its report could not be made: `pact_validation_report_store` makes it again).
The report is made by `integrity.services.validation_reports` when the pact is sealed.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from integrity.apis.base import PaktaApiView
from integrity.apis.serializers import ErrorSerializer
from integrity.models import IntegrityPact, PactValidationReport
from integrity.selectors import pacts_visible_to

NO_REPORT = _("Pakta ini belum memiliki laporan validasi.")


class XmlRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/xml`; the XML itself is a FileResponse that bypasses
    renderers, so this only ever renders an error body (as JSON)."""

    media_type = "application/xml"
    format = "xml"
    charset = None
    render_style = "binary"

    def render(self, data: object, accepted_media_type: str | None = None, renderer_context: object = None) -> bytes:
        return JSONRenderer().render(data)


def _report_for(request: Request, pk: int) -> tuple[IntegrityPact, PactValidationReport]:
    pact = get_object_or_404(pacts_visible_to(request.user), pk=pk)
    report = PactValidationReport.objects.filter(pact=pact).select_related("revision").first()
    if report is None:
        raise Http404(NO_REPORT)
    return pact, report


class PactValidationReportApi(PaktaApiView):
    """The pact's validation report: verdict, human summary (Indonesian) and Pakta's report as JSON."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        pact_id = serializers.IntegerField()
        number = serializers.CharField()
        sequence = serializers.IntegerField(help_text="The revision verified (the sealed, final one).")
        sha256 = serializers.CharField(help_text="SHA-256 of the verified revision.")
        verdict = serializers.CharField(help_text="`VALID`, `UNTRUSTED`, `MODIFIED`, `INVALID` or `CANNOT_VALIDATE`.")
        summary = serializers.CharField(help_text="Plain-language summary, one line per signature.")
        report = serializers.JSONField(help_text="Pakta's full verification report.")
        xml_url = serializers.CharField(help_text="The ETSI TS 119 102-2 XML report.")
        created_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="pact_validation_report",
        responses={
            200: OutputSerializer,
            404: OpenApiResponse(ErrorSerializer, description="Not in your scope, or no report yet."),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        pact, report = _report_for(request, pk)
        data = {
            "pact_id": pact.pk,
            "number": pact.number,
            "sequence": report.revision.sequence,
            "sha256": report.revision.sha256,
            "verdict": report.verdict,
            "summary": report.summary,
            "report": report.summary_json,
            "xml_url": request.build_absolute_uri().split("?")[0].rstrip("/") + ".xml",
            "created_at": report.created_at,
        }
        return Response(self.OutputSerializer(data).data)


class PactValidationReportXmlApi(PaktaApiView):
    """The pact's ETSI TS 119 102-2 validation report (XML), byte for byte as stored."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, XmlRenderer]

    @extend_schema(
        operation_id="pact_validation_report_xml",
        responses={
            (200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY, description="The XML report."),
            (404, "application/json"): OpenApiResponse(ErrorSerializer, description="Not in your scope, or no report."),
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        pact, report = _report_for(request, pk)
        if not report.xml.name or not default_storage.exists(report.xml.name):
            raise Http404(NO_REPORT)
        return FileResponse(
            default_storage.open(report.xml.name, "rb"),
            content_type="application/xml",
            filename=f"{pact.number}-laporan-validasi.xml",
        )
