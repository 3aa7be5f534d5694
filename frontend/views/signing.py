"""The sign page of a pact and the newest revision of its document (signatures issue §5 "Web UI and API").

- `/pacts/<id>/sign/`: the pact's newest revision shown inline, the signing order with ticks, and, when it
  is your turn, one form per kind of identity you hold (key holders are chosen per signer): the
  passphrase of the key Pakta keeps, the PIN of your token (a choice when you have several), or your
  PKCS#12 file and its password; every refusal of the service in one clear alert.
- `/pacts/<id>/revisions/latest/pdf/`: the newest stored revision (the rendered document before the pact
  was issued for signing).

They call the same services and reads as the API (`integrity.services.signing`,
`integrity.services.signing_identities`, `integrity.selectors.signing`). A passphrase, PIN or PKCS#12
password is only ever POSTed: it is never put in a URL, never rendered back into a form (`PasswordInput`
does not render values; after a refusal the sign form is a fresh one), never logged (the views mark it
sensitive). An uploaded PKCS#12 file is read in memory and never stored. Each sign form carries a fresh
`Idempotency-Key` (uuid4), so a double submit signs once and the second answer shows the same result.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from audit.errors import ApplicationError
from frontend.views.common import pact_rows, with_parties
from frontend.views.enrolment import (
    PKCS12_FILE_REQUIRED,
    Pkcs12RegisterForm,
    passphrase_input,
    pkcs12_upload_bytes,
    posts_pkcs12,
)
from integrity.apis.secrets import PIN_MAX_LENGTH, SENSITIVE_FIELDS
from integrity.models import IntegrityPact, PactRevision
from integrity.selectors import pacts_visible_to
from integrity.selectors.signing import (
    certification_label,
    embedded_identity_of,
    identity_certified,
    pact_revision_bytes,
    pact_signing,
    pkcs12_identities_of,
    token_identities_of,
)
from integrity.services.pact_documents import pact_document_ensure
from integrity.services.signing import DocumentNotOurs, pact_sign
from integrity.services.signing_identities import PKCS12_PASSWORD_REQUIRED, pact_sign_with_token, pkcs12_key_holder
from integrity.workdays import today_jakarta
from signatures.lockout import identity_locked_until
from signatures.models import SigningIdentity
from signatures.signers import Pkcs12Error

SIGNED = _("Anda telah menandatangani pakta %(number)s. Jenis tanda tangan: %(label)s.")
SIGNED_COMPLETE = _("Semua pihak telah menandatangani; pakta %(number)s kini berstatus Ditandatangani.")


class SignForm(forms.Form):
    """The passphrase and this render's Idempotency-Key; the service says what is missing or wrong."""

    passphrase = passphrase_input(_("Passphrase tanda tangan"), autocomplete="off")
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)


