"""Pact documents (issue §7): a pact's data rendered to PDF/A-3b with Typst from a versioned template.

The document has the unit's letterhead, the seven commitments of PermenPAN-RB 49/2011 (institution
name in point 6), the frozen identity of every party, place and date, and one empty signature field
per signer in its signature block, in signing order (DOMAIN.md §1.2, §1.3, §10.4.2–10.4.4). The data goes
in as JSON through `sys_inputs`, never into the markup; the template attaches the same JSON bytes as a
PDF/A-3 associated file (relationship Data) and writes the pact number and the template version's
SHA-256 into the document keywords (XMP `pdf:Keywords` and the information dictionary).

Deterministic: the same data and template version give the same bytes. Typst runs with its bundled
fonts only (`ignore_system_fonts`), so output does not depend on the machine's fonts, and every font is
embedded and subset; the document date is the pact's date at 00:00 UTC (Typst writes dates in UTC, so
00:00 WIB would read as the day before), not the time of rendering; the
data JSON is canonical (sorted keys); the signature fields are added deterministically
(`signatures.pdf`).

Signature fields sit exactly over the boxes the template reserves: each box announces its position with
`<pakta-signature-box>` metadata. The boxes are placed absolutely, so their positions depend only on the
template version and the parties' orders and roles; they are queried once per such combination and
cached, which keeps a render to a single Typst compile.
"""

import datetime
import json
import threading
from pathlib import Path
from typing import Any, Final

import typst
from django.utils.translation import gettext_lazy as _

from audit.canonical import canonical_json
from audit.errors import ApplicationError
from integrity.models import IntegrityPact, PactTemplate
from integrity.services.templates import PACT_TEMPLATE_KIND_UNKNOWN, PactTemplateError, pact_template_publish
from signatures.pdf import PdfError, SignatureFieldSpec, add_signature_fields

TEMPLATES_DIR = Path(__file__).resolve().parent / "pact_templates"
PDF_STANDARD: Final = "a-3b"  # PDF/A-2b refuses attachments; the pact data is attached

PACT_DATA_INVALID = _("Data pakta %(number)s tidak valid: %(detail)s")
PACT_RENDER_FAILED = _("Dokumen pakta %(number)s tidak dapat dibuat: %(detail)s")
PACT_TEMPLATE_MISSING = _("Berkas templat pakta %(kind)s tidak ditemukan.")

# Parties each kind needs, in signing order (DOMAIN.md §10.4.2–10.4.4).
KIND_ROLES: dict[str, tuple[str, ...]] = {
    IntegrityPact.Kind.EMPLOYEE_SUPERIOR: ("declarant", "witness"),
    IntegrityPact.Kind.UNIT_HEAD_SATKER: ("party", "party"),
    IntegrityPact.Kind.INDIVIDUAL: ("declarant",),
}
_PARTY_TEXT_FIELDS = ("role_label", "field_name", "name", "nip", "nip_display", "rank", "position", "unit")
_REQUIRED_TEXT_FIELDS = ("role_label", "field_name", "name", "nip", "nip_display", "position", "unit")
_DOC_TEXT_FIELDS = ("number", "kind", "institution", "place", "date", "date_text")

# One compiler for the process: building one costs a font scan, and a Compiler built from bytes
# compiles only once (typst-py 0.15.2), so the source is passed to every compile() instead.
_compiler = typst.Compiler(ignore_system_fonts=True)
_compiler_lock = threading.Lock()
_boxes_cache: dict[tuple[str, tuple[tuple[int, str], ...]], dict[int, tuple[int, tuple[float, float, float, float]]]]
_boxes_cache = {}


class PactDocumentError(ApplicationError):
    """The pact's document could not be rendered: its data is incomplete or the template refused it."""


