"""The error of a checkpoint that does not verify, and its messages (Indonesian, shown by `audit_verify` and
`audit_checkpoint`)."""

from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError

SIGNATURE_UNREADABLE = _("Tanda tangan checkpoint tidak dapat dibaca: %(detail)s")
SIGNATURE_INVALID = _("Tanda tangan checkpoint tidak sah: pernyataan tidak cocok dengan tanda tangannya.")
SIGNER_UNTRUSTED = _("Penanda tangan checkpoint tidak berantai ke CA induk yang dipercaya (%(detail)s).")
SIGNER_NOT_SYSTEM_SEAL = _("Checkpoint tidak ditandatangani dengan segel sistem Pakta.")
TIMESTAMP_MISSING = _("Tanda tangan checkpoint tidak memuat stempel waktu.")
TIMESTAMP_INVALID = _("Stempel waktu checkpoint tidak sah atau tidak dipercaya.")
TIMESTAMP_TOKEN_MISMATCH = _("Token stempel waktu yang disimpan berbeda dari yang ada di tanda tangan.")
TIMESTAMP_BEFORE_STATEMENT = _("Stempel waktu checkpoint lebih awal dari waktu pada pernyataannya.")
STATEMENT_INVALID = _("Pernyataan checkpoint tidak sah.")
STORED_FIELDS_MISMATCH = _("Data checkpoint yang tersimpan tidak cocok dengan pernyataan yang ditandatangani.")
EXPORT_UNREADABLE = _("Berkas checkpoint tidak dapat dibaca: %(detail)s")
EXPORT_TOO_LARGE = _("Berkas checkpoint terlalu besar (paling besar %(maximum)s KB).")


class CheckpointSignatureError(ApplicationError):
    """A checkpoint's signature, timestamp or stored fields do not verify, or an exported file is unreadable."""
