"""Signing pages (signatures issue §5 "Web UI and API"): the official's signing identity, the sign page of a
pact, the newest revision of its document, and the CA status for administrators and auditors.

- `/tanda-tangan/identitas/`: enrol (choose a passphrase; the embedded CA certifies your official record),
  see the certificate, change the passphrase.
- `/pacts/<id>/sign/`: the pact's newest revision shown inline, the signing order with ticks, the passphrase
  field when it is your turn, and every refusal of the service in one clear alert.
- `/pacts/<id>/revisions/latest/pdf/`: the newest stored revision (the rendered document before the pact
  was issued for signing).
- `/admin-ca/`: the embedded CA, its TSA, and the certificates issued and revoked.

They call the same services and reads as the API (`integrity.apis.signing`). A passphrase is only ever
POSTed: it is never put in a URL, never rendered back into a form (`PasswordInput` does not render values;
after a refusal the sign form is a fresh one), never logged (the views mark it sensitive). Each sign form
carries a fresh `Idempotency-Key` (uuid4), so a double submit signs once and the second answer shows the
same result.
"""

from __future__ import annotations

import uuid
from io import BytesIO
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from audit.errors import ApplicationError
from frontend.navigation import can_see_own_pacts
from frontend.views.common import pact_rows, with_parties
from integrity.apis.ca_status import ca_overview, can_read_ca
from integrity.apis.signing import (
    PASSPHRASE_FIELDS,
    PASSPHRASES_DIFFER,
    certification_label,
    embedded_identity_of,
    enrolment_subject,
    identity_certified,
    pact_signing,
    signing_identity_change_passphrase,
    signing_identity_enrol,
)
from integrity.models import IntegrityPact
from integrity.selectors import pacts_visible_to, user_scope
from integrity.services.pact_documents import pact_document_ensure
from integrity.services.signing import DocumentNotOurs, pact_revision_bytes, pact_sign
from integrity.workdays import today_jakarta
from signatures.lockout import identity_locked_until

ENROLLED = _("Identitas penandatangan Anda terdaftar. Sertifikat nomor seri %(serial)s berlaku sampai %(until)s.")
PASSPHRASE_CHANGED = _("Passphrase tanda tangan Anda telah diganti.")
SIGNED = _("Anda telah menandatangani pakta %(number)s. Jenis tanda tangan: %(label)s.")
SIGNED_COMPLETE = _("Semua pihak telah menandatangani; pakta %(number)s kini berstatus Ditandatangani.")
PASSPHRASE_HELP = _(
    "Paling sedikit %(minimum)s karakter; boleh berupa beberapa kata. Passphrase ini bukan kata sandi masuk Pakta "
    "dan tidak dapat dipulihkan: jika lupa, identitas harus dicabut dan didaftarkan ulang."
)


def _passphrase(label: Any, *, autocomplete: str, help_text: Any = "") -> forms.CharField:
    # strip=False: spaces are part of a passphrase. Never rendered back (PasswordInput's render_value=False).
    return forms.CharField(
        label=label,
        strip=False,
        required=False,
        max_length=1024,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete, "spellcheck": "false"}),
    )