def pact_template_source(kind: str) -> str:
    """The template source shipped with this release for `kind` (`integrity/pact_templates/<kind>.typ`).

    :raises PactTemplateError: unknown kind. :raises PactDocumentError: the file is missing.
    """
    if kind not in IntegrityPact.Kind.values:
        raise PactTemplateError(PACT_TEMPLATE_KIND_UNKNOWN % {"kind": kind})
    path = TEMPLATES_DIR / f"{kind}.typ"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PactDocumentError(PACT_TEMPLATE_MISSING % {"kind": kind}) from exc


def pact_template_current(kind: str) -> PactTemplate:
    """The stored template version matching the shipped source of `kind`, published as a new version
    (audit event `integrity.pact_template.published`, actor: system) when the source changed."""
    return pact_template_publish(kind=kind, source=pact_template_source(kind), actor=None)


def render_pact_pdf(data: dict[str, Any], *, template: PactTemplate) -> bytes:
    """Render a pact to PDF/A-3b with `template`, attach `data`, and add one empty signature field per
    party (named by its `field_name`, in list order = signing order) over its signature block.

    `data` is the JSON-serialisable data contract of `integrity.services.pact_documents.pact_document_data`
    (number, kind, letterhead, address_lines, institution, place, date, date_text, spending_unit, parties).

    :raises PactDocumentError: the data does not match the contract or the pact kind (missing parties,
        wrong roles, a satker pact without satker), the template refused it (for example text too long for
        the page), or the PDF could not be finished.
    """
    number = str(data.get("number", "?")) if isinstance(data, dict) else "?"
    _check_data(data, template, number)
    try:
        doc_json = canonical_json(data)
    except (TypeError, ValueError) as exc:  # a value JSON cannot hold (a date object, NaN, ...)
        raise PactDocumentError(PACT_DATA_INVALID % {"number": number, "detail": str(exc)}) from exc
    template_json = json.dumps({"kind": template.kind, "version": template.version, "sha256": template.sha256})
    inputs = {"doc": doc_json, "template": template_json}
    source = template.source.encode("utf-8")
    day = datetime.date.fromisoformat(data["date"])
    timestamp = datetime.datetime.combine(day, datetime.time(0), tzinfo=datetime.UTC)
    try:
        with _compiler_lock:
            pdf = _compiler.compile(input=source, sys_inputs=inputs, pdf_standards=PDF_STANDARD, timestamp=timestamp)
    except typst.TypstError as exc:
        raise PactDocumentError(
            PACT_RENDER_FAILED % {"number": number, "detail": _typst_message(exc)}, extra={"typst": str(exc)}
        ) from exc
    if not isinstance(pdf, bytes):  # a PDF is one file; only image formats give a list of pages
        raise PactDocumentError(PACT_RENDER_FAILED % {"number": number, "detail": "keluaran Typst bukan PDF"})
    boxes = _signature_boxes(template, source, inputs, data["parties"], number)
    fields = [
        SignatureFieldSpec(name=party["field_name"], page=boxes[party["order"]][0], box=boxes[party["order"]][1])
        for party in data["parties"]
    ]
    try:
        return add_signature_fields(pdf, fields)
    except PdfError as exc:
        raise PactDocumentError(PACT_RENDER_FAILED % {"number": number, "detail": exc.message}) from exc


