"""The audit journal: one writer, a contiguous hash chain, `audit_verify` naming the first broken
row, the PostgreSQL append-only trigger, and Merkle roots/proofs over the journal."""

import itertools
import json
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.canonical import MASK
from audit.errors import ApplicationError
from audit.merkle import leaf_hash, root_from_leaf_hashes, verify_consistency, verify_inclusion
from audit.models import GENESIS_HASH, AuditEvent, AuditHead
from audit.selectors import (
    JOURNAL_BROKEN,
    OLD_SIZE_INVALID,
    SEQ_OUT_OF_RANGE,
    SIZE_NEGATIVE,
    SIZE_TOO_LARGE,
    journal_consistency_proof,
    journal_inclusion_proof,
    journal_leaf_hashes,
    journal_root,
)
from audit.services import SYSTEM_ACTOR, audit_record, compute_event_hash
from audit.verification import verify_chain

pytestmark = pytest.mark.django_db

TRIGGER = "audit_auditevent_append_only"


def make_user(username: str) -> User:
    return User.objects.create_user(username=username, password=None)


@pytest.fixture
def pegawai() -> User:
    return make_user("pegawai")


def record_events(count: int, actor: User | None = None) -> list[AuditEvent]:
    return [
        audit_record(
            action="integrity.pact.signed",
            actor=actor,
            subject_type="integrity.pact",
            subject_id=i,
            payload={"number": i, "amount": f"{i}000.00"},
        )
        for i in range(1, count + 1)
    ]


@pytest.fixture
def journal(pegawai: User) -> list[AuditEvent]:
    """Six events, alternately by a user and by the system."""
    events: list[AuditEvent] = []
    for i in range(1, 7):
        events += record_events(1, actor=pegawai if i % 2 else None)
    return events