class EnrolForm(forms.Form):
    passphrase = _passphrase(_("Passphrase baru"), autocomplete="new-password")
    passphrase_confirm = _passphrase(_("Ulangi passphrase"), autocomplete="new-password")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["passphrase"].help_text = PASSPHRASE_HELP % {
            "minimum": settings.PAKTA_SIGNING_PASSPHRASE_MIN_LENGTH
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("passphrase") != data.get("passphrase_confirm"):
            self.add_error("passphrase_confirm", PASSPHRASES_DIFFER)
        return data


class ChangePassphraseForm(forms.Form):
    old_passphrase = _passphrase(_("Passphrase lama"), autocomplete="off")
    new_passphrase = _passphrase(_("Passphrase baru"), autocomplete="new-password")
    new_passphrase_confirm = _passphrase(_("Ulangi passphrase baru"), autocomplete="new-password")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_passphrase"].help_text = PASSPHRASE_HELP % {
            "minimum": settings.PAKTA_SIGNING_PASSPHRASE_MIN_LENGTH
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_passphrase") != data.get("new_passphrase_confirm"):
            self.add_error("new_passphrase_confirm", PASSPHRASES_DIFFER)
        return data


class SignForm(forms.Form):
    """The passphrase and this render's Idempotency-Key; the service says what is missing or wrong."""

    passphrase = _passphrase(_("Passphrase tanda tangan"), autocomplete="off")
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    @classmethod
    def fresh(cls) -> SignForm:
        return cls(initial={"idempotency_key": str(uuid.uuid4())})


def _next_url(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


# --------------------------------------------------------------------------------------------------------
# Signing identity
# --------------------------------------------------------------------------------------------------------


@login_required
@sensitive_post_parameters(*PASSPHRASE_FIELDS)
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """The official's signing identity: enrol, or see the certificate and change the passphrase."""
    if not can_see_own_pacts(user_scope(request.user)):
        raise PermissionDenied
    identity = embedded_identity_of(request.user)
    enrol_form, change_form = EnrolForm(), ChangePassphraseForm()
    error: str | None = None
    status = 200
    if request.method == "POST":
        try:
            if identity is None:
                enrol_form = EnrolForm(request.POST)
                if enrol_form.is_valid():
                    identity = signing_identity_enrol(
                        user=request.user, passphrase=enrol_form.cleaned_data["passphrase"]
                    )
                    until = date_format(timezone.localtime(identity.not_after), "j F Y")
                    messages.success(request, ENROLLED % {"serial": identity.serial, "until": until})
                    return redirect(_next_url(request) or reverse("frontend:enrol"))
            else:
                change_form = ChangePassphraseForm(request.POST)
                if change_form.is_valid():
                    data = change_form.cleaned_data
                    signing_identity_change_passphrase(
                        user=request.user, old=data["old_passphrase"], new=data["new_passphrase"]
                    )
                    messages.success(request, PASSPHRASE_CHANGED)
                    return redirect(reverse("frontend:enrol"))
        except ApplicationError as exc:
            error, status = str(exc.message), exc.status_code
        if error is None:
            status = 400  # a field error (the confirmation differs)
        identity = embedded_identity_of(request.user)
    context = {
        "identity": identity,
        "certified": identity is not None and identity_certified(identity),
        "locked_until": identity_locked_until(identity) if identity is not None else None,
        "subject": enrolment_subject(request.user),
        "enrol_form": enrol_form,
        "change_form": change_form,
        "error": error,
        "next": _next_url(request) or "",
    }
    return render(request, "frontend/enrol.html", context, status=status)


# --------------------------------------------------------------------------------------------------------
# Sign
# --------------------------------------------------------------------------------------------------------


@login_required
@sensitive_post_parameters("passphrase")
@require_http_methods(["GET", "POST"])
def pact_sign_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign a pact: a party sees the document and the signing order; on their turn, the passphrase form.
    Pacts outside the user's scope answer 404; a visible pact the user is not a party of, 403."""
    pact = get_object_or_404(with_parties(pacts_visible_to(request.user)), pk=pk)
    signing = pact_signing(pact, request.user)
    if signing.user_party is None:
        raise PermissionDenied
    error: str | None = None
    status = 200
    if request.method == "POST":
        form = SignForm(request.POST)
        form.is_valid()  # both fields are optional: the service decides what is missing
        try:
            revision = pact_sign(
                pact=pact,
                user=request.user,
                passphrase=form.cleaned_data.get("passphrase") or None,
                idempotency_key=form.cleaned_data.get("idempotency_key") or None,
            )
        except ApplicationError as exc:
            error, status = str(exc.message), exc.status_code
            pact.refresh_from_db()
            signing = pact_signing(pact, request.user)
        else:
            pact.refresh_from_db()
            done = pact_signing(pact, request.user)
            row = next(r for r in done.rows if r.revision is not None and r.revision.pk == revision.pk)
            messages.success(request, SIGNED % {"number": pact.number, "label": certification_label(row.certified)})
            if pact.status == IntegrityPact.Status.SIGNED:
                messages.success(request, SIGNED_COMPLETE % {"number": pact.number})
            return HttpResponseRedirect(reverse("frontend:pact-detail", args=[pact.pk]))
    identity = embedded_identity_of(request.user)
    context = {
        "pact": pact,
        "row": pact_rows([pact], today_jakarta())[0],
        "signing": signing,
        "identity": identity,
        "locked_until": identity_locked_until(identity) if identity is not None else None,
        "form": SignForm.fresh(),  # a new Idempotency-Key per render; the passphrase is never put back
        "error": error,
    }
    return render(request, "frontend/sign.html", context, status=status)


@login_required
@require_GET
@xframe_options_sameorigin
def pact_revision_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The newest stored revision of the pact's document, its SHA-256 checked; before the pact was issued
    for signing, its rendered document. Inline, or as a download with `?download=1`."""
    pact = get_object_or_404(pacts_visible_to(request.user), pk=pk)
    signing = pact_signing(pact, request.user)
    if signing.latest is None:
        pact = pact_document_ensure(pact=pact, actor=request.user)
        with pact.document.open("rb") as handle:
            data, filename = handle.read(), f"{pact.number}.pdf"
    else:
        try:
            data = pact_revision_bytes(signing.latest)
        except DocumentNotOurs as exc:
            return HttpResponse(str(exc.message), status=exc.status_code, content_type="text/plain; charset=utf-8")
        filename = f"{pact.number}-revisi-{signing.latest.sequence}.pdf"
    response = FileResponse(
        BytesIO(data), content_type="application/pdf", as_attachment="download" in request.GET, filename=filename
    )
    response["Cache-Control"] = "private, max-age=0"
    return response


# --------------------------------------------------------------------------------------------------------
# CA status
# --------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def ca_admin(request: HttpRequest) -> HttpResponse:
    """The embedded CA for system administrators and auditors (read-only)."""
    if not can_read_ca(user_scope(request.user)):
        raise PermissionDenied
    return render(request, "frontend/ca_admin.html", {"ca": ca_overview()})
