"""The difference policy for changes after a signature: stricter than pyHanko's default in one way, laxer in two.

Only new or filled signature fields, DSS/LTV data, document timestamps and the metadata their writers restamp
are allowed; filling other form fields is not. VRI entries in the DSS may be replaced or dropped, and a
trailer reference no viewer interprets may be defined later (both seen in files other signers produce).
"""

from __future__ import annotations

from collections.abc import Iterator

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import HistoricalResolver, RawPdfPath
from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DocInfoRule,
    DSSCompareRule,
    FormUpdatingRule,
    MetadataUpdateRule,
    ModificationLevel,
    ObjectStreamRule,
    ReferenceUpdate,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    SuspiciousModification,
    WhitelistRule,
    XrefStreamRule,
)
from pyhanko.sign.diff_analysis.commons import compare_key_refs
from pyhanko.sign.diff_analysis.rules_api import Context


class _LenientDssRule(DSSCompareRule):
    """pyHanko's DSS rule, except that VRI entries may be replaced or dropped (PAdES allows pruning).

    Replaced VRI entries are validated like new ones, and an overwritten VRI object is only cleared for
    its path under /DSS/VRI, so an object also used elsewhere still needs its own justification.
    """

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterator[ReferenceUpdate]:
        dss_context = Context.from_absolute(old, RawPdfPath("/Root", "/DSS"))
        old_dss, new_dss = yield from misc.map_with_return(
            compare_key_refs("/DSS", old, old.root, new.root), ReferenceUpdate.curry_ref(context_checked=dss_context)
        )
        if new_dss is None:
            return
        if old_dss is None:
            old_dss = generic.DictionaryObject()
        if not isinstance(old_dss, generic.DictionaryObject):
            raise misc.PdfReadError("/DSS is not a dictionary")
        if not isinstance(new_dss, generic.DictionaryObject):
            raise SuspiciousModification("/DSS is not a dictionary")
        stream_keys = {"/Certs", "/CRLs", "/OCSPs"}
        unexpected = set(new_dss.keys()) - ({"/Type", "/VRI"} | stream_keys)
        if unexpected:
            raise SuspiciousModification(f"Unexpected keys in DSS: {unexpected}.")
        from pyhanko.sign.diff_analysis.rules.form_field_rules import _validate_dss_substructure

        yield from _validate_dss_substructure(
            old, new, old_dss, new_dss, stream_keys, is_vri=False, context=dss_context
        )
        vri_context = Context.from_absolute(old, RawPdfPath("/Root", "/DSS", "/VRI"))
        old_vri, new_vri = yield from misc.map_with_return(
            compare_key_refs("/VRI", old, old_dss, new_dss), ReferenceUpdate.curry_ref(context_checked=vri_context)
        )
        if new_vri is None:
            return
        if not isinstance(new_vri, generic.DictionaryObject):
            raise SuspiciousModification("/VRI is not a dictionary")
        if not isinstance(old_vri, generic.DictionaryObject):
            old_vri = generic.DictionaryObject()
        overwritten = {ref.idnum for ref in new.explicit_refs_in_revision()}
        kept = generic.DictionaryObject()
        for key, old_value in old_vri.items():
            if key not in new_vri:
                continue
            new_value = new_vri.raw_get(key)
            if new_value != old_value:
                continue
            if isinstance(new_value, generic.IndirectObject) and new_value.idnum in overwritten:
                yield ReferenceUpdate(new_value.reference, context_checked=vri_context.descend(key))
                continue
            kept[key] = old_value
        yield from self._check_vri(old, new, kept, new_vri)


class _DanglingTrailerRefRule(WhitelistRule):
    """Allow defining an object that an earlier revision's trailer referenced before it existed.

    Only for trailer keys no viewer interprets (e.g. LibreOffice's `/AdditionalStreams`): the reference
    resolved to null before, and anything the new object is used for elsewhere still needs approval.
    """

    _MEANINGFUL = frozenset({"/Root", "/Info", "/Encrypt", "/ID", "/Prev", "/Size", "/XRefStm"})

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterator[ReferenceUpdate]:
        fresh = [ref for ref in new.explicit_refs_in_revision() if old.is_ref_unassignable(ref)]
        if not fresh:
            return
        old._load_reverse_xref_cache()
        for ref in fresh:
            for path in old._get_usages_of_ref(ref):
                first = next(iter(path), None)
                if isinstance(first, str) and first not in self._MEANINGFUL:
                    yield ReferenceUpdate(ref, context_checked=Context.from_absolute(old, path))


def strict_policy() -> StandardDiffPolicy:
    """pyHanko's default policy minus filling of non-signature form fields, with lenient DSS updates."""
    lta = ModificationLevel.LTA_UPDATES
    return StandardDiffPolicy(
        global_rules=[
            CatalogModificationRule(),
            DocInfoRule().as_qualified(lta),
            XrefStreamRule().as_qualified(lta),
            ObjectStreamRule().as_qualified(lta),
            _LenientDssRule().as_qualified(lta),
            MetadataUpdateRule().as_qualified(lta),
            _DanglingTrailerRefRule().as_qualified(lta),
        ],
        form_rule=FormUpdatingRule(field_rules=[SigFieldCreationRule(), SigFieldModificationRule()]),
    )
