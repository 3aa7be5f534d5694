"""The embedded TSA answering RFC 3161 requests in-process (`InProcessTimeStamper`), built once per
process (`in_process_timestamper`)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import threading
from collections.abc import Sequence
from typing import Any

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.timestamps import TimeStamper

from signatures import ca
from signatures.models import CaKey
from signatures.signers.base import PrivateKey, _to_asn1


class InProcessTimeStamper(TimeStamper):
    """An RFC 3161 time-stamping authority in-process, signing with a key loaded once (EC or RSA).

    Unlike pyHanko's `DummyTimeStamper` (a test device that re-parses its key per token and is RSA-only),
    it keeps the parsed key, uses Pakta's TSA policy OID, a random 64-bit serial number, an accuracy of one
    second, echoes the request's nonce, and identifies its certificate with ESS signing-certificate-v2
    (SHA-256). The TSA certificate and its issuing CA are embedded in each token.
    """

    def __init__(
        self,
        *,
        tsa_cert: asn1_x509.Certificate,
        tsa_key: PrivateKey,
        chain: Sequence[asn1_x509.Certificate] = (),
        policy: str = ca.POLICY_TIMESTAMPING,
    ) -> None:
        super().__init__(include_nonce=True)
        self.tsa_cert = tsa_cert
        self._key = tsa_key
        self._chain = list(chain)
        self._policy = policy

    def _signed_attributes(self, tst_info_der: bytes, now: datetime.datetime) -> cms.CMSAttributes:
        return cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(now)})),
                simple_cms_attribute("signing_certificate_v2", as_signing_certificate_v2(self.tsa_cert, "sha256")),
                simple_cms_attribute("message_digest", hashlib.sha256(tst_info_der).digest()),
            ]
        )

    def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Answer a time-stamp request with a granted response carrying a signed token."""
        now = datetime.datetime.now(datetime.UTC)
        tst_fields: dict[str, Any] = {
            "version": "v1",
            "policy": self._policy,
            "message_imprint": req["message_imprint"],
            "serial_number": secrets.randbits(64),
            "gen_time": now,
            "accuracy": {"seconds": 1},
            "tsa": asn1_x509.GeneralName(name="directory_name", value=self.tsa_cert.subject),
        }
        if req["nonce"].native is not None:
            tst_fields["nonce"] = req["nonce"]
        tst_info_der = tsp.TSTInfo(tst_fields).dump()
        signed_attrs = self._signed_attributes(tst_info_der, now)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            signature = self._key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
            signature_algorithm = "sha256_ecdsa"
        else:
            signature = self._key.sign(signed_attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
            signature_algorithm = "sha256_rsa"
        digest_algorithm = algos.DigestAlgorithm({"algorithm": "sha256"})
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                            {"issuer": self.tsa_cert.issuer, "serial_number": self.tsa_cert.serial_number}
                        )
                    }
                ),
                "digest_algorithm": digest_algorithm,
                "signed_attrs": signed_attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": signature_algorithm}),
                "signature": signature,
            }
        )
        signed_data = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": cms.DigestAlgorithms((digest_algorithm,)),
                "encap_content_info": cms.EncapsulatedContentInfo(
                    {"content_type": "tst_info", "content": cms.ParsableOctetString(tst_info_der)}
                ),
                "certificates": [self.tsa_cert, *self._chain],
                "signer_infos": [signer_info],
            }
        )
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
        return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return self.request_tsa_response(req)


_timestamper_lock = threading.Lock()
_timestampers: dict[bytes, InProcessTimeStamper] = {}


def in_process_timestamper() -> InProcessTimeStamper:
    """The embedded TSA as a pyHanko timestamper, built once per process (rebuilt if the TSA key changes).

    :raises signatures.ca.CaNotInitialized: the CA has not been initialised.
    """
    cert, key = ca.load_ca_key(CaKey.Role.TSA)
    fingerprint = cert.fingerprint(hashes.SHA256())
    with _timestamper_lock:
        stamper = _timestampers.get(fingerprint)
        if stamper is None:
            issuing = ca.ca_certificate(CaKey.Role.ISSUING)
            stamper = InProcessTimeStamper(tsa_cert=_to_asn1(cert), tsa_key=key, chain=[issuing])
            if len(_timestampers) > 8:
                _timestampers.clear()
            _timestampers[fingerprint] = stamper
    return stamper
