"""Create the embedded certificate authority of a default install (signatures issue §1).

`make run` calls `ca_init --if-absent`. On a new install it also creates the CA key file
(`settings.PAKTA_CA_KEY_FILE`, default `var/ca.key`, mode 0600) and tells the operator to back it up.
It never replaces an existing CA or key file: when the CA exists it only checks that the key file
opens it.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from audit.errors import ApplicationError
from signatures import ca, keystore
from signatures.models import CaKey


def _seal(value: str) -> tuple[str, str]:
    code, sep, name = value.partition("=")
    if not sep or not code.strip() or not name.strip():
        raise ValueError(value)
    return code.strip(), name.strip()


class Command(BaseCommand):
    help = "Siapkan CA internal Pakta (CA induk, CA penerbit, TSA, OCSP, segel unit) bila belum ada."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-absent", action="store_true", help="Diam bila CA sudah ada (untuk `make run`).")
        parser.add_argument(
            "--organisation",
            default=None,
            help="Nama organisasi di sertifikat CA (bawaan: PAKTA_INSTITUTION_NAME).",
        )
        parser.add_argument(
            "--seal",
            action="append",
            default=[],
            type=_seal,
            metavar="KODE=NAMA",
            help="Terbitkan sertifikat segel untuk unit ini (boleh berulang).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = keystore.ca_key_path()
        if ca.ca_exists():
            if not keystore.ca_key_file_exists():
                raise CommandError(str(keystore.CA_KEY_FILE_MISSING % {"path": path}))
            try:
                ca.load_ca_key(CaKey.Role.ROOT)
            except ApplicationError as exc:
                raise CommandError(str(exc.message)) from exc
            if not options["if_absent"]:
                self.stdout.write(_("CA Pakta sudah ada; tidak ada yang diubah."))
            return
        if not keystore.ca_key_file_exists():
            keystore.ca_key_file_create()
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Berkas kunci CA dibuat: %(path)s (mode 0600). Simpan salinannya di tempat aman: "
                        "tanpa berkas ini kunci CA tidak dapat dibuka. Atur PAKTA_CA_KEY_FILE untuk lokasi lain."
                    )
                    % {"path": path}
                )
            )
        organisation = options["organisation"] or settings.PAKTA_INSTITUTION_NAME
        try:
            root = ca.ca_initialize(organisation=organisation, unit_seals=options["seal"], actor=None)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("CA Pakta disiapkan: %(subject)s (%(seals)s segel unit).")
                % {
                    "subject": root.subject,
                    "seals": len(options["seal"]),
                }
            )
        )
