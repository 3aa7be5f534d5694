"""Recompute the audit chain and report the first row that breaks it."""

from dataclasses import dataclass

from audit.models import GENESIS_HASH, AuditEvent, AuditHead
from audit.services import compute_event_hash


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the journal in sequence order. A row is broken when its sequence number is not the
    next one (a deletion or reordering), its `prev_hash` is not its predecessor's hash, or its
    own hash does not match its content (an edit). The head row must point at the last event,
    so deleting the tail, or appending rows without audit_record, is caught too while the head
    is intact."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    fields = ("seq", "occurred_at", "actor_id", "actor_label", "action", "subject_type", "subject_id", "payload")
    rows = AuditEvent.objects.order_by("seq").only(*fields, "prev_hash", "hash").iterator(chunk_size=chunk_size)
    for event in rows:
        if event.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, f"urutan {expected_seq} hilang atau tertukar")
        if event.prev_hash != prev_hash:
            return ChainReport(False, checked, event.seq, "hash sebelumnya tidak cocok dengan baris sebelumnya")
        if compute_event_hash(event) != event.hash:
            return ChainReport(False, checked, event.seq, "isi baris tidak cocok dengan hash-nya (diubah)")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        if head.seq > checked:
            return ChainReport(False, checked, checked + 1, f"baris {checked + 1}..{head.seq} di ujung rantai hilang")
        if head.seq < checked:
            # Rows past the head were inserted without audit_record: the first of them is the break.
            return ChainReport(False, head.seq, head.seq + 1, f"baris {head.seq + 1}..{checked} melewati ujung rantai")
        broken = head.seq or 1  # the head vouches for a different last row
        return ChainReport(False, broken - 1, broken, "ujung rantai tidak cocok dengan jurnal")
    return ChainReport(True, checked)
