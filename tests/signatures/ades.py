"""AdES-LTA validation of a signed PDF from its own data only (pyHanko, no fetching): what an auditor
without network access would conclude, years later, from the file alone."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from io import BytesIO

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager

from signatures import ca


def ades_lta(pdf: bytes, roots: Sequence[asn1_x509.Certificate] | None = None) -> dict[str, object]:
    """The AdES-LTA sub-indication of every regular signature, by field name, trusting `roots` (the
    embedded CA's by default) and requiring revocation data for every certificate."""
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=list(ca.trust_roots() if roots is None else roots)),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
    )
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    reader = PdfFileReader(BytesIO(pdf))
    return {
        embedded.field_name: asyncio.run(
            ades_lta_validation(embedded, spec, timing_info=ValidationTimingInfo.now())
        ).ades_subindic
        for embedded in reader.embedded_regular_signatures
    }
