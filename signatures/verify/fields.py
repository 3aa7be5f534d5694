"""Signature fields: found by walking `/AcroForm /Fields` here, then checked for format before pyHanko.

Signature values are not found through pyHanko's enumeration (which silently skips unknown subfilters); a
value referenced from several fields is counted once, for the first of them, and a filled field pyHanko sees
that we did not is INVALID. Only `adbe.pkcs7.detached` and `ETSI.CAdES.detached` signatures and
`ETSI.RFC3161` document timestamps are accepted; the `/ByteRange` must be `[0 a b c]` with the gap holding
exactly the `/Contents` string, and the signed bytes must end exactly at the end of a revision. The revision
a signature covers is found from its byte range, not from where pyHanko last saw the signature dictionary
change, so a signature dictionary rewritten later (spoofed `/Reason`) or a linearized first revision are
judged correctly.
"""

from __future__ import annotations

import logging
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.sign.validation import EmbeddedPdfSignature

from signatures.verify.findings import describe
from signatures.verify.reading import deref, docmdp_of, lookup
from signatures.verify.report import Coverage, SignatureKind
from signatures.verify.state import Analysis, Checked, SigValue

logger = logging.getLogger(__name__)

_MAX_FIELDS = 500
_SIGNATURE_SUBFILTERS = frozenset({"/adbe.pkcs7.detached", "/ETSI.CAdES.detached"})
_TIMESTAMP_SUBFILTERS = frozenset({"/ETSI.RFC3161"})


def signature_values(analysis: Analysis) -> tuple[list[SigValue], list[str]]:
    """Signature fields from /AcroForm /Fields, walked here; one entry per distinct value."""
    root = analysis.reader.root
    values: dict[Any, SigValue] = {}
    unsigned: list[str] = []
    acroform = deref(root.raw_get("/AcroForm")) if "/AcroForm" in root else None
    if not isinstance(acroform, generic.DictionaryObject) or "/Fields" not in acroform:
        return [], []
    seen: set[int] = set()
    count = 0

    def walk(node_ref: Any, parent_name: str, inherited_type: Any, depth: int) -> None:
        nonlocal count
        count += 1
        if depth > 32 or count > _MAX_FIELDS * 4:
            raise RecursionError("field tree too deep or too large")
        if isinstance(node_ref, generic.IndirectObject):
            if node_ref.idnum in seen:
                return
            seen.add(node_ref.idnum)
        node = deref(node_ref)
        if not isinstance(node, generic.DictionaryObject):
            return
        partial = lookup(node, "/T")
        name = parent_name
        if partial is not None:
            name = f"{parent_name}.{partial}" if parent_name else str(partial)
        field_type = lookup(node, "/FT", inherited_type)
        kids = deref(node.raw_get("/Kids")) if "/Kids" in node else None
        if isinstance(kids, generic.ArrayObject) and any(
            isinstance(deref(kid), generic.DictionaryObject) and "/T" in deref(kid) for kid in kids
        ):
            for kid in kids:
                walk(kid, name, field_type, depth + 1)
            return
        if field_type != "/Sig":
            return
        raw_value = node.raw_get("/V") if "/V" in node else None
        value = deref(raw_value)
        if value is None or isinstance(value, generic.NullObject):
            unsigned.append(name)
            return
        key = ("ref", raw_value.idnum) if isinstance(raw_value, generic.IndirectObject) else ("direct", id(value))
        if key in values:
            values[key].names.append(name)
        else:
            values[key] = SigValue([name], node, value)

    for ref in deref(acroform.raw_get("/Fields")) or []:
        walk(ref, "", None, 0)
    result = list(values.values())
    _cross_check(analysis, result)
    for value in result:
        if len(value.names) > 1:
            analysis.add("duplicate_reference", value.names[0], fields=", ".join(value.names))
    return result, unsigned


def _cross_check(analysis: Analysis, values: list[SigValue]) -> None:
    """Defence in depth: a filled signature field pyHanko finds must be among the ones found here."""
    from pyhanko.sign.fields import enumerate_sig_fields

    known = {name for value in values for name in value.names}
    try:
        found = [str(name) for name, value, _ref in enumerate_sig_fields(analysis.reader, filled_status=True)]
    except Exception as exc:  # pyHanko could not walk the form; ours did, so only note it
        logger.debug("pyHanko could not enumerate signature fields: %s", describe(exc))
        return
    for name in found:
        if name not in known:
            analysis.add("signature_unaccounted", name)


