"""Why a PDF could not be signed, sealed or timestamped: the domain errors and their messages (Indonesian,
gettext)."""

from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError, ConflictError

PDF_UNREADABLE = _("Berkas PDF tidak dapat dibaca untuk ditandatangani: %(detail)s")
SIGNING_FAILED = _("Tanda tangan elektronik tidak dapat dibuat: %(detail)s")
FIELD_MISSING = _("Dokumen tidak memiliki kolom tanda tangan %(field)s.")
FIELD_FILLED = _("Kolom tanda tangan %(field)s sudah ditandatangani.")
FIELD_EXISTS = _("Dokumen sudah memiliki kolom %(field)s; segel harus berada di kolom baru.")
ALREADY_SIGNED = _("Dokumen sudah ditandatangani; sertifikasi hanya boleh menjadi tanda tangan pertama.")
NOT_SIGNED = _("Dokumen belum memuat tanda tangan apa pun untuk disegel.")
VALIDATION_DATA_MISSING = _(
    "Data validasi jangka panjang tidak dapat disusun: sertifikat %(subject)s tidak dapat divalidasi (%(detail)s)."
)
TIMESTAMP_FAILED = _("Stempel waktu tidak dapat diperoleh dari otoritas stempel waktu: %(detail)s")


class PdfSigningError(ApplicationError):
    """The PDF could not be signed: unreadable, or pyHanko refused it. Nothing was produced."""


class SignatureFieldError(ConflictError):
    """The signature field to fill is missing or already signed, or the new field's name is taken."""


class LongTermValidationError(ApplicationError):
    """Validation data for sealing could not be assembled: a certificate does not chain to a trust root,
    or its revocation status is missing or bad."""

    status_code = 409


class TimestampError(ApplicationError):
    """The timestamping authority did not answer with a usable timestamp."""

    status_code = 503
