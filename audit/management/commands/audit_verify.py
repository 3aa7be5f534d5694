from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.errors import ApplicationError
from audit.verification import checkpoint_verifier, latest_checkpoint, verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of the audit journal and compare it with the latest signed checkpoint; "
        "exit non-zero naming the first broken row (or the checkpoint it no longer matches)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            if report.first_broken_seq is None:
                raise CommandError(f"Rantai audit tidak cocok dengan checkpoint: {report.reason}.")
            raise CommandError(
                f"Rantai audit rusak pada nomor urut {report.first_broken_seq}: {report.reason} "
                f"({report.checked} baris sebelumnya utuh)."
            )
        self._check_checkpoint_signature()
        message = f"Rantai audit utuh: {report.checked} peristiwa diperiksa."
        if report.checkpoint_id is not None:
            message += f" Cocok dengan checkpoint #{report.checkpoint_id} ({report.checkpoint_size} peristiwa)."
        self.stdout.write(self.style.SUCCESS(message))

    def _check_checkpoint_signature(self) -> None:
        checkpoint = latest_checkpoint()
        if checkpoint is None:
            return
        try:
            verify = checkpoint_verifier()
        except ImportError as exc:
            raise CommandError(f"PAKTA_CHECKPOINT_VERIFIER tidak dapat dimuat: {exc}") from exc
        if verify is None:
            self.stderr.write(
                self.style.WARNING(f"Tanda tangan checkpoint #{checkpoint.pk} tidak diperiksa: tidak ada pemeriksa.")
            )
            return
        try:
            verify(checkpoint)
        except ApplicationError as exc:
            raise CommandError(f"Checkpoint #{checkpoint.pk} tidak sah: {exc.message}") from exc
