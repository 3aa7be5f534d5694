"""Concurrent writers never fork the chain: the head row lock serializes appends (PostgreSQL)."""

import itertools
import threading
import time

import pytest
from django.db import connection, transaction

from audit.models import GENESIS_HASH, AuditEvent, AuditHead
from audit.services import audit_record
from audit.verification import verify_chain

THREADS = 8
EVENTS_PER_THREAD = 25


def _writer(worker: int, start: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        start.wait()
        for n in range(EVENTS_PER_THREAD):
            # Each event is its own transaction, as a state change would be; the sleeps keep
            # transactions open while others try to append, so an unlocked head would fork.
            with transaction.atomic():
                time.sleep(0.001 * (worker % 3))
                audit_record(
                    action="integrity.pact.signed",
                    subject_type="integrity.pact",
                    subject_id=f"{worker}-{n}",
                    payload={"worker": worker, "n": n},
                )
                time.sleep(0.002)
    except BaseException as exc:  # re-raised in the main thread
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.postgres
# serialized_rollback: like every transactional test here, so that the flush after it leaves the
# migration data (content types, ranks, holidays) to be restored instead of re-created with new ids.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_transactions_never_fork_the_chain() -> None:
    """GIVEN an empty journal WHEN 8 threads each append 25 events in overlapping transactions
    THEN the journal holds seq 1..200 as one chain and the head points at its tip."""
    assert not AuditEvent.objects.exists()  # the first appends also race to create the head row
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_writer, args=(w, start, errors)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, errors

    rows = list(AuditEvent.objects.order_by("seq").values_list("seq", "prev_hash", "hash", "subject_id"))
    total = THREADS * EVENTS_PER_THREAD
    assert [seq for seq, *_ in rows] == list(range(1, total + 1))
    assert rows[0][1] == GENESIS_HASH
    for (_, _, prev, _), (_, prev_hash, _, _) in itertools.pairwise(rows):
        assert prev_hash == prev
    assert len({subject for *_, subject in rows}) == total  # every write landed exactly once
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (total, rows[-1][2])
    report = verify_chain()
    assert (report.ok, report.checked) == (True, total)
