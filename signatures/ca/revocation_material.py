"""Revocation material for a certificate of our CA, made in-process: the CRLs and OCSP response a
validator needs (no HTTP to ourselves)."""

from __future__ import annotations

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from signatures.ca.keys import _current, _load
from signatures.ca.ocsp import _issuer_hashes, _ocsp_response
from signatures.ca.revocation_lists import crl_der
from signatures.models import CaKey


def _as_cryptography(cert: asn1_x509.Certificate | x509.Certificate | bytes) -> x509.Certificate:
    if isinstance(cert, x509.Certificate):
        return cert
    if isinstance(cert, asn1_x509.Certificate):
        return x509.load_der_x509_certificate(cert.dump())
    return x509.load_der_x509_certificate(bytes(cert))


def revocation_material_for(
    cert: asn1_x509.Certificate | x509.Certificate | bytes,
) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse]]:
    """CRLs and OCSP responses to hand to a pyHanko/certvalidator `ValidationContext(crls=..., ocsps=...)`
    for a certificate of our CA, made in-process (no HTTP to ourselves: 7x faster, measurements.md §4).

    For a certificate issued by our issuing CA: the issuing and root CRLs and a fresh OCSP response.
    For the issuing CA's own certificate: the root CRL. For any other certificate: nothing.

    :raises CaNotInitialized: the CA has not been initialised.
    """
    target = _as_cryptography(cert)
    issuing = _load(_current(CaKey.Role.ISSUING))
    root = _load(_current(CaKey.Role.ROOT))
    root_crl = asn1_crl.CertificateList.load(crl_der(CaKey.Role.ROOT))
    if target.issuer == root.cert.subject and target.subject != root.cert.subject:
        return [root_crl], []
    if target.issuer != issuing.cert.subject:
        return [], []
    crls = [asn1_crl.CertificateList.load(crl_der(CaKey.Role.ISSUING)), root_crl]
    try:
        target.extensions.get_extension_for_class(x509.OCSPNoCheck)
        return crls, []
    except x509.ExtensionNotFound:
        pass
    name_hash, key_hash = _issuer_hashes(issuing.cert, hashes.SHA256())
    response = _ocsp_response(
        issuer_name_hash=name_hash,
        issuer_key_hash=key_hash,
        algorithm=hashes.SHA256(),
        serial=target.serial_number,
        nonce=None,
    )
    return crls, [asn1_ocsp.OCSPResponse.load(response.public_bytes(serialization.Encoding.DER))]
