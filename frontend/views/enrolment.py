"""The official's signing identity page (signatures issue §5 "Web UI and API"), `/tanda-tangan/identitas/`:
enrol (choose a passphrase; the embedded CA certifies your official record), see the certificate, change
the passphrase; register the certificate of a PKCS#12 file (from a PSrE) and see the token and PKCS#12
identities you have. The sign page (`frontend.views.signing`) reuses its passphrase input and PKCS#12 form.

It calls the same services and reads as the API (`integrity.services.signing_identities`,
`integrity.selectors.signing`). A passphrase or PKCS#12 password is only ever POSTed: it is never put in a
URL, never rendered back into a form (`PasswordInput` does not render values), never logged (the view marks
it sensitive). An uploaded PKCS#12 file is read in memory and never stored.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from audit.errors import ApplicationError
from frontend.navigation import can_see_own_pacts
from integrity.apis.secrets import PASSPHRASES_DIFFER, SENSITIVE_FIELDS
from integrity.selectors import user_scope
from integrity.selectors.signing import (
    embedded_identity_of,
    enrolment_subject,
    identity_certified,
    pkcs12_identities_of,
    token_identities_of,
)
from integrity.services.signing_identities import (
    signing_identity_change_passphrase,
    signing_identity_enrol,
    signing_identity_register_pkcs12,
)
from signatures.lockout import identity_locked_until
from signatures.models import SigningIdentity
from signatures.signers import PKCS12_MAX_BYTES, Pkcs12Error

ENROLLED = _("Identitas penandatangan Anda terdaftar. Sertifikat nomor seri %(serial)s berlaku sampai %(until)s.")
PASSPHRASE_CHANGED = _("Passphrase tanda tangan Anda telah diganti.")
PKCS12_REGISTERED = _(
    "Sertifikat berkas PKCS#12 terdaftar: %(name)s, nomor seri %(serial)s, berlaku sampai %(until)s. "
    "Unggah berkas yang sama setiap kali menandatangani."
)
PKCS12_FILE_REQUIRED = _("Pilih berkas PKCS#12 (.p12 atau .pfx).")
PASSPHRASE_HELP = _(
    "Paling sedikit %(minimum)s karakter; boleh berupa beberapa kata. Passphrase ini bukan kata sandi masuk Pakta "
    "dan tidak dapat dipulihkan: jika lupa, identitas harus dicabut dan didaftarkan ulang."
)


def passphrase_input(label: Any, *, autocomplete: str, help_text: Any = "") -> forms.CharField:
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
    passphrase = passphrase_input(_("Passphrase baru"), autocomplete="new-password")
    passphrase_confirm = passphrase_input(_("Ulangi passphrase"), autocomplete="new-password")

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
    old_passphrase = passphrase_input(_("Passphrase lama"), autocomplete="off")
    new_passphrase = passphrase_input(_("Passphrase baru"), autocomplete="new-password")
    new_passphrase_confirm = passphrase_input(_("Ulangi passphrase baru"), autocomplete="new-password")

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


class Pkcs12RegisterForm(forms.Form):
    pkcs12 = forms.FileField(
        label=_("Berkas PKCS#12 (.p12 atau .pfx)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".p12,.pfx,application/x-pkcs12"}),
    )
    pkcs12_password = passphrase_input(_("Kata sandi berkas PKCS#12"), autocomplete="off")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "p12_%s")  # ids apart from the other forms on the same page
        super().__init__(*args, **kwargs)


def pkcs12_upload_bytes(upload: Any) -> bytes:
    # One byte past the holder's limit is enough for it to refuse an oversized file.
    return bytes(upload.read(PKCS12_MAX_BYTES + 1))


def posts_pkcs12(request: HttpRequest) -> bool:
    """Whether the submitted form is a PKCS#12 one (its password field is always sent, even empty)."""
    return "pkcs12_password" in request.POST or "pkcs12" in request.FILES


def _next_url(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


@login_required
@sensitive_post_parameters(*SENSITIVE_FIELDS)
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """The official's signing identity: enrol, or see the certificate and change the passphrase; register
    a PKCS#12 file's certificate; see the token and PKCS#12 identities."""
    if not can_see_own_pacts(user_scope(request.user)):
        raise PermissionDenied
    identity = embedded_identity_of(request.user)
    enrol_form, change_form = EnrolForm(), ChangePassphraseForm()
    error: str | None = None
    status = 200
    if request.method == "POST":
        try:
            if posts_pkcs12(request):
                registered = _register_pkcs12_from_post(request)
                until = date_format(timezone.localtime(registered.not_after), "j F Y")
                messages.success(
                    request,
                    PKCS12_REGISTERED % {"name": registered.subject_name, "serial": registered.serial, "until": until},
                )
                return redirect(_next_url(request) or reverse("frontend:enrol"))
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
    others = token_identities_of(request.user) + pkcs12_identities_of(request.user)
    context = {
        "identity": identity,
        "certified": identity is not None and identity_certified(identity),
        "locked_until": identity_locked_until(identity) if identity is not None else None,
        "subject": enrolment_subject(request.user),
        "enrol_form": enrol_form,
        "change_form": change_form,
        "pkcs12_form": Pkcs12RegisterForm(),  # never rendered back with a file or password
        "other_identities": [(other, identity_certified(other)) for other in others],
        "error": error,
        "next": _next_url(request) or "",
    }
    return render(request, "frontend/enrol.html", context, status=status)


def _register_pkcs12_from_post(request: HttpRequest) -> SigningIdentity:
    form = Pkcs12RegisterForm(request.POST, request.FILES)
    form.is_valid()  # both fields are optional: the service decides what is missing
    upload = form.cleaned_data.get("pkcs12")
    if upload is None:
        raise Pkcs12Error(PKCS12_FILE_REQUIRED)
    return signing_identity_register_pkcs12(
        user=request.user,
        pkcs12_bytes=pkcs12_upload_bytes(upload),
        password=form.cleaned_data.get("pkcs12_password") or "",
    )
