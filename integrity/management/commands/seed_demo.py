"""Load the demo office (issue §11): a thin shell over `integrity.demo.demo_build`.

manage.py seed_demo              # into an empty database; refuses otherwise
manage.py seed_demo --if-empty   # what `make run` calls: does nothing when data exists
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from integrity.demo import SAMPLE_ROTATION, demo_build
from integrity.models import Unit


class Command(BaseCommand):
    help = "Muat kantor demo (Kanwil DJPb Aceh dan KPPN Banda Aceh) ke basis data yang masih kosong."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="jangan lakukan apa pun bila basis data sudah berisi unit organisasi (untuk `make run`)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Unit.objects.exists():
            if options["if_empty"]:
                self.stdout.write(_("Basis data sudah berisi data; kantor demo tidak dimuat ulang."))
                return
            raise CommandError(_("Basis data sudah berisi unit organisasi; seed_demo hanya untuk basis data kosong."))
        summary = demo_build()
        out = self.stdout.write
        out(self.style.SUCCESS(_("Kantor demo dimuat: Kanwil DJPb Provinsi Aceh dan KPPN Banda Aceh.")))
        out(
            _("  %(units)s unit, %(positions)s jabatan, %(officials)s pegawai, %(satker)s satker, %(decrees)s SK")
            % {
                "units": summary.units,
                "positions": summary.positions,
                "officials": summary.officials,
                "satker": summary.spending_units,
                "decrees": summary.decrees,
            }
        )
        pacts = summary.pacts
        out(
            _(
                "  pakta: %(signed)s ditandatangani, %(pending)s menunggu tanda tangan, %(overdue)s terlambat, "
                "%(superseded)s digantikan"
            )
            % pacts
        )
        out(
            _("Coba pembaruan pakta: python manage.py import_decree samples/demo_decree_rotation.csv (SK %(number)s).")
            % {"number": SAMPLE_ROTATION.number}
        )
