"""Integrity domain errors. Messages are module constants in Bahasa Indonesia (translated to
English through gettext) and are asserted in tests."""

from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError, ConflictError


class OrganisationError(ApplicationError):
    pass


class AssignmentOverlap(ConflictError):
    pass


class PactTransitionError(ConflictError):
    pass


UNIT_CODE_TAKEN = _("Kode unit %(code)s sudah dipakai.")
UNIT_PARENT_LOOP = _("Unit %(code)s tidak boleh menjadi induk dirinya sendiri (melingkar).")
POSITION_CODE_TAKEN = _("Kode jabatan %(code)s sudah dipakai.")
POSITION_REPORTS_TO_SELF = _("Jabatan %(code)s tidak boleh melapor kepada dirinya sendiri.")
POSITION_REPORTS_LOOP = _("Jabatan %(code)s membentuk lingkaran atasan: %(chain)s.")
OFFICIAL_NIP_TAKEN = _("NIP %(nip)s sudah terdaftar atas nama %(name)s.")
OFFICIAL_NAME_REQUIRED = _("Nama pegawai wajib diisi.")
RANK_UNKNOWN = _("Pangkat/golongan %(rank)s tidak dikenal.")
SATKER_CODE_TAKEN = _("Kode satker %(code)s sudah terdaftar.")
SATKER_SERVING_UNIT_KIND = _("Satker harus dilayani oleh sebuah KPPN, bukan %(unit)s.")
ASSIGNMENT_BEFORE_APPOINTMENT = _("TMT %(date)s lebih awal dari pengangkatan pertama %(name)s (%(first)s menurut NIP).")
ASSIGNMENT_OVERLAP_OFFICIAL = _(
    "%(name)s sudah memegang jabatan %(position)s sejak %(start)s; penugasan baru mulai %(date)s tumpang tindih."
)
ASSIGNMENT_OVERLAP_POSITION = _(
    "Jabatan %(position)s dipegang %(holder)s sejak %(start)s; penugasan baru mulai %(date)s tumpang tindih."
)
ASSIGNMENT_END_BEFORE_START = _("Tanggal berakhir %(end)s lebih awal dari TMT %(start)s.")
ASSIGNMENT_ALREADY_ENDED = _("Penugasan %(name)s pada %(position)s sudah berakhir pada %(end)s.")
NO_ACTIVE_ASSIGNMENT = _("%(name)s tidak memegang jabatan apa pun pada %(date)s.")
SATKER_HEAD_OVERLAP = _(
    "Satker %(code)s dipimpin %(holder)s sejak %(start)s; pengangkatan mulai %(date)s tumpang tindih."
)
PACT_NOT_CURRENT = _("Pakta %(number)s sudah tidak berlaku (status: %(status)s).")