def _check_data(data: Any, template: PactTemplate, number: str) -> None:
    def invalid(detail: str) -> PactDocumentError:
        return PactDocumentError(PACT_DATA_INVALID % {"number": number, "detail": detail})

    if not isinstance(data, dict):
        raise invalid("data harus berupa objek JSON")
    for key in _DOC_TEXT_FIELDS:
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise invalid(f"kolom {key!r} wajib diisi")
    if data["kind"] != template.kind:
        raise invalid(f"jenis pakta {data['kind']!r} tidak cocok dengan templat {template.kind!r}")
    for key in ("letterhead", "address_lines"):
        if not isinstance(data.get(key), list) or not all(isinstance(line, str) for line in data[key]):
            raise invalid(f"kolom {key!r} harus berupa daftar teks")
    if not data["letterhead"]:
        raise invalid("kop surat (letterhead) kosong")
    try:
        datetime.date.fromisoformat(data["date"])
    except ValueError:
        raise invalid(f"tanggal {data['date']!r} bukan tanggal ISO (YYYY-MM-DD)") from None
    unit = data.get("spending_unit")
    if unit is not None and not (
        isinstance(unit, dict) and all(isinstance(unit.get(k), str) for k in ("code", "name"))
    ):
        raise invalid("satker harus berisi kode dan nama")
    parties = data.get("parties")
    if not isinstance(parties, list) or not all(isinstance(p, dict) for p in parties):
        raise invalid("daftar pihak (parties) tidak ada")
    roles = tuple(p.get("role") for p in parties)
    expected = KIND_ROLES.get(template.kind)
    if expected is not None and roles != expected:
        raise invalid(f"pakta {template.kind} memerlukan pihak {list(expected)} berurutan, diterima {list(roles)}")
    if template.kind == IntegrityPact.Kind.UNIT_HEAD_SATKER and unit is None:
        raise invalid("pakta KPPN–satker memerlukan data satker")
    for index, party in enumerate(parties, start=1):
        if party.get("order") != index:
            raise invalid(f"pihak ke-{index} harus bernomor urut {index}, bukan {party.get('order')!r}")
        for key in _PARTY_TEXT_FIELDS:
            if not isinstance(party.get(key), str):
                raise invalid(f"pihak ke-{index}: kolom {key!r} harus berupa teks")
        for key in _REQUIRED_TEXT_FIELDS:
            if not party[key].strip():
                raise invalid(f"pihak ke-{index}: kolom {key!r} wajib diisi")
    if len({p["field_name"] for p in parties}) != len(parties):
        raise invalid("nama kolom tanda tangan (field_name) harus unik")


def _signature_boxes(
    template: PactTemplate, source: bytes, inputs: dict[str, str], parties: list[dict[str, Any]], number: str
) -> dict[int, tuple[int, tuple[float, float, float, float]]]:
    """order -> (zero-based page, (x1, y1, x2, y2) in PDF points from the bottom-left corner)."""
    key = (template.sha256, tuple((p["order"], p["role"]) for p in parties))
    cached = _boxes_cache.get(key)
    if cached is not None:
        return cached
    try:
        # A throwaway compiler: query() has no input= parameter, and a bytes compiler works only once.
        raw = typst.Compiler(input=source, sys_inputs=inputs, ignore_system_fonts=True).query(
            "<pakta-signature-box>", field="value"
        )
        found = json.loads(raw)
    except (typst.TypstError, ValueError) as exc:
        raise PactDocumentError(PACT_RENDER_FAILED % {"number": number, "detail": str(exc)}) from exc
    boxes: dict[int, tuple[int, tuple[float, float, float, float]]] = {}
    for item in found:
        x, y, width, height, page_height = (
            float(item["x"]),
            float(item["y"]),
            float(item["width"]),
            float(item["height"]),
            float(item["page-height"]),
        )
        boxes[int(item["order"])] = (int(item["page"]) - 1, (x, page_height - y - height, x + width, page_height - y))
    if sorted(boxes) != sorted(p["order"] for p in parties) or len(found) != len(parties):
        detail = f"templat {template} menyediakan {len(found)} kotak tanda tangan untuk {len(parties)} pihak"
        raise PactDocumentError(PACT_RENDER_FAILED % {"number": number, "detail": detail})
    _boxes_cache[key] = boxes
    return boxes


def _typst_message(exc: typst.TypstError) -> str:
    """The first line of a Typst error without Typst's prefixes (an `assert` message is the useful part)."""
    message = getattr(exc, "message", None) or str(exc)
    first = str(message).strip().splitlines()[0] if str(message).strip() else str(exc)
    return first.removeprefix("error: ").removeprefix("assertion failed: ")