class TokenSignForm(forms.Form):
    """The token PIN, which token identity signs (a choice only when there are several), and this render's
    Idempotency-Key. The identity is checked by the service, not the form: a stale choice gets its message."""

    pin = forms.CharField(
        label=_("PIN token"),
        strip=False,
        required=False,
        max_length=PIN_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    identity = forms.CharField(label=_("Identitas token"), required=False, max_length=40)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def __init__(self, *args: Any, identities: Sequence[SigningIdentity] = (), **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "token_%s")
        super().__init__(*args, **kwargs)
        if len(identities) > 1:
            choices = [(identity.serial, _token_choice(identity)) for identity in identities]
            self.fields["identity"].widget = forms.Select(choices=choices)
        else:
            del self.fields["identity"]


class Pkcs12SignForm(Pkcs12RegisterForm):
    """A registered PKCS#12 file and its password, for this one signature, and this render's Idempotency-Key."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)


def _token_choice(identity: SigningIdentity) -> str:
    return f"{identity.subject_name} · {identity.pkcs11_token_label} / {identity.pkcs11_key_label} · {identity.serial}"


@dataclass(frozen=True)
class SignWays:
    """The ways the user can sign now, one per kind of active identity (key holders chosen per signer),
    each with a fresh form carrying the same Idempotency-Key: only one of them is submitted."""

    embedded: SigningIdentity | None
    tokens: list[SigningIdentity]
    pkcs12: list[tuple[SigningIdentity, bool]]  # (identity, certified)
    passphrase_form: SignForm
    token_form: TokenSignForm
    pkcs12_form: Pkcs12SignForm

    @property
    def any(self) -> bool:
        return self.embedded is not None or bool(self.tokens) or bool(self.pkcs12)

    @property
    def only_passphrase(self) -> bool:
        return not self.tokens and not self.pkcs12


def _sign_ways(user: Any) -> SignWays:
    tokens = token_identities_of(user)
    initial = {"idempotency_key": str(uuid.uuid4())}
    return SignWays(
        embedded=embedded_identity_of(user),
        tokens=tokens,
        pkcs12=[(identity, identity_certified(identity)) for identity in pkcs12_identities_of(user)],
        passphrase_form=SignForm(initial=initial),
        token_form=TokenSignForm(initial=initial, identities=tokens),
        pkcs12_form=Pkcs12SignForm(initial=initial),
    )


# --------------------------------------------------------------------------------------------------------
# Sign
# --------------------------------------------------------------------------------------------------------


@login_required
@sensitive_post_parameters(*SENSITIVE_FIELDS)
@require_http_methods(["GET", "POST"])
def pact_sign_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign a pact: a party sees the document and the signing order; on their turn, one form per kind of
    identity they hold. Pacts outside the user's scope answer 404; a visible pact the user is not a party
    of, 403."""
    pact = get_object_or_404(with_parties(pacts_visible_to(request.user)), pk=pk)
    signing = pact_signing(pact, request.user)
    if signing.user_party is None:
        raise PermissionDenied
    error: str | None = None
    status = 200
    if request.method == "POST":
        try:
            revision = _sign_from_post(request, pact)
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
    ways = _sign_ways(request.user)  # fresh forms: a new Idempotency-Key per render, no secret put back
    context = {
        "pact": pact,
        "row": pact_rows([pact], today_jakarta())[0],
        "signing": signing,
        "ways": ways,
        "locked_until": identity_locked_until(ways.embedded) if ways.embedded is not None else None,
        "error": error,
    }
    return render(request, "frontend/sign.html", context, status=status)


def _sign_from_post(request: HttpRequest, pact: IntegrityPact) -> PactRevision:
    """Sign with what the submitted form carries: a PKCS#12 file, a token PIN, or (the default) a
    passphrase; the service says what is missing or wrong."""
    if posts_pkcs12(request):
        p12 = Pkcs12SignForm(request.POST, request.FILES)
        p12.is_valid()  # every field is optional: the service decides what is missing
        key = p12.cleaned_data.get("idempotency_key") or None
        upload = p12.cleaned_data.get("pkcs12")
        if upload is None:
            raise Pkcs12Error(PKCS12_FILE_REQUIRED)
        password = p12.cleaned_data.get("pkcs12_password") or ""
        if not password:
            raise Pkcs12Error(PKCS12_PASSWORD_REQUIRED)
        holder = pkcs12_key_holder(user=request.user, pkcs12_bytes=pkcs12_upload_bytes(upload), password=password)
        return pact_sign(pact=pact, user=request.user, key_holder=holder, idempotency_key=key)
    if "pin" in request.POST:
        token = TokenSignForm(request.POST)
        token.is_valid()
        return pact_sign_with_token(
            pact=pact,
            user=request.user,
            pin=token.cleaned_data.get("pin") or "",
            serial=request.POST.get("identity") or None,
            idempotency_key=token.cleaned_data.get("idempotency_key") or None,
        )
    form = SignForm(request.POST)
    form.is_valid()  # both fields are optional: the service decides what is missing
    return pact_sign(
        pact=pact,
        user=request.user,
        passphrase=form.cleaned_data.get("passphrase") or None,
        idempotency_key=form.cleaned_data.get("idempotency_key") or None,
    )


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
