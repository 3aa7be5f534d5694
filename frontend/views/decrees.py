"""Decree pages for the HR administrator: upload, preview of the pact changes, apply; the list.

The flow is upload -> preview -> apply. The uploaded bytes stay on the server, in the session,
under their SHA-256; the preview and the apply pages name that hash in the URL and re-parse and
re-validate the bytes every time (`parse_decree_file` + `decree_preview` / `decree_import`, the
same services as the API). Nothing the browser sends back is trusted as decree content. A bad
file shows the per-row report (row, column, message) and writes nothing."""

import base64
import hashlib
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.errors import ApplicationError
from frontend.forms import DecreeUploadForm
from frontend.navigation import can_import_decrees, can_see_decrees
from frontend.views.common import pact_rows, with_parties
from integrity.apis.decrees import ROWS_OUT_OF_SCOPE, rows_outside_hr_scope
from integrity.decree_files import COLUMNS, REQUIRED_COLUMNS, ParsedDecree, parse_decree_file
from integrity.models import IntegrityPact
from integrity.selectors import decrees_visible_to, pacts_visible_to, user_scope
from integrity.services.decrees import decree_import, decree_preview
from integrity.workdays import today_jakarta

SESSION_KEY = "frontend.decree_upload"
PAGE_SIZE = 30
# Preview tables longer than this start folded (a new Kepala KPPN renews one pact per satker).
PREVIEW_OPEN_LIMIT = 15

UPLOAD_EXPIRED = _("Berkas yang akan diterapkan tidak ditemukan lagi di sesi Anda. Unggah ulang berkas SK.")


def _require_import(user: Any) -> None:
    if not can_import_decrees(user):
        raise PermissionDenied


# --- the uploaded file, kept server-side ----------------------------------------------------


def _remember(request: HttpRequest, filename: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    request.session[SESSION_KEY] = {
        "sha256": digest,
        "filename": filename,
        "content": base64.b64encode(content).decode("ascii"),
    }
    return digest


def _recall(request: HttpRequest, digest: str) -> tuple[str, bytes] | None:
    """The upload stored under `digest`, re-hashed: a mismatch is treated as missing."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict) or stored.get("sha256") != digest:
        return None
    try:
        content = base64.b64decode(stored["content"], validate=True)
    except (KeyError, ValueError, TypeError):
        return None
    if hashlib.sha256(content).hexdigest() != digest:
        return None
    return str(stored.get("filename", "")), content


def _forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def _rejection(exc: ApplicationError) -> dict[str, Any]:
    return {"message": str(exc.message), "errors": list(exc.extra.get("errors", []))}


def _outside_scope(parsed: ParsedDecree, user: Any) -> dict[str, Any] | None:
    """The rows naming a position or satker outside the user's HR scope, as a rejection; the same
    rule as the API's upload (`integrity.apis.decrees.rows_outside_hr_scope`)."""
    outside = rows_outside_hr_scope(parsed, user)
    if not outside:
        return None
    rows = sorted({e.row for e in outside if e.row is not None})
    message = ROWS_OUT_OF_SCOPE % {
        "file": parsed.filename,
        "count": len({e.row for e in outside}),
        "rows": ", ".join(str(r) for r in rows),
    }
    return {"message": str(message), "errors": [e.as_dict() for e in outside]}


def _check(parsed: ParsedDecree, user: Any) -> tuple[Any, dict[str, Any] | None, int]:
    """Scope, then the service's preview: (preview, rejection, HTTP status). Writes nothing."""
    outside = _outside_scope(parsed, user)
    if outside is not None:
        return None, outside, 403
    try:
        return decree_preview(parsed=parsed, actor=user), None, 200
    except ApplicationError as exc:  # DecreeRejected carries the per-row report
        return None, _rejection(exc), 400


def _format_help() -> dict[str, Any]:
    return {"columns": COLUMNS, "required_columns": REQUIRED_COLUMNS}


# --- pages ----------------------------------------------------------------------------------


@login_required
@require_GET
def decree_list(request: HttpRequest) -> HttpResponse:
    scope = user_scope(request.user)
    may_import = can_import_decrees(request.user)
    if not (may_import or can_see_decrees(scope)):
        raise PermissionDenied
    decrees = (
        decrees_visible_to(request.user)
        .select_related("imported_by")
        .annotate(move_count=Count("moves", distinct=True))
        .order_by("-imported_at", "-pk")
    )
    page = Paginator(decrees, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "frontend/decree_list.html", {"page": page, "may_import": may_import})


@login_required
@require_http_methods(["GET", "POST"])
def decree_upload(request: HttpRequest) -> HttpResponse:
    _require_import(request.user)
    form = DecreeUploadForm(request.POST, request.FILES) if request.method == "POST" else DecreeUploadForm()
    context: dict[str, Any] = {"form": form, **_format_help()}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "frontend/decree_upload.html", context, status=400)
        upload = form.cleaned_data["file"]
        filename = upload.name or ""
        content = upload.read()
        parsed = parse_decree_file(filename, content)
        _preview, rejection, status = _check(parsed, request.user)
        if rejection is not None:
            context.update(rejection=rejection, filename=parsed.filename or filename)
            return render(request, "frontend/decree_upload.html", context, status=status)
        digest = _remember(request, parsed.filename or filename, content)
        return redirect("frontend:decree-preview", digest=digest)
    return render(request, "frontend/decree_upload.html", context)