@pytest.fixture
def tamperable() -> Any:
    """On PostgreSQL the trigger refuses UPDATE/DELETE; a DBA working by hand would disable it.
    The ALTER runs inside the test's transaction, so the rollback restores the trigger anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    _alter_trigger("DISABLE")
    yield
    _alter_trigger("ENABLE")


def _alter_trigger(verb: str) -> None:
    with connection.cursor() as cursor:
        # Deferred FK checks (actor) still pending in this transaction would block the ALTER.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE audit_auditevent {verb} TRIGGER {TRIGGER}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def assert_broken_at(seq: int) -> None:
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_seq == seq
    assert report.checked == seq - 1
    with pytest.raises(CommandError, match=rf"nomor urut {seq}\b"):
        call_command("audit_verify", stdout=StringIO())


# --- writing --------------------------------------------------------------------------------------


def test_audit_record_builds_a_contiguous_chain(journal: list[AuditEvent], pegawai: User) -> None:
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert all(compute_event_hash(e) == e.hash for e in events)
    assert len({e.hash for e in events}) == 6
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (6, events[-1].hash)
    assert (events[0].actor_id, events[0].actor_label) == (pegawai.pk, "pegawai")
    assert (events[1].actor_id, events[1].actor_label) == (None, SYSTEM_ACTOR)


def test_audit_record_payload_is_canonical_json() -> None:
    event = audit_record(action="integrity.pact.created", subject_type="integrity.pact", payload={"b": 1, "a": "x"})
    assert event.payload == '{"a":"x","b":1}'


def test_secrets_in_the_payload_are_masked() -> None:
    event = audit_record(
        action="signatures.key.imported",
        subject_type="signatures.key",
        subject_id=7,
        payload={"passphrase": "rahasia-sekali", "nested": {"Passphrase": "juga-rahasia"}, "label": "kunci"},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert json.loads(stored.payload) == {"passphrase": MASK, "nested": {"Passphrase": MASK}, "label": "kunci"}
    assert "rahasia" not in stored.payload
    assert compute_event_hash(stored) == stored.hash  # the hash covers the masked text, not the secret


def test_floats_are_refused_and_nothing_is_written() -> None:
    with pytest.raises(TypeError):
        audit_record(action="integrity.pact.created", subject_type="integrity.pact", payload={"amount": 1.5})
    assert not AuditEvent.objects.exists()


def test_event_rolls_back_with_the_state_change_it_records() -> None:
    """GIVEN one event WHEN a later state change fails after recording its event THEN neither stays."""
    record_events(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_events(1)
        raise RuntimeError("the state change failed")
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1]
    assert AuditHead.objects.get(pk=1).seq == 1
    assert record_events(1)[0].seq == 2
    assert verify_chain().ok


# --- verifying ------------------------------------------------------------------------------------


def test_verify_chain_is_ok_on_a_clean_journal(journal: list[AuditEvent]) -> None:
    report = verify_chain()
    assert (report.ok, report.checked, report.first_broken_seq) == (True, 6, None)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "6 peristiwa" in out.getvalue()


def test_verify_chain_is_ok_on_an_empty_journal() -> None:
    assert verify_chain().ok
    call_command("audit_verify", stdout=StringIO())


@pytest.mark.usefixtures("tamperable")
def test_edited_payload_is_named(journal: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq=3).update(payload='{"amount":"999000.00","number":3}')
    assert_broken_at(3)


@pytest.mark.usefixtures("tamperable")
def test_edited_row_with_a_recomputed_hash_breaks_the_next_link(journal: list[AuditEvent]) -> None:
    event = AuditEvent.objects.get(seq=3)
    event.payload = '{"amount":"1.00","number":3}'
    AuditEvent.objects.filter(seq=3).update(payload=event.payload, hash=compute_event_hash(event))
    assert_broken_at(4)


@pytest.mark.usefixtures("tamperable")
def test_deleted_row_is_named(journal: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq=3).delete()
    assert_broken_at(3)


@pytest.mark.usefixtures("tamperable")
def test_reordered_rows_are_named(journal: list[AuditEvent]) -> None:
    """GIVEN rows 3 and 4 swap their sequence numbers THEN the chain breaks at 3."""
    AuditEvent.objects.filter(seq=3).update(seq=1000)
    AuditEvent.objects.filter(seq=4).update(seq=3)
    AuditEvent.objects.filter(seq=1000).update(seq=4)
    assert_broken_at(3)


@pytest.mark.usefixtures("tamperable")
def test_deleted_tail_is_named_because_the_head_still_points_at_the_old_tip(journal: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq__gte=5).delete()
    assert AuditHead.objects.get(pk=1).seq == 6
    assert_broken_at(5)


def _forge_after(previous: AuditEvent, seq: int) -> AuditEvent:
    """A well-chained row written straight to the table, bypassing audit_record and the head."""
    forged = AuditEvent(
        seq=seq,
        occurred_at=previous.occurred_at,
        actor_label=SYSTEM_ACTOR,
        action="integrity.pact.signed",
        subject_type="integrity.pact",
        subject_id="palsu",
        payload="{}",
        prev_hash=previous.hash,
    )
    forged.hash = compute_event_hash(forged)
    forged.save()
    return forged


def test_rows_appended_without_audit_record_are_named(journal: list[AuditEvent]) -> None:
    """GIVEN a correctly chained row inserted by hand (INSERT is allowed) THEN the head, which
    still points at 6, makes 7 the first broken row."""
    _forge_after(journal[-1], 7)
    assert_broken_at(7)


@pytest.mark.usefixtures("tamperable")
def test_replaced_last_row_is_named(journal: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq=6).delete()
    _forge_after(journal[4], 6)
    assert_broken_at(6)


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete(journal: list[AuditEvent]) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=3).update(payload="{}")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=6).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET seq = seq + 100")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 6
    assert verify_chain().ok
    assert record_events(1)[0].seq == 7  # appending still works


# --- Merkle root and proofs over the journal ----------------------------------------------------


def test_journal_leaves_are_the_leaf_hashes_of_the_event_hashes(journal: list[AuditEvent]) -> None:
    assert journal_leaf_hashes() == [leaf_hash(bytes.fromhex(e.hash)) for e in journal]
    assert journal_leaf_hashes(2) == [leaf_hash(bytes.fromhex(e.hash)) for e in journal[:2]]
    assert journal_leaf_hashes(0) == []


def test_journal_root_for_every_size(journal: list[AuditEvent], django_assert_num_queries: Any) -> None:
    leaves = [leaf_hash(bytes.fromhex(e.hash)) for e in journal]
    for size in range(len(journal) + 1):
        with django_assert_num_queries(1):
            tree = journal_root(size)
        assert (tree.size, tree.root_hex) == (size, root_from_leaf_hashes(leaves[:size]).hex())
    assert journal_root() == journal_root(6)
    assert journal_root(0).root_hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_journal_inclusion_proofs_verify(journal: list[AuditEvent], django_assert_num_queries: Any) -> None:
    for size in range(1, 7):
        for seq in range(1, size + 1):
            with django_assert_num_queries(1):
                proof = journal_inclusion_proof(seq, size)
            assert (proof.seq, proof.size, proof.event_hash_hex) == (seq, size, journal[seq - 1].hash)
            assert proof.root_hex == journal_root(size).root_hex
            verify_inclusion(
                leaf_hash=leaf_hash(bytes.fromhex(proof.event_hash_hex)),
                index=seq - 1,
                tree_size=size,
                proof=[bytes.fromhex(h) for h in proof.proof_hex],
                root=bytes.fromhex(proof.root_hex),
            )
    assert journal_inclusion_proof(2).size == 6


def test_journal_consistency_proofs_verify(journal: list[AuditEvent], django_assert_num_queries: Any) -> None:
    for new_size in range(1, 7):
        for old_size in range(1, new_size + 1):
            with django_assert_num_queries(1):
                proof = journal_consistency_proof(old_size, new_size)
            assert proof.old_root_hex == journal_root(old_size).root_hex
            assert proof.new_root_hex == journal_root(new_size).root_hex
            verify_consistency(
                old_size=old_size,
                new_size=new_size,
                old_root=bytes.fromhex(proof.old_root_hex),
                new_root=bytes.fromhex(proof.new_root_hex),
                proof=[bytes.fromhex(h) for h in proof.proof_hex],
            )
    assert journal_consistency_proof(3).new_size == 6


def test_an_old_root_still_proves_consistent_after_more_events(journal: list[AuditEvent]) -> None:
    """GIVEN a root published at size 6 WHEN ten more events are written THEN the new tree
    is provably an extension of the published one."""
    published = journal_root()
    record_events(10)
    proof = journal_consistency_proof(published.size)
    assert proof.new_size == 16
    assert proof.old_root_hex == published.root_hex
    verify_consistency(
        old_size=6,
        new_size=16,
        old_root=bytes.fromhex(published.root_hex),
        new_root=bytes.fromhex(proof.new_root_hex),
        proof=[bytes.fromhex(h) for h in proof.proof_hex],
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: journal_root(7), SIZE_TOO_LARGE),
        (lambda: journal_root(-1), SIZE_NEGATIVE),
        (lambda: journal_leaf_hashes(100), SIZE_TOO_LARGE),
        (lambda: journal_inclusion_proof(0), SEQ_OUT_OF_RANGE),
        (lambda: journal_inclusion_proof(7), SEQ_OUT_OF_RANGE),
        (lambda: journal_inclusion_proof(4, 3), SEQ_OUT_OF_RANGE),
        (lambda: journal_inclusion_proof(1, 7), SIZE_TOO_LARGE),
        (lambda: journal_consistency_proof(0), OLD_SIZE_INVALID),
        (lambda: journal_consistency_proof(7), OLD_SIZE_INVALID),
        (lambda: journal_consistency_proof(4, 3), OLD_SIZE_INVALID),
        (lambda: journal_consistency_proof(2, 7), SIZE_TOO_LARGE),
    ],
)
def test_out_of_range_sizes_are_refused(journal: list[AuditEvent], call: Any, message: Any) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        call()
    assert excinfo.value.message == message


@pytest.mark.usefixtures("tamperable")
def test_proofs_refuse_a_journal_with_a_gap(journal: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq=3).delete()
    with pytest.raises(ApplicationError) as excinfo:
        journal_root()
    assert excinfo.value.message == JOURNAL_BROKEN
    assert journal_root(2).size == 2  # the intact prefix can still be proven


def test_audit_proof_command_prints_verified_json(journal: list[AuditEvent]) -> None:
    def run(*args: str) -> dict[str, Any]:
        out = StringIO()
        call_command("audit_proof", *args, stdout=out)
        return json.loads(out.getvalue())

    assert run("root") == {"tree_size": 6, "root": journal_root().root_hex}
    assert run("root", "--size", "4") == {"tree_size": 4, "root": journal_root(4).root_hex}

    inclusion = run("inclusion", "--seq", "3", "--size", "5")
    expected = journal_inclusion_proof(3, 5)
    assert inclusion == {
        "seq": 3,
        "leaf_index": 2,
        "tree_size": 5,
        "event_hash": journal[2].hash,
        "leaf_hash": expected.leaf_hash_hex,
        "proof": expected.proof_hex,
        "root": expected.root_hex,
    }
    assert run("inclusion", "--seq", "6")["tree_size"] == 6

    consistency = run("consistency", "--old", "2", "--new", "5")
    assert consistency["old_root"] == journal_root(2).root_hex
    assert consistency["new_root"] == journal_root(5).root_hex
    assert consistency["proof"] == journal_consistency_proof(2, 5).proof_hex
    assert run("consistency", "--old", "3")["new_size"] == 6


def test_audit_proof_command_fails_clearly_on_bad_sizes(journal: list[AuditEvent]) -> None:
    with pytest.raises(CommandError, match=str(SEQ_OUT_OF_RANGE)):
        call_command("audit_proof", "inclusion", "--seq", "9", stdout=StringIO())
    with pytest.raises(CommandError, match=str(SIZE_TOO_LARGE)):
        call_command("audit_proof", "root", "--size", "9", stdout=StringIO())
    with pytest.raises(CommandError, match=str(OLD_SIZE_INVALID)):
        call_command("audit_proof", "consistency", "--old", "0", stdout=StringIO())
