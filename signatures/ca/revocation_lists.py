"""Certificate revocation lists of the root and issuing CAs (served at /ca/crl/<role>.crl and handed
in-process to validators). `_crl_cache` is the one per-process cache of signed CRLs."""

from __future__ import annotations

import datetime
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from django.utils import timezone

from signatures.ca.certificates import _fingerprint, _ski
from signatures.ca.keys import _current, _load
from signatures.models import CaKey, Revocation, RevocationReason

CRL_VALIDITY = datetime.timedelta(days=7)
CRL_REISSUE_AFTER = datetime.timedelta(hours=12)

_crl_lock = threading.Lock()
_crl_cache: dict[tuple[str, int, int], tuple[bytes, datetime.datetime]] = {}


def crl_der(issuer_role: str = CaKey.Role.ISSUING) -> bytes:
    """The current CRL of the root or issuing CA (DER), listing every certificate it revoked, valid for
    7 days. It is re-signed when a revocation is added and at least every 12 hours (one per process).

    :raises CaNotInitialized: the CA has not been initialised.
    :raises ValueError: `issuer_role` is neither `root` nor `issuing`.
    """
    if issuer_role not in (CaKey.Role.ROOT, CaKey.Role.ISSUING):
        raise ValueError(f"no CRL for {issuer_role!r}")
    issuer = _load(_current(issuer_role))
    revocations = list(Revocation.objects.filter(issuer=issuer.row).order_by("pk"))
    cache_key = (_fingerprint(issuer.cert), len(revocations), revocations[-1].pk if revocations else 0)
    now = timezone.now()
    with _crl_lock:
        cached = _crl_cache.get(cache_key)
    if cached is not None and now - cached[1] < CRL_REISSUE_AFTER:
        return cached[0]
    this_update = now.replace(microsecond=0)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(this_update)
        .next_update(this_update + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(int(this_update.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(issuer.cert)), critical=False
        )
    )
    for revocation in revocations:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(int(revocation.serial, 16))
            .revocation_date(revocation.revoked_at)
        )
        if revocation.reason != RevocationReason.UNSPECIFIED:  # RFC 5280 §5.3.1: omit rather than "unspecified"
            entry = entry.add_extension(x509.CRLReason(x509.ReasonFlags[revocation.reason]), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    der = builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    with _crl_lock:
        if len(_crl_cache) > 64:
            _crl_cache.clear()
        _crl_cache[cache_key] = (der, now)
    return der
