"""Enrol a user for signing with a Pakta-held key, for scripts and tests (signatures issue §1).

The passphrase is read from standard input (first line), or asked twice on a terminal: never from
the command line, where it would show in the process list and shell history.
"""

import getpass
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from audit.errors import ApplicationError
from signatures import ca


class Command(BaseCommand):
    help = "Daftarkan akun untuk tanda tangan elektronik; passphrase dibaca dari stdin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="Nama di sertifikat (CN).")
        parser.add_argument("--nip", required=True, help="NIP (serialNumber).")
        parser.add_argument("--unit", required=True, help="Nama unit (OU).")
        parser.add_argument("--organisation", default=None, help="Organisasi (O); bawaan PAKTA_INSTITUTION_NAME.")
        parser.add_argument("--email", default="")

    def _passphrase(self) -> str:
        if sys.stdin.isatty():
            first = getpass.getpass(_("Passphrase: "))
            if getpass.getpass(_("Ulangi passphrase: ")) != first:
                raise CommandError(_("Kedua passphrase tidak sama."))
            return first
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model()._default_manager.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("Akun %(username)s tidak ditemukan.") % {"username": options["username"]})
        passphrase = self._passphrase()
        try:
            identity = ca.identity_enrol(
                user=user,
                passphrase=passphrase,
                name=options["name"],
                nip=options["nip"],
                unit_name=options["unit"],
                organisation=options["organisation"] or settings.PAKTA_INSTITUTION_NAME,
                email=options["email"],
                actor=None,
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        finally:
            del passphrase
        self.stdout.write(
            self.style.SUCCESS(
                _("Sertifikat diterbitkan untuk %(name)s, nomor seri %(serial)s, berlaku sampai %(until)s.")
                % {"name": identity.subject_name, "serial": identity.serial, "until": f"{identity.not_after:%Y-%m-%d}"}
            )
        )
