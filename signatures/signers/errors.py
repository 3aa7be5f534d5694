"""Why a key holder refuses to sign: the domain errors and their messages (Indonesian, gettext)."""

from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError

IDENTITY_REVOKED = _("Identitas penandatangan ini sudah dicabut.")
IDENTITY_WRONG_BACKEND = _("Identitas penandatangan ini tidak memakai penyimpan kunci %(backend)s.")
CERT_EXPIRED = _("Sertifikat penandatangan sudah kedaluwarsa pada %(date)s.")
CERT_NOT_YET_VALID = _("Sertifikat penandatangan baru berlaku mulai %(date)s.")
CERT_IS_CA = _("Sertifikat ini adalah sertifikat CA, bukan sertifikat penandatangan.")
CERT_NOT_FOR_SIGNING = _("Sertifikat ini tidak boleh dipakai untuk tanda tangan (key usage).")
KEY_UNSUPPORTED = _("Jenis kunci tidak didukung: gunakan EC (P-256/P-384/P-521) atau RSA ≥ 2048 bit.")
PKCS12_TOO_LARGE = _("Berkas PKCS#12 terlalu besar (paling besar %(maximum)s KB).")
PKCS12_UNREADABLE = _("Berkas PKCS#12 tidak dapat dibuka: kata sandi salah atau berkas rusak.")
PKCS12_NO_KEY = _("Berkas PKCS#12 tidak berisi kunci privat.")
PKCS12_NO_CERT = _("Berkas PKCS#12 tidak berisi sertifikat penandatangan.")
PKCS12_KEY_MISMATCH = _("Kunci privat di berkas PKCS#12 tidak cocok dengan sertifikatnya.")
PKCS12_UNTRUSTED = _(
    "Sertifikat berkas PKCS#12 ini tidak diterbitkan oleh CA Pakta atau penyelenggara sertifikasi elektronik "
    "(PSrE) yang dikenal; minta administrator menambahkan akar PSrE-nya ke PAKTA_CERTIFIED_ROOTS_DIR."
)
PKCS12_NOT_REGISTERED = _("Sertifikat di berkas PKCS#12 bukan sertifikat yang terdaftar untuk identitas ini.")
PKCS11_TOKEN_NOT_FOUND = _("Token %(label)s tidak ditemukan.")
PKCS11_LIBRARY_FAILED = _("Pustaka PKCS#11 %(path)s tidak dapat dimuat.")
PKCS11_PIN_INCORRECT = _("PIN token salah.")
PKCS11_PIN_LOCKED = _("PIN token terkunci: hubungi administrator token.")
PKCS11_KEY_NOT_FOUND = _("Kunci %(label)s tidak ditemukan di token.")
PKCS11_KEY_EXISTS = _("Token sudah berisi kunci dengan label %(label)s.")
PKCS11_FAILED = _("Operasi token PKCS#11 gagal: %(detail)s")
PKCS11_LOGGED_IN_ELSEWHERE = _("Token %(label)s sudah login oleh komponen lain di proses ini.")


class KeyHolderError(ApplicationError):
    """A key holder cannot sign: revoked or expired certificate, wrong backend, unreadable key."""


class Pkcs12Error(KeyHolderError):
    """An uploaded PKCS#12 is refused: wrong password or damaged, no key or certificate, a CA or expired
    certificate, or a key that does not match its certificate."""


class Pkcs11Error(KeyHolderError):
    """A PKCS#11 token cannot be used: library, token or key not found, or the token refused."""


class WrongPin(Pkcs11Error):
    """The token refused the PIN."""

    status_code = 403
