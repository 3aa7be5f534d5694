"""The embedded CA's domain errors and their messages (Indonesian, shown to users as they are)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError, ConflictError

CA_NOT_INITIALIZED = _("CA Pakta belum disiapkan: jalankan `python manage.py ca_init`.")
CA_ALREADY_INITIALIZED = _("CA Pakta sudah disiapkan.")
IDENTITY_ALREADY_ACTIVE = _("Akun ini sudah memiliki identitas penandatangan aktif. Cabut dulu yang lama.")
IDENTITY_NOT_ACTIVE = _("Identitas penandatangan ini sudah dicabut.")
IDENTITY_NOT_EMBEDDED = _("Passphrase hanya ada pada identitas yang kuncinya disimpan Pakta.")
SUBJECT_FIELD_REQUIRED = _("%(field)s wajib diisi.")
SUBJECT_FIELD_TOO_LONG = _("%(field)s terlalu panjang: paling banyak %(maximum)s karakter.")
SUBJECT_FIELD_INVALID = _("%(field)s berisi karakter yang tidak diperbolehkan.")
PUBLIC_KEY_INVALID = _("Kunci publik tidak dapat dibaca atau bukan kunci EC P-256/RSA ≥ 2048 bit.")
REASON_INVALID = _("Alasan pencabutan %(reason)s tidak dikenal.")
SEAL_CODE_REPEATED = _("Kode unit untuk segel dipakai lebih dari sekali.")
OLD_AND_NEW_PASSPHRASE_EQUAL = _("Passphrase baru harus berbeda dari yang lama.")


class CaNotInitialized(ApplicationError):
    """The embedded CA has not been created yet (`manage.py ca_init`)."""

    status_code = 409


class CaAlreadyInitialized(ConflictError):
    """`ca_initialize` was called while a CA exists."""


class IdentityAlreadyActive(ConflictError):
    """The user already has an active embedded signing identity."""


class IdentityNotActive(ConflictError):
    """The signing identity was revoked; it cannot be used or changed."""


class IdentityNotEmbedded(ConflictError):
    """The operation needs an identity whose key Pakta holds (backend `embedded`)."""


class InvalidSubject(ApplicationError):
    """A name, NIP, unit or organisation for a certificate is empty, too long or has control characters."""


class InvalidPublicKey(ApplicationError):
    """A public key handed in for certification is unreadable or of an unsupported type or size."""


class PassphraseUnchanged(ApplicationError):
    """The new passphrase equals the old one."""


class InvalidRevocationReason(ApplicationError):
    """A revocation reason outside `RevocationReason`."""
