"""Validation data for sealing: the trust roots, CRLs and OCSP responses that `signatures.signing.seal_lta`
needs for every certificate in a document and for the timestamping authority, gathered beforehand (the
seal checks hard-fail and fetches nothing itself).

- **Our embedded CA's certificates**: made in-process (`signatures.ca`), never over HTTP to ourselves. One
  call reads and parses each CRL once and signs one OCSP response per distinct serial number, so its
  queries do not grow with the number of certificates (about a dozen for a pact, against ~57 when the
  material was made certificate by certificate).
- **Other certificates** (an external TSA's chain, `settings.PAKTA_TSA_URL`; a certified provider's (PSrE)
  signer and its issuing CA): fetched from the URLs in the certificates, which name an outside party: the
  CRL from the CRL distribution point, else an OCSP response from the authority information access. Only
  http and https, at most `FETCH_TIMEOUT` seconds and `FETCH_MAX_BYTES` per answer, never a URL on Pakta's
  own host (`PAKTA_BASE_URL`) nor one whose host resolves to an internal address (loopback, private,
  link-local, ...; unless `settings.PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS`), redirects included. When no CRL
  distribution point answers, the OCSP responders are asked instead. A CRL is checked (issuer, signature,
  still current) and kept in the process until its nextUpdate, so a busy day fetches it once (a revocation the provider
  publishes meanwhile is seen at the next CRL, as with any CRL consumer); OCSP responses are asked for
  each seal.
- **Trust roots**: the embedded CA's (`signatures.ca.trust_roots`), the certified providers'
  (`settings.PAKTA_CERTIFIED_ROOTS_DIR`) and the external TSA's (`settings.PAKTA_TSA_TRUST_ROOTS`): the
  same as verification trusts (`signatures.verification_service`). Each other certificate must chain to
  one of them through the certificates handed in (the intermediates a signature's CMS or a TSA's token
  carries), checked before anything is fetched; every issuer on the way must be a CA (basicConstraints cA,
  keyCertSign when keyUsage is present) within its validity period, so an end-entity key cannot vouch for a
  certificate of its own making; every certificate on that path but the root gets its
  revocation data.

Every refusal is a `signatures.signing.LongTermValidationError` whose message says which certificate and
why; nothing of it is secret (certificates and revocation data are public).
"""

from __future__ import annotations

import datetime
import functools
import http.client
import ipaddress
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signatures import ca
from signatures.models import CaKey
from signatures.signing import LongTermValidationError
from signatures.verification_service import certified_roots, tsa_trust_roots

FETCH_TIMEOUT = 10.0
"""Seconds one CRL or OCSP request may take in all (connecting, redirects, reading)."""
FETCH_MAX_BYTES = 10 * 1024 * 1024
"""The largest CRL or OCSP response read; a larger one is refused."""

