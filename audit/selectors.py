"""Reads over the audit journal: its Merkle root and inclusion/consistency proofs (RFC 9162).

The tree of size n covers the events with seq 1..n; leaf k-1 is `leaf_hash(bytes.fromhex(event.hash))`
of the event with seq k. Each selector reads the journal with one query.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError
from audit.merkle import consistency_proof, inclusion_proof, leaf_hash, root_from_leaf_hashes
from audit.models import AuditEvent

SIZE_NEGATIVE = _("Ukuran pohon tidak boleh negatif.")
SIZE_TOO_LARGE = _("Ukuran pohon melebihi jumlah peristiwa di jurnal audit.")
SEQ_OUT_OF_RANGE = _("Nomor urut berada di luar ukuran pohon.")
OLD_SIZE_INVALID = _("Ukuran lama harus minimal 1 dan tidak melebihi ukuran baru.")
JOURNAL_BROKEN = _("Jurnal audit tidak berurutan; jalankan audit_verify.")


@dataclass(frozen=True)
class JournalRoot:
    size: int
    root_hex: str


@dataclass(frozen=True)
class JournalInclusionProof:
    seq: int
    size: int
    event_hash_hex: str
    leaf_hash_hex: str
    proof_hex: list[str]
    root_hex: str

    @property
    def leaf_index(self) -> int:
        return self.seq - 1


@dataclass(frozen=True)
class JournalConsistencyProof:
    old_size: int
    new_size: int
    old_root_hex: str
    new_root_hex: str
    proof_hex: list[str]


def _journal_event_hashes(size: int | None) -> list[str]:
    """The `hash` of events seq 1..size (all events when None), in order; one query."""
    if size is not None and size < 0:
        raise ApplicationError(SIZE_NEGATIVE, {"size": size})
    rows = AuditEvent.objects.order_by("seq").values_list("seq", "hash")
    if size is not None:
        rows = rows.filter(seq__lte=size)
    hashes: list[str] = []
    for expected_seq, (seq, event_hash) in enumerate(rows, start=1):
        if seq != expected_seq:
            # A gap means leaf k would not be event k: refuse rather than prove the wrong thing.
            raise ApplicationError(JOURNAL_BROKEN, {"seq": expected_seq})
        hashes.append(event_hash)
    if size is not None and len(hashes) < size:
        raise ApplicationError(SIZE_TOO_LARGE, {"size": size, "journal_size": len(hashes)})
    return hashes


def journal_leaf_hashes(size: int | None = None) -> list[bytes]:
    """Leaf hashes of the journal tree of `size` events (the whole journal when None)."""
    return [leaf_hash(bytes.fromhex(h)) for h in _journal_event_hashes(size)]


def journal_root(size: int | None = None) -> JournalRoot:
    """The Merkle root of the first `size` events (all when None); size 0 gives SHA-256("")."""
    leaves = journal_leaf_hashes(size)
    return JournalRoot(size=len(leaves), root_hex=root_from_leaf_hashes(leaves).hex())


def journal_inclusion_proof(seq: int, size: int | None = None) -> JournalInclusionProof:
    """The audit path proving that event `seq` is in the tree of `size` events (all when None)."""
    if size is not None and not 1 <= seq <= size:
        raise ApplicationError(SEQ_OUT_OF_RANGE, {"seq": seq, "size": size})
    event_hashes = _journal_event_hashes(size)
    if not 1 <= seq <= len(event_hashes):
        raise ApplicationError(SEQ_OUT_OF_RANGE, {"seq": seq, "size": len(event_hashes)})
    leaves = [leaf_hash(bytes.fromhex(h)) for h in event_hashes]
    return JournalInclusionProof(
        seq=seq,
        size=len(leaves),
        event_hash_hex=event_hashes[seq - 1],
        leaf_hash_hex=leaves[seq - 1].hex(),
        proof_hex=[node.hex() for node in inclusion_proof(seq - 1, leaves)],
        root_hex=root_from_leaf_hashes(leaves).hex(),
    )


def journal_consistency_proof(old_size: int, new_size: int | None = None) -> JournalConsistencyProof:
    """The proof that the tree of `new_size` events (all when None) extends that of `old_size`."""
    if old_size < 1 or (new_size is not None and old_size > new_size):
        raise ApplicationError(OLD_SIZE_INVALID, {"old_size": old_size, "new_size": new_size})
    leaves = journal_leaf_hashes(new_size)
    if old_size > len(leaves):
        raise ApplicationError(OLD_SIZE_INVALID, {"old_size": old_size, "new_size": len(leaves)})
    return JournalConsistencyProof(
        old_size=old_size,
        new_size=len(leaves),
        old_root_hex=root_from_leaf_hashes(leaves[:old_size]).hex(),
        new_root_hex=root_from_leaf_hashes(leaves).hex(),
        proof_hex=[node.hex() for node in consistency_proof(old_size, leaves)],
    )
