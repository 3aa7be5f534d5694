"""An official who signs a pact with a PKCS#12 file from a certified provider (PSrE, such as BSrE): the
signature is labelled *tersertifikasi*, the pact is sealed (PAdES B-LTA) with the provider's revocation data
fetched from its own server, and verification says VALID, certified; a revoked certificate or a provider
whose root is not configured refuses the seal and writes nothing.

The "PSrE" has its own PKI, made here (`tests.signatures.external_pki`), unrelated to the embedded CA: root →
issuing CA → the official's certificate (NIP in serialNumber, digitalSignature and nonRepudiation, CRL
distribution point at the issuing CA's CRL). A local server on 127.0.0.1 serves both CRLs (the issuing CA's
certificate points at the root's) and counts the requests. The PKCS#12 file carries the issuing CA and the
root, as providers hand them out; its root goes into a temporary `PAKTA_CERTIFIED_ROOTS_DIR`. The other
party signs with their embedded identity, the timestamps come from the embedded TSA.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import crl as asn1_crl
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation.dss import DocumentSecurityStore

from audit.models import AuditEvent
from integrity.models import IntegrityPact, PactParty
from integrity.services.signing import pact_seal, pact_sign, pacts_seal_pending
from integrity.services.validation_reports import pact_validation_report_store
from signatures import ca
from signatures.revocation import validation_material
from signatures.signers import Pkcs12KeyHolder
from signatures.signing import LongTermValidationError
from signatures.verification_service import verify_document
from signatures.verify import SignatureKind, Verdict
from tests.integrity import test_pact_signing as plan
from tests.integrity.test_pact_signing import PASS_ATASAN
from tests.signatures.ades import ades_lta
from tests.signatures.external_pki import Issued, ServedPki, certificate, name, served
from tests.signatures.test_external_tsa import final_bytes, kinds, sealed_events
from tests.signatures.test_signing import stamp_texts

# The signing plan's fixtures: its settings (autouse) and the office with the pact and its two signers.
_signing_settings = plan._signing_settings
office = plan.office

PSRE = "Penyelenggara Sertifikasi Elektronik Uji"
P12_PASSWORD = "sandi-psre-uji-2026"
ETSI = "{http://uri.etsi.org/19102/v1.2.1#}"


# ---- The certified provider -------------------------------------------------------------------------------------


@dataclass
class Psre(ServedPki):
    """A certified provider and the official's certificate from it, served at `base` (module docstring)."""

    official: str = field(kw_only=True)
    nip: str = field(kw_only=True)
    root: Issued = field(init=False)
    issuing: Issued = field(init=False)
    signer: Issued = field(init=False)

    def __post_init__(self) -> None:
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_name = name("Akar PSrE Uji", organisation=PSRE)
        self.root = Issued(certificate(root_name, root_name, root_key, root_key, ca=True), root_key)
        issuing_key = ec.generate_private_key(ec.SECP256R1())
        self.issuing = Issued(
            certificate(
                name("CA Penerbit PSrE Uji", organisation=PSRE),
                root_name,
                issuing_key,
                root_key,
                ca=True,
                crl=self.crl_url("root"),
            ),
            issuing_key,
        )
        key = ec.generate_private_key(ec.SECP256R1())
        self.signer = Issued(
            certificate(
                name(self.official, organisation="Kementerian Keuangan", nip=self.nip),
                self.issuing.cert.subject,
                key,
                issuing_key,
                signer=True,
                crl=self.crl_url("issuing"),
            ),
            key,
        )

    def crl_issuer(self, issuer: str) -> Issued | None:
        return {"root": self.root, "issuing": self.issuing}.get(issuer)

    def pkcs12(self) -> bytes:
        """The official's file: key, certificate, and the issuing CA and root."""
        return pkcs12.serialize_key_and_certificates(
            b"ttd",
            self.signer.key,
            self.signer.cert,
            [self.issuing.cert, self.root.cert],
            serialization.BestAvailableEncryption(P12_PASSWORD.encode()),
        )

    def write_root(self, directory: Path) -> None:
        directory.mkdir(exist_ok=True)
        (directory / "psre-uji.pem").write_bytes(self.root.cert.public_bytes(serialization.Encoding.PEM))


@pytest.fixture(autouse=True)
def _no_other_roots(settings: Any) -> None:
    settings.PAKTA_TSA_TRUST_ROOTS = ""
    settings.PAKTA_CERTIFIED_ROOTS_DIR = ""
    settings.PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS = True  # the PSrE listens on 127.0.0.1


