"""The organisation over time: units, positions, officials, spending units and who held what when.

History is never overwritten: an assignment ends (its `end_date` is set) and a new one starts.
"Who held position P on date D" is `Assignment.objects.active_on(D).filter(position=P)`.
Dates are inclusive: an assignment holds from `effective_date` (TMT) through `end_date`.
"""

import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

KODE_SATKER = RegexValidator(r"^\d{6}$", "Kode satker harus 6 digit angka.")
MINISTRY_CODE = RegexValidator(r"^\d{3}$", "Kode kementerian/lembaga harus 3 digit angka.")


class Unit(models.Model):
    """An organisational unit: ministry -> DG -> Kanwil -> KPPN -> sections (DOMAIN.md §5.3)."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", "Kementerian"
        DIRECTORATE_GENERAL = "dg", "Direktorat Jenderal"
        REGIONAL_OFFICE = "kanwil", "Kantor Wilayah"
        SERVICE_OFFICE = "kppn", "KPPN"
        SECTION = "section", "Seksi/Subbagian"
        OTHER = "other", "Lainnya"

    code = models.CharField("kode", max_length=40, unique=True)
    name = models.CharField("nama", max_length=200)
    kind = models.CharField("jenis", max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="induk"
    )
    city = models.CharField("kota", max_length=100, blank=True)
    address = models.CharField("alamat", max_length=300, blank=True)
    phone = models.CharField("telepon", max_length=100, blank=True)
    website = models.CharField("situs web", max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "unit organisasi"
        verbose_name_plural = "unit organisasi"

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["Unit"]:
        """From the root down to this unit (inclusive). Cheap: organisations are shallow."""
        chain: list[Unit] = []
        node: Unit | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def office(self) -> "Unit":
        """The nearest unit that is an office (a section belongs to its KPPN or Kanwil)."""
        node: Unit = self
        while node.kind == Unit.Kind.SECTION and node.parent is not None:
            node = node.parent
        return node


class Rank(models.Model):
    """Pangkat/golongan ruang (DOMAIN.md §5.2); PPPK grades are a separate scheme."""

    class Scheme(models.TextChoices):
        PNS = "pns", "PNS"
        PPPK = "pppk", "PPPK"

    code = models.CharField("golongan", max_length=10, unique=True)
    name = models.CharField("pangkat", max_length=60, blank=True)
    scheme = models.CharField("skema", max_length=8, choices=Scheme.choices)
    order = models.PositiveSmallIntegerField("urutan")

    class Meta:
        ordering = ["scheme", "order"]
        verbose_name = "pangkat/golongan"
        verbose_name_plural = "pangkat/golongan"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.name else self.code


class Official(models.Model):
    """An official (ASN): PNS/CPNS with an 18-digit NIP, or PPPK with an 18-digit NI PPPK
    (DOMAIN.md §5.1). Satker heads of other ministries are officials too, without a position here."""

    class EmployeeType(models.TextChoices):
        PNS = "pns", "PNS"
        CPNS = "cpns", "CPNS"
        PPPK = "pppk", "PPPK"

    nip = models.CharField("NIP / NI PPPK", max_length=18, unique=True)
    employee_type = models.CharField(
        "jenis pegawai", max_length=8, choices=EmployeeType.choices, default=EmployeeType.PNS
    )
    name = models.CharField("nama", max_length=150)
    title_prefix = models.CharField("gelar depan", max_length=40, blank=True)
    title_suffix = models.CharField("gelar belakang", max_length=60, blank=True)
    rank = models.ForeignKey(Rank, models.PROTECT, null=True, blank=True, verbose_name="pangkat/golongan")
    email = models.EmailField("e-mail", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="official", verbose_name="akun"
    )
    is_active = models.BooleanField("aktif", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "pegawai"
        verbose_name_plural = "pegawai"
        constraints = [models.CheckConstraint(condition=Q(nip__regex=r"^\d{18}$"), name="official_nip_18_digits")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """Name with academic titles: "Dr. Nama, S.E., M.Ak."."""
        name = f"{self.title_prefix} {self.name}".strip()
        return f"{name}, {self.title_suffix}" if self.title_suffix else name

    @property
    def nip_display(self) -> str:
        """`19860926 201505 1 001` for PNS/CPNS (DOMAIN.md §5.1); PPPK numbers are shown as stored."""
        n = self.nip
        if self.employee_type == self.EmployeeType.PPPK:
            return n
        return f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}"


class Position(models.Model):
    """A position (jabatan) in a unit, with its direct superior position."""

    class Kind(models.TextChoices):
        STRUCTURAL = "structural", "Struktural"
        FUNCTIONAL = "functional", "Fungsional"
        STAFF = "staff", "Pelaksana"

    code = models.CharField("kode jabatan", max_length=40, unique=True)
    title = models.CharField("nama jabatan", max_length=200)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="positions", verbose_name="unit")
    reports_to = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="subordinates", verbose_name="atasan langsung"
    )
    is_unit_head = models.BooleanField("kepala unit", default=False)
    kind = models.CharField("jenis", max_length=16, choices=Kind.choices, default=Kind.STAFF)

    class Meta:
        ordering = ["unit__code", "-is_unit_head", "code"]
        verbose_name = "jabatan"
        verbose_name_plural = "jabatan"

    def __str__(self) -> str:
        return self.title


class SpendingUnit(models.Model):
    """A satker (DOMAIN.md §5.4): 6-digit code with leading zeros, served by one KPPN."""

    code = models.CharField("kode satker", max_length=6, unique=True, validators=[KODE_SATKER])
    name = models.CharField("nama satker", max_length=250)
    ministry_code = models.CharField("kode K/L", max_length=3, validators=[MINISTRY_CODE])
    serving_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="served_spending_units", verbose_name="KPPN mitra"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "satuan kerja"
        verbose_name_plural = "satuan kerja"
        constraints = [models.CheckConstraint(condition=Q(code__regex=r"^\d{6}$"), name="spending_unit_code_6_digits")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DatedQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> "DatedQuerySet":
        return self.filter(effective_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))

    def overlapping(self, start: datetime.date, end: datetime.date | None) -> "DatedQuerySet":
        qs = self.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        return qs if end is None else qs.filter(effective_date__lte=end)


class Assignment(models.Model):
    """Official <-> position for a period (DOMAIN.md §6.1 "Position assignment").

    `acting` marks a Plt (fills a vacancy) or Plh (stands in for an absent holder); an official
    may hold one acting assignment beside a definitive one. A position has at most one holder
    of each kind at a time (services enforce it, because overlap is about date ranges)."""

    class Acting(models.TextChoices):
        DEFINITIVE = "", "Definitif"
        PLT = "plt", "Plt (pelaksana tugas)"
        PLH = "plh", "Plh (pelaksana harian)"

    official = models.ForeignKey(Official, models.PROTECT, related_name="assignments", verbose_name="pegawai")
    position = models.ForeignKey(Position, models.PROTECT, related_name="assignments", verbose_name="jabatan")
    effective_date = models.DateField("TMT")
    end_date = models.DateField("tanggal berakhir", null=True, blank=True)
    acting = models.CharField("status", max_length=3, choices=Acting.choices, blank=True, default=Acting.DEFINITIVE)
    decree = models.ForeignKey(
        "integrity.Decree", models.PROTECT, null=True, blank=True, related_name="started_assignments", verbose_name="SK"
    )
    decree_number = models.CharField("nomor SK", max_length=100, blank=True)
    decree_date = models.DateField("tanggal SK", null=True, blank=True)
    inauguration_date = models.DateField("tanggal pelantikan", null=True, blank=True)
    end_decree = models.ForeignKey(
        "integrity.Decree",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="ended_assignments",
        verbose_name="SK pengakhiran",
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["effective_date", "pk"]
        verbose_name = "penugasan"
        verbose_name_plural = "penugasan"
        indexes = [
            models.Index(fields=["position", "effective_date"], name="assignment_position_idx"),
            models.Index(fields=["official", "effective_date"], name="assignment_official_idx"),
            models.Index(fields=["end_date"], name="assignment_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("effective_date")),
                name="assignment_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.official} — {self.position} ({self.effective_date}–{self.end_date or ''})"


class SpendingUnitHead(models.Model):
    """Who heads a satker (Kepala Satker/KPA) for a period; the counter-party of the KPPN pact."""

    spending_unit = models.ForeignKey(SpendingUnit, models.PROTECT, related_name="heads", verbose_name="satker")
    official = models.ForeignKey(
        Official, models.PROTECT, related_name="spending_unit_headships", verbose_name="pejabat"
    )
    title = models.CharField("jabatan", max_length=200, default="Kepala Satker")
    effective_date = models.DateField("TMT")
    end_date = models.DateField("tanggal berakhir", null=True, blank=True)
    decree = models.ForeignKey(
        "integrity.Decree", models.PROTECT, null=True, blank=True, related_name="started_headships", verbose_name="SK"
    )
    decree_number = models.CharField("nomor SK", max_length=100, blank=True)
    end_decree = models.ForeignKey(
        "integrity.Decree",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="ended_headships",
        verbose_name="SK pengakhiran",
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["spending_unit__code", "effective_date"]
        verbose_name = "kepala satker"
        verbose_name_plural = "kepala satker"
        indexes = [models.Index(fields=["spending_unit", "effective_date"], name="satker_head_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("effective_date")),
                name="satker_head_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.official} — {self.spending_unit.code}"


class RoleGrant(models.Model):
    """An explicit role over a unit's subtree (all units when `unit` is empty). Official,
    superior and unit head are not granted: they follow from assignments."""

    class Role(models.TextChoices):
        HR_ADMIN = "hr_admin", "Administrator SDM"
        COMPLIANCE = "compliance", "Petugas kepatuhan"
        AUDITOR = "auditor", "Auditor"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="role_grants", verbose_name="akun")
    role = models.CharField("peran", max_length=16, choices=Role.choices)
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, verbose_name="lingkup unit")

    class Meta:
        verbose_name = "peran"
        verbose_name_plural = "peran"
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="role_grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} {self.unit or '*'}"
