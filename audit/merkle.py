"""Merkle tree over the audit journal: RFC 9162 §2.1 (the same hashing as RFC 6962).

A log of n leaves has the Merkle Tree Hash (§2.1.1)

    MTH({})        = SHA-256()
    MTH({d(0)})    = SHA-256(0x00 || d(0))
    MTH(D[n])      = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))   k = largest power of two < n

Everything here works on *leaf hashes* (the 0x00-prefixed hashes), so the journal can hand over
its leaves once and proofs never rehash the entries. Proof generation follows the recursive
definitions of §2.1.3.1 (PATH) and §2.1.4.1 (PROOF/SUBPROOF) but walks them top-down in a loop;
each subtree root it needs is computed once by pairwise reduction, which is the same tree: a
lone node at the end of a level moves up unchanged, exactly as the "largest power of two" split
implies. A proof over n leaves therefore costs about n hashes and O(log n) recursion-free steps.

Verification follows §2.1.3.2 and §2.1.4.2 literally and raises `ProofError` on any failure,
so a caller cannot forget to check a boolean.
"""

import hashlib
from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

INDEX_OUT_OF_RANGE = _("Indeks daun berada di luar ukuran pohon.")
SIZES_INVALID = _("Ukuran pohon untuk bukti konsistensi tidak valid.")
BAD_HASH_SIZE = _("Panjang hash tidak 32 byte.")
PROOF_LENGTH_WRONG = _("Panjang bukti tidak sesuai dengan ukuran pohon.")
ROOT_MISMATCH = _("Akar yang dihitung dari bukti tidak cocok dengan akar yang diberikan.")


class ProofError(ApplicationError):
    """An inclusion or consistency proof does not prove what it claims."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one log entry (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly less than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtree_root(leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    """MTH(D[start:end]) for 0 <= start < end, by pairwise reduction (n - 1 hashes, no recursion)."""
    level = list(leaf_hashes[start:end])
    sha256 = hashlib.sha256
    while len(level) > 1:
        pairs = len(level) // 2
        # One list comprehension per level keeps the per-hash interpreter overhead low.
        upper = [sha256(b"\x01" + level[2 * i] + level[2 * i + 1]).digest() for i in range(pairs)]
        if len(level) % 2:
            upper.append(level[-1])  # the lone right node moves up unchanged
        level = upper
    return level[0]


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of a log whose leaf hashes are `hashes`; SHA-256("") when empty."""
    if not hashes:
        return EMPTY_ROOT
    return _subtree_root(hashes, 0, len(hashes))


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(index, D[n]) of RFC 9162 §2.1.3.1: sibling hashes from the leaf up to the root.

    Raises ValueError when index is not in 0..n-1 (a caller's mistake, not bad evidence)."""
    size = len(leaf_hashes)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} outside a tree of size {size}")
    siblings: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        mid = start + _split(end - start)
        if index < mid:
            siblings.append(_subtree_root(leaf_hashes, mid, end))
            end = mid
        else:
            siblings.append(_subtree_root(leaf_hashes, start, mid))
            start = mid
    siblings.reverse()  # found top-down; the proof lists them bottom-up
    return siblings


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(old_size, D[n]) of RFC 9162 §2.1.4.1; empty when old_size == n.

    Raises ValueError unless 1 <= old_size <= n: a proof from the empty tree proves nothing and
    verifiers reject it (RFC 9162 §2.1.4.2 assumes 0 < first)."""
    size = len(leaf_hashes)
    if not 1 <= old_size <= size:
        raise ValueError(f"old size {old_size} is not in 1..{size}")
    nodes: list[bytes] = []
    start, end, m = 0, size, old_size
    whole_old_tree = True  # the `b` flag of SUBPROOF: still on the old tree's leftmost path
    while True:
        if m == end - start:
            if not whole_old_tree:
                nodes.append(_subtree_root(leaf_hashes, start, end))
            break
        k = _split(end - start)
        if m <= k:
            nodes.append(_subtree_root(leaf_hashes, start + k, end))
            end = start + k
        else:
            nodes.append(_subtree_root(leaf_hashes, start, start + k))
            start, m, whole_old_tree = start + k, m - k, False
    nodes.reverse()
    return nodes


def _check_hash_sizes(*hashes: bytes) -> None:
    if any(len(h) != HASH_SIZE for h in hashes):
        raise ProofError(BAD_HASH_SIZE)


def _shift_while_lsb_clear(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn >>= 1
        sn >>= 1
    return fn, sn


def verify_inclusion(*, leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that `leaf_hash` is leaf `index` of the tree of `tree_size` with `root`
    (RFC 9162 §2.1.3.2). Returns None; raises ProofError on any failure."""
    if not 0 <= index < tree_size:
        raise ProofError(INDEX_OUT_OF_RANGE, {"index": index, "tree_size": tree_size})
    _check_hash_sizes(leaf_hash, *proof)
    fn, sn = index, tree_size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError(PROOF_LENGTH_WRONG)
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                fn, sn = _shift_while_lsb_clear(fn, sn)
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(PROOF_LENGTH_WRONG)
    if r != root:
        raise ProofError(ROOT_MISMATCH)


def verify_consistency(
    *, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of `new_size` with `new_root` extends the tree of `old_size` with
    `old_root` (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal roots; a proof
    from size 0 is refused. Returns None; raises ProofError on any failure."""
    if not 0 <= old_size <= new_size:
        raise ProofError(SIZES_INVALID, {"old_size": old_size, "new_size": new_size})
    if old_size == new_size:
        if proof:
            raise ProofError(PROOF_LENGTH_WRONG)
        if old_root != new_root:
            raise ProofError(ROOT_MISMATCH)
        return
    if old_size == 0:
        raise ProofError(SIZES_INVALID, {"old_size": old_size, "new_size": new_size})
    if not proof:
        raise ProofError(PROOF_LENGTH_WRONG)
    _check_hash_sizes(old_root, new_root, *proof)
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # the old tree is a complete subtree: its root is the start
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(PROOF_LENGTH_WRONG)
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                fn, sn = _shift_while_lsb_clear(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(PROOF_LENGTH_WRONG)
    if fr != old_root or sr != new_root:
        raise ProofError(ROOT_MISMATCH)