@pytest.fixture
def psre(office: dict, settings: Any, tmp_path: Path) -> Iterator[Psre]:
    """GIVEN a PSrE listening on 127.0.0.1 that issued the employee (pegawai) a certificate with their NIP,
    its root in `PAKTA_CERTIFIED_ROOTS_DIR`."""
    official = office["people"]["pegawai"]
    with served(lambda base: Psre(base, official=official.full_name, nip=official.nip)) as provider:
        provider.write_root(tmp_path / "certified")
        settings.PAKTA_CERTIFIED_ROOTS_DIR = str(tmp_path / "certified")
        yield provider


@pytest.fixture
def holder(office: dict, psre: Psre) -> Pkcs12KeyHolder:
    """GIVEN the employee registered the PSrE's PKCS#12 file and uploads it to sign."""
    p12 = psre.pkcs12()
    user = office["users"]["pegawai"]
    identity = ca.identity_register_pkcs12(user=user, pkcs12_bytes=p12, password=P12_PASSWORD, actor=user)
    return Pkcs12KeyHolder(p12, P12_PASSWORD, identity=identity)


def party_field(office: dict, role: str) -> str:
    return PactParty.objects.get(pact=office["pact"], official=office["people"][role]).field_name


def sign_with_psre(office: dict, holder: Pkcs12KeyHolder) -> IntegrityPact:
    """The employee signs with the PSrE's file, then the superior with their passphrase (the seal follows)."""
    pact = office["pact"]
    pact_sign(pact=pact, user=office["users"]["pegawai"], key_holder=holder)
    pact_sign(pact=pact, user=office["users"]["atasan"], passphrase=PASS_ATASAN)
    pact.refresh_from_db()
    return pact


def stored_revisions(settings: Any) -> set[str]:
    directory = Path(settings.MEDIA_ROOT) / "pacts" / "revisions"
    return {path.name for path in directory.iterdir()} if directory.exists() else set()


def dss_crls(pdf: bytes) -> list[asn1_crl.CertificateList]:
    dss = DocumentSecurityStore.read_dss(PdfFileReader(BytesIO(pdf)))
    return [asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls]


# ---- The whole plan ---------------------------------------------------------------------------------------------


def test_a_psre_signature_is_sealed_and_verified_as_certified(office, psre, holder):
    """WHEN the employee signs with the PSrE's file and the superior with their embedded identity THEN the
    pact is sealed (SIGNED, an LTA revision) with the PSrE's two CRLs, fetched once each from its server and
    kept in the DSS; it verifies VALID with the employee's signature certified and the others not, in the
    stamp and the stored report too, and passes AdES-LTA from its own data."""
    pact = office["pact"]
    pact_sign(pact=pact, user=office["users"]["pegawai"], key_holder=holder)
    assert not psre.requests  # signing fetches nothing

    pact_sign(pact=pact, user=office["users"]["atasan"], passphrase=PASS_ATASAN)

    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.SIGNED
    assert kinds(pact) == ["certified", "signature", "signature", "lta"]
    assert sealed_events(pact) == 1
    assert psre.requests == {"GET /issuing.crl": 1, "GET /root.crl": 1}
    final = final_bytes(pact)
    issuers = {crl.issuer.dump() for crl in dss_crls(final)}
    assert {psre.issuing.asn1.subject.dump(), psre.root.asn1.subject.dump()} <= issuers

    report = verify_document(final)
    assert report.verdict == Verdict.VALID, report.reasons
    certified = {s.field_name: s.certified for s in report.signatures if s.kind is not SignatureKind.DOC_TIMESTAMP}
    employee, superior = party_field(office, "pegawai"), party_field(office, "atasan")
    assert certified.pop(employee) is True
    assert certified.pop(superior) is False
    assert set(certified.values()) == {False}  # the office seal's certification
    (signature,) = (s for s in report.signatures if s.field_name == employee)
    assert signature.signer_nip == office["people"]["pegawai"].nip
    texts = stamp_texts(final)
    assert "TTEtersertifikasi(PSrE)" in texts[employee].replace(" ", "")
    assert "tidaktersertifikasi" in texts[superior].replace(" ", "")

    assert set(ades_lta(final, [*ca.trust_roots(), psre.root.asn1]).values()) == {AdESPassed.OK}
    stored = pact_validation_report_store(pact=pact)  # what the worker makes after the seal
    assert stored is not None and stored.verdict == "VALID"
    (line,) = (line for line in stored.summary.splitlines() if office["people"]["pegawai"].nip in line)
    assert line.endswith(", tersertifikasi")
    etsi = ET.fromstring(stored.xml.read())  # noqa: S314 (our own output)
    indications = {
        s.findtext(f"{ETSI}SignatureValidationStatus/{ETSI}MainIndication")
        for s in etsi.findall(f"{ETSI}SignatureValidationReport")
    }
    assert indications == {"urn:etsi:019102:mainindication:total-passed"}


