"""Changes after each signature, judged by diffing the revisions that follow it, and the PAdES level.

Each later revision is diffed with the strict policy (`policy.strict_policy`). Filling other form fields,
annotations, content or page changes are MODIFIED; so is a later revision that cannot even be read (the
shadow-attack files). After the last signature or document timestamp only revisions carrying DSS data may
follow. A certification signature's DocMDP level caps the changes after it; with `expected_fields`, changes
between signatures may only touch those fields.
"""

from __future__ import annotations

from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel

from signatures.verify.findings import describe
from signatures.verify.policy import strict_policy
from signatures.verify.report import Changes, SignatureKind
from signatures.verify.state import Analysis, Checked


def check_changes(analysis: Analysis, checked: list[Checked]) -> None:
    """Judge the revisions after each signature that covers a whole revision; see the module docstring."""
    xrefs = analysis.reader.xrefs
    last_revision = xrefs.total_revisions - 1
    covering = [c for c in checked if c.revision is not None and not c.broken]
    if not covering:
        return
    # A broken later signature still ends the stretch the earlier ones answer for (the file is INVALID).
    last_signed = max(c.revision for c in checked if c.revision is not None)
    policy = strict_policy()
    expected = set(analysis.job.expected_fields) if analysis.job.expected_fields is not None else None
    for item in covering:
        name = item.value.names[0]
        revision = item.revision
        assert revision is not None and item.embedded is not None
        report = item.report
        if revision == last_revision:
            report["changes_after"] = Changes.NONE.value
            continue
        docmdp = item.embedded.docmdp_level if item.kind is SignatureKind.CERTIFICATION else None
        try:
            result = policy.review_file(
                analysis.reader, revision, field_mdp_spec=item.embedded.fieldmdp, doc_mdp=docmdp
            )
        except (misc.PdfError, ValueError, TypeError, IndexError, AssertionError) as exc:
            # The signed revision verified; what follows cannot even be read, so it cannot be one of
            # the changes we allow (a signature or validation data).
            report["changes_after"] = Changes.FORBIDDEN.value
            report["change_detail"] = describe(exc)
            analysis.add("modified_unreadable", name, detail=describe(exc))
            continue
        except MemoryError:  # the memory limit: reported as such, not as a library failure
            raise
        except Exception as exc:
            report["changes_after"] = Changes.UNKNOWN.value
            analysis.add("library_error", name, detail=describe(exc))
            continue
        if not isinstance(result, DiffResult):
            report["changes_after"] = Changes.FORBIDDEN.value
            report["change_detail"] = str(result)[:500]
            analysis.add("modified", name)
            continue
        level = result.modification_level
        changed = sorted(str(f) for f in result.changed_form_fields)
        report["changed_fields"] = changed
        if level <= ModificationLevel.LTA_UPDATES:
            report["changes_after"] = Changes.LTV.value if level > ModificationLevel.NONE else Changes.NONE.value
        elif level == ModificationLevel.FORM_FILLING:
            report["changes_after"] = Changes.SIGNATURES.value
        else:
            report["changes_after"] = Changes.FORBIDDEN.value
            analysis.add("modified", name)
            continue
        if docmdp is not None and level.value > docmdp.value:
            report["changes_after"] = Changes.FORBIDDEN.value
            analysis.add("modified_beyond_docmdp", name, level=docmdp.value)
        elif revision == last_signed and (
            level > ModificationLevel.LTA_UPDATES or not _only_validation_data_after(analysis, revision)
        ):
            report["changes_after"] = Changes.FORBIDDEN.value
            analysis.add("modified_after_last", name)
        elif expected is not None and set(changed) - expected:
            report["changes_after"] = Changes.FORBIDDEN.value
            analysis.add("modified_fields", name, fields=", ".join(sorted(set(changed) - expected)))


def _only_validation_data_after(analysis: Analysis, revision: int) -> bool:
    """Every revision after `revision` updates the DSS or changes nothing.

    pyHanko's policy lets metadata (/Info, XMP) change at the LTV level, which is right for a revision
    that adds a signature, a document timestamp or DSS data (pyHanko's writer restamps /ModDate in each)
    and for an incremental save a later signer then signed; after the last signature or timestamp, a
    revision with no validation data in it has no such excuse.
    """
    xrefs = analysis.reader.xrefs
    for later in range(revision + 1, xrefs.total_revisions):
        changed = {ref.idnum for ref in xrefs.explicit_refs_in_revision(later)}
        if changed and not _touches_dss(analysis, later, changed):
            return False
    return True


def _touches_dss(analysis: Analysis, revision: int, changed: set[int]) -> bool:
    root = analysis.reader.get_historical_root(revision)
    if "/DSS" not in root:
        return False
    previous = analysis.reader.get_historical_root(revision - 1)
    dss = root.raw_get("/DSS")
    if "/DSS" not in previous or previous.raw_get("/DSS") != dss:
        return True
    if isinstance(dss, generic.IndirectObject):
        if dss.idnum in changed:
            return True
        dss = dss.get_object()
    arrays = (dss.raw_get(key) for key in ("/Certs", "/CRLs", "/OCSPs", "/VRI") if key in dss)
    return any(isinstance(value, generic.IndirectObject) and value.idnum in changed for value in arrays)


def pades_level(analysis: Analysis, item: Checked) -> str | None:
    """A guess from what is present: timestamps, a DSS added later, a document timestamp after that."""
    if item.revision is None:
        return None
    revision = item.revision
    has_time = item.report.get("timestamp_time") is not None or any(
        r > revision for r in analysis.doc_timestamp_revisions
    )
    dss_revision = _dss_revision_after(analysis, revision)
    if has_time and dss_revision is not None:
        if any(r >= dss_revision for r in analysis.doc_timestamp_revisions):
            return "B-LTA"
        return "B-LT"
    return "B-T" if has_time else "B-B"


def _dss_revision_after(analysis: Analysis, revision: int) -> int | None:
    for later in range(revision + 1, analysis.reader.xrefs.total_revisions):
        try:
            root = analysis.reader.get_historical_root(later)
            if "/DSS" in root and later not in _unchanged_dss(analysis, later, root):
                return later
        except Exception:
            return None
    return None


def _unchanged_dss(analysis: Analysis, revision: int, root: Any) -> set[int]:
    """{revision} when the DSS of `revision` is the same object as in the revision before."""
    try:
        previous = analysis.reader.get_historical_root(revision - 1)
    except Exception:
        return set()
    if "/DSS" not in previous:
        return set()
    old, new = previous.raw_get("/DSS"), root.raw_get("/DSS")
    if isinstance(old, generic.IndirectObject) and isinstance(new, generic.IndirectObject):
        changed = any(ref.idnum == new.idnum for ref in analysis.reader.xrefs.explicit_refs_in_revision(revision))
        if old.idnum == new.idnum and not changed:
            return {revision}
    return set()
