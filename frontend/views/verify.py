"""Public verification pages (signatures issue §3, "Verification for everyone"): no sign-in needed.

- `/verifikasi/`: upload a PDF and see the report.
- `/v/<verification id>/`: where the QR code in every signature stamp leads; the newest stored revision
  of that pact's document, verified now, with a download of exactly that file.

Both show the report of `signatures.verification_service.verify_document` (the one entry point the
command and the API use too): a verdict banner with one sentence in plain language, the reasons, then one
table per signature. Uploads are refused by the same rules and messages as `POST /api/v1/verify/`
(`signatures.apis.guard_upload`, `uploaded_pdf`) and share its throttle budget. The uploaded bytes are
verified and forgotten: nothing is stored.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from io import BytesIO
from typing import Any, cast

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.throttling import ScopedRateThrottle

from audit.errors import ApplicationError, NotFoundError
from frontend.labels import STATE_LABELS, label
from integrity.apis.verify import (
    StoredDocumentDamaged,
    pact_for_verification,
    stored_revision_bytes,
    verify_stored_revision,
)
from integrity.models import IntegrityPact, PactRevision
from signatures import verification_service
from signatures.apis import THROTTLE_SCOPE, guard_upload, uploaded_pdf
from signatures.verification_service import CHANGES_LABELS, COVERAGE_LABELS, KIND_LABELS, REVOCATION_LABELS
from signatures.verify import Changes, RevocationStatus, SignatureReport, Verdict, VerificationReport

THROTTLED = _("Terlalu banyak pemeriksaan dalam waktu singkat. Coba lagi dalam %(seconds)s detik.")
UPLOAD_HELP = _("Berkas PDF yang ditandatangani secara elektronik, paling besar %(max)s MB. Berkas tidak disimpan.")

# The banner's colour follows the verdict; its words say the same, so colour is never the only cue.
VERDICT_TONES = {
    Verdict.VALID: "valid",
    Verdict.UNTRUSTED: "untrusted",
    Verdict.MODIFIED: "broken",
    Verdict.INVALID: "broken",
    Verdict.CANNOT_VALIDATE: "unknown",
}


class VerifyUploadForm(forms.Form):
    """Renders the file input; the upload itself is checked by `signatures.apis.uploaded_pdf`, the same
    rules and messages as the API."""

    file = forms.FileField(
        label=_("Berkas PDF"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        megabytes = f"{verification_service.max_bytes() / (1024 * 1024):g}"
        self.fields["file"].help_text = UPLOAD_HELP % {"max": megabytes}


# Badge classes of app.css (`badge-signed` green, `badge-pending` amber, `badge-overdue` red,
# `badge-superseded` grey); each badge also carries its word.
_REVOCATION_TONES = {
    RevocationStatus.GOOD: "signed",
    RevocationStatus.REVOKED: "overdue",
    RevocationStatus.UNKNOWN: "superseded",
    RevocationStatus.NOT_CHECKED: "superseded",
}
_CHANGES_TONES = {
    Changes.NONE: "signed",
    Changes.LTV: "signed",
    Changes.SIGNATURES: "signed",
    Changes.FORBIDDEN: "overdue",
    Changes.UNKNOWN: "superseded",
}


@dataclass(frozen=True)
class SignatureRow:
    """One signature of the report, with the labels and badge tones the page shows."""

    number: int
    signature: SignatureReport
    kind: Promise
    revocation: Promise
    revocation_tone: str
    coverage: Promise
    changes: Promise
    changes_tone: str


@dataclass(frozen=True)
class ReportView:
    """A report as the page shows it: the banner's tone and words, one row per signature."""

    report: VerificationReport
    tone: str
    title: str
    explanation: str
    rows: list[SignatureRow]
    checked_at: datetime.datetime


