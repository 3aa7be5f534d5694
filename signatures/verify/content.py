"""Document content: active content and attached files anywhere reachable from the catalog.

JavaScript and other actions, XFA, rich media and attached files (except, when allowed, JSON data files with
`/AFRelationship /Data`, as our pacts carry) are INVALID.
"""

from __future__ import annotations

import re
from typing import Any

from pyhanko.pdf_utils import generic

from signatures.verify.findings import describe
from signatures.verify.reading import lookup
from signatures.verify.state import Analysis

_MAX_WALK_NODES = 200_000
_MAX_WALK_DEPTH = 100
_DANGEROUS_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute", "/GoToE", "/Rendition"}
)
# Not followed when looking for actions and attachments: back-references (the page, the parent) lead to
# objects reached anyway, and the rest can hold no actions but can be large (the structure tree of a tagged
# PDF has thousands of objects, which pyHanko reads from object streams in quadratic time).
_SKIPPED_KEYS = frozenset(
    {
        "/Parent", "/P", "/StructTreeRoot", "/StructParent", "/StructParents", "/Resources", "/Contents",
        "/Metadata", "/OutputIntents", "/PieceInfo", "/Thumb", "/MarkInfo", "/AP", "/DSS", "/Font",
        "/Length", "/Filter", "/DecodeParms",
    }
)  # fmt: skip
_ACTIVE_TOKEN_RE = re.compile(rb"/(JavaScript|JS|Launch|RichMedia|XFA)(?![A-Za-z0-9])")


def scan_document(analysis: Analysis) -> None:
    """Look through every object reachable from the catalog for active content and attached files."""
    active: set[str] = set()
    files: dict[Any, Any] = {}
    seen: set[int] = set()
    budget = _MAX_WALK_NODES
    stack: list[tuple[Any, int]] = [(analysis.reader.trailer_view.raw_get("/Root"), 0)]
    unreadable = False
    while stack:
        node, depth = stack.pop()
        budget -= 1
        if budget < 0 or depth > _MAX_WALK_DEPTH:
            analysis.add("too_complex")
            return
        key: Any = None
        if isinstance(node, generic.IndirectObject):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
            key = node.idnum
            try:
                node = node.get_object()
            except Exception as exc:
                if not unreadable:
                    analysis.add("object_unreadable", detail=describe(exc))
                unreadable = True
                continue
        if isinstance(node, generic.DictionaryObject):
            _inspect(node, key, active, files)
            for name in node:
                if name not in _SKIPPED_KEYS:
                    stack.append((node.raw_get(name), depth + 1))
        elif isinstance(node, generic.ArrayObject):
            for index in range(len(node)):
                stack.append((node.raw_get(index), depth + 1))
    if unreadable and not active:
        # What could not be parsed here may still be read by a lenient viewer: look at the raw bytes.
        active.update(match.group(1).decode() for match in _ACTIVE_TOKEN_RE.finditer(analysis.pdf))
    for kind in sorted(active):
        analysis.add("active_content", kind=kind)
    allowed = analysis.job.allowed_embedded_files
    data_files = [spec for spec in files.values() if _is_json_data(spec)]
    if len(files) > allowed or len(data_files) != len(files):
        analysis.add("embedded_files", count=len(files), allowed=allowed)


def _inspect(node: generic.DictionaryObject, key: Any, active: set[str], files: dict[Any, Any]) -> None:
    action = lookup(node, "/S", safe=True)
    if action in _DANGEROUS_ACTIONS:
        active.add(str(action)[1:])
    if "/JS" in node and action is None:
        active.add("JavaScript")
    node_type = lookup(node, "/Type", safe=True)
    subtype = lookup(node, "/Subtype", safe=True)
    if subtype in ("/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"):
        active.add(str(subtype)[1:])
    if "/XFA" in node and "/Fields" in node:
        active.add("XFA")
    if "/EF" in node and (node_type in (None, "/Filespec", "/F")):
        files[key if key is not None else id(node)] = node


def _is_json_data(spec: generic.DictionaryObject) -> bool:
    """A file specification of an attached JSON file with `/AFRelationship /Data`, as our pacts carry."""
    if str(lookup(spec, "/AFRelationship", "", safe=True)) != "/Data":
        return False
    embedded = lookup(spec, "/EF", safe=True)
    stream = lookup(embedded, "/F", safe=True) if isinstance(embedded, generic.DictionaryObject) else None
    return (
        isinstance(stream, generic.StreamObject) and str(lookup(stream, "/Subtype", safe=True)) == "/application/json"
    )
