"""Holiday decrees and holidays 2024–2026 from integrity/data/holidays.csv (DOMAIN.md §5.5,
§10.1), and one DeadlinePolicy per deadline type.

The CSV is the source of truth and is read, not copied here. 2027 has no decree yet (DOMAIN.md
§10.1.1); an administrator enters it with `manage.py holidays_import`, which also recomputes the
provisional deadlines. Cuti bersama: a day off for pact signing; a working day for gratification
deadlines, the stricter reading for warnings (DOMAIN.md §5.5).
"""

import csv
import datetime
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "holidays.csv"
COLUMNS = ["date", "kind", "name", "decree_reference", "decree_kind", "decree_year", "decree_signed_on", "amends"]

# (code, label, cuti bersama counts as a working day)
POLICIES = [
    ("pact_signing", "Penandatanganan pakta integritas", False),
    ("gratification_upg", "Pelaporan gratifikasi kepada UPG (10 hari kerja)", True),
    ("gratification_kpk", "Pelaporan gratifikasi kepada KPK (30 hari kerja)", True),
    ("gratification_forward", "Penerusan laporan gratifikasi dari UPG kepada KPK", True),
    ("gratification_completion", "Kelengkapan laporan gratifikasi", True),
    ("gratification_handover", "Penyerahan objek gratifikasi milik negara", True),
]


def read_rows():
    """The CSV rows, checked for shape and for decree fields that agree across rows."""
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise ValueError(f"{CSV_PATH}: expected columns {COLUMNS}, found {reader.fieldnames}")
        rows = list(reader)
    decrees = {}
    for line, row in enumerate(rows, start=2):
        day = datetime.date.fromisoformat(row["date"])
        decree = (
            row["decree_kind"],
            int(row["decree_year"]),
            datetime.date.fromisoformat(row["decree_signed_on"]) if row["decree_signed_on"] else None,
            row["amends"] or None,
        )
        if decrees.setdefault(row["decree_reference"], decree) != decree:
            raise ValueError(f"{CSV_PATH} line {line}: decree fields differ from earlier rows of the same decree")
        if day.year != decree[1] or row["kind"] not in ("national", "cuti_bersama") or not row["name"]:
            raise ValueError(f"{CSV_PATH} line {line}: bad holiday row {row}")
        row["date"] = day
    return rows, decrees


def load(apps, schema_editor):
    HolidayDecree = apps.get_model("integrity", "HolidayDecree")
    Holiday = apps.get_model("integrity", "Holiday")
    DeadlinePolicy = apps.get_model("integrity", "DeadlinePolicy")
    rows, decrees = read_rows()
    by_reference = {}
    for reference, (kind, year, signed_on, _amends) in decrees.items():
        by_reference[reference], _ = HolidayDecree.objects.get_or_create(
            reference=reference, defaults={"kind": kind, "year": year, "signed_on": signed_on}
        )
    for reference, (_kind, _year, _signed_on, amends) in decrees.items():
        if amends:
            decree = by_reference[reference]
            decree.supersedes = HolidayDecree.objects.get(reference=amends)
            decree.save(update_fields=["supersedes"])
    for row in rows:
        Holiday.objects.get_or_create(
            date=row["date"],
            decree=by_reference[row["decree_reference"]],
            defaults={"kind": row["kind"], "name": row["name"]},
        )
    for code, label, cuti_bersama_is_working_day in POLICIES:
        DeadlinePolicy.objects.get_or_create(
            code=code, defaults={"label": label, "cuti_bersama_is_working_day": cuti_bersama_is_working_day}
        )


def unload(apps, schema_editor):
    HolidayDecree = apps.get_model("integrity", "HolidayDecree")
    Holiday = apps.get_model("integrity", "Holiday")
    DeadlinePolicy = apps.get_model("integrity", "DeadlinePolicy")
    rows, decrees = read_rows()
    for row in rows:
        Holiday.objects.filter(date=row["date"], decree__reference=row["decree_reference"]).delete()
    # Amendments first (they point at the decree they amend); keep a decree that gained other rows.
    for reference in sorted(decrees, key=lambda ref: decrees[ref][3] is None):
        HolidayDecree.objects.filter(reference=reference, holidays__isnull=True, holidaydecree__isnull=True).delete()
    DeadlinePolicy.objects.filter(code__in=[code for code, _, _ in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("integrity", "0002_ranks")]
    operations = [migrations.RunPython(load, unload)]
