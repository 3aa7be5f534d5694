"""What every integrity API view shares: authentication order, the request-size guard, pagination
and the PDF renderer."""

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload, load_handler
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from audit.errors import ApplicationError

# Bytes a multipart envelope adds around one file (boundaries, part headers, a CSRF field).
MULTIPART_OVERHEAD = 64 * 1024

BODY_TOO_LARGE = _("Permintaan berukuran %(size)s, melebihi batas %(max)s; tidak ada yang disimpan.")
UPLOAD_BODY_TOO_LARGE = _("Unggahan berukuran %(size)s, melebihi batas berkas %(max)s; tidak ada yang disimpan.")
UPLOAD_TOO_LARGE = _("Berkas %(file)s melebihi batas %(max)s; tidak ada yang disimpan.")


class RequestTooLarge(ApplicationError):
    """413: the body is over the limit. Raised before the body is read, so nothing is parsed."""

    status_code = 413


class PaktaApiView(APIView):
    """Base for integrity API views.

    - Token first: an anonymous request answers 401 with `WWW-Authenticate: Token` (the session
      class, when first, makes DRF answer 403 to everybody who is not signed in).
    - A body larger than Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` is refused with 413 before it is
      read (DRF's JSON parser would otherwise read it whole). Upload views lower the limit.
    """

    authentication_classes = [TokenAuthentication, SessionAuthentication]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Name nested serializers after their view in the schema (`UnitListCreateApi.InputSerializer`
        -> `UnitListCreateInput`): every view has its own `InputSerializer`/`OutputSerializer`."""
        super().__init_subclass__(**kwargs)
        for attr in ("InputSerializer", "OutputSerializer", "FilterSerializer"):
            nested = cls.__dict__.get(attr)
            if nested is not None:
                name = cls.__name__.removesuffix("Api") + attr.removesuffix("Serializer")
                extend_schema_serializer(component_name=name)(nested)

    def max_body_bytes(self) -> int:
        return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)

    def body_too_large(self, length: int) -> RequestTooLarge:
        limit = self.max_body_bytes()
        sizes = {"size": filesizeformat(length), "max": filesizeformat(limit)}
        return RequestTooLarge(BODY_TOO_LARGE % sizes, {"max_bytes": limit, "size": length})

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.max_body_bytes():
            raise self.body_too_large(length)
        super().initial(request, *args, **kwargs)


class _SizeLimitedUploadHandler(FileUploadHandler):
    """Stops reading a file part as soon as it passes the limit and marks the request, so the
    view answers 413 instead of parsing a truncated file. The rest of the body is drained by
    Django (`connection_reset=False`), never kept."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.request._pakta_upload_too_large = self.file_name or "?"  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class UploadApiView(PaktaApiView):
    """A view that takes one uploaded file of at most `settings.PAKTA_MAX_UPLOAD_BYTES`.

    Two guards: the declared Content-Length (checked before anything is read) and the bytes
    actually received for the file (a handler that stops at the limit)."""

    def max_body_bytes(self) -> int:
        return int(settings.PAKTA_MAX_UPLOAD_BYTES) + MULTIPART_OVERHEAD

    def body_too_large(self, length: int) -> RequestTooLarge:
        limit = int(settings.PAKTA_MAX_UPLOAD_BYTES)
        sizes = {"size": filesizeformat(length), "max": filesizeformat(limit)}
        return RequestTooLarge(UPLOAD_BODY_TOO_LARGE % sizes, {"max_bytes": limit, "size": length})

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        django_request = request._request
        if not hasattr(django_request, "_files"):  # handlers can only be set before parsing
            django_request.upload_handlers = [
                _SizeLimitedUploadHandler(django_request, int(settings.PAKTA_MAX_UPLOAD_BYTES)),
                *(load_handler(path, django_request) for path in settings.FILE_UPLOAD_HANDLERS),
            ]
        super().initial(request, *args, **kwargs)

    def uploaded_file(self, request: Request, field: str = "file") -> tuple[str, bytes] | None:
        """(name, content) of the uploaded file, None when absent; 413 when it was too large."""
        files = request.FILES  # parses the body through the handlers above
        too_large = getattr(request._request, "_pakta_upload_too_large", None)
        limit = int(settings.PAKTA_MAX_UPLOAD_BYTES)
        if too_large:
            message = UPLOAD_TOO_LARGE % {"file": too_large, "max": filesizeformat(limit)}
            raise RequestTooLarge(message, {"file": too_large, "max_bytes": limit})
        upload = files.get(field)
        if upload is None:
            return None
        if upload.size is not None and upload.size > limit:
            message = UPLOAD_TOO_LARGE % {"file": upload.name, "max": filesizeformat(limit)}
            raise RequestTooLarge(message, {"file": upload.name, "max_bytes": limit})
        return upload.name or "", upload.read(limit + 1)


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=`, 50 by default and at most 200 per page, with a capped count.

    An exact COUNT(*) reads every matching row: at 100,000 pacts it costs more than the page
    itself. So the count stops at `count_cap`: `count` is exact when `count_is_exact` is true,
    and otherwise means "at least `count_cap`" (narrow the filters). `next` does not depend on
    the count: one row past the page is fetched to know whether there is more."""

    default_limit = 50
    max_limit = 200
    count_cap = 10_000

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None, *, count_queryset: Any = None
    ) -> list[Any]:
        """The page of `queryset`; the count runs on `count_queryset` (default: the same) reduced
        to primary keys, without ORDER BY, so the database stops after count_cap + 1 rows."""
        self.request = request
        self.limit = limit = self.get_limit(request) or self.default_limit
        self.offset = offset = self.get_offset(request)
        base = queryset if count_queryset is None else count_queryset
        counted = base.order_by().values("pk")[: self.count_cap + 1].count()
        self.count_is_exact = counted <= self.count_cap
        self.count = min(counted, self.count_cap)
        rows = list(queryset[offset : offset + limit + 1])
        self.has_next = len(rows) > limit
        self.next_offset = offset + limit
        return rows[:limit]

    def get_next_link(self) -> str | None:
        if not self.has_next or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.next_offset)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.count,
                "count_is_exact": self.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = f"Exact up to {self.count_cap:,}; see count_is_exact."
        response["properties"]["count_is_exact"] = {
            "type": "boolean",
            "description": f"False when more than {self.count_cap:,} match: `count` is then a lower bound.",
        }
        response["required"] = ["count", "count_is_exact", "results"]
        return response


def paginated(
    view: APIView,
    request: Request,
    queryset: Any,
    serializer_class: type[BaseSerializer[Any]],
    context: dict[str, Any] | None = None,
) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context={"request": request, **(context or {})}).data
    return paginator.get_paginated_response(data)


class PdfRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; successful responses are FileResponses
    and bypass renderers, so this only ever renders an error body (as JSON)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        from rest_framework.renderers import JSONRenderer

        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)
