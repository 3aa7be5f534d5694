"""The OCSP responder of the issuing CA (RFC 6960): answers to requests at /ca/ocsp, and fresh responses
made in-process for validators and for sealing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from django.utils import timezone

from signatures.ca.certificates import _serial_hex
from signatures.ca.keys import _current, _load
from signatures.models import CaKey, Revocation, RevocationReason, SigningIdentity

OCSP_VALIDITY = datetime.timedelta(days=1)


def _issuer_hashes(cert: x509.Certificate, algorithm: hashes.HashAlgorithm) -> tuple[bytes, bytes]:
    """OCSP CertID hashes of an issuer: of its subject name (DER) and of its public key bit string."""
    name = hashes.Hash(algorithm)
    name.update(cert.subject.public_bytes())
    key = hashes.Hash(algorithm)
    key.update(
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)).public_key["public_key"].contents[1:]
    )
    return name.finalize(), key.finalize()


def _status_of(
    issuer: CaKey, serial: int
) -> tuple[ocsp.OCSPCertStatus, datetime.datetime | None, x509.ReasonFlags | None]:
    serial_hex = _serial_hex(serial)
    revocation = Revocation.objects.filter(issuer=issuer, serial=serial_hex).first()
    if revocation is not None:
        reason = None if revocation.reason == RevocationReason.UNSPECIFIED else x509.ReasonFlags[revocation.reason]
        return ocsp.OCSPCertStatus.REVOKED, revocation.revoked_at, reason
    issued = (
        SigningIdentity.objects.filter(issuer=issuer, serial=serial_hex).exists()
        or CaKey.objects.filter(serial=serial_hex, role__in=[CaKey.Role.TSA, CaKey.Role.OCSP, CaKey.Role.SEAL]).exists()
    )
    return (ocsp.OCSPCertStatus.GOOD if issued else ocsp.OCSPCertStatus.UNKNOWN), None, None


def _ocsp_response(
    *,
    issuer_name_hash: bytes,
    issuer_key_hash: bytes,
    algorithm: hashes.HashAlgorithm,
    serial: int,
    nonce: bytes | None,
) -> ocsp.OCSPResponse:
    issuing = _load(_current(CaKey.Role.ISSUING))
    if (issuer_name_hash, issuer_key_hash) != _issuer_hashes(issuing.cert, algorithm):
        # Not a certificate of our issuing CA: we are not authoritative for it (RFC 6960 §2.3).
        return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    responder = _load(_current(CaKey.Role.OCSP))
    status, revoked_at, reason = _status_of(issuing.row, serial)
    builder = _builder(
        responder.cert,
        name_hash=issuer_name_hash,
        key_hash=issuer_key_hash,
        algorithm=algorithm,
        serial=serial,
        status=(status, revoked_at, reason),
        now=timezone.now().replace(microsecond=0),
    )
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.sign(responder.key, hashes.SHA256())


def _builder(
    responder: x509.Certificate,
    *,
    name_hash: bytes,
    key_hash: bytes,
    algorithm: hashes.HashAlgorithm,
    serial: int,
    status: tuple[ocsp.OCSPCertStatus, datetime.datetime | None, x509.ReasonFlags | None],
    now: datetime.datetime,
) -> ocsp.OCSPResponseBuilder:
    """One certificate's status (status, revocation time, reason), valid from `now` for OCSP_VALIDITY,
    identified by the responder's key hash and carrying its certificate; unsigned."""
    cert_status, revoked_at, reason = status
    return (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            issuer_name_hash=name_hash,
            issuer_key_hash=key_hash,
            serial_number=serial,
            algorithm=algorithm,
            cert_status=cert_status,
            this_update=now,
            next_update=now + OCSP_VALIDITY,
            revocation_time=revoked_at,
            revocation_reason=reason,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, responder)
        .certificates([responder])
    )


def ocsp_response_der(request_der: bytes) -> bytes:
    """Answer an OCSP request (RFC 6960, one certificate per request) for a certificate of the issuing CA:
    `good`, `revoked` (with time and reason) or `unknown`, signed by the OCSP responder certificate, with
    the request's nonce echoed. A malformed request gets `malformedRequest`; a certificate of another
    issuer `unauthorized`.

    :raises CaNotInitialized: the CA has not been initialised.
    """
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        nonce: bytes | None
        try:
            nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
        except x509.ExtensionNotFound:
            nonce = None
        fields = (request.issuer_name_hash, request.issuer_key_hash, request.hash_algorithm, request.serial_number)
    except (ValueError, TypeError, x509.UnsupportedGeneralNameType):
        return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(
            serialization.Encoding.DER
        )
    name_hash, key_hash, algorithm, serial = fields
    response = _ocsp_response(
        issuer_name_hash=name_hash, issuer_key_hash=key_hash, algorithm=algorithm, serial=serial, nonce=nonce
    )
    return response.public_bytes(serialization.Encoding.DER)


def ocsp_responses_for_serials(serials: Iterable[int]) -> dict[int, asn1_ocsp.OCSPResponse]:
    """Fresh OCSP responses for certificates of the issuing CA, one per distinct serial number (SHA-256
    CertIDs, no nonce, signed by the OCSP responder), as `revocation_material_for` makes them one at a
    time: the statuses are read in three queries for all serials together (sealing,
    `signatures.revocation`). A serial the issuing CA never issued gets `unknown`, as in `ocsp_response_der`.

    :raises CaNotInitialized: the CA has not been initialised.
    """
    wanted = {serial: _serial_hex(serial) for serial in sorted(set(serials))}
    if not wanted:
        return {}
    issuing = _load(_current(CaKey.Role.ISSUING))
    responder = _load(_current(CaKey.Role.OCSP))
    revoked: dict[str, Revocation] = {}
    for revocation in Revocation.objects.filter(issuer=issuing.row, serial__in=wanted.values()).order_by("pk"):
        revoked.setdefault(revocation.serial, revocation)
    issued = set(
        SigningIdentity.objects.filter(issuer=issuing.row, serial__in=wanted.values()).values_list("serial", flat=True)
    ) | set(
        CaKey.objects.filter(
            serial__in=wanted.values(), role__in=[CaKey.Role.TSA, CaKey.Role.OCSP, CaKey.Role.SEAL]
        ).values_list("serial", flat=True)
    )
    algorithm = hashes.SHA256()
    name_hash, key_hash = _issuer_hashes(issuing.cert, algorithm)
    now = timezone.now().replace(microsecond=0)
    responses: dict[int, asn1_ocsp.OCSPResponse] = {}
    for serial, serial_hex in wanted.items():
        entry = revoked.get(serial_hex)
        reason: x509.ReasonFlags | None = None
        revoked_at: datetime.datetime | None = None
        if entry is not None:
            status = ocsp.OCSPCertStatus.REVOKED
            revoked_at = entry.revoked_at
            if entry.reason != RevocationReason.UNSPECIFIED:
                reason = x509.ReasonFlags[entry.reason]
        else:
            status = ocsp.OCSPCertStatus.GOOD if serial_hex in issued else ocsp.OCSPCertStatus.UNKNOWN
        response = _builder(
            responder.cert,
            name_hash=name_hash,
            key_hash=key_hash,
            algorithm=algorithm,
            serial=serial,
            status=(status, revoked_at, reason),
            now=now,
        ).sign(responder.key, hashes.SHA256())
        responses[serial] = asn1_ocsp.OCSPResponse.load(response.public_bytes(serialization.Encoding.DER))
    return responses
