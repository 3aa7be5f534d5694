"""NIST PKITS path validation cases (corpus `pkits/pkits-subset.json`) through pyhanko-certvalidator.

The verifier leans on pyhanko-certvalidator for certificate paths; these cases pin the outcomes it must
keep giving with the settings pyHanko's own PKITS test uses: the PKITS trust anchor and its CRL plus each
case's CRLs, revocation "require" (or "hard-fail" for cases marked `"revocation": false`), MD2/MD5
disallowed, DSA from 1024 bits, and the time fixed at 2022-05-01 (corpus README), here as the context's
`moment` instead of a frozen clock.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.authority import CertTrustAnchor
from pyhanko_certvalidator.errors import InsufficientRevinfoError, PathValidationError, RevokedError
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.policy_decl import DisallowWeakAlgorithmsPolicy
from pyhanko_certvalidator.validate import validate_path

from tests.conftest import CORPUS_DIR

pytestmark = pytest.mark.corpus

MOMENT = dt.datetime(2022, 5, 1, tzinfo=dt.UTC)
ERRORS = {
    "PathValidationError": PathValidationError,
    "InsufficientRevinfoError": InsufficientRevinfoError,
    "RevokedError": RevokedError,
}


def _cases() -> list[Any]:
    path = CORPUS_DIR / "pkits" / "pkits-subset.json"
    if not path.is_file():
        return [pytest.param(None, id="corpus-missing")]
    return [pytest.param(case, id=f"{case['id']}-{case['name']}") for case in json.loads(path.read_text())]


def _cert(pkits: Path, name: str) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load((pkits / "certs" / name).read_bytes())


def _crl(pkits: Path, name: str) -> asn1_crl.CertificateList:
    return asn1_crl.CertificateList.load((pkits / "crls" / name).read_bytes())


@pytest.mark.parametrize("case", _cases())
def test_pkits_path_validation(corpus_dir: Path, case: dict[str, Any]) -> None:
    pkits = corpus_dir / "pkits"
    root = _cert(pkits, "TrustAnchorRootCertificate.crt")
    cert = _cert(pkits, case["cert"])
    context = ValidationContext(
        trust_roots=[root],
        other_certs=[_cert(pkits, name) for name in case.get("other_certs", [])],
        crls=[_crl(pkits, "TrustAnchorRootCRL.crl")] + [_crl(pkits, name) for name in case.get("crls", [])],
        revocation_mode="require" if case.get("revocation", True) else "hard-fail",
        moment=MOMENT,
        algorithm_usage_policy=DisallowWeakAlgorithmsPolicy(
            weak_hash_algos={"md2", "md5"}, dsa_key_size_threshold=1024
        ),
    )
    if "path_intermediates" in case:
        path = ValidationPath(
            trust_anchor=CertTrustAnchor(root),
            interm=[_cert(pkits, name) for name in case["path_intermediates"]],
            leaf=cert,
        )
    else:
        paths = context.path_builder.build_paths(cert)
        assert len(paths) == 1
        path = paths[0]
    assert len(path) == case["path_len"]

    error = case.get("error")
    if error is None:
        validate_path(context, path)
    else:
        with pytest.raises(ERRORS[error["class"]], match=error["msg_regex"]):
            validate_path(context, path)
