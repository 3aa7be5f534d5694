"""How much space to reserve in the PDF for a CMS signature or a timestamp token, from the size of the
certificates involved, so pyHanko need not make a dry-run signature to measure it (1.8×, measurements.md §3).
"""

from __future__ import annotations

from asn1crypto import x509 as asn1_x509
from pyhanko.sign import signers
from pyhanko.sign.timestamps import TimeStamper

from signatures.signers import InProcessTimeStamper

# DER bytes of a CMS signature beyond its certificates and signature value: signed attributes (content
# type, signing time, digest, signing certificate v2, CMS algorithm protection), the unsigned attribute
# holding the signature timestamp, algorithm identifiers and structure. Measured: 1 500 for our chain.
_CMS_OVERHEAD = 1536
# The same for a timestamp token from the embedded TSA beyond its certificates (TSTInfo, attributes,
# signature). Measured: 891.
_TST_OVERHEAD = 960
# Slack for what varies between signatures (ECDSA values, serial numbers, nonces), in DER bytes.
_SLACK = 512
# A timestamp token from an external TSA, whose chain is unknown before asking it.
_EXTERNAL_TST_ESTIMATE = 8 * 1024


def _cert_size(cert: asn1_x509.Certificate) -> int:
    return len(cert.dump())


def _signature_value_size(cert: asn1_x509.Certificate) -> int:
    """DER bytes of a signature value made with the key of `cert` (ECDSA: two integers; RSA: the modulus)."""
    key = cert.public_key
    if key.algorithm == "rsa":
        return key.bit_size // 8 + 8
    return 2 * (key.bit_size // 8) + 12


def _tst_size(timestamper: TimeStamper) -> int:
    """Estimated DER size of one timestamp token from `timestamper`."""
    if isinstance(timestamper, InProcessTimeStamper):
        certs = [timestamper.tsa_cert, *timestamper._chain]  # Pakta's own class; no public accessor
        return sum(_cert_size(cert) for cert in certs) + _signature_value_size(timestamper.tsa_cert) + _TST_OVERHEAD
    return _EXTERNAL_TST_ESTIMATE


def _reserve(signer: signers.Signer, timestamper: TimeStamper | None) -> int | None:
    """Hex characters to reserve for a CMS signature by `signer` with a signature timestamp: twice the
    estimated DER size with some slack (the CMS is written as hex). A tight reservation matters beyond
    file size: pyHanko parses hex strings one byte at a time, for every signature on every later read.
    None (pyHanko's dry run) when the signer's certificate is not known in advance."""
    if signer.signing_cert is None:
        return None
    certs = {cert.dump() for cert in (signer.cert_registry or ())}
    certs.add(signer.signing_cert.dump())
    der = sum(len(cert) for cert in certs) + _signature_value_size(signer.signing_cert) + _CMS_OVERHEAD
    if timestamper is not None:
        der += _tst_size(timestamper)
    return _round_hex(der)


def _tst_reserve(timestamper: TimeStamper) -> int:
    return _round_hex(_tst_size(timestamper))


def _round_hex(der_size: int) -> int:
    hex_chars = 2 * (der_size + _SLACK)
    return -(-hex_chars // 256) * 256
