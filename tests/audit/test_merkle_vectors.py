"""RFC 6962/9162 Merkle proof vectors from transparency-dev/merkle (../shared/corpus/merkle-rfc6962).

Every inclusion and consistency file is one test case: happy paths must verify and every
`wantErr` case must be refused with ProofError.
"""

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from audit.merkle import ProofError, verify_consistency, verify_inclusion
from tests.conftest import CORPUS_DIR

TESTDATA = Path("merkle-rfc6962") / "testdata"
MISSING = "<corpus missing>"  # one placeholder case, so the corpus_dir fixture skips loudly


def _vector_files(kind: str) -> list[str]:
    folder = CORPUS_DIR / TESTDATA / kind
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.json")) if folder.is_dir() else []
    return files or [MISSING]


def _load(corpus_dir: Path, kind: str, name: str) -> dict[str, Any]:
    return json.loads((corpus_dir / TESTDATA / kind / name).read_text())


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def _proof(vector: dict[str, Any]) -> list[bytes]:
    return [_b64(p) for p in vector["proof"] or []]  # null in the JSON means no proof


@pytest.mark.corpus
@pytest.mark.parametrize("name", _vector_files("inclusion"))
def test_inclusion_vector(corpus_dir: Path, name: str) -> None:
    vector = _load(corpus_dir, "inclusion", name)

    def verify() -> None:
        verify_inclusion(
            leaf_hash=_b64(vector["leafHash"]),
            index=vector["leafIdx"],
            tree_size=vector["treeSize"],
            proof=_proof(vector),
            root=_b64(vector["root"]),
        )

    if vector["wantErr"]:
        with pytest.raises(ProofError):
            verify()
    else:
        verify()


@pytest.mark.corpus
@pytest.mark.parametrize("name", _vector_files("consistency"))
def test_consistency_vector(corpus_dir: Path, name: str) -> None:
    vector = _load(corpus_dir, "consistency", name)

    def verify() -> None:
        verify_consistency(
            old_size=vector["size1"],
            new_size=vector["size2"],
            old_root=_b64(vector["root1"]),
            new_root=_b64(vector["root2"]),
            proof=_proof(vector),
        )

    if vector["wantErr"]:
        with pytest.raises(ProofError):
            verify()
    else:
        verify()


@pytest.mark.corpus
def test_corpus_has_both_outcomes_for_both_proof_kinds(corpus_dir: Path) -> None:
    """Guards against a truncated corpus turning the parametrized tests into a vacuous pass."""
    for kind in ("inclusion", "consistency"):
        vectors = [_load(corpus_dir, kind, name) for name in _vector_files(kind)]
        assert sum(not v["wantErr"] for v in vectors) >= 5, kind
        assert sum(bool(v["wantErr"]) for v in vectors) >= 50, kind
