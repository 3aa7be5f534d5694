"""Forms of the web UI. They check shape only; the rules live in the services."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from frontend.labels import STATE_LABELS
from integrity.models import Unit

UPLOAD_TOO_LARGE = _("Berkas berukuran %(size)s bait, melebihi batas %(max)s bait.")
UPLOAD_HELP = _("Satu baris judul kolom, lalu satu baris per perpindahan. Ukuran berkas paling besar %(max)s MB.")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Nama pengguna atau kata sandi salah. Periksa kembali, lalu coba lagi."),
    }


class DecreeUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas SK (CSV atau XLSX)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        error_messages={
            "required": _("Pilih berkas SK yang akan diunggah."),
            "empty": _("Berkas kosong."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request, in the request's language.
        self.fields["file"].help_text = UPLOAD_HELP % {"max": _megabytes(settings.PAKTA_MAX_UPLOAD_BYTES)}

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.PAKTA_MAX_UPLOAD_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(UPLOAD_TOO_LARGE % {"size": upload.size, "max": limit})
        return upload


STATE_FILTER_CHOICES = [
    ("current", _("Berlaku (semua)")),
    ("overdue", STATE_LABELS["overdue"]),
    ("pending", STATE_LABELS["pending"]),
    ("signed", STATE_LABELS["signed"]),
    ("superseded", STATE_LABELS["superseded"]),
    ("all", _("Semua, termasuk riwayat")),
]


class PactFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), required=False, label=_("Unit"), empty_label=_("Semua unit")
    )
    state = forms.ChoiceField(choices=STATE_FILTER_CHOICES, required=False, label=_("Status"))

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
