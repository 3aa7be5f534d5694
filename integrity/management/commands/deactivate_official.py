"""Deactivate an official who left the organisation or was disabled (signatures issue §1): a thin shell over
`integrity.services.officials.official_deactivate`.

manage.py deactivate_official 198503142010011001 --reason "Pensiun per 1 Desember 2026"
manage.py deactivate_official 198503142010011001 --reason "Akun disalahgunakan" --crl-reason privilege_withdrawn
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from audit.errors import ApplicationError
from integrity.models import Official
from integrity.services.officials import DEACTIVATION_CRL_REASONS, official_deactivate
from signatures.models import RevocationReason


class Command(BaseCommand):
    help = (
        "Nonaktifkan pegawai yang keluar atau dinonaktifkan: akunnya dimatikan, sertifikat tanda tangannya "
        "dicabut dan semua sesinya diakhiri seketika."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("nip", help="NIP / NI PPPK (18 digit)")
        parser.add_argument("--reason", required=True, help="alasan (dicatat di jejak audit)")
        parser.add_argument(
            "--crl-reason",
            default=RevocationReason.AFFILIATION_CHANGED.value,
            choices=[str(value) for value in DEACTIVATION_CRL_REASONS],
            help="alasan pencabutan di CRL (bawaan: affiliation_changed, pindah atau keluar)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        nip = "".join(options["nip"].split())
        official = Official.objects.filter(nip=nip).first()
        if official is None:
            raise CommandError(_("Pegawai dengan NIP %(nip)s tidak ditemukan.") % {"nip": nip})
        try:
            official_deactivate(
                official=official, reason=options["reason"], actor=None, crl_reason=options["crl_reason"]
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("%(name)s (%(nip)s) dinonaktifkan: akun dimatikan, sertifikat dicabut, sesi diakhiri.")
                % {"name": official.full_name, "nip": official.nip_display}
            )
        )
