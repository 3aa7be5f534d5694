"""Every PDF of the external corpus (manifest.json) gets its required verdict, read in place.

REJECT -> INVALID or CANNOT_VALIDATE; REJECT_MODIFIED -> MODIFIED; INTACT_UNTRUSTED -> UNTRUSTED (no
trust roots are configured, so an intact file is never more than UNTRUSTED). INFORMATIONAL files, on
which validators disagree, are run (no crash, within the time limit) but not gated; DATA entries are the
trust anchors, used by the second test: with every bundled anchor trusted, no rejected file may become
VALID (trust must never hide an integrity failure), and REJECT_WITH_TRUST files stay not VALID.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import pem

from signatures.verify import DEFAULT_TIME_LIMIT, Verdict, verify_pdf_bytes
from tests.conftest import CORPUS_DIR

pytestmark = pytest.mark.corpus

REQUIRED = {
    "REJECT": {Verdict.INVALID, Verdict.CANNOT_VALIDATE},
    "REJECT_MODIFIED": {Verdict.MODIFIED},
    "INTACT_UNTRUSTED": {Verdict.UNTRUSTED},
}
# The child process is killed at the limit; allow for the report being built and the process reaped.
WALL_CLOCK_ALLOWANCE = DEFAULT_TIME_LIMIT + 2


def _manifest() -> list[dict[str, Any]]:
    path = CORPUS_DIR / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else []


def _params(*verdicts: str) -> list[Any]:
    manifest = _manifest()
    if not manifest:  # the corpus_dir fixture then skips loudly
        return [pytest.param(None, id="corpus-missing")]
    return [pytest.param(e, id=e["file"]) for e in manifest if e["required_verdict"] in verdicts]


def _trust_anchors(corpus_dir: Path) -> list[bytes]:
    anchors = []
    for entry in json.loads((corpus_dir / "manifest.json").read_text()):
        if entry["required_verdict"] == "DATA":
            data = (corpus_dir / entry["file"]).read_bytes()
            anchors.append(pem.unarmor(data)[2] if pem.detect(data) else data)
    return anchors


def _verify(corpus_dir: Path, entry: dict[str, Any], **kwargs: Any) -> tuple[Any, float]:
    pdf = (corpus_dir / entry["file"]).read_bytes()
    started = time.monotonic()
    report = verify_pdf_bytes(pdf, **kwargs)
    return report, time.monotonic() - started


@pytest.mark.parametrize("entry", _params("REJECT", "REJECT_MODIFIED", "INTACT_UNTRUSTED", "INFORMATIONAL"))
def test_corpus_file_gets_its_required_verdict(corpus_dir: Path, entry: dict[str, Any]) -> None:
    report, elapsed = _verify(corpus_dir, entry, trust_roots=[])

    assert elapsed < WALL_CLOCK_ALLOWANCE
    assert isinstance(report.verdict, Verdict)
    if entry["required_verdict"] == "INFORMATIONAL":
        return
    assert report.verdict in REQUIRED[entry["required_verdict"]], (entry["tests"], report.reasons)
    if report.verdict is not Verdict.VALID:
        assert report.reasons


@pytest.mark.parametrize("entry", _params("REJECT", "REJECT_MODIFIED", "REJECT_WITH_TRUST"))
def test_bundled_trust_anchors_never_make_a_rejected_file_valid(corpus_dir: Path, entry: dict[str, Any]) -> None:
    report, elapsed = _verify(corpus_dir, entry, trust_roots=_trust_anchors(corpus_dir))

    assert elapsed < WALL_CLOCK_ALLOWANCE
    assert report.verdict is not Verdict.VALID, entry["tests"]
    if entry["required_verdict"] in REQUIRED:
        assert report.verdict in REQUIRED[entry["required_verdict"]], (entry["tests"], report.reasons)


def test_corpus_is_complete(corpus_dir: Path) -> None:
    """Every file the manifest lists is there, so no case silently drops out of the parametrization."""
    missing = [e["file"] for e in _manifest() if not (corpus_dir / e["file"]).is_file()]
    assert missing == []
