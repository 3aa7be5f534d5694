"""The analysis of one file, run in the child process: the checks in order, and plain data back.

`analyse` is what the child runs (`isolation`). It never touches Django settings or translations: it returns
finding codes with parameters and one dict per signature, which the parent turns into the report.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pyhanko.pdf_utils import generic, misc

from signatures.verify import content, fields, revisions, structure, trust
from signatures.verify.findings import describe, failure
from signatures.verify.reading import DECODE_LIMITS, Reader, docmdp_of
from signatures.verify.report import Changes, RevocationStatus, SignatureKind
from signatures.verify.state import Analysis, Checked, Job

_MAX_REVISIONS = 200


def analyse(job: Job) -> dict[str, Any]:
    """The whole analysis of one file, as plain data; runs in the child process.

    An exception from the libraries ends the analysis as CANNOT_VALIDATE but keeps what was found before
    (a structural INVALID found first still decides the verdict).
    """
    analysis = Analysis(job)
    try:
        return run(analysis)
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:
        analysis.add("unreadable", detail=describe(exc))
        return {"findings": analysis.findings, "signatures": [], "unsigned_fields": []}


def run(analysis: Analysis) -> dict[str, Any]:
    """Read the file, then check structure, fields, each signature, the changes after it and the content."""
    try:
        analysis.reader = Reader(BytesIO(analysis.pdf), strict=False, decode_limits=DECODE_LIMITS)
    except (misc.PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError) as exc:
        return failure("unreadable", detail=describe(exc))
    try:
        encrypted = analysis.reader.encrypted
    except Exception as exc:
        return failure("unreadable", detail=describe(exc))
    if encrypted:
        return failure("encrypted")
    xrefs = analysis.reader.xrefs
    if xrefs.total_revisions > _MAX_REVISIONS:
        return failure("too_many_revisions", count=xrefs.total_revisions, limit=_MAX_REVISIONS)
    analysis.revision_ends = structure.revision_ends(analysis)
    structure.check_sizes(analysis)

    values, unsigned = fields.signature_values(analysis)
    prechecked = [fields.precheck(analysis, value) for value in values]
    checked = [item for item in prechecked if not item.not_signature]
    checked.sort(key=lambda c: (c.revision if c.revision is not None else -1, c.zone_end or 0))
    for item in checked:
        if not item.broken:
            trust.validate(analysis, item)
    analysis.doc_timestamp_revisions = tuple(
        c.revision for c in checked if c.kind is SignatureKind.DOC_TIMESTAMP and c.revision is not None and not c.broken
    )
    revisions.check_changes(analysis, checked)
    structure.check_trailing_data(analysis)
    fields.check_certification_order(analysis, checked)
    fields.check_expected(analysis, checked, unsigned)
    content.scan_document(analysis)
    if not checked:
        analysis.add("no_signatures")
    return {
        "findings": analysis.findings,
        "signatures": [_signature_dict(analysis, item) for item in checked],
        "unsigned_fields": unsigned,
    }


def _signature_dict(analysis: Analysis, item: Checked) -> dict[str, Any]:
    report = item.report
    docmdp = docmdp_of(item.value.value) if isinstance(item.value.value, generic.DictionaryObject) else None
    return {
        "field_name": item.value.names[0],
        "other_field_names": item.value.names[1:],
        "kind": item.kind.value,
        "subfilter": item.subfilter[1:] if item.subfilter else None,
        "revision": item.revision,
        "signer_name": report.get("signer_name"),
        "signer_nip": report.get("signer_nip"),
        "signer_issuer": report.get("signer_issuer"),
        "signer_certificate_sha256": report.get("signer_certificate_sha256"),
        "certified": report.get("certified", False),
        "signing_time": report.get("signing_time"),
        "timestamp_time": report.get("timestamp_time"),
        "timestamp_authority": report.get("timestamp_authority"),
        "timestamp_trusted": report.get("timestamp_trusted"),
        "intact": report.get("intact", False),
        "trusted": report.get("trusted", False),
        "trust_problem": report.get("trust_problem"),
        "validated_at": report.get("validated_at"),
        "revocation": report.get("revocation", RevocationStatus.NOT_CHECKED.value),
        "coverage": item.coverage.value,
        "pades_level": revisions.pades_level(analysis, item) if item.kind is not SignatureKind.DOC_TIMESTAMP else None,
        "docmdp_level": docmdp,
        "changes_after": report.get("changes_after", Changes.UNKNOWN.value),
        "changed_fields": report.get("changed_fields", []),
        "change_detail": report.get("change_detail"),
        "digest_algorithm": report.get("digest_algorithm"),
    }
