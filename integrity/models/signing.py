"""The signed revisions of a pact's document (signatures issue §2, "the signing plan of a pact").

A pact's rendered PDF (`IntegrityPact.document`, unsigned, with one empty signature field per party) goes
through these revisions, each an incremental update of the one before, each stored once under its
SHA-256 (`pacts/revisions/<sha256>.pdf` under MEDIA_ROOT):

    1        CERTIFIED    the office seal certifies the document (DocMDP P=2)
    2..n+1   SIGNATURE    each party signs its prepared field, in the pact's signing order
    n+2      LTA          validation data and a document timestamp (PAdES B-LTA): the pact is SIGNED
    ...      RETIMESTAMP  a new archive timestamp before the last one's certificate expires

Rows are never updated or deleted. The file is written (and fsynced) before its row commits, so a row
always points at a complete file; a file without a row (a crash in between) is harmless and is reused if
the same bytes come again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class PactRevision(models.Model):
    """One stored revision of a pact's document. See the module docstring for the sequence."""

    class Kind(models.TextChoices):
        CERTIFIED = "certified", "Disertifikasi segel kantor"
        SIGNATURE = "signature", "Tanda tangan pihak"
        LTA = "lta", "Segel jangka panjang (B-LTA)"
        RETIMESTAMP = "retimestamp", "Stempel waktu arsip baru"

    pact = models.ForeignKey("integrity.IntegrityPact", models.PROTECT, related_name="revisions", verbose_name="pakta")
    sequence = models.PositiveSmallIntegerField("urutan revisi")
    kind = models.CharField("jenis", max_length=16, choices=Kind.choices)
    party = models.ForeignKey(
        "integrity.PactParty",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name="pihak penanda tangan",
    )
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    file = models.FileField("berkas", upload_to="pacts/revisions/", max_length=200)
    size = models.PositiveIntegerField("ukuran (bait)")
    signed_at = models.DateTimeField("ditandatangani pada")
    signer_name = models.CharField("penanda tangan (sertifikat)", max_length=200, blank=True)
    signer_serial = models.CharField("nomor seri sertifikat (heks)", max_length=64, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="akun penanda tangan",
    )
    timestamp_valid_until = models.DateTimeField(
        "stempel waktu arsip berlaku sampai",
        null=True,
        blank=True,
        help_text="Untuk revisi LTA: akhir masa berlaku sertifikat stempel waktu terakhir; cap ulang sebelum itu.",
    )
    idempotency_key = models.CharField("Idempotency-Key", max_length=200, blank=True, default="")
    created_at = models.DateTimeField("dibuat", auto_now_add=True)

    class Meta:
        ordering = ["pact", "sequence"]
        verbose_name = "revisi dokumen pakta"
        verbose_name_plural = "revisi dokumen pakta"
        constraints = [
            models.UniqueConstraint(fields=["pact", "sequence"], name="pact_revision_sequence_unique"),
            # Exactly one signature per party, whatever the race (signatures issue §2).
            models.UniqueConstraint(
                fields=["party"], condition=Q(party__isnull=False), name="pact_revision_one_per_party"
            ),
            models.UniqueConstraint(
                fields=["pact", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="pact_revision_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=(Q(kind="signature") & Q(party__isnull=False))
                | (~Q(kind="signature") & Q(party__isnull=True)),
                name="pact_revision_party_iff_signature",
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="pact_revision_sequence_positive"),
        ]
        indexes = [
            models.Index(
                fields=["timestamp_valid_until"],
                condition=Q(timestamp_valid_until__isnull=False),
                name="pact_revision_ts_valid_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pact_id}#{self.sequence} {self.kind} {self.sha256[:12]}"


class PactValidationReport(models.Model):
    """The validation report a pact keeps once it is SIGNED (signatures issue §3): Pakta's own verdict and a
    human summary in Indonesian (`summary`, `summary_json` = `VerificationReport.to_dict()`), and the ETSI
    TS 119 102-2 XML report made by pyHanko's AdES-LTA validation (`xml`, under `pacts/reports/`). One per
    pact; making it again (`integrity.services.validation_reports.pact_validation_report_store`) replaces it."""

    pact = models.OneToOneField(
        "integrity.IntegrityPact", models.PROTECT, related_name="validation_report", verbose_name="pakta"
    )
    revision = models.ForeignKey(
        PactRevision, models.PROTECT, related_name="validation_reports", verbose_name="revisi yang diperiksa"
    )
    verdict = models.CharField("hasil", max_length=20)
    summary = models.TextField("ringkasan")
    summary_json = models.JSONField("laporan (JSON)", default=dict)
    xml = models.FileField("laporan ETSI TS 119 102-2 (XML)", upload_to="pacts/reports/", max_length=200)
    created_at = models.DateTimeField("dibuat", auto_now=True)

    class Meta:
        verbose_name = "laporan validasi pakta"
        verbose_name_plural = "laporan validasi pakta"

    def __str__(self) -> str:
        return f"{self.pact_id} {self.verdict}"
