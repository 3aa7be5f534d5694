"""What one analysis works on and gathers: the job from the parent, the signatures found, the findings.

The checks in the sibling modules (`structure`, `fields`, `trust`, `revisions`, `content`) each take the
`Analysis` and add findings to it; `analysis.run` calls them in order.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.sign.validation import EmbeddedPdfSignature

from signatures.verify.reading import Reader
from signatures.verify.report import Coverage, SignatureKind


@dataclass(frozen=True)
class Job:
    """Everything the child needs, as picklable primitives."""

    pdf: bytes
    trust_roots: tuple[bytes, ...]
    certified_roots: tuple[bytes, ...]
    crls: tuple[bytes, ...]
    ocsps: tuple[bytes, ...]
    allow_fetching: bool
    require_revocation: bool
    expected_fields: tuple[str, ...] | None
    allowed_embedded_files: int
    moment: datetime | None


@dataclass
class SigValue:
    """A signature value found in the form, with every field that references it."""

    names: list[str]
    field: generic.DictionaryObject
    value: Any


@dataclass
class Checked:
    """Per-signature state gathered in the child."""

    value: SigValue
    kind: SignatureKind = SignatureKind.APPROVAL
    subfilter: str | None = None
    zone_end: int | None = None
    revision: int | None = None
    coverage: Coverage = Coverage.PARTIAL
    embedded: EmbeddedPdfSignature | None = None
    report: dict[str, Any] = dataclasses.field(default_factory=dict)
    broken: bool = False
    not_signature: bool = False


class Analysis:
    """The state of one analysis in the child; the findings are plain data (see `findings.failure`)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.pdf = job.pdf
        self.findings: list[dict[str, Any]] = []
        self.reader: Reader
        self.revision_ends: dict[int, tuple[int, int]] = {}
        """Revision -> (offset just after its %%EOF, offset after the end-of-line that follows)."""
        self.doc_timestamp_revisions: tuple[int, ...] = ()

    def add(self, code: str, field: str | None = None, **params: Any) -> None:
        self.findings.append({"code": code, "field": field, "params": params})
