"""Issuing a pact for signing: revision 1 is its rendered document certified by the seal of the pact's
office (DocMDP P=2: afterwards only the prepared fields may be filled)."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from integrity.models import IntegrityPact, PactRevision, Unit
from integrity.services.pact_documents import pact_document_data, pact_document_ensure
from integrity.services.signing.errors import check_signable
from integrity.services.signing.files import (
    certificate_serial,
    certificate_subject_name,
    rendered_bytes,
    store_file,
)
from signatures import ca
from signatures.signers import KeyHolderError, SealKeyHolder
from signatures.signing import certify_pdf, pakta_timestamper

logger = logging.getLogger(__name__)

SEAL_FIELD = "Seal_Office"
"""The invisible field of the office seal's certification signature, added by the certification itself."""
VERIFICATION_ID_LENGTH = 32
"""Hex digits of revision 1's SHA-256 that identify a pact's document on its verification page (128 bits)."""

SEAL_REASON = _("Diterbitkan oleh %(office)s melalui Pakta; hanya kolom tanda tangan yang boleh diisi.")


def pact_issue_for_signing(*, pact: IntegrityPact, actor: Any) -> PactRevision:
    """Make revision 1 of a PENDING pact: its rendered document (`pact_document_ensure`) certified by the
    seal of the pact's office (DocMDP P=2, B-T, invisible field `Seal_Office`). The office's seal is issued
    by the embedded CA if it has none or its seal expired. Idempotent: an issued pact returns its
    revision 1. Audit: `integrity.pact.certified`.

    :raises PactNotSignable: the pact is not PENDING.
    :raises DocumentNotOurs: the rendered document's bytes do not match the SHA-256 recorded at rendering,
        its signature fields are not the parties', or it is already signed.
    :raises signatures.ca.CaNotInitialized: the embedded CA has not been initialised.
    """
    existing = PactRevision.objects.filter(pact=pact, sequence=1).first()
    if existing is not None:
        return existing
    pact = IntegrityPact.objects.get(pk=pact.pk)
    check_signable(pact)
    pact = pact_document_ensure(pact=pact, actor=actor)
    rendered = rendered_bytes(pact)
    office = pact.unit.office()
    seal = _seal_holder(pact, office, actor)
    now = timezone.now()
    certified = certify_pdf(
        rendered,
        key_holder=seal,
        field_name=SEAL_FIELD,
        timestamper=pakta_timestamper(),
        reason=str(SEAL_REASON % {"office": office.name}),
        location=office.city or office.name,
        signing_time=now,
    )
    digest, name = store_file(certified)
    with transaction.atomic():
        locked = IntegrityPact.objects.select_for_update().get(pk=pact.pk)
        existing = PactRevision.objects.filter(pact=locked, sequence=1).first()
        if existing is not None:  # issued meanwhile by another request; our file is an unused twin
            return existing
        check_signable(locked)
        revision = PactRevision.objects.create(
            pact=locked,
            sequence=1,
            kind=PactRevision.Kind.CERTIFIED,
            sha256=digest,
            file=name,
            size=len(certified),
            signed_at=now,
            signer_name=certificate_subject_name(seal.certificate),
            signer_serial=certificate_serial(seal.certificate),
        )
        locked.verification_id = digest[:VERIFICATION_ID_LENGTH]
        locked.save(update_fields=["verification_id"])
        audit_record(
            action="integrity.pact.certified",
            actor=actor,
            subject=locked,
            payload={
                "number": locked.number,
                "sequence": 1,
                "sha256": digest,
                "office": office.code,
                "seal_serial": revision.signer_serial,
                "verification_id": locked.verification_id,
            },
        )
    return revision


def pacts_issue_for_signing(*, pact_ids: list[int], actor: Any = None) -> int:
    """Issue (certify) the PENDING pacts among `pact_ids` that have a rendered document and no revision yet,
    as the render task does right after rendering, so a party's first signature does not wait for the
    office seal's certification. Does nothing before the embedded CA is initialised (the first signature
    then certifies, `pact_sign`). Failures are logged and left to the first signature.

    :returns: the number of pacts issued.
    """
    if not ca.ca_exists():
        return 0
    waiting = (
        IntegrityPact.objects.filter(pk__in=pact_ids, status=IntegrityPact.Status.PENDING)
        .exclude(document="")
        .exclude(revisions__sequence=1)
        .order_by("pk")
    )
    issued = 0
    for pact in waiting:
        try:
            pact_issue_for_signing(pact=pact, actor=actor)
        except Exception:
            logger.exception("Certifying pact %s failed; its first signature will certify it", pact.number)
        else:
            issued += 1
    return issued


def _seal_holder(pact: IntegrityPact, office: Unit, actor: Any) -> SealKeyHolder:
    """The office's seal; issued (or renewed when expired) by the embedded CA when needed."""
    try:
        return SealKeyHolder(office.code)
    except (ca.CaNotInitialized, KeyHolderError):
        if not ca.ca_exists():
            raise
    organisation = pact_document_data(pact)["institution"]
    # A concurrent request may issue the office's first seal at the same moment: then use that one.
    with contextlib.suppress(IntegrityError):
        ca.ca_issue_seal(unit_code=office.code, unit_name=office.name, organisation=organisation, actor=actor)
    return SealKeyHolder(office.code)
