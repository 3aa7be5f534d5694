"""Validation data for certificates outside our CA (an external TSA's chain, a certified provider's signer
and issuing CA): their paths to a trust root, checked before anything is fetched, and for each certificate
on a path the CRL of its first distribution point that answers (checked and cached until its nextUpdate),
else an OCSP response from its responder (`signatures.revocation.fetch` does the HTTP).
"""

from __future__ import annotations

import datetime
import http.client
import threading
import urllib.parse
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signatures.revocation.fetch import FETCHABLE_SCHEMES, fetch, is_ours
from signatures.signing import LongTermValidationError

CHAIN_UNTRUSTED = _(
    "Sertifikat %(subject)s tidak terhubung ke akar sertifikat tepercaya. Untuk penanda tangan dari "
    "penyelenggara sertifikasi elektronik (PSrE), letakkan sertifikat akarnya di PAKTA_CERTIFIED_ROOTS_DIR; "
    "untuk otoritas stempel waktu eksternal (PAKTA_TSA_URL), atur PAKTA_TSA_TRUST_ROOTS ke berkas sertifikat "
    "akarnya."
)
REVOCATION_FETCH_FAILED = _("Data pencabutan sertifikat %(subject)s tidak dapat diambil dari %(url)s: %(detail)s")
REVOCATION_NOT_FETCHABLE = _(
    "Sertifikat %(subject)s mencantumkan CRL atau OCSP, tetapi tidak pada alamat http/https yang dapat diambil."
)
REVOCATION_URL_OURS = _(
    "Sertifikat %(subject)s menunjuk data pencabutannya ke Pakta sendiri (%(url)s), padahal tidak diterbitkan "
    "oleh CA Pakta saat ini; Pakta tidak mengambil data dari dirinya sendiri."
)
CERTIFICATE_REVOKED = _("Sertifikat %(subject)s telah dicabut sejak %(revoked_at)s menurut %(url)s.")
CERTIFICATE_STATUS_UNKNOWN = _("Status sertifikat %(subject)s tidak diketahui oleh layanan OCSP %(url)s.")

_MAX_CHAIN = 8
_CACHE_MAX = 256
_CLOCK_SKEW = datetime.timedelta(minutes=5)


def chains(
    certs: list[asn1_x509.Certificate],
    *,
    known: list[asn1_x509.Certificate],
    root_digests: set[bytes],
) -> list[tuple[x509.Certificate, x509.Certificate]]:
    """(certificate, its issuer) for every certificate on the way from each of `certs` to a trust root, the
    root excluded, each once: those are the certificates that need revocation data. Issuers are found among
    `known` by name and signature, and must be CAs valid now (`_can_issue`).

    :raises LongTermValidationError: a certificate's chain does not end at a trust root.
    """
    if not certs:
        return []  # all ours (the usual seal): no index of names to build
    by_subject: dict[str, list[asn1_x509.Certificate]] = {}
    for candidate in known:
        by_subject.setdefault(candidate.subject.hashable, []).append(candidate)
    parsed: dict[bytes, x509.Certificate] = {}

    def crypto(cert: asn1_x509.Certificate) -> x509.Certificate:
        if cert.sha256 not in parsed:
            parsed[cert.sha256] = x509.load_der_x509_certificate(cert.dump())
        return parsed[cert.sha256]

    now = timezone.now()
    pairs: dict[bytes, tuple[x509.Certificate, x509.Certificate]] = {}
    for cert in certs:
        current = cert
        for _step in range(_MAX_CHAIN):
            if current.sha256 in root_digests:
                break
            issuer = next(
                (
                    candidate
                    for candidate in by_subject.get(current.issuer.hashable, [])
                    if candidate.sha256 != current.sha256
                    and _can_issue(crypto(candidate), now=now)
                    and _issued_by(crypto(current), crypto(candidate))
                ),
                None,
            )
            if issuer is None:
                raise _error(CHAIN_UNTRUSTED, cert)
            pairs.setdefault(current.sha256, (crypto(current), crypto(issuer)))
            current = issuer
        else:
            raise _error(CHAIN_UNTRUSTED, cert)
    return list(pairs.values())


