"""audit.merkle against RFC 9162 §2.1: known roots, every proof for sizes 1..40, tampering, and a
naive recursive implementation of the RFC's definitions written out here."""

import hashlib
from collections.abc import Sequence

import pytest

from audit.merkle import (
    EMPTY_ROOT,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

SIZES = range(1, 41)
LEAVES = [leaf_hash(f"peristiwa {i}".encode()) for i in range(max(SIZES))]

# RFC 6962 reference inputs (as used by the transparency-dev/merkle test data) and their roots.
RFC6962_INPUTS = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
RFC6962_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


# --- the RFC's recursive definitions, literally (slow, obviously right) -----------------------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(d: Sequence[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + naive_mth(d[:k]) + naive_mth(d[k:])).digest()


def naive_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*naive_path(m, d[:k]), naive_mth(d[k:])]
    return [*naive_path(m - k, d[k:]), naive_mth(d[:k])]


def naive_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [naive_mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*naive_subproof(m, d[:k], b), naive_mth(d[k:])]
    return [*naive_subproof(m - k, d[k:], False), naive_mth(d[:k])]


# --- hashing and roots ---------------------------------------------------------------------------


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_from_leaf_hashes([]) == EMPTY_ROOT


def test_roots_match_rfc6962_reference_values() -> None:
    leaves = [leaf_hash(data) for data in RFC6962_INPUTS]
    assert [root_from_leaf_hashes(leaves[:n]).hex() for n in range(1, 9)] == RFC6962_ROOTS


@pytest.mark.parametrize("size", [0, *SIZES, 127, 128, 129, 1000])
def test_root_agrees_with_naive_recursion(size: int) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    assert root_from_leaf_hashes(leaves) == naive_mth(leaves)


# --- inclusion ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_every_inclusion_proof_verifies_and_agrees_with_naive_path(size: int) -> None:
    leaves = LEAVES[:size]
    root = root_from_leaf_hashes(leaves)
    for index in range(size):
        proof = inclusion_proof(index, leaves)
        assert proof == naive_path(index, leaves)
        verify_inclusion(leaf_hash=leaves[index], index=index, tree_size=size, proof=proof, root=root)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 21, 40])
