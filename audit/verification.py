"""Recompute the audit chain and report the first row that breaks it; compare it with the latest checkpoint.

The chain and its head catch edits, reorderings, gaps and a deleted tail while the head is intact. Someone
who deletes the tail *and* resets the head leaves a shorter chain that is internally sound; the latest
signed checkpoint (`AuditCheckpoint`) still says how many events there were and what their Merkle root
was, so that is caught too. The checkpoint's signature is checked outside this app (`audit` may not
import `signatures`): `checkpoint_verifier()` finds the checker through a setting, like a plugin.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from audit.merkle import EMPTY_ROOT, leaf_hash, node_hash
from audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent, AuditHead
from audit.services import compute_event_hash

DEFAULT_CHECKPOINT_VERIFIER = "signatures.checkpoints.verify_checkpoint_signature"


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    checkpoint_id: int | None = None  # the checkpoint the journal was compared with, if any
    checkpoint_size: int | None = None


class _MerkleRootAccumulator:
    """The Merkle Tree Hash (RFC 9162 §2.1.1) of leaves fed one at a time, in O(log n) memory.

    `_stack` holds the roots of the complete subtrees the leaves so far split into, largest (leftmost)
    first: one per set bit of the leaf count. Adding a leaf merges equal-sized subtrees like a binary
    carry; the root folds the stack from the right, which is the "largest power of two" split of §2.1.1.
    """

    def __init__(self) -> None:
        self._stack: list[bytes] = []
        self.size = 0

    def add(self, leaf: bytes) -> None:
        node, count = leaf, self.size
        while count & 1:
            node = node_hash(self._stack.pop(), node)
            count >>= 1
        self._stack.append(node)
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node


def latest_checkpoint() -> AuditCheckpoint | None:
    """The checkpoint covering the most events (the newest of those), or None before the first."""
    return AuditCheckpoint.objects.order_by("-size", "-pk").first()


def verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the journal in sequence order. A row is broken when its sequence number is not the
    next one (a deletion or reordering), its `prev_hash` is not its predecessor's hash, or its
    own hash does not match its content (an edit). The head row must point at the last event,
    so deleting the tail, or appending rows without audit_record, is caught too while the head
    is intact.

    Then the journal is compared with the latest checkpoint: fewer events than it covers means the
    tail was deleted (the first missing row is named even when the head was reset to match), and a
    different Merkle root over the events it covers means the history was rewritten and rechained
    (no single row can be named then: the report names the checkpoint). The checkpoint's signature is
    not checked here (see `checkpoint_verifier`)."""
    checkpoint = latest_checkpoint()
    covered = checkpoint.size if checkpoint is not None else 0
    tree = _MerkleRootAccumulator()
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
        if event.seq <= covered:
            tree.add(leaf_hash(bytes.fromhex(event.hash)))
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
    if checkpoint is None:
        return ChainReport(True, checked)
    if checked < checkpoint.size:
        reason = f"baris {checked + 1}..{checkpoint.size} hilang setelah checkpoint #{checkpoint.pk}"
        return ChainReport(False, checked, checked + 1, reason, checkpoint.pk, checkpoint.size)
    if tree.root().hex() != checkpoint.root_hex:
        reason = (
            f"akar Merkle baris 1..{checkpoint.size} tidak cocok dengan checkpoint #{checkpoint.pk}: "
            "riwayat jurnal ditulis ulang"
        )
        return ChainReport(False, 0, None, reason, checkpoint.pk, checkpoint.size)
    return ChainReport(True, checked, checkpoint_id=checkpoint.pk, checkpoint_size=checkpoint.size)


def checkpoint_verifier() -> Callable[[AuditCheckpoint], None] | None:
    """The function that checks a checkpoint's signature, from `settings.PAKTA_CHECKPOINT_VERIFIER` (a
    dotted path; default `signatures.checkpoints.verify_checkpoint_signature`). It returns None for a good
    signature and raises `ApplicationError` for a bad one.

    None when the setting is empty, or when the default cannot be imported (an install without the
    signatures app). A path set explicitly that cannot be imported raises ImportError: a misconfigured
    verifier must not quietly turn the check off."""
    explicit = hasattr(settings, "PAKTA_CHECKPOINT_VERIFIER")
    path = getattr(settings, "PAKTA_CHECKPOINT_VERIFIER", DEFAULT_CHECKPOINT_VERIFIER)
    if not path:
        return None
    try:
        verifier: Callable[[AuditCheckpoint], None] = import_string(path)
    except ImportError:
        if explicit:
            raise
        return None
    return verifier
