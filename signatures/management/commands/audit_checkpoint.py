"""Signed checkpoints of the audit journal (signatures issue §4): create one now, export one as a file to
keep outside Pakta, or verify such a file.

    manage.py audit_checkpoint create
    manage.py audit_checkpoint export [--id N] [--out FILE]     (default: the latest, to stdout)
    manage.py audit_checkpoint verify FILE [--root CERT] [--no-journal]

`verify` trusts the CA root(s) of this installation, or only the certificate(s) given with `--root`
(PEM or DER; repeatable), and then compares the statement with the journal unless `--no-journal`.
"""

from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from audit.errors import ApplicationError
from audit.models import AuditCheckpoint
from audit.selectors import journal_root
from audit.verification import latest_checkpoint
from signatures import ca
from signatures.checkpoints import (
    SYSTEM_SEAL_CODE,
    checkpoint_create,
    checkpoint_export,
    checkpoint_verify_exported,
)
from signatures.models import CaKey


def _certificates(path: Path) -> list[asn1_x509.Certificate]:
    data = path.read_bytes()
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


class Command(BaseCommand):
    help = "Buat, ekspor, atau periksa checkpoint jejak audit yang ditandatangani segel sistem."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,export,verify}")
        sub.add_parser("create", help="tandatangani akar Merkle jurnal sekarang")
        export = sub.add_parser("export", help="tulis checkpoint sebagai berkas JSON")
        export.add_argument("--id", type=int, default=None, help="nomor checkpoint (bawaan: yang terakhir)")
        export.add_argument("--out", type=Path, default=None, help="berkas tujuan (bawaan: stdout)")
        verify = sub.add_parser("verify", help="periksa berkas checkpoint hasil ekspor")
        verify.add_argument("file", type=Path)
        verify.add_argument(
            "--root", type=Path, action="append", default=[], help="sertifikat CA induk tepercaya (PEM/DER)"
        )
        verify.add_argument("--no-journal", action="store_true", help="jangan bandingkan dengan jurnal ini")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc

    def _create(self, options: dict[str, Any]) -> None:
        checkpoint = checkpoint_create(actor=None)
        self.stdout.write(
            self.style.SUCCESS(
                _("Checkpoint #%(id)s dibuat: %(size)s peristiwa, akar %(root)s.")
                % {"id": checkpoint.pk, "size": checkpoint.size, "root": checkpoint.root_hex}
            )
        )

    def _export(self, options: dict[str, Any]) -> None:
        if options["id"] is None:
            checkpoint = latest_checkpoint()
        else:
            checkpoint = AuditCheckpoint.objects.filter(pk=options["id"]).first()
        if checkpoint is None:
            raise CommandError(_("Checkpoint tidak ditemukan."))
        data = checkpoint_export(checkpoint)
        if options["out"] is None:
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        options["out"].write_bytes(data)
        self.stdout.write(
            self.style.SUCCESS(
                _("Checkpoint #%(id)s diekspor ke %(path)s.") % {"id": checkpoint.pk, "path": options["out"]}
            )
        )

    def _verify(self, options: dict[str, Any]) -> None:
        data = options["file"].read_bytes()
        if options["root"]:
            roots = [cert for path in options["root"] for cert in _certificates(path)]
            seals = None
        else:
            roots = ca.trust_roots()
            seals = [
                asn1_x509.Certificate.load(bytes(row.certificate))
                for row in CaKey.objects.filter(role=CaKey.Role.SEAL, label=SYSTEM_SEAL_CODE)
            ]
        result = checkpoint_verify_exported(data, roots, seal_certificates=seals)
        self.stdout.write(
            _(
                "Tanda tangan dan stempel waktu sah: %(size)s peristiwa, akar %(root)s, "
                "distempel %(timestamp)s oleh %(signer)s."
            )
            % {
                "size": result["size"],
                "root": result["root"],
                "timestamp": result["timestamp"].isoformat(timespec="seconds"),
                "signer": result["signer"],
            }
        )
        if options["no_journal"]:
            return
        try:
            current = journal_root(result["size"])
        except ApplicationError as exc:  # fewer events than the checkpoint covers, or a gap
            raise CommandError(
                _("Jurnal audit TIDAK cocok dengan checkpoint: %(detail)s") % {"detail": exc.message}
            ) from exc
        if current.root_hex != result["root"]:
            raise CommandError(
                _("Jurnal audit TIDAK cocok dengan checkpoint: akar %(size)s peristiwa pertama kini %(root)s.")
                % {"size": result["size"], "root": current.root_hex}
            )
        self.stdout.write(self.style.SUCCESS(_("Jurnal audit cocok dengan checkpoint ini.")))