def _can_issue(issuer: x509.Certificate, *, now: datetime.datetime) -> bool:
    """Whether `issuer` may issue certificates: basicConstraints cA, keyCertSign if it has a keyUsage, and
    valid at `now`."""
    constraints = _extension(issuer, x509.BasicConstraints)
    if constraints is None or not constraints.ca:
        return False
    usage = _extension(issuer, x509.KeyUsage)
    if usage is not None and not usage.key_cert_sign:
        return False
    return issuer.not_valid_before_utc <= now <= issuer.not_valid_after_utc


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def fetched_material(
    cert: x509.Certificate, issuer: x509.Certificate, *, now: datetime.datetime
) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse]]:
    """The CRL of the first CRL distribution point that answers, else (none declared or none answers) an
    OCSP response from the first OCSP responder that answers; nothing for a certificate that names neither
    (hard-fail does not ask for it) or is exempt (id-pkix-ocsp-nocheck)."""
    if _extension(cert, x509.OCSPNoCheck) is not None:
        return [], []
    crl_urls, crl_declared = _crl_urls(cert)
    ocsp_urls, ocsp_declared = _ocsp_urls(cert)
    if crl_urls:
        try:
            return [_checked_crl(cert, issuer, crl_urls, now=now)], []
        except _FetchFailed:
            if not ocsp_urls:
                raise
    if ocsp_urls:
        return [], [_checked_ocsp(cert, issuer, ocsp_urls, now=now)]
    if crl_declared or ocsp_declared:
        raise _error(REVOCATION_NOT_FETCHABLE, cert)
    return [], []


def _checked_crl(
    cert: x509.Certificate, issuer: x509.Certificate, urls: list[str], *, now: datetime.datetime
) -> asn1_crl.CertificateList:
    failure: tuple[str, Exception] | None = None
    for url in urls:
        try:
            crl, crl_asn1 = _crl(url, issuer, now=now)
        except (OSError, ValueError, TypeError, http.client.HTTPException) as exc:
            failure = (url, exc)
            continue
        revoked = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if revoked is not None:
            raise _error(CERTIFICATE_REVOKED, cert, url=url, revoked_at=revoked.revocation_date_utc.isoformat())
        return crl_asn1
    assert failure is not None
    raise _error(REVOCATION_FETCH_FAILED, cert, url=failure[0], detail=failure[1], kind=_FetchFailed)


class _FetchFailed(LongTermValidationError):
    """No CRL distribution point answered with a usable CRL (the OCSP responders may still)."""


_crl_lock = threading.Lock()
_crl_cache: dict[str, tuple[x509.CertificateRevocationList, asn1_crl.CertificateList, datetime.datetime]] = {}


def _crl(
    url: str, issuer: x509.Certificate, *, now: datetime.datetime
) -> tuple[x509.CertificateRevocationList, asn1_crl.CertificateList]:
    """The CRL at `url` issued and signed by `issuer`: from the cache while it is current, else fetched,
    parsed (DER or PEM), checked and cached until its nextUpdate. A cached CRL of another issuer (the CA
    changed its key) is fetched again.

    :raises ValueError: not a CRL, not `issuer`'s, or not current (no nextUpdate counts as not current).
    :raises OSError: fetching failed.
    """
    with _crl_lock:
        cached = _crl_cache.get(url)
    if cached is not None and now < cached[2] and _signed_by(cached[0], issuer):
        return cached[0], cached[1]
    body = fetch(url)
    crl = x509.load_pem_x509_crl(body) if body.lstrip().startswith(b"-----BEGIN") else x509.load_der_x509_crl(body)
    if not _signed_by(crl, issuer):
        raise ValueError("the CRL is not signed by the certificate's issuer")
    next_update = crl.next_update_utc
    if next_update is None or next_update <= now:
        raise ValueError(f"the CRL is out of date (nextUpdate {next_update})")
    if crl.last_update_utc > now + _CLOCK_SKEW:
        raise ValueError(f"the CRL is not valid yet (thisUpdate {crl.last_update_utc})")
    crl_asn1 = asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))
    with _crl_lock:
        if len(_crl_cache) >= _CACHE_MAX:
            _crl_cache.clear()
        _crl_cache[url] = (crl, crl_asn1, next_update)
    return crl, crl_asn1


