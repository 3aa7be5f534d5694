import datetime
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrity.models import NightlyRun
from integrity.tasks import NIGHTLY


def enqueue_due_jobs(now: datetime.datetime) -> list[str]:
    """Enqueue each nightly job once per local date, after PAKTA_NIGHTLY_AT."""
    local = timezone.localtime(now)
    hour, minute = (int(x) for x in settings.PAKTA_NIGHTLY_AT.split(":"))
    if (local.hour, local.minute) < (hour, minute):
        return []
    started = []
    for name, job in NIGHTLY.items():
        try:
            with transaction.atomic():
                NightlyRun.objects.create(job=name, run_date=local.date())
                job.enqueue()
        except IntegrityError:
            continue
        started.append(name)
    return started


class Command(BaseCommand):
    help = "Enqueue the nightly jobs (pact reconcile, reminders) once a day; runs until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit")
        parser.add_argument("--interval", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for name in enqueue_due_jobs(timezone.now()):
                self.stdout.write(f"enqueued {name}")
            if options["once"]:
                return
            time.sleep(options["interval"])
