"""What a document contains: signature fields, attached files, XMP metadata and fonts."""

from __future__ import annotations

from typing import Any, NamedTuple

from pyhanko.pdf_utils import generic
from pyhanko.sign.fields import enumerate_sig_fields

from signatures.pdf.fields import SignatureFieldSpec
from signatures.pdf.objects import _get, _inherited, _items, _page_objects, _reader, _reading


@_reading
def signature_fields(pdf: bytes) -> list[SignatureFieldSpec]:
    """Every signature field with its page (zero-based) and rectangle, in `/AcroForm /Fields` order.

    A field whose widget is on no page gets page -1.

    :raises PdfError: the PDF cannot be read.
    """
    reader = _reader(pdf)
    page_index = {num: i for i, (num, _) in enumerate(_page_objects(reader))}
    result = []
    for name, _value, field_ref in enumerate_sig_fields(reader):
        field = field_ref.get_object()
        widget = field["/Kids"][0] if "/Kids" in field else field
        page = -1
        if "/P" in widget:
            page = page_index.get(widget.raw_get("/P").idnum, -1)
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        result.append(SignatureFieldSpec(str(name), page, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))))
    return result


def signature_field_names(pdf: bytes) -> list[str]:
    """The names of all signature fields, in `/AcroForm /Fields` order.

    :raises PdfError: the PDF cannot be read.
    """
    return [spec.name for spec in signature_fields(pdf)]


@_reading
def embedded_files(pdf: bytes) -> dict[str, bytes]:
    """The attached files of the document's `/EmbeddedFiles` name tree: file name -> content.

    :raises PdfError: the PDF cannot be read.
    """
    reader = _reader(pdf)
    names = _get(reader.root, "/Names")
    if names is None or "/EmbeddedFiles" not in names:
        return {}
    files: dict[str, bytes] = {}

    def walk(node: generic.DictionaryObject, depth: int) -> None:
        pairs = _get(node, "/Names", [])
        for i in range(0, len(pairs) - 1, 2):
            spec = pairs[i + 1]
            name = _get(spec, "/UF", _get(spec, "/F", pairs[i]))
            files[str(name)] = spec["/EF"]["/F"].data
        for kid in _items(_get(node, "/Kids", [])) if depth < 32 else []:
            walk(kid, depth + 1)

    walk(names["/EmbeddedFiles"], 0)
    return files


@_reading
def associated_files(pdf: bytes) -> dict[str, str]:
    """The document-level associated files (catalog `/AF`, PDF/A-3): file name -> `/AFRelationship`.

    :raises PdfError: the PDF cannot be read.
    """
    reader = _reader(pdf)
    result = {}
    for spec in _items(_get(reader.root, "/AF", [])):
        result[str(_get(spec, "/UF", _get(spec, "/F")))] = str(_get(spec, "/AFRelationship", "/Unspecified"))[1:]
    return result


@_reading
def xmp_metadata(pdf: bytes) -> str:
    """The document's XMP packet (catalog `/Metadata`) as text, or "" when it has none.

    :raises PdfError: the PDF cannot be read.
    """
    reader = _reader(pdf)
    if "/Metadata" not in reader.root:
        return ""
    return bytes(reader.root["/Metadata"].data).decode("utf-8")


class PdfFont(NamedTuple):
    base_font: str
    subtype: str
    embedded: bool


@_reading
def fonts(pdf: bytes) -> list[PdfFont]:
    """Every font used by pages, form XObjects and annotation appearances, once each.

    A Type 3 font counts as embedded (its glyphs are content streams); any other font is embedded when
    its descriptor (for Type 0: the descendant font's) has `/FontFile`, `/FontFile2` or `/FontFile3`.

    :raises PdfError: the PDF cannot be read.
    """
    reader = _reader(pdf)
    found: dict[int, PdfFont] = {}
    seen_resources: set[int] = set()

    def visit_resources(resources: Any, depth: int) -> None:
        if not isinstance(resources, generic.DictionaryObject) or depth > 16 or id(resources) in seen_resources:
            return
        seen_resources.add(id(resources))
        font_dict = _get(resources, "/Font", {})
        for key in font_dict:
            font_ref = font_dict.raw_get(key)
            font = font_ref.get_object()
            ident = font_ref.idnum if isinstance(font_ref, generic.IndirectObject) else id(font)
            if ident not in found:
                found[ident] = _font_info(font)
        xobjects = _get(resources, "/XObject", {})
        for key in xobjects:
            xobject = xobjects[key]
            if _get(xobject, "/Subtype") == "/Form":
                visit_resources(_get(xobject, "/Resources"), depth + 1)

    for _page_num, page in _page_objects(reader):
        visit_resources(_inherited(page, "/Resources"), 0)
        for annot in _items(_get(page, "/Annots", [])):
            appearances = _get(annot, "/AP", {})
            for key in appearances:
                appearance = appearances[key]
                if isinstance(appearance, generic.StreamObject):
                    visit_resources(_get(appearance, "/Resources"), 1)
                else:  # a dictionary of appearance states
                    for state in appearance:
                        visit_resources(_get(appearance[state], "/Resources"), 1)
    return list(found.values())


def _font_info(font: generic.DictionaryObject) -> PdfFont:
    subtype = str(_get(font, "/Subtype", ""))[1:]
    base = str(_get(font, "/BaseFont", ""))[1:]
    if subtype == "Type3":
        return PdfFont(base, subtype, True)
    descriptor_owner = font["/DescendantFonts"][0] if subtype == "Type0" else font
    descriptor = _get(descriptor_owner, "/FontDescriptor", {})
    embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return PdfFont(base, subtype, embedded)