def report_view(report: VerificationReport) -> ReportView:
    rows = [
        SignatureRow(
            number=number,
            signature=signature,
            kind=KIND_LABELS[signature.kind],
            revocation=REVOCATION_LABELS[signature.revocation],
            revocation_tone=_REVOCATION_TONES[signature.revocation],
            coverage=COVERAGE_LABELS[signature.coverage],
            changes=CHANGES_LABELS[signature.changes_after],
            changes_tone=_CHANGES_TONES[signature.changes_after],
        )
        for number, signature in enumerate(report.signatures, start=1)
    ]
    return ReportView(
        report=report,
        tone=VERDICT_TONES[report.verdict],
        title=verification_service.verdict_title(report.verdict),
        explanation=verification_service.verdict_explanation(report.verdict),
        rows=rows,
        checked_at=timezone.now(),
    )


class _ThrottleScope:
    """What DRF's throttle reads from a view: the scope shared with the API."""

    throttle_scope = THROTTLE_SCOPE


def _throttled(request: HttpRequest) -> HttpResponse | None:
    """None when the request is within the `verify` rate, else a 429 page with Retry-After."""
    throttle = ScopedRateThrottle()
    if throttle.allow_request(cast(Any, request), cast(Any, _ThrottleScope())):
        return None
    seconds = max(int(throttle.wait() or 1), 1)
    context = {"form": VerifyUploadForm(), "refusal": THROTTLED % {"seconds": seconds}}
    response = render(request, "frontend/verify.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


@csrf_exempt  # the CSRF check reads the body: it runs in `_verify_upload`, after the size guard
@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    """The upload form; a posted PDF is verified and its report shown (nothing is stored)."""
    if request.method != "POST":
        return render(request, "frontend/verify.html", {"form": VerifyUploadForm()})
    throttled = _throttled(request)
    if throttled is not None:
        return throttled
    try:
        guard_upload(request)
    except ApplicationError as exc:
        return _refused(request, exc)
    return _verify_upload(request)


@csrf_protect
def _verify_upload(request: HttpRequest) -> HttpResponse:
    try:
        name, data = uploaded_pdf(request, request.FILES)
    except ApplicationError as exc:
        return _refused(request, exc)
    report = verification_service.verify_document(data)
    return render(request, "frontend/verify_result.html", {"view": report_view(report), "filename": name})


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    context = {"form": VerifyUploadForm(), "refusal": str(exc.message)}
    return render(request, "frontend/verify.html", context, status=exc.status_code)


def _document(verification_id: str) -> tuple[IntegrityPact, PactRevision]:
    try:
        return pact_for_verification(verification_id)
    except NotFoundError as exc:
        raise Http404(str(exc.message)) from exc


@require_GET
def verify_document(request: HttpRequest, verification_id: str) -> HttpResponse:
    """The QR code's page: the newest stored revision of the pact's document, verified now."""
    pact, revision = _document(verification_id)
    throttled = _throttled(request)
    if throttled is not None:
        return throttled
    context: dict[str, Any] = {
        "pact": pact,
        "revision": revision,
        "pact_state": label(STATE_LABELS, str(pact.status)),
    }
    try:
        report = verify_stored_revision(pact, revision)
    except StoredDocumentDamaged as exc:
        context["damaged"] = str(exc.message)
        return render(request, "frontend/verify_result.html", context, status=exc.status_code)
    context["view"] = report_view(report)
    return render(request, "frontend/verify_result.html", context)


@require_GET
def verify_document_pdf(request: HttpRequest, verification_id: str) -> HttpResponseBase:
    """The newest stored revision of the pact's document, exactly as stored (its SHA-256 checked)."""
    pact, revision = _document(verification_id)
    try:
        data = stored_revision_bytes(pact, revision)
    except StoredDocumentDamaged as exc:
        context = {"pact": pact, "revision": revision, "damaged": str(exc.message)}
        return render(request, "frontend/verify_result.html", context, status=exc.status_code)
    response = FileResponse(
        BytesIO(data),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{pact.number}-revisi-{revision.sequence}.pdf",
    )
    response["Cache-Control"] = "private, max-age=0"
    return response