def _count_by_kind(pacts: Any) -> list[tuple[str, int]]:
    """[(kind, how many)] in first-seen order: a one-line overview above a long table."""
    return list(Counter(pact.kind for pact in pacts).items())


def _preview_page(digest: str, filename: str, parsed: ParsedDecree, **extra: Any) -> dict[str, Any]:
    return {"digest": digest, "filename": filename, "parsed": parsed, **extra}


@login_required
@require_GET
def decree_preview_page(request: HttpRequest, digest: str) -> HttpResponse:
    """What applying the uploaded decree would change, recomputed now. Writes nothing."""
    _require_import(request.user)
    stored = _recall(request, digest)
    if stored is None:
        messages.warning(request, UPLOAD_EXPIRED)
        return redirect("frontend:decree-upload")
    filename, content = stored
    parsed = parse_decree_file(filename, content)
    preview, rejection, status = _check(parsed, request.user)
    if rejection is not None:
        context = _preview_page(digest, filename, parsed, rejection=rejection)
        return render(request, "frontend/decree_preview.html", context, status=status)
    context = _preview_page(
        digest,
        filename,
        parsed,
        preview=preview,
        created_by_kind=_count_by_kind(preview.pacts_created),
        superseded_by_kind=_count_by_kind(preview.pacts_superseded),
        today=today_jakarta(),
        open_limit=PREVIEW_OPEN_LIMIT,
    )
    return render(request, "frontend/decree_preview.html", context)


@login_required
@require_POST
def decree_apply(request: HttpRequest, digest: str) -> HttpResponse:
    """Import the decree stored under `digest`: re-parsed and re-validated, all rows or none."""
    _require_import(request.user)
    stored = _recall(request, digest)
    if stored is None:
        messages.warning(request, UPLOAD_EXPIRED)
        return redirect("frontend:decree-upload")
    filename, content = stored
    parsed = parse_decree_file(filename, content)
    outside = _outside_scope(parsed, request.user)
    if outside is not None:
        context = _preview_page(digest, filename, parsed, rejection=outside)
        return render(request, "frontend/decree_preview.html", context, status=403)
    try:
        result = decree_import(parsed=parsed, actor=request.user, source_name=filename)
    except ApplicationError as exc:  # DecreeRejected carries the per-row report; nothing was written
        context = _preview_page(digest, filename, parsed, rejection=_rejection(exc))
        return render(request, "frontend/decree_preview.html", context, status=400)
    _forget(request)
    if result.created:
        messages.success(request, result.message)
    else:
        messages.info(request, result.message)
    return redirect("frontend:decree-detail", pk=result.decree.pk)


@login_required
@require_GET
def decree_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An imported decree: its moves and the pacts it created and ended (those the user may see)."""
    scope = user_scope(request.user)
    if not (can_import_decrees(request.user) or can_see_decrees(scope)):
        raise PermissionDenied
    decree = get_object_or_404(decrees_visible_to(request.user).select_related("imported_by"), pk=pk)
    today = today_jakarta()
    visible = pacts_visible_to(request.user)
    created = pact_rows(with_parties(visible.filter(trigger_decree=decree)).order_by("number"), today)
    ended = pact_rows(
        with_parties(visible.filter(superseded_by_decree=decree, status=IntegrityPact.Status.SUPERSEDED)).order_by(
            "number"
        ),
        today,
    )
    moves = decree.moves.select_related("position__unit", "spending_unit").order_by("row_number")
    return render(
        request,
        "frontend/decree_detail.html",
        {"decree": decree, "moves": moves, "created": created, "ended": ended, "today": today},
    )
