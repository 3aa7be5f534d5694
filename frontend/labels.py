"""Translatable labels for model choices. The models' own choice labels are plain Indonesian
strings (they are also the admin's); the web UI shows these so that English works too."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# A pact's state as the UI shows it: "overdue" is a pending pact past its due date.
STATE_LABELS: dict[str, Promise] = {
    "pending": _("Menunggu tanda tangan"),
    "overdue": _("Terlambat"),
    "signed": _("Ditandatangani"),
    "superseded": _("Digantikan"),
}

KIND_LABELS: dict[str, Promise] = {
    "employee_superior": _("Pegawai – atasan langsung"),
    "unit_head_satker": _("Kepala kantor – kepala satker"),
    "individual": _("Individu (pengangkatan)"),
}

PARTY_ROLE_LABELS: dict[str, Promise] = {
    "declarant": _("Pembuat Pernyataan"),
    "witness": _("Menyaksikan"),
    "party": _("Pihak"),
}

ACTING_LABELS: dict[str, Promise] = {
    "definitive": _("Definitif"),
    "": _("Definitif"),
    "plt": _("Plt (pelaksana tugas)"),
    "plh": _("Plh (pelaksana harian)"),
}

MOVE_KIND_LABELS: dict[str, Promise] = {
    "angkat": _("Pengangkatan/mutasi definitif"),
    "plt": _("Penunjukan Plt"),
    "plh": _("Penunjukan Plh"),
    "berhenti": _("Pemberhentian dari jabatan"),
    "kepala_satker": _("Pengangkatan kepala satker"),
}


def label(table: dict[str, Promise], key: str | None) -> Promise | str:
    """The label for `key`, or the key itself when the table does not know it."""
    if key is None:
        return ""
    return table.get(key, key)
