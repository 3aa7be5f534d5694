"""Rotation and appointment decrees (SK mutasi/pengangkatan) and the moves they contain."""

from django.conf import settings
from django.db import models


class Decree(models.Model):
    """An imported decree. Its content hash makes re-import idempotent: the same number with
    the same content changes nothing; the same number with other content is refused."""

    number = models.CharField("nomor SK", max_length=100, unique=True)
    decree_date = models.DateField("tanggal SK")
    title = models.CharField("perihal", max_length=300, blank=True)
    content_sha256 = models.CharField("SHA-256 isi", max_length=64)
    source_name = models.CharField("nama berkas", max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="diimpor oleh"
    )
    imported_at = models.DateTimeField("waktu impor", auto_now_add=True)

    class Meta:
        ordering = ["-decree_date", "number"]
        verbose_name = "surat keputusan"
        verbose_name_plural = "surat keputusan"

    def __str__(self) -> str:
        return self.number


class DecreeMove(models.Model):
    """One row of a decree, as applied."""

    class Kind(models.TextChoices):
        APPOINT = "angkat", "Pengangkatan/mutasi definitif"
        ACTING_PLT = "plt", "Penunjukan Plt"
        ACTING_PLH = "plh", "Penunjukan Plh"
        END = "berhenti", "Pemberhentian dari jabatan"
        SATKER_HEAD = "kepala_satker", "Pengangkatan kepala satker"

    decree = models.ForeignKey(Decree, models.CASCADE, related_name="moves", verbose_name="SK")
    row_number = models.PositiveIntegerField("baris")
    kind = models.CharField("jenis", max_length=16, choices=Kind.choices)
    nip = models.CharField("NIP", max_length=18)
    position = models.ForeignKey("integrity.Position", models.PROTECT, null=True, blank=True, verbose_name="jabatan")
    spending_unit = models.ForeignKey(
        "integrity.SpendingUnit", models.PROTECT, null=True, blank=True, verbose_name="satker"
    )
    effective_date = models.DateField("TMT")
    data = models.JSONField("baris asli", default=dict)

    class Meta:
        ordering = ["decree", "row_number"]
        verbose_name = "baris SK"
        verbose_name_plural = "baris SK"
        constraints = [models.UniqueConstraint(fields=["decree", "row_number"], name="decree_move_row_unique")]

    def __str__(self) -> str:
        return f"{self.decree_id}:{self.row_number} {self.kind} {self.nip}"
