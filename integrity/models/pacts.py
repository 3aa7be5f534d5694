"""Integrity pacts: derived from the organisation by the reconciler (integrity/services/pacts.py).

State transitions (enforced only in integrity services; signing arrives with the signatures issue):
    PENDING -> SIGNED               all parties signed
    PENDING | SIGNED -> SUPERSEDED  the relationship behind it ended (kept forever)
A pact is never deleted or edited after creation; renewal creates a new pact that `supersedes`
the old one.
"""

from django.db import models
from django.db.models import Q


class PactTemplate(models.Model):
    """A versioned Typst template. Changing the source creates a new version; pacts keep theirs."""

    kind = models.CharField("jenis pakta", max_length=32)
    version = models.PositiveIntegerField("versi")
    source = models.TextField("sumber Typst")
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField("dibuat", auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = "templat pakta"
        verbose_name_plural = "templat pakta"
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="pact_template_version_unique"),
            models.UniqueConstraint(fields=["kind", "sha256"], name="pact_template_content_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"


class IntegrityPact(models.Model):
    class Kind(models.TextChoices):
        EMPLOYEE_SUPERIOR = "employee_superior", "Pegawai – atasan langsung"
        UNIT_HEAD_SATKER = "unit_head_satker", "Kepala kantor – kepala satker"
        INDIVIDUAL = "individual", "Individu (pengangkatan)"

    class Status(models.TextChoices):
        PENDING = "pending", "Menunggu tanda tangan"
        SIGNED = "signed", "Ditandatangani"
        SUPERSEDED = "superseded", "Digantikan"

    CURRENT_STATUSES = (Status.PENDING, Status.SIGNED)

    number = models.CharField("nomor", max_length=40, unique=True)
    kind = models.CharField("jenis", max_length=32, choices=Kind.choices)
    status = models.CharField("status", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    relationship_key = models.CharField("kunci hubungan", max_length=100, db_index=True)
    unit = models.ForeignKey("integrity.Unit", models.PROTECT, related_name="pacts", verbose_name="unit")
    declarant_assignment = models.ForeignKey(
        "integrity.Assignment",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="penugasan pembuat",
    )
    counterparty_assignment = models.ForeignKey(
        "integrity.Assignment", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="penugasan atasan"
    )
    spending_unit = models.ForeignKey(
        "integrity.SpendingUnit", models.PROTECT, null=True, blank=True, related_name="pacts", verbose_name="satker"
    )
    satker_head = models.ForeignKey(
        "integrity.SpendingUnitHead",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="kepala satker",
    )
    effective_date = models.DateField("berlaku sejak")
    due_date = models.DateField("batas waktu", db_index=True)
    due_date_provisional = models.BooleanField("batas waktu sementara", default=False)
    trigger_decree = models.ForeignKey(
        "integrity.Decree",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="created_pacts",
        verbose_name="SK pemicu",
    )
    supersedes = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="superseded_by", verbose_name="menggantikan"
    )
    superseded_at = models.DateTimeField("digantikan pada", null=True, blank=True)
    superseded_by_decree = models.ForeignKey(
        "integrity.Decree",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="ended_pacts",
        verbose_name="SK pengakhir",
    )
    supersede_reason = models.CharField("alasan digantikan", max_length=300, blank=True)
    template = models.ForeignKey(PactTemplate, models.PROTECT, null=True, blank=True, verbose_name="templat")
    document = models.FileField("dokumen", upload_to="pacts/", blank=True)
    document_sha256 = models.CharField("SHA-256 dokumen", max_length=64, blank=True)
    verification_id = models.CharField(
        "ID verifikasi",
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text="Awal SHA-256 dokumen yang disertifikasi segel kantor (revisi 1); kode QR menautkan /v/<ID>.",
    )
    created_at = models.DateTimeField("dibuat", auto_now_add=True)
    signed_at = models.DateTimeField("ditandatangani", null=True, blank=True)
    external_reference = models.CharField(
        "referensi tanda tangan di luar Pakta",
        max_length=200,
        blank=True,
        help_text="Mis. nomor dokumen TTE Nadine bila pakta ditandatangani di luar Pakta (DOMAIN.md §10.4.3).",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "pakta integritas"
        verbose_name_plural = "pakta integritas"
        constraints = [
            # The reconciler's "never duplicates", guaranteed by the database as well.
            models.UniqueConstraint(
                fields=["relationship_key"],
                condition=Q(status__in=["pending", "signed"]),
                name="one_current_pact_per_relationship",
            )
        ]
        indexes = [models.Index(fields=["unit", "status"], name="pact_unit_status_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_current(self) -> bool:
        return self.status in self.CURRENT_STATUSES


class PactParty(models.Model):
    """A signatory, with an identity snapshot frozen when the pact was created (DOMAIN.md §7 rule 4)."""

    class Role(models.TextChoices):
        DECLARANT = "declarant", "Pembuat Pernyataan"
        WITNESS = "witness", "Menyaksikan"
        PARTY = "party", "Pihak"

    pact = models.ForeignKey(IntegrityPact, models.CASCADE, related_name="parties", verbose_name="pakta")
    order = models.PositiveSmallIntegerField("urutan tanda tangan")
    role = models.CharField("peran", max_length=16, choices=Role.choices)
    official = models.ForeignKey(
        "integrity.Official", models.PROTECT, related_name="pact_parties", verbose_name="pejabat"
    )
    snapshot = models.JSONField("identitas saat dibuat")
    field_name = models.CharField("nama kolom tanda tangan", max_length=40)
    signed_at = models.DateTimeField("ditandatangani", null=True, blank=True)

    class Meta:
        ordering = ["pact", "order"]
        verbose_name = "pihak pakta"
        verbose_name_plural = "pihak pakta"
        constraints = [
            models.UniqueConstraint(fields=["pact", "order"], name="pact_party_order_unique"),
            models.UniqueConstraint(fields=["pact", "field_name"], name="pact_party_field_unique"),
        ]
        indexes = [models.Index(fields=["official", "pact"], name="pact_party_official_idx")]

    def __str__(self) -> str:
        return f"{self.pact_id}#{self.order} {self.role}"


class PactReminder(models.Model):
    """A reminder that was sent. The unique constraint makes sending idempotent."""

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", "Pengingat sebelum batas waktu"
        OVERDUE = "overdue", "Terlambat"
        OVERDUE_SUPERIOR = "overdue_superior", "Terlambat (kepada atasan)"

    pact = models.ForeignKey(IntegrityPact, models.CASCADE, related_name="reminders")
    official = models.ForeignKey("integrity.Official", models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "pengingat"
        verbose_name_plural = "pengingat"
        constraints = [models.UniqueConstraint(fields=["pact", "official", "kind"], name="pact_reminder_once")]

    def __str__(self) -> str:
        return f"{self.pact_id} {self.kind} -> {self.official_id}"


class InboxMessage(models.Model):
    """An in-app notification for an official."""

    official = models.ForeignKey("integrity.Official", models.CASCADE, related_name="inbox")
    subject = models.CharField("perihal", max_length=200)
    body = models.TextField("isi")
    url = models.CharField("tautan", max_length=300, blank=True)
    created_at = models.DateTimeField("dibuat", auto_now_add=True)
    read_at = models.DateTimeField("dibaca", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "pesan"
        verbose_name_plural = "pesan"

    def __str__(self) -> str:
        return self.subject


class ReconcileState(models.Model):
    """Singleton (pk=1): serialises reconciler runs (row lock) and numbers pacts."""

    pact_counter = models.PositiveBigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_as_of = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "status rekonsiliasi"

    def __str__(self) -> str:
        return f"reconcile {self.last_as_of}"


class NightlyRun(models.Model):
    """A nightly job enqueued for a date; the unique constraint makes the scheduler idempotent
    even with several scheduler processes."""

    job = models.CharField(max_length=60)
    run_date = models.DateField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tugas malam"
        constraints = [models.UniqueConstraint(fields=["job", "run_date"], name="nightly_run_once")]

    def __str__(self) -> str:
        return f"{self.job} {self.run_date}"
