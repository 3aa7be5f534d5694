"""ETSI TS 119 102-2 signature validation reports (signatures issue §3, "at completion each pact stores its
validation report").

`etsi_validation_report_xml` runs pyHanko's AdES-LTA validation (ETSI EN 319 102-1 §5.6.3) on every
regular signature of a PDF and renders the result as one ETSI TS 119 102-2 `ValidationReport` XML
document: one `SignatureValidationReport` per signature, in document order, and the validation objects
(certificates, CRLs, OCSP responses, timestamps) they refer to, each once.

Validation uses only what it is given and what the file carries (its DSS and document timestamps):
revocation gathering is `LOCAL_ONLY`, so nothing is fetched over the network. Pakta hands it the embedded
CA's roots and the CRLs/OCSP responses made in-process (`signatures.ca.revocation_material_for`).

pyHanko's public `generate_report` reports on one signature; a pact carries several, so this module uses
the same building blocks (`pyhanko.sign.validation.report.tools._generate_report` and
`_package_validation_object`, pyHanko 0.38) to put them in one document. The test suite
(`tests/integrity/test_validation_reports.py`) guards that contract on upgrades.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext_lazy as _
from pyhanko.generated.etsi import ts_11910202
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.ades import ValidationObjectSet, ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.report.tools import NAMESPACES, _generate_report, _package_validation_object
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

from audit.errors import ApplicationError

REPORT_FAILED = _("Laporan validasi ETSI tidak dapat dibuat: %(detail)s")
NO_SIGNATURES = _("dokumen tidak memuat tanda tangan.")


class ValidationReportError(ApplicationError):
    """The ETSI validation report could not be produced (not a PDF, no signature, a validation crash)."""

    status_code = 409


def etsi_validation_report_xml(
    pdf: bytes,
    *,
    trust_roots: Sequence[asn1_x509.Certificate],
    crls: Iterable[asn1_crl.CertificateList] = (),
    ocsps: Iterable[asn1_ocsp.OCSPResponse] = (),
) -> bytes:
    """The ETSI TS 119 102-2 validation report of every signature in a signed PDF, as UTF-8 XML.

    Each regular signature (not the document timestamps, which serve as its evidence record) goes through
    pyHanko's AdES-LTA validation at the current time, trusting only `trust_roots`, requiring revocation
    information for every certificate (`REQUIRE_REVINFO`), and gathering it only locally (`LOCAL_ONLY`):
    from `crls`, `ocsps` and the document's own DSS. The verdict of each signature is in its
    `SignatureValidationStatus/MainIndication` (`total-passed`, `total-failed`, `indeterminate`); a failed
    signature is reported, not raised.

    :param pdf: the signed PDF's bytes.
    :param trust_roots: the root certificates to trust (e.g. `signatures.ca.trust_roots()`).
    :param crls: CRLs known to the caller, e.g. made in-process by `signatures.ca.revocation_material_for`.
    :param ocsps: OCSP responses known to the caller.
    :return: the XML document (`<ValidationReport>` in the ETSI TS 119 102-2 namespace), UTF-8 encoded.
    :raises ValidationReportError: the bytes are not a readable PDF, it has no signature, or pyHanko could
        not validate a signature far enough to report on it.
    """
    try:
        spec = _validation_spec(trust_roots, crls, ocsps)
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_regular_signatures)
        if not embedded:
            raise ValidationReportError(REPORT_FAILED % {"detail": NO_SIGNATURES})
        timing = ValidationTimingInfo.now()
        results = [asyncio.run(ades_lta_validation(sig, spec, timing_info=timing)) for sig in embedded]
        reports = []
        for sig, result in zip(embedded, results, strict=True):
            if result.api_status is None:
                raise ValidationReportError(
                    REPORT_FAILED % {"detail": f"{sig.field_name}: {result.failure_msg or result.ades_subindic}"}
                )
            reports.append(_generate_report(sig, result))
        objects = ValidationObjectSet(*(result.validation_objects for result in results))
        report = ts_11910202.ValidationReport(
            signature_validation_report=tuple(reports),
            signature_validation_objects=ts_11910202.ValidationObjectListType(
                tuple(_package_validation_object(vo) for vo in objects)
            ),
        )
        return _render(report).encode("utf-8")
    except ValidationReportError:
        raise
    except Exception as exc:
        raise ValidationReportError(REPORT_FAILED % {"detail": f"{type(exc).__name__}: {exc}"}) from exc


def _validation_spec(
    trust_roots: Sequence[asn1_x509.Certificate],
    crls: Iterable[asn1_crl.CertificateList],
    ocsps: Iterable[asn1_ocsp.OCSPResponse],
) -> PdfSignatureValidationSpec:
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=list(trust_roots)),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
    )
    known_ocsps: list[Any] = []
    for response in ocsps:
        known_ocsps.extend(OCSPContainer.load_multi(response))
    knowledge = LocalKnowledge(known_crls=[CRLContainer(crl) for crl in crls], known_ocsps=known_ocsps)
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
            local_knowledge=knowledge,
        )
    )


def _render(report: Any) -> str:
    from xsdata.formats.dataclass.serializers import XmlSerializer
    from xsdata.formats.dataclass.serializers.config import SerializerConfig

    return XmlSerializer(config=SerializerConfig(indent="  ")).render(report, ns_map=NAMESPACES)
