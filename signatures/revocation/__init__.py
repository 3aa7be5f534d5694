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

from collections.abc import Iterable
from dataclasses import dataclass

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from django.utils import timezone

from signatures import ca
from signatures.models import CaKey
from signatures.revocation.external import chains, fetched_material
from signatures.verification_service import certified_roots, tsa_trust_roots

__all__ = ["ValidationMaterial", "embedded_material", "validation_material"]


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
        if issuing is not None and root is not None and _issued_by_one_of(cert, (issuing, root)):
            ours.append(cert)
        else:
            theirs.append(cert)
    crls, ocsps = _embedded_material(ours, issuing) if ours and issuing is not None else ([], [])
    pairs = chains(theirs, known=_unique([*certs, *intermediates, *roots]), root_digests=root_digests)
    now = timezone.now()
    for cert, issuer in pairs:
        cert_crls, cert_ocsps = fetched_material(cert, issuer, now=now)
        crls.extend(cert_crls)
        ocsps.extend(cert_ocsps)
    return ValidationMaterial(trust_roots=roots, crls=_unique_crls(crls), ocsps=ocsps)


def embedded_material(
    certificates: Iterable[asn1_x509.Certificate],
) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse]]:
    """CRLs and OCSP responses, made in-process, for those of `certificates` our CA issued (the others are
    left out: nothing is fetched). Empty when the CA has not been initialised."""
    try:
        issuing, root = ca.ca_chain()
    except ca.CaNotInitialized:
        return [], []
    ours = [cert for cert in _unique(certificates) if _issued_by_one_of(cert, (issuing, root))]
    return _embedded_material(ours, issuing) if ours else ([], [])


def _embedded_material(
    certs: list[asn1_x509.Certificate], issuing: asn1_x509.Certificate
) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse]]:
    """What `ca.revocation_material_for` gives each certificate, for all at once: the root CRL (it covers
    the issuing CA), the issuing CA's CRL and an OCSP response for what the issuing CA issued (except the
    OCSP responder, id-pkix-ocsp-nocheck)."""
    crls = [asn1_crl.CertificateList.load(ca.crl_der(CaKey.Role.ROOT))]
    issued = [cert for cert in certs if _issued_by_one_of(cert, (issuing,))]
    if not issued:
        return crls, []
    crls.insert(0, asn1_crl.CertificateList.load(ca.crl_der(CaKey.Role.ISSUING)))
    serials = {cert.serial_number for cert in issued if cert.ocsp_no_check_value is None}
    return crls, list(ca.ocsp_responses_for_serials(serials).values())


def _issued_by_one_of(cert: asn1_x509.Certificate, issuers: Iterable[asn1_x509.Certificate]) -> bool:
    """Whether `cert`'s issuer name is the subject of one of `issuers`: the encodings compared first (our CA
    writes them byte for byte alike), RFC 5280's name matching (asn1crypto's `==`, a slow string
    preparation) only when they differ."""
    issuer = cert.issuer.dump()
    return any(issuer == other.subject.dump() for other in issuers) or any(
        cert.issuer == other.subject for other in issuers
    )


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
