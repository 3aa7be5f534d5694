"""`POST /api/v1/verify/`: anyone verifies a signed PDF (signatures issue §3, "Verification for everyone").

The upload goes through `signatures.verification_service.verify_document`, the same entry point as
`manage.py verify_pdf` and the public page `/verifikasi/`, and the answer is its report as JSON with a
top-level `verdict` and a plain-language `summary` in the client's language (Accept-Language).

**Every file that arrives gets a verdict (200)**, whatever it holds: a PDF that is not signed is INVALID,
a file that is not a PDF, an encrypted or unreadable one is CANNOT_VALIDATE, JavaScript is INVALID, loop and
decompression-bomb files end as CANNOT_VALIDATE within the child process's limits. Only a request without
a usable file is refused: no `file` part or an empty file (400), a file over `PAKTA_VERIFY_MAX_BYTES` (413,
decided from the declared Content-Length before the body is read, or as soon as the upload passes the
limit, so a 100 MB upload is never held in memory). Refusals are `{"message", "extra"}`.

Verification runs a child process for up to 10 s, so requests are throttled (`PAKTA_VERIFY_RATE`, scope
`verify`, per account or client address; the page shares the budget). The upload helpers here are also used
by the page (`frontend.views.verify`), so both refuse the same requests with the same messages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload, load_handler
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from audit.errors import ApplicationError
from signatures import verification_service
from signatures.verify import Changes, Coverage, RevocationStatus, SignatureKind, Verdict, VerificationReport

MULTIPART_OVERHEAD = 64 * 1024
"""Bytes a multipart envelope may add around the one file (boundaries, part headers, a CSRF field)."""
UPLOAD_FIELD = "file"
THROTTLE_SCOPE = "verify"

NO_FILE = _("Kirim berkas PDF yang akan diperiksa pada kolom `file` (multipart/form-data).")
EMPTY_FILE = _("Berkas %(file)s kosong; tidak ada yang dapat diperiksa.")
BODY_TOO_LARGE = _("Permintaan berukuran %(size)s, melebihi batas berkas %(max)s; berkas tidak diperiksa.")
FILE_TOO_LARGE = _("Berkas %(file)s melebihi batas %(max)s; berkas tidak diperiksa.")


class NoFileToVerify(ApplicationError):
    """400: the request has no `file` part, or the file is empty."""


class UploadTooLarge(ApplicationError):
    """413: the body or the file is over `PAKTA_VERIFY_MAX_BYTES`; nothing was verified."""

    status_code = 413


# --------------------------------------------------------------------------------------------------------
# Uploads, shared with the page
# --------------------------------------------------------------------------------------------------------


class _SizeLimitedUploadHandler(FileUploadHandler):
    """Stops receiving a file part as soon as it passes the limit and marks the request, so the caller
    answers 413 instead of verifying a truncated file. Django drains the rest of the body without keeping
    it (`connection_reset=False`)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.request._pakta_verify_too_large = self.file_name or "?"  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def declared_length(request: HttpRequest) -> int:
    """The body's declared Content-Length (0 when absent or not a number)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def guard_upload(request: HttpRequest) -> None:
    """Refuse a body declared larger than the limit allows, and make the upload stop at the limit. Call it
    before anything reads `request.POST` or `request.FILES` (CSRF checks included).

    :raises UploadTooLarge: the declared Content-Length is over the limit plus the multipart envelope.
    """
    limit = verification_service.max_bytes()
    length = declared_length(request)
    if length > limit + MULTIPART_OVERHEAD:
        sizes = {"size": filesizeformat(length), "max": filesizeformat(limit)}
        raise UploadTooLarge(BODY_TOO_LARGE % sizes, {"max_bytes": limit, "size": length})
    if not hasattr(request, "_files"):  # handlers can only be set before the body is parsed
        request.upload_handlers = [
            _SizeLimitedUploadHandler(request, limit),
            *(load_handler(path, request) for path in settings.FILE_UPLOAD_HANDLERS),
        ]


def uploaded_pdf(request: HttpRequest, files: MultiValueDict[str, Any]) -> tuple[str, bytes]:
    """(name, bytes) of the uploaded file to verify, read once and at most up to the limit.

    :raises UploadTooLarge: the file passed the limit while it was received, or is larger than it.
    :raises NoFileToVerify: there is no `file` part, or it is empty.
    """
    limit = verification_service.max_bytes()
    too_large = getattr(request, "_pakta_verify_too_large", None)
    if too_large:
        message = FILE_TOO_LARGE % {"file": too_large, "max": filesizeformat(limit)}
        raise UploadTooLarge(message, {"file": too_large, "max_bytes": limit})
    upload = files.get(UPLOAD_FIELD)
    if upload is None:
        raise NoFileToVerify(NO_FILE, {"field": UPLOAD_FIELD})
    name = str(upload.name or "")
    if upload.size is not None and upload.size > limit:
        message = FILE_TOO_LARGE % {"file": name, "max": filesizeformat(limit)}
        raise UploadTooLarge(message, {"file": name, "max_bytes": limit, "size": upload.size})
    data = upload.read(limit + 1)
    if not data:
        raise NoFileToVerify(EMPTY_FILE % {"file": name}, {"field": UPLOAD_FIELD})
    return name, data


# --------------------------------------------------------------------------------------------------------
# The report as JSON, documented
# --------------------------------------------------------------------------------------------------------


def _values(enum: Any) -> str:
    return ", ".join(f"`{member.value}`" for member in enum)


class SignatureReportSerializer(serializers.Serializer):
    """One signature or document timestamp, in signing order (`signatures.verify.SignatureReport`)."""

    field_name = serializers.CharField()  # type: ignore[assignment]  # the report's key; shadows Field.field_name
    kind = serializers.CharField(help_text=f"One of {_values(SignatureKind)}.")
    other_field_names = serializers.ListField(child=serializers.CharField())
    subfilter = serializers.CharField(allow_null=True)
    revision = serializers.IntegerField(allow_null=True, help_text="Zero-based revision the signature covers.")
    signer_name = serializers.CharField(allow_null=True)
    signer_nip = serializers.CharField(allow_null=True, help_text="The subject's serialNumber: the signer's NIP.")
    signer_issuer = serializers.CharField(allow_null=True)
    signer_certificate_sha256 = serializers.CharField(allow_null=True)
    certified = serializers.BooleanField(
        help_text="True: the chain ends in a certified provider's root (tersertifikasi, PP 71/2019 art. 60)."
    )
    signing_time = serializers.DateTimeField(allow_null=True, help_text="As claimed by the signer.")
    timestamp_time = serializers.DateTimeField(allow_null=True)
    timestamp_authority = serializers.CharField(allow_null=True)
    timestamp_trusted = serializers.BooleanField(allow_null=True)
    intact = serializers.BooleanField(help_text="The signed bytes match and the signature verifies.")
    trusted = serializers.BooleanField()
    trust_problem = serializers.CharField(allow_null=True)
    validated_at = serializers.DateTimeField(allow_null=True)
    revocation = serializers.CharField(help_text=f"One of {_values(RevocationStatus)}.")
    coverage = serializers.CharField(help_text=f"One of {_values(Coverage)}.")
    pades_level = serializers.CharField(allow_null=True, help_text="B-B, B-T, B-LT or B-LTA.")
    docmdp_level = serializers.IntegerField(allow_null=True, help_text="DocMDP P of a certification signature.")
    changes_after = serializers.CharField(help_text=f"One of {_values(Changes)}.")
    changed_fields = serializers.ListField(child=serializers.CharField())
    change_detail = serializers.CharField(allow_null=True, help_text="Technical detail of a forbidden change.")
    digest_algorithm = serializers.CharField(allow_null=True)


class FindingSerializer(serializers.Serializer):
    """A reason behind the verdict as a stable code; `reasons` has the same in words."""

    code = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    params = serializers.DictField()


class VerificationReportSerializer(serializers.Serializer):
    """The report of one verification (`signatures.verify.VerificationReport.to_dict`) with the verdict
    in plain language."""

    verdict = serializers.ChoiceField(choices=[verdict.value for verdict in Verdict])
    verdict_label = serializers.CharField()
    verdict_title = serializers.CharField(help_text="The result in a few words, in the client's language.")
    summary = serializers.CharField(help_text="One sentence saying what the result means, in the client's language.")
    signatures = SignatureReportSerializer(many=True)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why the verdict is not VALID.")
    findings = FindingSerializer(many=True)
    unsigned_fields = serializers.ListField(child=serializers.CharField())
    sha256 = serializers.CharField(allow_null=True)
    size = serializers.IntegerField()
    elapsed_ms = serializers.IntegerField()


class VerifyErrorSerializer(serializers.Serializer):
    """A refused request: `{"message", "extra"}` (audit.errors.api_exception_handler)."""

    message = serializers.CharField()
    extra = serializers.DictField()


class VerifyUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The PDF to verify.")


def report_data(report: VerificationReport) -> dict[str, Any]:
    """The report as the API answers it: `to_dict()` plus the verdict's title and explanation."""
    return {
        **report.to_dict(),
        "verdict_title": verification_service.verdict_title(report.verdict),
        "summary": verification_service.verdict_explanation(report.verdict),
    }