CHAIN_UNTRUSTED = _(
    "Sertifikat %(subject)s tidak terhubung ke akar sertifikat tepercaya. Untuk penanda tangan dari "
    "penyelenggara sertifikasi elektronik (PSrE), letakkan sertifikat akarnya di PAKTA_CERTIFIED_ROOTS_DIR; "
    "untuk otoritas stempel waktu eksternal (PAKTA_TSA_URL), atur PAKTA_TSA_TRUST_ROOTS ke berkas sertifikat "
    "akarnya."
)
PRIVATE_NETWORK_REFUSED = _(
    "alamat jaringan internal tidak diizinkan: %(host)s mengarah ke %(address)s (atur "
    "PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS hanya bila memang disengaja)"
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
_MAX_REDIRECTS = 3
_READ_CHUNK = 64 * 1024
_CACHE_MAX = 256
_CLOCK_SKEW = datetime.timedelta(minutes=5)
_FETCHABLE_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class ValidationMaterial:
    """What a long-term seal validates against: `seal_lta(trust_roots=..., crls=..., ocsps=...)`."""

    trust_roots: list[asn1_x509.Certificate]
    crls: list[asn1_crl.CertificateList]
    ocsps: list[asn1_ocsp.OCSPResponse]


def validation_material(
    certificates: Iterable[asn1_x509.Certificate], *, intermediates: Iterable[asn1_x509.Certificate] = ()
) -> ValidationMaterial:
    """Trust roots, CRLs and OCSP responses to validate `certificates` hard-fail without fetching: signers
    and TSAs of a document (`signatures.signing.signature_certificates_with_chains`) and the certificates of
    the TSA that will timestamp it (`signatures.tsa.tsa_certificates`). See the module docstring for where
    each piece comes from.

    :param certificates: certificates that must validate: end-entity certificates, and any intermediate
        whose data is wanted in any case (each certificate once is enough; duplicates are ignored).
    :param intermediates: certificates that may lie on their paths, such as those a signature's CMS
        carries. Only those on a path to a trust root get revocation data; the others (a stray certificate
        in a PKCS#12 file) are ignored rather than refused.
    :raises signatures.signing.LongTermValidationError: a certificate not issued by our CA does not chain to
        a trust root; its CRL or OCSP response cannot be fetched, is not valid or current, says revoked or
        unknown; or it points to Pakta's own host for them.
    :raises signatures.ca.CaNotInitialized: a certificate of our CA is handed in but the CA's keys are gone.
    """
    roots = _unique([*ca.trust_roots(), *certified_roots(), *tsa_trust_roots()])
    certs = _unique(certificates)
    root_digests = {root.sha256 for root in roots}
    try:
        issuing, root = ca.ca_chain()
    except ca.CaNotInitialized:
        issuing = root = None
    ours: list[asn1_x509.Certificate] = []
    theirs: list[asn1_x509.Certificate] = []
    for cert in certs:
        if cert.sha256 in root_digests:
            continue
        if issuing is not None and root is not None and cert.issuer in (issuing.subject, root.subject):
            ours.append(cert)
        else:
            theirs.append(cert)
    crls, ocsps = _embedded_material(ours, issuing) if ours and issuing is not None else ([], [])
    pairs = _chains(theirs, known=_unique([*certs, *intermediates, *roots]), root_digests=root_digests)
    now = timezone.now()
    for cert, issuer in pairs:
        cert_crls, cert_ocsps = _fetched_material(cert, issuer, now=now)
        crls.extend(cert_crls)
        ocsps.extend(cert_ocsps)
    return ValidationMaterial(trust_roots=roots, crls=_unique_crls(crls), ocsps=ocsps)


# --------------------------------------------------------------------------------------------------------
# Our CA: in-process
# --------------------------------------------------------------------------------------------------------


def embedded_material(
    certificates: Iterable[asn1_x509.Certificate],
) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse]]:
    """CRLs and OCSP responses, made in-process, for those of `certificates` our CA issued (the others are
    left out: nothing is fetched). Empty when the CA has not been initialised."""
    try:
        issuing, root = ca.ca_chain()
    except ca.CaNotInitialized:
        return [], []
    ours = [cert for cert in _unique(certificates) if cert.issuer in (issuing.subject, root.subject)]
    return _embedded_material(ours, issuing) if ours else ([], [])


def _embedded_material(
    certs: list[asn1_x509.Certificate], issuing: asn1_x509.Certificate
) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse]]:
    """What `ca.revocation_material_for` gives each certificate, for all at once: the root CRL (it covers
    the issuing CA), the issuing CA's CRL and an OCSP response for what the issuing CA issued (except the
    OCSP responder, id-pkix-ocsp-nocheck)."""
    crls = [asn1_crl.CertificateList.load(ca.crl_der(CaKey.Role.ROOT))]
    issued = [cert for cert in certs if cert.issuer == issuing.subject]
    if not issued:
        return crls, []
    crls.insert(0, asn1_crl.CertificateList.load(ca.crl_der(CaKey.Role.ISSUING)))
    serials = {cert.serial_number for cert in issued if cert.ocsp_no_check_value is None}
    return crls, list(ca.ocsp_responses_for_serials(serials).values())


# --------------------------------------------------------------------------------------------------------
# Other CAs: chains and fetching
# --------------------------------------------------------------------------------------------------------


