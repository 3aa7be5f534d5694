"""Audit checkpoints, audit side: the store recomputes the root and refuses what does not match, the
checkpoint table is append-only on PostgreSQL, and `verify_chain`/`audit_verify` compare the journal with
the latest checkpoint, so deleting the tail *and* resetting the head is caught.

The signature is not made or checked here (`audit` cannot import `signatures`): checkpoints get
placeholder signature bytes and `PAKTA_CHECKPOINT_VERIFIER` points at a fake in this module. The real
signing and verification are in tests/signatures/test_checkpoints.py."""

import datetime
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.errors import ApplicationError
from audit.merkle import leaf_hash, root_from_leaf_hashes
from audit.models import AuditCheckpoint, AuditEvent, AuditHead
from audit.selectors import SIZE_TOO_LARGE, journal_root
from audit.services import (
    CHECKPOINT_HISTORY_CHANGED,
    CHECKPOINT_ROOT_MISMATCH,
    CHECKPOINT_SIGNATURE_MISSING,
    CHECKPOINT_SMALLER_THAN_LATEST,
    CHECKPOINT_STATEMENT_INVALID,
    CheckpointRefused,
    audit_checkpoint_store,
    audit_record,
    compute_event_hash,
)
from audit.verification import _MerkleRootAccumulator, checkpoint_verifier, latest_checkpoint, verify_chain

pytestmark = pytest.mark.django_db

EVENT_TRIGGER = ("audit_auditevent", "audit_auditevent_append_only")
CHECKPOINT_TRIGGER = ("audit_auditcheckpoint", "audit_auditcheckpoint_append_only")
T0 = datetime.datetime(2026, 11, 28, 1, 0, tzinfo=datetime.UTC)
FAKE_VERIFIER = "tests.audit.test_checkpoints.fake_verifier"
REJECTING_VERIFIER = "tests.audit.test_checkpoints.rejecting_verifier"
verified: list[int] = []


def fake_verifier(checkpoint: AuditCheckpoint) -> None:
    verified.append(checkpoint.pk)


def rejecting_verifier(checkpoint: AuditCheckpoint) -> None:
    raise ApplicationError("tanda tangan palsu")


@pytest.fixture(autouse=True)
def _fake_signature_check(settings: Any) -> Iterator[None]:
    settings.PAKTA_CHECKPOINT_VERIFIER = FAKE_VERIFIER
    verified.clear()
    yield
    verified.clear()


def record_events(count: int) -> list[AuditEvent]:
    return [
        audit_record(action="integrity.pact.signed", subject_type="integrity.pact", subject_id=i, payload={"n": i})
        for i in range(count)
    ]


@pytest.fixture
def journal() -> list[AuditEvent]:
    return record_events(6)


def store(n: int, root_hex: str | None = None, **overrides: Any) -> AuditCheckpoint:
    """A checkpoint of the first `n` events with placeholder signature bytes; `overrides` replace fields."""
    root_hex = root_hex or journal_root(n).root_hex
    fields: dict[str, Any] = {
        "size": n,
        "root_hex": root_hex,
        "statement": AuditCheckpoint.statement_for(size=n, root_hex=root_hex, time=T0),
        "signature": b"cms",
        "timestamp_token": b"tst",
        "signer_subject": "CN=Sistem Pakta",
    }
    return audit_checkpoint_store(**{**fields, **overrides})


