"""The errors of the signing plan of a pact and their messages (asserted in tests; translated through
gettext, so keep the strings as they are), and the guard that every step shares."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError, ConflictError
from integrity.models import IntegrityPact

PACT_NOT_SIGNABLE = _("Pakta %(number)s tidak dapat ditandatangani: statusnya %(status)s.")
NOT_A_PARTY = _("Anda bukan pihak penanda tangan pakta %(number)s.")
NOT_YOUR_TURN = _("Belum giliran Anda menandatangani pakta %(number)s: menunggu tanda tangan %(waiting)s.")
ALREADY_SIGNED = _("Anda sudah menandatangani pakta %(number)s.")
NO_IDENTITY = _("Anda belum memiliki identitas penandatangan aktif. Daftarkan identitas dulu.")
PASSPHRASE_REQUIRED = _("Masukkan passphrase untuk menandatangani.")
KEY_HOLDER_NOT_YOURS = _("Kunci penandatangan ini bukan milik akun Anda.")
IDEMPOTENCY_KEY_INVALID = _("Idempotency-Key harus terdiri dari 1–200 karakter ASCII yang terlihat.")
IDEMPOTENCY_KEY_REUSED = _("Idempotency-Key ini sudah dipakai untuk permintaan lain pada pakta %(number)s.")
DOCUMENT_NOT_OURS = _("Dokumen pakta %(number)s ditolak: %(detail)s Pakta hanya menandatangani dokumen buatannya.")
DETAIL_RENDERED_CHANGED = _("berkas dokumen tidak cocok dengan SHA-256 saat dibuat.")
DETAIL_FIELDS_CHANGED = _("kolom tanda tangannya tidak sesuai dengan para pihak.")
DETAIL_ALREADY_SIGNED = _("dokumen sudah memuat tanda tangan.")
DETAIL_REVISION_CHANGED = _("berkas revisi %(sequence)s tidak cocok dengan SHA-256-nya.")
DETAIL_REVISION_FOREIGN = _("revisi %(sequence)s tidak berasal dari dokumen yang dibuat Pakta.")
DETAIL_FILE_MISSING = _("berkas %(name)s tidak ditemukan.")
NOT_READY_TO_SEAL = _("Pakta %(number)s belum ditandatangani semua pihak.")
NOT_ISSUED = _("Pakta %(number)s belum diterbitkan untuk ditandatangani.")


class PactNotSignable(ConflictError):
    """The pact is not PENDING (already SIGNED, or SUPERSEDED); nothing was written."""


class NotAParty(ApplicationError):
    """The user is not one of the pact's signing parties."""

    status_code = 403


class NotYourTurn(ConflictError):
    """The user is a party, but an earlier party has not signed yet."""


class AlreadySigned(ConflictError):
    """The user's party has signed already (a second request for the same field)."""


class NoSigningIdentity(ConflictError):
    """The user has no active embedded signing identity to open with a passphrase."""


class KeyHolderNotYours(ApplicationError):
    """The key holder handed in belongs to another account (or to none)."""

    status_code = 403


class IdempotencyKeyInvalid(ApplicationError):
    """The Idempotency-Key is empty, too long or not visible ASCII."""


class IdempotencyKeyReused(ConflictError):
    """The Idempotency-Key was used on this pact by another account."""


class PassphraseRequired(ApplicationError):
    """Signing with the embedded identity needs its passphrase."""


class DocumentNotOurs(ConflictError):
    """The PDF to sign is not one Pakta rendered (or a revision file was changed): refused, nothing written."""


class NotReadyToSeal(ConflictError):
    """Sealing was asked for before every party signed."""


def check_signable(pact: IntegrityPact) -> None:
    """Every step (issue, sign, seal) needs a PENDING pact.

    :raises PactNotSignable: the pact is SIGNED or SUPERSEDED.
    """
    if pact.status != IntegrityPact.Status.PENDING:
        raise PactNotSignable(PACT_NOT_SIGNABLE % {"number": pact.number, "status": pact.get_status_display()})