def precheck(analysis: Analysis, value: SigValue) -> Checked:
    """Format checks made here, before pyHanko: type, subfilter, /ByteRange, /Contents, coverage."""
    item = Checked(value)
    name = value.names[0]
    sig = value.value
    is_dict = isinstance(sig, generic.DictionaryObject) and not isinstance(sig, generic.StreamObject)
    if not is_dict or ("/Contents" not in sig and "/ByteRange" not in sig):
        # Not a signature at all (e.g. a form XObject put in /V): a change to the form, judged by the
        # difference analysis of the signatures before it.
        item.broken = item.not_signature = True
        analysis.add("not_a_signature", name)
        return item
    sig_type = str(lookup(sig, "/Type", "/Sig"))
    if sig_type == "/DocTimeStamp":
        item.kind = SignatureKind.DOC_TIMESTAMP
    elif sig_type != "/Sig":
        return _broken(analysis, item, "signature_type_unsupported", type=sig_type)
    elif docmdp_of(sig) is not None:
        item.kind = SignatureKind.CERTIFICATION
    subfilter = lookup(sig, "/SubFilter")
    item.subfilter = str(subfilter) if subfilter is not None else None
    allowed = _TIMESTAMP_SUBFILTERS if item.kind is SignatureKind.DOC_TIMESTAMP else _SIGNATURE_SUBFILTERS
    if item.subfilter not in allowed:
        return _broken(analysis, item, "subfilter_unsupported", subfilter=item.subfilter or "-")
    if item.subfilter == "/adbe.pkcs7.detached" and item.kind is SignatureKind.DOC_TIMESTAMP:
        return _broken(analysis, item, "subfilter_unsupported", subfilter=item.subfilter)

    byte_range = lookup(sig, "/ByteRange")
    numbers = list(byte_range) if isinstance(byte_range, generic.ArrayObject) else None
    if numbers is None or len(numbers) != 4 or not all(isinstance(n, int) and n >= 0 for n in numbers):
        return _broken(analysis, item, "byte_range_malformed", detail="bukan [0 a b c]")
    start, first_len, gap_end, second_len = (int(n) for n in numbers)
    zone_end = gap_end + second_len
    if start != 0 or first_len <= 0 or gap_end <= first_len + 1 or zone_end > len(analysis.pdf):
        return _broken(analysis, item, "byte_range_malformed", detail=f"{numbers}, berkas {len(analysis.pdf)} bait")
    contents = lookup(sig, "/Contents")
    if isinstance(contents, generic.TextStringObject):
        raw = bytes(contents.original_bytes)
    elif isinstance(contents, bytes):
        raw = bytes(contents)
    else:
        return _broken(analysis, item, "contents_malformed", detail="bukan string")
    if not raw.rstrip(b"\x00"):
        return _broken(analysis, item, "contents_malformed", detail="kosong")
    gap = analysis.pdf[first_len:gap_end]
    try:
        gap_bytes = bytes.fromhex(gap[1:-1].decode("ascii")) if gap[:1] == b"<" and gap[-1:] == b">" else None
    except (UnicodeDecodeError, ValueError):
        gap_bytes = None
    if gap_bytes is None or gap_bytes.rstrip(b"\x00") != raw.rstrip(b"\x00"):
        return _broken(analysis, item, "byte_range_malformed", detail="celah tidak berisi /Contents")
    item.zone_end = zone_end

    revision = None
    for candidate, (eof_end, eol_end) in analysis.revision_ends.items():
        if eof_end <= zone_end <= eol_end:
            revision = candidate
            break
    xrefs = analysis.reader.xrefs
    if revision is not None and all(
        xrefs.get_xref_container_info(r).end_location <= zone_end for r in range(revision + 1)
    ):
        item.revision = revision
        whole_file = not analysis.pdf[zone_end:].strip(b"\x00\t\n\x0c\r ")
        item.coverage = Coverage.ENTIRE_FILE if whole_file else Coverage.ENTIRE_REVISION
    else:
        return _broken(analysis, item, "coverage_partial")

    try:
        item.embedded = EmbeddedPdfSignature(analysis.reader, value.field, name)
    except MemoryError:  # the memory limit: reported as such, not as a library failure
        raise
    except Exception as exc:
        item.broken = True
        analysis.add("library_error", name, detail=describe(exc))
    return item


def _broken(analysis: Analysis, item: Checked, code: str, **params: Any) -> Checked:
    item.broken = True
    analysis.add(code, item.value.names[0], **params)
    return item


def check_certification_order(analysis: Analysis, checked: list[Checked]) -> None:
    """Note a certification signature that follows an approval signature (it should come first)."""
    seen_other = False
    for item in checked:
        if item.kind is SignatureKind.CERTIFICATION and seen_other:
            analysis.add("certification_not_first", item.value.names[0])
        if item.kind is SignatureKind.APPROVAL:
            seen_other = True


def check_expected(analysis: Analysis, checked: list[Checked], unsigned: list[str]) -> None:
    """With `expected_fields`: exactly those fields carry signatures (document timestamps aside)."""
    expected = analysis.job.expected_fields
    if expected is None:
        return
    signed = {item.value.names[0] for item in checked}
    for item in checked:
        if item.value.names[0] not in expected and item.kind is not SignatureKind.DOC_TIMESTAMP:
            analysis.add("unexpected_signature", item.value.names[0])
    for name in expected:
        if name not in signed:
            analysis.add("expected_unsigned", name)