def _set_trigger(table: str, trigger: str, verb: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # pending deferred FK checks would block the ALTER
        cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER {trigger}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def tamperable() -> Iterator[None]:
    """On PostgreSQL an attacker with table rights would first disable the append-only triggers; the test's
    transaction rolls the ALTER back anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    for table, trigger in (EVENT_TRIGGER, CHECKPOINT_TRIGGER):
        _set_trigger(table, trigger, "DISABLE")
    yield
    for table, trigger in (EVENT_TRIGGER, CHECKPOINT_TRIGGER):
        _set_trigger(table, trigger, "ENABLE")


def delete_tail_and_fix_head(first_deleted: int) -> None:
    """What an attacker who wants events gone does: delete them and move the head back to the last kept
    row, so the chain and its head agree again."""
    AuditEvent.objects.filter(seq__gte=first_deleted).delete()
    last = AuditEvent.objects.get(seq=first_deleted - 1)
    AuditHead.objects.filter(pk=1).update(seq=last.seq, hash=last.hash)


def assert_nothing_written(events: int, checkpoints: int = 0) -> None:
    assert AuditEvent.objects.count() == events
    assert AuditCheckpoint.objects.count() == checkpoints


# --- the statement ---------------------------------------------------------------------------------


def test_statement_is_canonical_json_and_reads_back() -> None:
    text = AuditCheckpoint.statement_for(size=6, root_hex="ab" * 32, time=T0.replace(microsecond=123))
    assert text == '{"log":"pakta-audit","root":"' + "ab" * 32 + '","size":6,"time":"2026-11-28T01:00:00+00:00"}'
    stated = AuditCheckpoint.parse_statement(text)
    assert (stated.size, stated.root_hex, stated.time) == (6, "ab" * 32, T0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"log":"pakta-audit","root":"' + "ab" * 32 + '","size":6}',
        '{"log":"lain","root":"' + "ab" * 32 + '","size":6,"time":"2026-11-28T01:00:00+00:00"}',
        '{"log":"pakta-audit","root":"' + "AB" * 32 + '","size":6,"time":"2026-11-28T01:00:00+00:00"}',
        '{"log":"pakta-audit","root":"' + "ab" * 31 + '","size":6,"time":"2026-11-28T01:00:00+00:00"}',
        '{"log":"pakta-audit","root":"' + "ab" * 32 + '","size":0,"time":"2026-11-28T01:00:00+00:00"}',
        '{"log":"pakta-audit","root":"' + "ab" * 32 + '","size":"6","time":"2026-11-28T01:00:00+00:00"}',
        '{"log":"pakta-audit","root":"' + "ab" * 32 + '","size":true,"time":"2026-11-28T01:00:00+00:00"}',
        '{"log":"pakta-audit","root":"' + "ab" * 32 + '","size":6,"time":"2026-11-28T01:00:00"}',
        '{"log":"pakta-audit","root":"' + "ab" * 32 + '","size":6,"time":"2026-11-28T08:00:00+07:00"}',
        '{"log":"pakta-audit","root":"' + "ab" * 32 + '","size":6,"time":"2026-11-28T01:00:00.5+00:00"}',
        '{"size":6,"log":"pakta-audit","root":"' + "ab" * 32 + '","time":"2026-11-28T01:00:00+00:00"}',
        '{"log": "pakta-audit","root":"' + "ab" * 32 + '","size":6,"time":"2026-11-28T01:00:00+00:00"}',
    ],
)
def test_statements_in_any_other_form_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        AuditCheckpoint.parse_statement(text)


def test_streaming_merkle_root_equals_the_rfc_9162_root() -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(70)]
    tree = _MerkleRootAccumulator()
    assert tree.root() == root_from_leaf_hashes([])
    for size in range(1, len(leaves) + 1):
        tree.add(leaves[size - 1])
        assert tree.root() == root_from_leaf_hashes(leaves[:size]), size


# --- storing ---------------------------------------------------------------------------------------


def test_store_keeps_the_checkpoint_and_records_an_event(journal: list[AuditEvent]) -> None:
    checkpoint = store(6)
    assert (checkpoint.size, checkpoint.root_hex, checkpoint.created_at) == (6, journal_root(6).root_hex, T0)
    assert (bytes(checkpoint.signature), bytes(checkpoint.timestamp_token)) == (b"cms", b"tst")
    assert str(checkpoint) == f"checkpoint #{checkpoint.pk}: 6 peristiwa, akar {checkpoint.root_hex[:12]}"
    event = AuditEvent.objects.get(seq=7)
    assert (event.action, event.subject_type, event.subject_id) == (
        "audit.checkpoint.created",
        "audit.auditcheckpoint",
        str(checkpoint.pk),
    )
    assert f'"root":"{checkpoint.root_hex}"' in event.payload
    assert latest_checkpoint() == checkpoint


def test_store_refuses_a_mismatching_root(journal: list[AuditEvent]) -> None:
    with pytest.raises(CheckpointRefused) as excinfo:
        store(6, root_hex=journal_root(5).root_hex)
    assert excinfo.value.message == CHECKPOINT_ROOT_MISMATCH % {"size": 6}
    assert_nothing_written(events=6)


@pytest.mark.parametrize(
    "overrides",
    [
        {"statement": AuditCheckpoint.statement_for(size=5, root_hex="ab" * 32, time=T0)},
        {"statement": "{}"},
        {"size": 5},
    ],
    ids=["other-statement", "not-a-statement", "size-not-in-statement"],
)
def test_store_refuses_a_statement_that_does_not_say_what_is_stored(
    journal: list[AuditEvent], overrides: dict[str, Any]
) -> None:
    with pytest.raises(CheckpointRefused) as excinfo:
        store(6, **overrides)
    assert excinfo.value.message == CHECKPOINT_STATEMENT_INVALID
    assert_nothing_written(events=6)


@pytest.mark.parametrize("field", ["signature", "timestamp_token"])
def test_store_refuses_an_unsigned_checkpoint(journal: list[AuditEvent], field: str) -> None:
    with pytest.raises(CheckpointRefused) as excinfo:
        unsigned: dict[str, Any] = {field: b""}
        store(6, **unsigned)
    assert excinfo.value.message == CHECKPOINT_SIGNATURE_MISSING
    assert_nothing_written(events=6)


def test_store_refuses_more_events_than_the_journal_has(journal: list[AuditEvent]) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        store(7, root_hex="ab" * 32)
    assert excinfo.value.message == SIZE_TOO_LARGE
    assert_nothing_written(events=6)


def test_store_refuses_a_checkpoint_smaller_than_the_latest(journal: list[AuditEvent]) -> None:
    store(6)
    with pytest.raises(CheckpointRefused) as excinfo:
        store(5)
    assert excinfo.value.message == CHECKPOINT_SMALLER_THAN_LATEST % {"size": 5, "latest": 6}
    assert_nothing_written(events=7, checkpoints=1)
    assert store(6).size == 6  # the same size again is harmless


@pytest.mark.usefixtures("tamperable")
def test_store_refuses_to_anchor_a_rewritten_history(journal: list[AuditEvent]) -> None:
    """GIVEN a checkpoint at 6 WHEN event 3's hash is changed afterwards THEN a new checkpoint, whose own
    root would be computed from the rewritten journal, is refused."""
    first = store(6)
    AuditEvent.objects.filter(seq=3).update(hash="f" * 64)
    size = AuditEvent.objects.count()
    with pytest.raises(CheckpointRefused) as excinfo:
        store(size)
    assert excinfo.value.message == CHECKPOINT_HISTORY_CHANGED % {"id": first.pk}
    assert_nothing_written(events=7, checkpoints=1)


# --- verifying the journal against the latest checkpoint -----------------------------------------------


def test_verify_chain_names_the_checkpoint_it_matched(journal: list[AuditEvent]) -> None:
    checkpoint = store(6)
    record_events(2)
    report = verify_chain()
    assert (report.ok, report.checked, report.checkpoint_id, report.checkpoint_size) == (True, 9, checkpoint.pk, 6)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert f"9 peristiwa diperiksa. Cocok dengan checkpoint #{checkpoint.pk} (6 peristiwa)." in out.getvalue()
    assert verified == [checkpoint.pk]  # the signature hook was called for the latest checkpoint


def test_the_latest_checkpoint_is_the_one_covering_most_events(journal: list[AuditEvent]) -> None:
    store(6)
    larger = store(7)
    store(7)
    assert latest_checkpoint() == AuditCheckpoint.objects.order_by("-pk").first()
    assert latest_checkpoint() != larger
    assert verify_chain().checkpoint_size == 7


@pytest.mark.usefixtures("tamperable")
def test_deleting_the_tail_and_fixing_the_head_passes_without_a_checkpoint(journal: list[AuditEvent]) -> None:
    """The weakness checkpoints close: without one, a shortened chain with a matching head looks sound."""
    delete_tail_and_fix_head(5)
    assert verify_chain().ok


@pytest.mark.usefixtures("tamperable")
def test_deleting_the_tail_after_a_checkpoint_is_named_even_with_the_head_fixed(journal: list[AuditEvent]) -> None:
    """GIVEN a checkpoint over 6 events and 3 more events WHEN rows 5.. are deleted and the head is moved
    back to row 4 THEN the chain and head agree, but the checkpoint names row 5 as the first missing."""
    checkpoint = store(6)
    record_events(2)
    delete_tail_and_fix_head(5)
    report = verify_chain()
    assert (report.ok, report.first_broken_seq, report.checked) == (False, 5, 4)
    assert report.reason == f"baris 5..6 hilang setelah checkpoint #{checkpoint.pk}"
    assert report.checkpoint_id == checkpoint.pk
    with pytest.raises(CommandError, match=r"nomor urut 5: baris 5\.\.6 hilang setelah checkpoint"):
        call_command("audit_verify", stdout=StringIO())


@pytest.mark.usefixtures("tamperable")
def test_deleting_only_rows_after_the_checkpoint_is_not_caught_by_it(journal: list[AuditEvent]) -> None:
    """Events after the latest checkpoint are protected by the chain and head only: the next checkpoint
    (nightly) covers them."""
    store(6)
    record_events(2)
    delete_tail_and_fix_head(8)
    assert verify_chain().ok


@pytest.mark.usefixtures("tamperable")
def test_a_rewritten_and_rechained_history_is_caught_by_the_checkpoint_root(journal: list[AuditEvent]) -> None:
    """GIVEN a checkpoint over 6 events WHEN event 3's payload is changed and every later row rechained, the
    head moved to the new last hash THEN the chain is sound but its root no longer matches the checkpoint."""
    checkpoint = store(6)
    prev_hash = AuditEvent.objects.get(seq=2).hash
    for event in AuditEvent.objects.filter(seq__gte=3).order_by("seq"):
        if event.seq == 3:
            event.payload = '{"n":999}'
        event.prev_hash = prev_hash
        event.hash = compute_event_hash(event)
        AuditEvent.objects.filter(pk=event.pk).update(payload=event.payload, prev_hash=prev_hash, hash=event.hash)
        prev_hash = event.hash
    AuditHead.objects.filter(pk=1).update(hash=prev_hash)
    report = verify_chain()
    assert (report.ok, report.first_broken_seq, report.checkpoint_id) == (False, None, checkpoint.pk)
    assert report.reason.startswith(f"akar Merkle baris 1..6 tidak cocok dengan checkpoint #{checkpoint.pk}")
    with pytest.raises(CommandError, match=r"tidak cocok dengan checkpoint: akar Merkle baris 1\.\.6"):
        call_command("audit_verify", stdout=StringIO())


# --- the signature hook -------------------------------------------------------------------------------


def test_audit_verify_fails_when_the_verifier_rejects_the_signature(journal: list[AuditEvent], settings: Any) -> None:
    checkpoint = store(6)
    settings.PAKTA_CHECKPOINT_VERIFIER = REJECTING_VERIFIER
    with pytest.raises(CommandError, match=f"Checkpoint #{checkpoint.pk} tidak sah: tanda tangan palsu"):
        call_command("audit_verify", stdout=StringIO())


def test_an_empty_verifier_setting_skips_the_signature_check_with_a_warning(
    journal: list[AuditEvent], settings: Any
) -> None:
    checkpoint = store(6)
    settings.PAKTA_CHECKPOINT_VERIFIER = ""
    assert checkpoint_verifier() is None
    err = StringIO()
    call_command("audit_verify", stdout=StringIO(), stderr=err)
    assert f"Tanda tangan checkpoint #{checkpoint.pk} tidak diperiksa" in err.getvalue()


def test_an_explicit_verifier_that_cannot_be_imported_fails_loudly(journal: list[AuditEvent], settings: Any) -> None:
    store(6)
    settings.PAKTA_CHECKPOINT_VERIFIER = "tests.audit.nowhere.verify"
    with pytest.raises(CommandError, match="PAKTA_CHECKPOINT_VERIFIER tidak dapat dimuat"):
        call_command("audit_verify", stdout=StringIO())


def test_the_default_verifier_is_the_signatures_one(settings: Any) -> None:
    del settings.PAKTA_CHECKPOINT_VERIFIER
    verifier = checkpoint_verifier()
    from signatures.checkpoints import verify_checkpoint_signature  # audit itself never imports signatures

    assert verifier is verify_checkpoint_signature


def test_without_checkpoints_audit_verify_does_not_call_the_verifier(journal: list[AuditEvent]) -> None:
    call_command("audit_verify", stdout=StringIO())
    assert verified == []


# --- append-only on PostgreSQL -----------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete_of_checkpoints(journal: list[AuditEvent]) -> None:
    checkpoint = store(6)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(root_hex="0" * 64)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditCheckpoint.objects.filter(pk=checkpoint.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditcheckpoint SET size = size + 1")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditcheckpoint")
    assert AuditCheckpoint.objects.get().root_hex == checkpoint.root_hex
    assert store(7).size == 7  # adding checkpoints still works
