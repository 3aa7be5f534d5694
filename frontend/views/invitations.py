"""Invitations of satker heads (signatures issue §1): the list for HR administrators and compliance
officers, with send / resend / revoke, and the public page behind the e-mailed link.

The public page `/undangan/<token>/` carries the one-time token in its path (it is the link in the
e-mail). It is answered with `Referrer-Policy: no-referrer` and `Cache-Control: no-store`, so the token
leaks neither to other sites nor into caches; the form posts back to the same address, and once accepted
the token opens nothing any more. Satker heads outside the user's scope answer 404."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.errors import ApplicationError
from frontend.navigation import can_manage_invitations
from integrity.models import Invitation, Official
from integrity.services.invitations import (
    InvitationRow,
    current_headships,
    invitation_accept,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    invitation_send,
    satker_heads_for_inviter,
)

SENT = _("Undangan dikirim ke %(email)s untuk %(name)s.")
RESENT = _("Undangan dikirim ulang ke %(email)s; tautan sebelumnya tidak berlaku lagi.")
REVOKED = _("Undangan untuk %(name)s dicabut; tautannya tidak berlaku lagi.")
ACCEPTED = _("Selamat datang, %(name)s. Akun dan identitas penanda tangan Anda sudah dibuat.")
PASSWORDS_DIFFER = _("Kedua kata sandi tidak sama.")
PASSPHRASES_DIFFER = _("Kedua passphrase tidak sama.")

STATUS_LABELS: dict[str, Any] = {
    "none": _("Belum diundang"),
    "account": _("Sudah punya akun"),
    **{status.value: status.label for status in Invitation.Status},
}


class InvitationSendForm(forms.Form):
    official = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    email = forms.EmailField(label=_("E-mail"), max_length=254)


class InvitationAcceptForm(forms.Form):
    username = forms.CharField(
        label=_("Nama pengguna"),
        max_length=150,
        help_text=_("Huruf, angka dan tanda @ . + - _. Dipakai untuk masuk ke Pakta."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    passphrase1 = forms.CharField(
        label=_("Passphrase tanda tangan"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    passphrase2 = forms.CharField(
        label=_("Ulangi passphrase"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["passphrase1"].help_text = _(
            "Paling sedikit %(minimum)s karakter, berbeda dari kata sandi. Passphrase membuka kunci tanda "
            "tangan Anda dan diminta setiap kali Anda menandatangani; Pakta tidak menyimpannya dan tidak dapat "
            "memulihkannya."
        ) % {"minimum": settings.PAKTA_SIGNING_PASSPHRASE_MIN_LENGTH}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", PASSWORDS_DIFFER)
        if data.get("passphrase1") and data.get("passphrase2") and data["passphrase1"] != data["passphrase2"]:
            self.add_error("passphrase2", PASSPHRASES_DIFFER)
        return data


def _require(user: Any) -> None:
    if not can_manage_invitations(user):
        raise PermissionDenied


def _rows(user: Any) -> list[InvitationRow]:
    return satker_heads_for_inviter(user)


def _list_page(request: HttpRequest, *, error: Any = None, status: int = 200) -> HttpResponse:
    rows = [{"row": row, "status_label": STATUS_LABELS[row.status]} for row in _rows(request.user)]
    context = {
        "rows": rows,
        "days": settings.PAKTA_INVITATION_DAYS,
        "error": error,
    }
    return render(request, "frontend/invitations.html", context, status=status)


def _official_in_scope(user: Any, official_id: int) -> Official:
    """The official, if they head a satker in the user's scope; 404 otherwise (existence is not leaked)."""
    for row in _rows(user):
        if row.official.pk == official_id:
            return row.official
    raise Http404


def _invitation_in_scope(user: Any, pk: int) -> Invitation:
    invitation = get_object_or_404(Invitation.objects.select_related("official"), pk=pk)
    _official_in_scope(user, invitation.official_id)
    return invitation


@login_required
@require_GET
def invitations(request: HttpRequest) -> HttpResponse:
    """The satker heads served by the user's units: their login, their invitation, and the actions."""
    _require(request.user)
    return _list_page(request)


@login_required
@require_POST
def invitation_send_view(request: HttpRequest) -> HttpResponse:
    _require(request.user)
    form = InvitationSendForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        return _list_page(request, error=errors, status=400)
    official = _official_in_scope(request.user, form.cleaned_data["official"])
    try:
        invitation = invitation_send(official=official, email=form.cleaned_data["email"], actor=request.user)
    except ApplicationError as exc:
        return _list_page(request, error=exc.message, status=exc.status_code)
    messages.success(request, SENT % {"email": invitation.email, "name": official.full_name})
    return redirect("frontend:invitations")


@login_required
@require_POST
def invitation_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user)
    invitation = _invitation_in_scope(request.user, pk)
    try:
        invitation = invitation_resend(invitation=invitation, actor=request.user)
    except ApplicationError as exc:
        return _list_page(request, error=exc.message, status=exc.status_code)
    messages.success(request, RESENT % {"email": invitation.email})
    return redirect("frontend:invitations")


@login_required
@require_POST
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user)
    invitation = _invitation_in_scope(request.user, pk)
    try:
        invitation = invitation_revoke(invitation=invitation, actor=request.user)
    except ApplicationError as exc:
        return _list_page(request, error=exc.message, status=exc.status_code)
    messages.success(request, REVOKED % {"name": invitation.official.full_name})
    return redirect("frontend:invitations")


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the invitee chooses a username, a password and a signing passphrase. Writes only on a valid
    POST with a live token; afterwards the token is dead and the invitee is signed in."""
    template = "frontend/invitation_accept.html"
    try:
        invitation = invitation_for_token(token)
    except ApplicationError as exc:
        return _private(render(request, template, {"dead": exc.message}, status=exc.status_code))
    form = InvitationAcceptForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = invitation_accept(
                    token=token,
                    username=data["username"],
                    password=data["password1"],
                    passphrase=data["passphrase1"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, ACCEPTED % {"name": invitation.official.full_name})
                return _private(redirect("frontend:pacts"))
        else:
            status = 400
    context = {
        "form": form,
        "invitation": invitation,
        "headships": current_headships(invitation.official),
    }
    return _private(render(request, template, context, status=status))
