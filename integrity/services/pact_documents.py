"""Render and store a pact's PDF/A document (issue §7). The data is frozen at creation (the
parties' snapshots), so rendering later or again gives the same bytes."""

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from audit.services import audit_record
from integrity.models import IntegrityPact, Unit

MONTHS_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip
ROLE_LABELS = {"declarant": "Pembuat Pernyataan", "witness": "Menyaksikan", "party": "Pihak"}


def _letterhead(office: Unit) -> list[str]:
    return [u.name.upper() for u in office.ancestors() if u.kind != Unit.Kind.SECTION]


def _institution(unit: Unit) -> str:
    for node in reversed(unit.ancestors()):
        if node.kind == Unit.Kind.DIRECTORATE_GENERAL:
            return node.name
    return settings.PAKTA_INSTITUTION_NAME


def pact_document_data(pact: IntegrityPact) -> dict[str, Any]:
    """The JSON given to the template and attached to the PDF (DOMAIN.md §1.3 fields)."""
    office = pact.unit.office()
    day = pact.effective_date
    parties = []
    for party in pact.parties.order_by("order"):
        snap = party.snapshot
        parties.append(
            {
                "order": party.order,
                "role": party.role,
                "role_label": ROLE_LABELS[party.role],
                "field_name": party.field_name,
                "name": snap["name"],
                "nip": snap["nip"],
                "nip_display": snap["nip_display"],
                "rank": snap.get("rank", ""),
                "position": snap["position"],
                "unit": snap["unit"],
            }
        )
    spending_unit = None
    if pact.spending_unit is not None:
        spending_unit = {"code": pact.spending_unit.code, "name": pact.spending_unit.name}
    return {
        "number": pact.number,
        "kind": pact.kind,
        "letterhead": _letterhead(office),
        "address_lines": [line for line in (office.address, office.phone) if line],
        "institution": _institution(pact.unit),
        "place": office.city or office.name,
        "date": day.isoformat(),
        "date_text": f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}",
        "spending_unit": spending_unit,
        "parties": parties,
    }


def pact_document_ensure(*, pact: IntegrityPact, actor: Any = None) -> IntegrityPact:
    """Render the pact's document once, with the template version current at first render,
    and store it content-addressed. Later calls return the stored document unchanged."""
    from integrity.documents import pact_template_current, render_pact_pdf

    if pact.document:
        return pact
    template = pact.template or pact_template_current(pact.kind)
    pdf = render_pact_pdf(pact_document_data(pact), template=template)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = IntegrityPact.objects.select_for_update().get(pk=pact.pk)
        if locked.document:
            return locked
        locked.template = template
        locked.document.save(f"{digest}.pdf", ContentFile(pdf), save=False)
        locked.document_sha256 = digest
        locked.save(update_fields=["template", "document", "document_sha256"])
        audit_record(
            action="integrity.pact.document_rendered",
            actor=actor,
            subject=locked,
            payload={"number": locked.number, "sha256": digest, "template": f"{template.kind} v{template.version}"},
        )
    return locked
