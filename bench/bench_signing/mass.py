"""mass_signing: the worker's task (certify, sign by every party, seal) and two `manage.py db_worker --batch`
processes running one task per pact.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.tasks import task

from bench.bench_signing.constants import MASS_CAP_S, PASSPHRASE, WORKER_STOP_S, WORKERS
from bench.bench_signing.measuring import Results

# --------------------------------------------------------------------------------------------------------
# The worker's task
# --------------------------------------------------------------------------------------------------------


@task()
def bench_sign_pact(pact_id: int) -> int:
    """Certify, have every party sign with its passphrase, seal (the seal follows the last signature).

    Runs in `manage.py db_worker`; raises unless the pact ends SIGNED. Returns the party signatures made."""
    from integrity.models import IntegrityPact
    from integrity.services.signing import pact_sign

    pact = IntegrityPact.objects.get(pk=pact_id)
    parties = list(pact.parties.select_related("official__user").order_by("order"))
    for party in parties:
        pact_sign(pact=pact, user=party.official.user, passphrase=PASSPHRASE)
    pact.refresh_from_db()
    if pact.status != IntegrityPact.Status.SIGNED:
        raise RuntimeError(f"pact {pact.number} ended {pact.status}, not signed")
    return len(parties)


# --------------------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------------------


def _worker_environment(directory: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PAKTA_TESTING="1",
        PAKTA_VAR_DIR=str(directory),  # SQLite: <dir>/pakta.sqlite3 is the throwaway database
        PAKTA_CA_KEY_FILE=str(settings.PAKTA_CA_KEY_FILE),
        PAKTA_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PAKTA_TSA_URL="",
        PAKTA_BASE_URL=str(settings.PAKTA_BASE_URL),
        PAKTA_CERTIFIED_ROOTS_DIR="",
        LOG_LEVEL="WARNING",
    )
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = quote(str(db["USER"] or ""), safe="")
        if db.get("PASSWORD"):
            credentials += ":" + quote(str(db["PASSWORD"]), safe="")
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        env["DATABASE_URL"] = f"postgres://{credentials}@{host}/{db['NAME']}"
    return env


def _measure_mass(directory: Path, pacts: list[Any], out: Results) -> None:
    """mass_signing: one task per pact, two `db_worker --batch` processes; stopped after MASS_CAP_S."""
    from django_tasks_db.models import DBTaskResult

    from integrity.models import IntegrityPact

    DBTaskResult.objects.all().delete()  # the reconcile's render task: the documents are rendered already
    for pact in pacts:
        bench_sign_pact.enqueue(pact.pk)
    connection.close()  # SQLite: no connection of ours in the way of the workers' writes
    base = Path(settings.BASE_DIR)
    log_path = directory / "workers.log"
    command = [
        sys.executable, str(base / "manage.py"), "db_worker", "--batch", "--no-startup-delay", "--no-reload",
        "--interval", "0.05", "--verbosity", "0",
    ]  # fmt: skip
    started = time.perf_counter()
    capped = False
    with open(log_path, "w") as log:
        workers = [
            subprocess.Popen(
                [*command, "--worker-id", f"bench-{n}"],
                cwd=base,
                env=_worker_environment(directory),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for n in range(WORKERS)
        ]
        try:
            while any(worker.poll() is None for worker in workers):
                if time.perf_counter() - started > MASS_CAP_S and not capped:
                    capped = True
                    for worker in workers:
                        if worker.poll() is None:
                            worker.terminate()  # db_worker finishes the task it is running, then exits
                time.sleep(0.2)
                if time.perf_counter() - started > MASS_CAP_S + WORKER_STOP_S:
                    break
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
    wall_with_start = time.perf_counter() - started
    results = list(DBTaskResult.objects.all())
    failed = [r for r in results if r.status == "FAILED"]
    done = [r for r in results if r.task_path.endswith(".bench_sign_pact") and r.status == "SUCCESSFUL"]
    reports = [r for r in results if r.task_path.endswith(".store_pact_validation_report") and r.status == "SUCCESSFUL"]
    if failed or not done:
        detail = failed[0].traceback[-1500:] if failed else ""
        tail = log_path.read_text()[-1500:]
        raise RuntimeError(f"{len(failed)} of {len(results)} tasks failed, {len(done)} succeeded: {detail}\n{tail}")
    done_ids = [r.args_kwargs["args"][0] for r in done]
    signed = IntegrityPact.objects.filter(pk__in=done_ids, status="signed").count()
    assert signed == len(done), (signed, len(done))
    valid = sum(1 for r in reports if r.return_value == "VALID")
    finished = done + reports
    first = min(r.started_at for r in finished if r.started_at is not None)
    last = max(r.finished_at for r in finished if r.finished_at is not None)
    wall = (last - first).total_seconds()
    signatures = sum(int(r.return_value or 0) for r in done)
    by_worker = sorted(sum(1 for r in finished if f"bench-{n}" in r.worker_ids) for n in range(WORKERS))
    scope = (
        f"{len(done)} of {len(pacts)} pacts enqueued, stopped after {MASS_CAP_S:.0f} s"
        if capped
        else f"all {len(done)} pacts enqueued"
    )
    out.add(
        f"mass_signing = {signatures / wall:.1f} signatures/s (goal info, {WORKERS} cores; {len(done) / wall:.2f} "
        f"pacts/s; {scope}; each pact certified, signed by both parties with passphrases (production scrypt), "
        f"B-LTA-sealed, and its validation report made by the worker: {valid} of {len(done)} reports VALID; "
        f"{WORKERS} db_worker processes ({by_worker} tasks), {connection.vendor}; {wall:.0f} s from the first "
        f"task's start to the last one's end, {wall_with_start:.0f} s with worker start and stop)"
    )