class VerifyApi(APIView):
    """Verify the signatures of an uploaded PDF. Anyone may (no sign-in needed); every file that arrives
    gets a verdict: VALID, UNTRUSTED, MODIFIED, INVALID or CANNOT_VALIDATE."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = THROTTLE_SCOPE

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication: a session's CSRF check reads the body, and the body must not be read
        # before its size is known to be acceptable.
        guard_upload(request._request)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="verify_upload",
        request={"multipart/form-data": VerifyUploadSerializer},
        responses={
            200: VerificationReportSerializer,
            400: OpenApiResponse(VerifyErrorSerializer, description="No `file` part, or an empty file."),
            413: OpenApiResponse(VerifyErrorSerializer, description="Over PAKTA_VERIFY_MAX_BYTES; not read."),
            429: OpenApiResponse(VerifyErrorSerializer, description="Too many verifications; retry later."),
        },
        examples=[
            OpenApiExample(
                "Not a PDF",
                response_only=True,
                status_codes=["200"],
                value={
                    "verdict": "CANNOT_VALIDATE",
                    "verdict_label": "Tidak dapat diperiksa",
                    "verdict_title": "Dokumen tidak dapat diperiksa",
                    "summary": "Berkas ini tidak dapat diperiksa (misalnya bukan PDF, terenkripsi, rusak, atau "
                    "terlalu besar); hasil ini tidak menyatakan dokumen sah maupun tidak sah.",
                    "signatures": [],
                    "reasons": ["Berkas ini bukan PDF."],
                    "findings": [{"code": "not_pdf", "field": None, "params": {}}],
                    "unsigned_fields": [],
                    "sha256": "0" * 64,
                    "size": 9,
                    "elapsed_ms": 0,
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        _name, data = uploaded_pdf(request._request, request.FILES)
        report = verification_service.verify_document(data)
        return Response(report_data(report))
