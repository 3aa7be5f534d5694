from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.verification import verify_chain


class Command(BaseCommand):
    help = "Recompute the hash chain of the audit journal; exit non-zero naming the first broken row."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Rantai audit rusak pada nomor urut {report.first_broken_seq}: {report.reason} "
                f"({report.checked} baris sebelumnya utuh)."
            )
        self.stdout.write(self.style.SUCCESS(f"Rantai audit utuh: {report.checked} peristiwa diperiksa."))
