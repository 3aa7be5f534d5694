"""Errors of the invitation services and their messages (Indonesian, shown to HR and to the invitee)."""

from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError, ConflictError, NotFoundError

INVITATION_NOT_FOUND = _("Tautan undangan tidak dikenal, atau sudah diganti dengan tautan yang lebih baru.")
INVITATION_EXPIRED = _(
    "Tautan undangan ini kedaluwarsa pada %(expired)s WIB. Minta administrator SDM mengirim ulang undangan."
)
INVITATION_ACCEPTED = _("Undangan ini sudah dipakai untuk membuat akun. Silakan masuk dengan akun tersebut.")
INVITATION_REVOKED = _("Undangan ini sudah dicabut. Hubungi administrator SDM bila Anda memerlukan undangan baru.")
INVITATION_CLOSED = _("Undangan untuk %(name)s sudah %(status)s; tidak dapat diubah lagi.")
INVITATION_OPEN_EXISTS = _(
    "%(name)s sudah memiliki undangan yang belum dipakai. Kirim ulang atau cabut undangan itu lebih dulu."
)
OFFICIAL_HAS_ACCOUNT = _("%(name)s sudah memiliki akun Pakta (%(username)s); undangan tidak diperlukan.")
OFFICIAL_NOT_SATKER_HEAD = _("%(name)s bukan kepala satker; undangan hanya untuk kepala satker dari instansi lain.")
OFFICIAL_INACTIVE = _("%(name)s sudah dinonaktifkan.")
EMAIL_INVALID = _("Alamat e-mail %(email)s tidak valid.")
USERNAME_INVALID = _(
    "Nama pengguna hanya boleh berisi huruf, angka dan tanda @ . + - _, paling banyak %(maximum)s karakter."
)
USERNAME_TAKEN = _("Nama pengguna %(username)s sudah dipakai. Pilih nama lain.")
PASSWORD_INVALID = _("Kata sandi tidak memenuhi syarat: %(reasons)s")
PASSPHRASE_EQUALS_PASSWORD = _("Passphrase tanda tangan harus berbeda dari kata sandi akun.")


class InvitationNotFound(NotFoundError):
    """No invitation has this token (never issued, mistyped, or replaced by a resend)."""


class InvitationGone(ApplicationError):
    """The invitation was accepted, revoked or has expired: its link is dead. Nothing was written."""

    status_code = 410


class InvitationClosed(ConflictError):
    """Resending or revoking an accepted or revoked invitation."""


class InvitationAlreadyOpen(ConflictError):
    """The official already has an open (pending or expired) invitation."""


class OfficialHasAccount(ConflictError):
    """The official already has a login; there is nothing to invite them to."""


class InvitationRefused(ApplicationError):
    """The official cannot be invited (not a satker head, inactive) or the e-mail address is invalid."""


class AccountDataInvalid(ApplicationError):
    """The chosen username, password or passphrase is not acceptable; nothing was written."""
