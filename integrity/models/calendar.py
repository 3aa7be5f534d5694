"""The working-day calendar as data (DOMAIN.md §5.5, §10.1): holidays with their decrees, and
a policy per deadline type for whether cuti bersama counts as a working day."""

from django.db import models


class HolidayDecree(models.Model):
    """An SKB, Keppres or amendment that fixes holidays for a year. A year with no decree on file
    is "unknown": deadlines that cross it are marked provisional and recomputed when one is entered."""

    class Kind(models.TextChoices):
        SKB = "skb", "SKB tiga menteri"
        KEPPRES = "keppres", "Keputusan Presiden"
        AMENDMENT = "amendment", "Perubahan SKB"

    reference = models.CharField("nomor", max_length=200, unique=True)
    year = models.PositiveSmallIntegerField("tahun", db_index=True)
    kind = models.CharField("jenis", max_length=16, choices=Kind.choices)
    signed_on = models.DateField("tanggal ditetapkan", null=True, blank=True)
    supersedes = models.ForeignKey("self", models.PROTECT, null=True, blank=True, verbose_name="mengubah")

    class Meta:
        ordering = ["year", "reference"]
        verbose_name = "keputusan hari libur"
        verbose_name_plural = "keputusan hari libur"

    def __str__(self) -> str:
        return self.reference


class Holiday(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", "Libur nasional"
        CUTI_BERSAMA = "cuti_bersama", "Cuti bersama"

    date = models.DateField("tanggal", db_index=True)
    kind = models.CharField("jenis", max_length=16, choices=Kind.choices)
    name = models.CharField("nama", max_length=200)
    decree = models.ForeignKey(HolidayDecree, models.PROTECT, related_name="holidays", verbose_name="dasar")

    class Meta:
        ordering = ["date"]
        verbose_name = "hari libur"
        verbose_name_plural = "hari libur"
        constraints = [models.UniqueConstraint(fields=["date", "decree"], name="holiday_unique_per_decree")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class DeadlinePolicy(models.Model):
    """Per deadline type: whether cuti bersama is a working day (DOMAIN.md §5.5: unverified,
    so data, not a constant)."""

    code = models.CharField("kode", max_length=40, unique=True)
    label = models.CharField("nama", max_length=200)
    cuti_bersama_is_working_day = models.BooleanField("cuti bersama dihitung hari kerja", default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = "kebijakan tenggat"
        verbose_name_plural = "kebijakan tenggat"

    def __str__(self) -> str:
        return self.label