def _signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    try:
        return crl.issuer == issuer.subject and crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _checked_ocsp(
    cert: x509.Certificate, issuer: x509.Certificate, urls: list[str], *, now: datetime.datetime
) -> asn1_ocsp.OCSPResponse:
    """A current `good` OCSP response for `cert` (its signature is checked by the seal's validation)."""
    request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1()).build()  # noqa: S303 (the CertID hash of RFC 5019)
    body = request.public_bytes(serialization.Encoding.DER)
    failure: tuple[str, Exception] | None = None
    for url in urls:
        try:
            answer = fetch(url, data=body, content_type="application/ocsp-request")
            response = ocsp.load_der_ocsp_response(answer)
            if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
                raise ValueError(f"the responder answered {response.response_status.name}")
            if response.serial_number != cert.serial_number:
                raise ValueError("the response is about another certificate")
            if response.next_update_utc is not None and response.next_update_utc <= now:
                raise ValueError(f"the response is out of date (nextUpdate {response.next_update_utc})")
        except (OSError, ValueError, TypeError, http.client.HTTPException) as exc:
            failure = (url, exc)
            continue
        if response.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            moment = response.revocation_time_utc
            raise _error(CERTIFICATE_REVOKED, cert, url=url, revoked_at=moment.isoformat() if moment else "?")
        if response.certificate_status != ocsp.OCSPCertStatus.GOOD:
            raise _error(CERTIFICATE_STATUS_UNKNOWN, cert, url=url)
        return asn1_ocsp.OCSPResponse.load(answer)
    assert failure is not None
    raise _error(REVOCATION_FETCH_FAILED, cert, url=failure[0], detail=failure[1])


def _crl_urls(cert: x509.Certificate) -> tuple[list[str], bool]:
    """The http(s) URLs of the certificate's CRL distribution points, and whether it declares any."""
    points = _extension(cert, x509.CRLDistributionPoints)
    if not points:
        return [], False
    names = [name for point in points for name in (point.full_name or ())]
    return _fetchable(cert, names), True


def _ocsp_urls(cert: x509.Certificate) -> tuple[list[str], bool]:
    """The http(s) URLs of the certificate's OCSP responders, and whether it declares any."""
    access = _extension(cert, x509.AuthorityInformationAccess)
    if access is None:
        return [], False
    names = [
        description.access_location
        for description in access
        if description.access_method == x509.oid.AuthorityInformationAccessOID.OCSP
    ]
    return _fetchable(cert, names), bool(names)


def _fetchable(cert: x509.Certificate, names: list[x509.GeneralName]) -> list[str]:
    """The http(s) URIs among `names`.

    :raises LongTermValidationError: one of them is on Pakta's own host.
    """
    urls = []
    for name in names:
        if not isinstance(name, x509.UniformResourceIdentifier):
            continue
        url = name.value
        if urllib.parse.urlsplit(url).scheme.lower() not in FETCHABLE_SCHEMES:
            continue
        if is_ours(url):
            raise _error(REVOCATION_URL_OURS, cert, url=url)
        urls.append(url)
    return urls


def _extension(cert: x509.Certificate, kind: type[Any]) -> Any:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _error(
    message: Any,
    cert: x509.Certificate | asn1_x509.Certificate,
    *,
    kind: type[LongTermValidationError] = LongTermValidationError,
    **params: Any,
) -> LongTermValidationError:
    if isinstance(cert, x509.Certificate):
        cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    subject = cert.subject.human_friendly  # as `signatures.signing` names certificates in its messages
    values = {"subject": subject, **{key: str(value) for key, value in params.items()}}
    return kind(message % values, extra=values)