def test_tampered_inclusion_proofs_fail(size: int) -> None:
    leaves = LEAVES[:size]
    root = root_from_leaf_hashes(leaves)
    for index in range(size):
        proof = inclusion_proof(index, leaves)
        good = {"leaf_hash": leaves[index], "index": index, "tree_size": size, "proof": proof, "root": root}
        tampered: list[dict[str, object]] = [
            {**good, "proof": [*proof, LEAVES[0]]},  # an extra node
            {**good, "proof": [LEAVES[0], *proof]},
            {**good, "leaf_hash": leaf_hash(b"lain")},
            {**good, "root": leaf_hash(b"lain")},
            # Not size + 1: a root does not commit to its size (the signed tree head does), and
            # a proof for 3 leaves is also a valid-looking proof for 4 when the shapes agree.
            {**good, "tree_size": size * 2},
            {**good, "tree_size": size // 2},
            {**good, "index": size},  # past the end
            {**good, "index": -1},
        ]
        if index + 1 < size:
            tampered.append({**good, "index": index + 1})
        if proof:
            tampered.append({**good, "proof": proof[:-1]})
            tampered.append({**good, "proof": proof[1:]})
            tampered.append({**good, "proof": [proof[0][:31], *proof[1:]]})  # a short hash
        for i, node in enumerate(proof):
            flipped = bytes([node[0] ^ 0x01]) + node[1:]
            tampered.append({**good, "proof": [*proof[:i], flipped, *proof[i + 1 :]]})
        if len(proof) >= 2:
            tampered.append({**good, "proof": [proof[1], proof[0], *proof[2:]]})
        for case in tampered:
            with pytest.raises(ProofError):
                verify_inclusion(**case)  # type: ignore[arg-type]


def test_inclusion_proof_refuses_an_index_outside_the_tree() -> None:
    with pytest.raises(ValueError):
        inclusion_proof(3, LEAVES[:3])
    with pytest.raises(ValueError):
        inclusion_proof(0, [])


# --- consistency ----------------------------------------------------------------------------------


@pytest.mark.parametrize("new_size", SIZES)
def test_every_consistency_proof_verifies_and_agrees_with_naive_subproof(new_size: int) -> None:
    leaves = LEAVES[:new_size]
    new_root = root_from_leaf_hashes(leaves)
    for old_size in range(1, new_size + 1):
        proof = consistency_proof(old_size, leaves)
        assert proof == naive_subproof(old_size, leaves, True)
        old_root = root_from_leaf_hashes(leaves[:old_size])
        verify_consistency(old_size=old_size, new_size=new_size, old_root=old_root, new_root=new_root, proof=proof)


@pytest.mark.parametrize("new_size", [2, 3, 5, 8, 13, 21, 40])
def test_tampered_consistency_proofs_fail(new_size: int) -> None:
    leaves = LEAVES[:new_size]
    new_root = root_from_leaf_hashes(leaves)
    other = leaf_hash(b"lain")
    for old_size in range(1, new_size):
        proof = consistency_proof(old_size, leaves)
        old_root = root_from_leaf_hashes(leaves[:old_size])
        good = {"old_size": old_size, "new_size": new_size, "old_root": old_root, "new_root": new_root, "proof": proof}
        tampered: list[dict[str, object]] = [
            {**good, "old_root": new_root, "new_root": old_root},
            {**good, "old_root": other},
            {**good, "new_root": other},
            {**good, "proof": []},
            {**good, "proof": proof[:-1]},
            {**good, "proof": [*proof, other]},
            {**good, "proof": [other, *proof]},
            {**good, "old_size": old_size + 1},
            {**good, "new_size": new_size * 2},
            {**good, "new_size": new_size // 2},
            {**good, "old_size": 0},
            {**good, "old_size": new_size + 1},
        ]
        for i, node in enumerate(proof):
            flipped = node[:-1] + bytes([node[-1] ^ 0x80])
            tampered.append({**good, "proof": [*proof[:i], flipped, *proof[i + 1 :]]})
        for case in tampered:
            with pytest.raises(ProofError):
                verify_consistency(**case)  # type: ignore[arg-type]


def test_consistency_of_equal_sizes_needs_equal_roots_and_no_proof() -> None:
    root = root_from_leaf_hashes(LEAVES[:5])
    assert consistency_proof(5, LEAVES[:5]) == []
    verify_consistency(old_size=5, new_size=5, old_root=root, new_root=root, proof=[])
    with pytest.raises(ProofError):
        verify_consistency(old_size=5, new_size=5, old_root=root, new_root=LEAVES[0], proof=[])
    with pytest.raises(ProofError):
        verify_consistency(old_size=5, new_size=5, old_root=root, new_root=root, proof=[root])


def test_consistency_proof_refuses_sizes_outside_one_to_n() -> None:
    for old_size in (0, 6, -1):
        with pytest.raises(ValueError):
            consistency_proof(old_size, LEAVES[:5])


def test_large_tree_proofs_agree_with_the_root() -> None:
    """A tree with uneven subtrees at every level (2**16 + 2**10 + 3 leaves)."""
    size = 2**16 + 2**10 + 3
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    root = root_from_leaf_hashes(leaves)
    for index in (0, 1, 2**16 - 1, 2**16, size - 4, size - 1):
        proof = inclusion_proof(index, leaves)
        verify_inclusion(leaf_hash=leaves[index], index=index, tree_size=size, proof=proof, root=root)
    for old_size in (1, 2**10, 2**16, 2**16 + 1, size - 1):
        old_root = root_from_leaf_hashes(leaves[:old_size])
        proof = consistency_proof(old_size, leaves)
        verify_consistency(old_size=old_size, new_size=size, old_root=old_root, new_root=root, proof=proof)