def test_a_certificate_the_psre_revoked_refuses_the_seal(office, psre, holder, settings):
    """GIVEN the PSrE revoked the employee's certificate after they signed (its CRL lists it) WHEN the pact
    is sealed THEN refused with the reason and the CRL's URL: the pact stays PENDING, no revision, no file,
    no audit event."""
    pact = office["pact"]
    pact_sign(pact=pact, user=office["users"]["pegawai"], key_holder=holder)
    psre.revoked["issuing"].add(psre.signer.cert.serial_number)
    pact_sign(pact=pact, user=office["users"]["atasan"], passphrase=PASS_ATASAN)  # its seal fails (logged)
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.PENDING
    events, files = AuditEvent.objects.count(), stored_revisions(settings)

    with pytest.raises(LongTermValidationError) as refused:
        pact_seal(pact=pact)

    assert "dicabut" in str(refused.value.message)
    assert office["people"]["pegawai"].full_name in str(refused.value.message)
    assert refused.value.extra["url"] == psre.crl_url("issuing")
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.PENDING
    assert kinds(pact) == ["certified", "signature", "signature"]
    assert AuditEvent.objects.count() == events
    assert stored_revisions(settings) == files


def test_without_the_psre_root_the_seal_is_refused_until_it_is_configured(office, psre, holder, settings, tmp_path):
    """GIVEN the PSrE's root is not in PAKTA_CERTIFIED_ROOTS_DIR WHEN both parties sign THEN the signature is
    made (not labelled certified) but the seal is refused before anything is fetched, saying which setting is
    missing, and nothing is written; once the root is configured, the retry seals the pact."""
    settings.PAKTA_CERTIFIED_ROOTS_DIR = ""
    pact = sign_with_psre(office, holder)
    assert pact.status == IntegrityPact.Status.PENDING
    employee = party_field(office, "pegawai")
    assert "tidaktersertifikasi" in stamp_texts(final_bytes(pact))[employee].replace(" ", "")
    events, files = AuditEvent.objects.count(), stored_revisions(settings)

    with pytest.raises(LongTermValidationError) as refused:
        pact_seal(pact=pact)

    assert "PAKTA_CERTIFIED_ROOTS_DIR" in str(refused.value.message)
    assert office["people"]["pegawai"].full_name in str(refused.value.message)
    assert not psre.requests
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.PENDING
    assert kinds(pact) == ["certified", "signature", "signature"]
    assert AuditEvent.objects.count() == events
    assert stored_revisions(settings) == files
    assert verify_document(final_bytes(pact)).verdict == Verdict.UNTRUSTED

    settings.PAKTA_CERTIFIED_ROOTS_DIR = str(tmp_path / "certified")
    assert pacts_seal_pending() == 1
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.SIGNED
    assert verify_document(final_bytes(pact)).verdict == Verdict.VALID


# ---- Validation material ----------------------------------------------------------------------------------------


def test_the_issuing_ca_comes_from_the_intermediates_and_strays_are_ignored(db, psre):
    """The signer's path is built through the intermediates handed in (those a CMS carries): both CRLs on it
    are fetched. Without them the signer does not chain; a carried certificate off the path (another
    provider's CA) is neither refused nor fetched."""
    stray_key = ec.generate_private_key(ec.SECP256R1())
    stray_name = name("CA Lain", organisation="Penyedia Lain")
    stray = Issued(certificate(stray_name, stray_name, stray_key, stray_key, ca=True), stray_key)

    with pytest.raises(LongTermValidationError):
        validation_material([psre.signer.asn1])
    material = validation_material([psre.signer.asn1], intermediates=[psre.issuing.asn1, stray.asn1])

    assert {crl.issuer.dump() for crl in material.crls} == {
        psre.issuing.asn1.subject.dump(),
        psre.root.asn1.subject.dump(),
    }
    assert psre.root.asn1.sha256 in {root.sha256 for root in material.trust_roots}
    assert psre.requests == {"GET /issuing.crl": 1, "GET /root.crl": 1}
