"""Pangkat/golongan ruang PNS (DOMAIN.md §5.2, PP 99/2000 table) and PPPK grades I–XVII."""

from django.db import migrations

PNS = [
    ("I/a", "Juru Muda"),
    ("I/b", "Juru Muda Tingkat I"),
    ("I/c", "Juru"),
    ("I/d", "Juru Tingkat I"),
    ("II/a", "Pengatur Muda"),
    ("II/b", "Pengatur Muda Tingkat I"),
    ("II/c", "Pengatur"),
    ("II/d", "Pengatur Tingkat I"),
    ("III/a", "Penata Muda"),
    ("III/b", "Penata Muda Tingkat I"),
    ("III/c", "Penata"),
    ("III/d", "Penata Tingkat I"),
    ("IV/a", "Pembina"),
    ("IV/b", "Pembina Tingkat I"),
    ("IV/c", "Pembina Utama Muda"),
    ("IV/d", "Pembina Utama Madya"),
    ("IV/e", "Pembina Utama"),
]
PPPK = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII"]


def add_ranks(apps, schema_editor):
    Rank = apps.get_model("integrity", "Rank")
    for order, (code, name) in enumerate(PNS, start=1):
        Rank.objects.update_or_create(code=code, defaults={"name": name, "scheme": "pns", "order": order})
    for order, code in enumerate(PPPK, start=1):
        Rank.objects.update_or_create(
            code=code, defaults={"name": f"Golongan PPPK {code}", "scheme": "pppk", "order": order}
        )


def remove_ranks(apps, schema_editor):
    apps.get_model("integrity", "Rank").objects.filter(code__in=[c for c, _ in PNS] + PPPK).delete()


class Migration(migrations.Migration):
    dependencies = [("integrity", "0001_organisation_pacts_calendar")]
    operations = [migrations.RunPython(add_ranks, remove_ranks)]
