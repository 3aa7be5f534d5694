"""The one error of `signatures.pdf` and its messages (gettext strings shown to users)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError

PDF_UNREADABLE = _("Berkas PDF tidak dapat dibaca: %(detail)s")
PDF_WRITE_FAILED = _("Kolom tanda tangan tidak dapat ditambahkan ke PDF: %(detail)s")
FIELD_NAME_INVALID = _("Nama kolom tanda tangan %(name)s tidak valid: gunakan 1–64 huruf, angka, '_' atau '-'.")
FIELD_NAME_DUPLICATE = _("Nama kolom tanda tangan %(name)s dipakai lebih dari sekali.")
FIELD_EXISTS = _("Kolom tanda tangan %(name)s sudah ada di dokumen.")
FIELD_PAGE_MISSING = _(
    "Kolom tanda tangan %(name)s menunjuk halaman %(page)s, padahal dokumen hanya %(pages)s halaman."
)
FIELD_BOX_INVALID = _("Kotak kolom tanda tangan %(name)s %(box)s tidak berada di dalam halaman %(mediabox)s.")


class PdfError(ApplicationError):
    """A PDF could not be read or changed. Wraps pyHanko's errors; nothing was written."""