def _chains(
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


def _fetched_material(
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
    body = _fetch(url)
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
            answer = _fetch(url, data=body, content_type="application/ocsp-request")
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
        if urllib.parse.urlsplit(url).scheme.lower() not in _FETCHABLE_SCHEMES:
            continue
        if _is_ours(url):
            raise _error(REVOCATION_URL_OURS, cert, url=url)
        urls.append(url)
    return urls


def _extension(cert: x509.Certificate, kind: type[Any]) -> Any:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


# --------------------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------------------


class FetchRefused(ValueError):
    """A URL (or a redirect) that Pakta does not fetch: not http(s), on its own host, or on an internal
    network address."""


def _is_ours(url: str) -> bool:
    """Whether `url` is on the host of `settings.PAKTA_BASE_URL` (any port): that would be HTTP to ourselves."""
    own = urllib.parse.urlsplit(str(settings.PAKTA_BASE_URL)).hostname
    host = urllib.parse.urlsplit(url).hostname
    return bool(own) and bool(host) and str(host).lower().rstrip(".") == str(own).lower().rstrip(".")


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in _FETCHABLE_SCHEMES or not parts.hostname:
        raise FetchRefused(f"only http and https URLs are fetched, not {url!r}")
    if _is_ours(url):
        raise FetchRefused(f"{url} is Pakta's own host")
    if not settings.PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS:
        _check_public(parts.hostname, parts.port)


def _check_public(host: str, port: int | None) -> None:
    """Refuses a host that resolves to any loopback, private, link-local, multicast, reserved or unspecified
    address (a CA's URL must not make Pakta reach into its own network).

    :raises FetchRefused: it does.
    :raises OSError: it does not resolve.
    """
    for *_rest, sockaddr in socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP):
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if (
            address.is_loopback
            or address.is_private
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        ):
            raise FetchRefused(str(PRIVATE_NETWORK_REFUSED % {"host": host, "address": address}))


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a few redirects, each checked like the first URL."""

    max_redirections = _MAX_REDIRECTS

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        _check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    """One opener per process, as `urllib.request.urlopen` keeps one: building it makes an SSL context with
    the system's CA store, ~17 ms that would otherwise go into every fetch."""
    return urllib.request.build_opener(_CheckedRedirects)


def _fetch(url: str, *, data: bytes | None = None, content_type: str | None = None) -> bytes:
    """GET `url` (or POST `data`), at most `FETCH_MAX_BYTES` within `FETCH_TIMEOUT` seconds.

    :raises FetchRefused: the URL or a redirect is not fetchable (a ValueError).
    :raises ValueError: the answer is larger than allowed.
    :raises OSError: the request failed (connection, HTTP error status, timeout).
    """
    _check_url(url)
    deadline = time.monotonic() + FETCH_TIMEOUT
    headers = {"User-Agent": "Pakta"}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")  # noqa: S310 (checked above)
    opener = _opener()
    try:
        response = opener.open(request, timeout=FETCH_TIMEOUT)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise OSError(f"HTTP {exc.code} {exc.reason}") from None
    with response:
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > FETCH_MAX_BYTES:
            raise ValueError(f"the answer is larger than {FETCH_MAX_BYTES} bytes")
        chunks: list[bytes] = []
        size = 0
        sock = _socket_of(response)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no complete answer within {FETCH_TIMEOUT:g} s")
            if sock is not None and not response.isclosed():  # closed: the whole body is in, read1 gives b""
                sock.settimeout(min(remaining, FETCH_TIMEOUT))
            try:
                chunk = response.read1(_READ_CHUNK)
            except TimeoutError:
                raise TimeoutError(f"no complete answer within {FETCH_TIMEOUT:g} s") from None
            if not chunk:
                break
            size += len(chunk)
            if size > FETCH_MAX_BYTES:
                raise ValueError(f"the answer is larger than {FETCH_MAX_BYTES} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


def _socket_of(response: Any) -> socket.socket | None:
    """The socket under an `http.client.HTTPResponse` (its buffered reader over a `socket.SocketIO`), so
    each read can wait only for the time left; None if the layout is not the expected one (the deadline is
    then checked between reads, each bounded by the connection's `FETCH_TIMEOUT`)."""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


# --------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------


def _unique(certs: Iterable[asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    found: dict[bytes, asn1_x509.Certificate] = {}
    for cert in certs:
        found.setdefault(cert.sha256, cert)
    return list(found.values())


def _unique_crls(crls: Iterable[asn1_crl.CertificateList]) -> list[asn1_crl.CertificateList]:
    found: dict[bytes, asn1_crl.CertificateList] = {}
    for crl in crls:
        found.setdefault(crl.dump(), crl)
    return list(found.values())


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
