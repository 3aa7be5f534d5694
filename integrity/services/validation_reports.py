"""A signed pact's validation report (signatures issue §3, "at completion each pact stores its validation
report: a human summary and the ETSI TS 119 102-2 XML report pyHanko can produce; both downloadable").

    pact_validation_report_store      verify the pact's final revision and keep both reports
    pact_validation_reports_missing   make the reports of SIGNED pacts that have none (nightly)

`integrity.services.signing.pact_seal` enqueues the task `store_pact_validation_report` once the pact is
SIGNED, so the worker makes the report after the seal commits (verifying the file takes most of a seal's
time; the last party's request does not wait for it). Making the report never breaks signing: a failure is
logged and the pact stays SIGNED without a report; the nightly `pact_validation_reports_missing`, or
calling the service again, makes it. Each call replaces the pact's report with a fresh one.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from integrity.models import IntegrityPact, PactRevision, PactValidationReport
from integrity.selectors.signing import pact_latest_revision, pact_revision_bytes
from integrity.workdays import JAKARTA
from signatures import ca
from signatures.reports import etsi_validation_report_xml
from signatures.revocation import embedded_material
from signatures.signing import signature_certificates
from signatures.verification_service import (
    certified_roots,
    tsa_trust_roots,
    verdict_explanation,
    verdict_title,
    verify_document,
)
from signatures.verify import SignatureKind, VerificationReport

logger = logging.getLogger(__name__)

SUMMARY_HEADER = _("Laporan validasi pakta %(number)s (revisi %(sequence)s, SHA-256 %(sha256)s)")
SUMMARY_SIGNATURE = _("%(index)s. %(name)s, NIP %(nip)s, ditandatangani %(time)s, %(certified)s")
SUMMARY_REASONS = _("Alasan:")
CERTIFIED = _("tersertifikasi")
UNCERTIFIED = _("tidak tersertifikasi")
UNKNOWN = "-"


def pact_validation_report_store(*, pact: IntegrityPact, actor: Any = None) -> PactValidationReport | None:
    """Verify the pact's newest revision and store its validation report: Pakta's verdict with a human
    summary in Indonesian (the verdict's title and sentence, then one line per signature: signer, NIP,
    time, certified or not) and the ETSI TS 119 102-2 XML report (`signatures.reports`), replacing an
    earlier report of the pact. Audit: `integrity.pact.validation_report_stored`.

    Never raises: any failure (no revision yet, a damaged file, a validation crash) is logged with its
    traceback and nothing is written, so signing is never broken by its report; call again to retry.

    :returns: the stored report, or None when it could not be made.
    """
    try:
        revision = pact_latest_revision(pact)
        if revision is None:
            logger.error("Pact %s has no revision; no validation report", pact.number)
            return None
        pdf = pact_revision_bytes(revision)
        report = verify_document(pdf)
        crls, ocsps = _revocation_material(pdf)
        roots = ca.trust_roots() + certified_roots() + tsa_trust_roots()
        xml = etsi_validation_report_xml(pdf, trust_roots=roots, crls=crls, ocsps=ocsps)
        summary = _summary(pact, revision.sequence, revision.sha256, report)
        name = _store_xml(xml)
        with transaction.atomic():
            stored, _created = PactValidationReport.objects.update_or_create(
                pact=pact,
                defaults={
                    "revision": revision,
                    "verdict": report.verdict.value,
                    "summary": summary,
                    "summary_json": report.to_dict(),
                    "xml": name,
                },
            )
            audit_record(
                action="integrity.pact.validation_report_stored",
                actor=actor,
                subject=stored,
                payload={
                    "pact_id": pact.pk,
                    "number": pact.number,
                    "sequence": revision.sequence,
                    "verdict": report.verdict.value,
                    "xml_sha256": hashlib.sha256(xml).hexdigest(),
                },
            )
        return stored
    except Exception:
        logger.exception("The validation report of pact %s could not be made; the pact is unchanged", pact.number)
        return None


def pact_validation_reports_missing(*, actor: Any = None) -> int:
    """Make the validation report of every SIGNED pact that has none (its task was lost, or the report
    failed and the cause is fixed). Failures are logged by `pact_validation_report_store` and left for the
    next run.

    :returns: the number of reports made.
    """
    sealed = PactRevision.objects.filter(pact=OuterRef("pk"), kind=PactRevision.Kind.LTA)
    pending = IntegrityPact.objects.filter(
        Exists(sealed), status=IntegrityPact.Status.SIGNED, validation_report__isnull=True
    ).order_by("pk")
    made = 0
    for pact in pending:
        if pact_validation_report_store(pact=pact, actor=actor) is not None:
            made += 1
    return made


def _summary(pact: IntegrityPact, sequence: int, sha256: str, report: VerificationReport) -> str:
    lines = [
        str(SUMMARY_HEADER) % {"number": pact.number, "sequence": sequence, "sha256": sha256},
        "",
        verdict_title(report.verdict),
        verdict_explanation(report.verdict),
        "",
    ]
    signatures = [s for s in report.signatures if s.kind is not SignatureKind.DOC_TIMESTAMP]
    for index, signature in enumerate(signatures, start=1):
        moment = signature.timestamp_time or signature.signing_time
        lines.append(
            str(SUMMARY_SIGNATURE)
            % {
                "index": index,
                "name": signature.signer_name or UNKNOWN,
                "nip": signature.signer_nip or UNKNOWN,
                "time": moment.astimezone(JAKARTA).strftime("%d-%m-%Y %H:%M:%S WIB") if moment else UNKNOWN,
                "certified": CERTIFIED if signature.certified else UNCERTIFIED,
            }
        )
    if report.reasons:
        lines += ["", str(SUMMARY_REASONS), *(f"- {reason}" for reason in report.reasons)]
    return "\n".join(lines) + "\n"


def _revocation_material(pdf: bytes) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse]]:
    """CRLs and OCSP responses for every signer and TSA our CA certified, made in-process (other providers'
    data is in the document's DSS, put there by the seal)."""
    return embedded_material(signature_certificates(pdf))


def _store_xml(xml: bytes) -> str:
    """Content-addressed like the revisions: `pacts/reports/<sha256>.xml`, written once."""
    name = f"pacts/reports/{hashlib.sha256(xml).hexdigest()}.xml"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(xml))
    return name
