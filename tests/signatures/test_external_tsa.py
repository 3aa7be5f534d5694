"""An external RFC 3161 timestamping authority (`PAKTA_TSA_URL`) end to end: signatures, the long-term
seal (PAdES B-LTA) and verification, against a real TSA over HTTP on 127.0.0.1.

The "external" TSA has its own PKI, made here with `cryptography` and unrelated to the embedded CA:
root → issuing CA → TSA certificate (extendedKeyUsage timeStamping, critical). Each certificate's CRL
distribution point is the same local server, which answers timestamp queries (POST /tsa) and serves the
two CRLs (GET /root.crl, /issuing.crl) signed at request time, so a test can revoke a certificate or
renew the TSA's certificate while the server runs. It counts the requests it gets.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.general import extract_certificate_info
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

from audit.models import AuditEvent
from integrity.models import IntegrityPact, PactRevision
from integrity.selectors.signing import pact_revision_bytes
from integrity.services.signing import pact_seal, pact_sign
from integrity.services.validation_reports import pact_validation_report_store
from signatures import ca
from signatures.revocation import validation_material
from signatures.signers import InProcessTimeStamper, in_process_timestamper
from signatures.signing import LongTermValidationError, TimestampError, signature_certificates
from signatures.verification_service import verify_document
from signatures.verify import Verdict
from tests.integrity.test_pact_signing import PASS_ATASAN, PASS_PEGAWAI, _build_office
from tests.signatures.ades import ades_lta
from tests.signatures.external_pki import Issued, ServedPki, certificate, name, served

TSA_NAME = "TSA Eksternal Uji"
TSA_POLICY = "1.3.6.1.4.1.99999.7.1"
ETSI = "{http://uri.etsi.org/19102/v1.2.1#}"


# ---- The external TSA ------------------------------------------------------------------------------------------


@dataclass
class ExternalTsa(ServedPki):
    """An outside TSA and its PKI, served at `base` (see the module docstring)."""

    roots_file: Path = field(kw_only=True)
    root: Issued = field(init=False)
    issuing: Issued = field(init=False)
    tsa: Issued = field(init=False)
    stamper: InProcessTimeStamper = field(init=False)

    def __post_init__(self) -> None:
        root_key = ec.generate_private_key(ec.SECP256R1())
        root_name = _name("Akar Eksternal Uji")
        self.root = Issued(certificate(root_name, root_name, root_key, root_key, ca=True), root_key)
        self.rekey_issuing()
        self.roots_file.write_bytes(self.root.cert.public_bytes(serialization.Encoding.PEM))

    @property
    def url(self) -> str:
        return f"{self.base}/tsa"

    def crl_issuer(self, issuer: str) -> Issued | None:
        return {"root": self.root, "issuing": self.issuing}.get(issuer)

    def post(self, route: str, content_type: str | None, body: bytes) -> tuple[int, str, bytes]:
        if route != "/tsa" or content_type != "application/timestamp-query":
            return 400, "text/plain", b"not a timestamp query"
        reply = self.stamper.request_tsa_response(tsp.TimeStampReq.load(body))
        return 200, "application/timestamp-reply", reply.dump()

    def rekey_issuing(self) -> None:
        """A new key and certificate for the issuing CA (same name, same CRL URL), and a TSA certificate
        from it."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = certificate(
            _name("CA Penerbit Eksternal Uji"),
            self.root.cert.subject,
            key,
            self.root.key,
            ca=True,
            crl=self.crl_url("root"),
        )
        self.issuing = Issued(cert, key)
        self.renew()

    def renew(self) -> None:
        """A new TSA key and certificate (the old one stays valid), used for every token from now on."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = certificate(
            _name(TSA_NAME),
            self.issuing.cert.subject,
            key,
            self.issuing.key,
            tsa=True,
            crl=self.crl_url("issuing"),
        )
        self.tsa = Issued(cert, key)
        self.stamper = InProcessTimeStamper(
            tsa_cert=self.tsa.asn1, tsa_key=key, chain=[self.issuing.asn1], policy=TSA_POLICY
        )

    def revoke_tsa(self) -> None:
        self.revoked["issuing"].add(self.tsa.cert.serial_number)


def _name(common_name: str) -> x509.Name:
    return name(common_name, organisation="Penyedia Stempel Waktu Uji")


@pytest.fixture
def external_tsa(settings: Any, tmp_path: Path) -> Iterator[ExternalTsa]:
    """GIVEN an external TSA listening on 127.0.0.1, configured as `PAKTA_TSA_URL` with its root in
    `PAKTA_TSA_TRUST_ROOTS`."""
    with served(lambda base: ExternalTsa(base, roots_file=tmp_path / "tsa-roots.pem")) as authority:
        settings.PAKTA_TSA_URL = authority.url
        settings.PAKTA_TSA_TRUST_ROOTS = str(authority.roots_file)
        yield authority


# ---- Pacts --------------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _signing_settings(settings: Any, tmp_path: Path) -> None:
    settings.PAKTA_CA_KEY_FILE = tmp_path / "secrets" / "ca.key"
    settings.PAKTA_BASE_URL = "http://pakta.test"
    settings.PAKTA_SIGNING_SCRYPT_LOG2_N = 10  # production 2**15; this keeps each derivation ~1 ms
    settings.PAKTA_TSA_URL = ""
    settings.PAKTA_TSA_TRUST_ROOTS = ""
    settings.PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS = True  # the external PKI listens on 127.0.0.1


@pytest.fixture
def office(db: Any) -> dict:
    """GIVEN KPPN Banda Aceh with the embedded CA and a PENDING employee–superior pact whose two parties
    have passphrase identities (`tests.integrity.test_pact_signing`)."""
    return _build_office()


def kinds(pact: IntegrityPact) -> list[str]:
    return list(PactRevision.objects.filter(pact=pact).order_by("sequence").values_list("kind", flat=True))


def final_bytes(pact: IntegrityPact) -> bytes:
    latest = PactRevision.objects.filter(pact=pact).order_by("-sequence").first()
    assert latest is not None
    return pact_revision_bytes(latest)


def sign_both(office: dict) -> IntegrityPact:
    pact = office["pact"]
    pact_sign(pact=pact, user=office["users"]["pegawai"], passphrase=PASS_PEGAWAI)
    pact_sign(pact=pact, user=office["users"]["atasan"], passphrase=PASS_ATASAN)
    pact.refresh_from_db()
    return pact


def timestamp_signers(pdf: bytes) -> tuple[set[bytes], set[bytes]]:
    """SHA-256 of the certificates that signed (signature timestamps, document timestamps) in `pdf`."""
    reader = PdfFileReader(BytesIO(pdf))
    in_signatures = {
        extract_certificate_info(tst).signer_cert.sha256
        for embedded in reader.embedded_regular_signatures
        for tst in extract_tst_data_iter(embedded.signer_info, signed=False)
    }
    documents = {embedded.signer_cert.sha256 for embedded in reader.embedded_timestamp_signatures}
    return in_signatures, documents


def sealed_events(pact: IntegrityPact) -> int:
    return AuditEvent.objects.filter(action="integrity.pact.sealed", subject_id=str(pact.pk)).count()


def free_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"  # nothing listens there any more: connections are refused


# ---- The whole plan ---------------------------------------------------------------------------------------------


def test_pact_is_timestamped_sealed_and_verified_through_the_external_tsa(office, external_tsa):
    """WHEN both parties sign with PAKTA_TSA_URL set THEN the pact is sealed (SIGNED, an LTA revision),
    every timestamp in it (certification, signatures, archive) comes from the external TSA, the file
    verifies VALID, and it passes AdES-LTA from its own embedded data: the TSA's chain and CRLs are in it."""
    pact = sign_both(office)

    assert pact.status == IntegrityPact.Status.SIGNED
    assert kinds(pact) == ["certified", "signature", "signature", "lta"]
    assert sealed_events(pact) == 1
    final = final_bytes(pact)
    in_signatures, documents = timestamp_signers(final)
    assert in_signatures == documents == {external_tsa.tsa.asn1.sha256}

    report = verify_document(final)
    assert report.verdict == Verdict.VALID, report.reasons
    assert {s.timestamp_authority for s in report.signatures} == {TSA_NAME}
    assert all(s.timestamp_trusted for s in report.signatures)
    assert not any(s.certified for s in report.signatures)  # a TSA root is trusted, never "tersertifikasi"

    assert set(ades_lta(final, [*ca.trust_roots(), external_tsa.root.asn1]).values()) == {AdESPassed.OK}
    stored = pact_validation_report_store(pact=pact)  # what the worker makes after the seal
    assert stored is not None and stored.verdict == "VALID"
    etsi = ET.fromstring(stored.xml.read())  # noqa: S314 (our own output)
    indications = {
        s.findtext(f"{ETSI}SignatureValidationStatus/{ETSI}MainIndication")
        for s in etsi.findall(f"{ETSI}SignatureValidationReport")
    }
    assert indications == {"urn:etsi:019102:mainindication:total-passed"}
    # Each CRL was fetched once (then kept until its nextUpdate); the TSA was probed once before the seal.
    assert external_tsa.requests["GET /issuing.crl"] == 1
    assert external_tsa.requests["GET /root.crl"] == 1
    assert external_tsa.requests["POST /tsa"] == 5  # certification, 2 signatures, probe, document timestamp


def test_without_the_tsa_roots_the_seal_fails_and_writes_nothing(office, external_tsa, settings):
    """GIVEN PAKTA_TSA_TRUST_ROOTS not set WHEN both parties sign THEN the signatures stand but the seal is
    refused before any timestamp or fetch: the pact stays PENDING, no seal revision, no audit event."""
    settings.PAKTA_TSA_TRUST_ROOTS = ""
    pact = sign_both(office)
    assert pact.status == IntegrityPact.Status.PENDING
    assert kinds(pact) == ["certified", "signature", "signature"]
    events = AuditEvent.objects.count()

    with pytest.raises(LongTermValidationError) as refused:
        pact_seal(pact=pact)

    assert "PAKTA_TSA_TRUST_ROOTS" in str(refused.value.message)
    assert TSA_NAME in str(refused.value.message)
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.PENDING
    assert kinds(pact) == ["certified", "signature", "signature"]
    assert AuditEvent.objects.count() == events
    assert not any(key.startswith("GET") for key in external_tsa.requests)
    # Verification does not trust that TSA's timestamps either.
    assert verify_document(final_bytes(pact)).verdict == Verdict.UNTRUSTED


def test_a_revoked_tsa_certificate_is_refused(office, external_tsa):
    """GIVEN the TSA's certificate is on its CA's CRL (revoked after the first signature) THEN the seal is
    refused with the reason, and nothing is written."""
    pact = office["pact"]
    pact_sign(pact=pact, user=office["users"]["pegawai"], passphrase=PASS_PEGAWAI)
    external_tsa.revoke_tsa()
    pact_sign(pact=pact, user=office["users"]["atasan"], passphrase=PASS_ATASAN)  # its seal fails (logged)
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.PENDING
    events = AuditEvent.objects.count()

    with pytest.raises(LongTermValidationError) as refused:
        pact_seal(pact=pact)

    assert "dicabut" in str(refused.value.message)
    assert refused.value.extra["url"] == external_tsa.crl_url("issuing")
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.PENDING
    assert kinds(pact) == ["certified", "signature", "signature"]
    assert AuditEvent.objects.count() == events


def test_an_unreachable_tsa_is_a_timestamp_error_and_writes_nothing(office, external_tsa, settings):
    """GIVEN the TSA stops answering WHEN a party signs, or the pact is sealed THEN TimestampError, and
    neither a revision nor an audit event is written."""
    pact = office["pact"]
    settings.PAKTA_TSA_TRUST_ROOTS = ""  # the signatures get made, the seal after them waits
    pact_sign(pact=pact, user=office["users"]["pegawai"], passphrase=PASS_PEGAWAI)
    settings.PAKTA_TSA_URL = free_port_url()
    events = AuditEvent.objects.count()

    with pytest.raises(TimestampError):
        pact_sign(pact=pact, user=office["users"]["atasan"], passphrase=PASS_ATASAN)
    assert kinds(pact) == ["certified", "signature"]
    assert AuditEvent.objects.count() == events

    settings.PAKTA_TSA_URL = external_tsa.url
    pact_sign(pact=pact, user=office["users"]["atasan"], passphrase=PASS_ATASAN)
    settings.PAKTA_TSA_TRUST_ROOTS = str(external_tsa.roots_file)
    settings.PAKTA_TSA_URL = free_port_url()
    events = AuditEvent.objects.count()

    with pytest.raises(TimestampError):
        pact_seal(pact=pact)
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.PENDING
    assert kinds(pact) == ["certified", "signature", "signature"]
    assert AuditEvent.objects.count() == events


def test_a_renewed_tsa_certificate_is_probed_again_and_sealed_with_its_data(office, external_tsa, settings):
    """GIVEN the TSA was probed (a seal attempt without its roots) and then renewed its certificate WHEN
    the pact is sealed THEN the document timestamp's new certificate is noticed, the TSA probed again, and
    the seal made again with the new certificate's data: AdES-LTA passes from the file alone."""
    settings.PAKTA_TSA_TRUST_ROOTS = ""
    pact = sign_both(office)  # the seal after the last signature probed the TSA, then stopped
    old_tsa = external_tsa.tsa
    assert external_tsa.requests["POST /tsa"] == 4  # certification, 2 signatures, probe
    external_tsa.renew()
    settings.PAKTA_TSA_TRUST_ROOTS = str(external_tsa.roots_file)

    revision = pact_seal(pact=pact)

    assert revision.kind == "lta"
    final = pact_revision_bytes(revision)
    in_signatures, documents = timestamp_signers(final)
    assert in_signatures == {old_tsa.asn1.sha256}
    assert documents == {external_tsa.tsa.asn1.sha256}
    # A first seal with the old probe (its timestamp betrayed the new certificate), a new probe, a second seal.
    assert external_tsa.requests["POST /tsa"] == 4 + 3
    assert set(ades_lta(final, [*ca.trust_roots(), external_tsa.root.asn1]).values()) == {AdESPassed.OK}
    assert verify_document(final).verdict == Verdict.VALID


# ---- Validation material ----------------------------------------------------------------------------------------


def test_fetched_crls_are_kept_until_their_next_update(office, external_tsa):
    tsa_chain = [external_tsa.tsa.asn1, external_tsa.issuing.asn1]

    first = validation_material(tsa_chain)
    second = validation_material(tsa_chain)

    assert {crl.dump() for crl in first.crls} == {crl.dump() for crl in second.crls}
    assert len(first.crls) == 2 and first.ocsps == []  # the TSA's (issuing CA) and the issuing CA's (root)
    assert external_tsa.requests["GET /issuing.crl"] == 1 and external_tsa.requests["GET /root.crl"] == 1
    assert external_tsa.root.asn1.sha256 in {root.sha256 for root in first.trust_roots}

    # GIVEN the TSA's CA changed its key: the CRL kept in the process is not its own any more.
    external_tsa.rekey_issuing()
    third = validation_material([external_tsa.tsa.asn1, external_tsa.issuing.asn1])
    assert external_tsa.requests["GET /issuing.crl"] == 2 and external_tsa.requests["GET /root.crl"] == 1
    assert len(third.crls) == 2 and not {crl.dump() for crl in third.crls} <= {crl.dump() for crl in first.crls}


def test_our_own_host_is_never_fetched(office, external_tsa, settings):
    """GIVEN a certificate outside our CA whose CRL is on Pakta's own host (PAKTA_BASE_URL) THEN refused
    without a request: Pakta never fetches from itself."""
    key = ec.generate_private_key(ec.SECP256R1())
    stranger = certificate(
        _name("Penanda Tangan Asing"),
        external_tsa.issuing.cert.subject,
        key,
        external_tsa.issuing.key,
        crl="http://PAKTA.test:8443/ca/crl/issuing.crl",
    )
    with pytest.raises(LongTermValidationError) as refused:
        validation_material([Issued(stranger, key).asn1, external_tsa.issuing.asn1])
    assert "Pakta sendiri" in str(refused.value.message)
    assert not external_tsa.requests


@pytest.mark.parametrize(
    ("path", "limit", "detail"),
    [
        ("/missing.crl", None, "HTTP 404"),
        ("/elsewhere.crl", None, "Pakta's own host"),
        ("/issuing.crl", 64, "larger than 64 bytes"),
    ],
)
def test_a_crl_that_cannot_be_had_refuses_the_seal(office, external_tsa, monkeypatch, path, limit, detail):
    """GIVEN a certificate of the external PKI whose CRL is missing, redirected to Pakta's own host, or too
    large THEN its validation data is refused with the URL and the reason."""
    if limit is not None:
        monkeypatch.setattr("signatures.revocation.fetch.FETCH_MAX_BYTES", limit)
    key = ec.generate_private_key(ec.SECP256R1())
    url = f"{external_tsa.base}{path}"
    stranger = certificate(
        _name("Penanda Tangan Asing"), external_tsa.issuing.cert.subject, key, external_tsa.issuing.key, crl=url
    )
    with pytest.raises(LongTermValidationError) as refused:
        validation_material([Issued(stranger, key).asn1, external_tsa.issuing.asn1])
    assert "tidak dapat diambil" in str(refused.value.message)
    assert refused.value.extra["url"] == url
    assert detail in refused.value.extra["detail"]


def test_our_ca_material_takes_the_same_queries_for_one_certificate_or_many(office, settings):
    """The embedded CA's revocation data is made per call, not per certificate: each CRL once, one OCSP
    response per serial; the same as `ca.revocation_material_for` gives certificate by certificate."""
    pact = sign_both(office)
    assert pact.status == IntegrityPact.Status.SIGNED
    # The office seal, the two officials and the embedded TSA, which `_seal_bytes` also hands in as the TSA.
    certificates = [*signature_certificates(final_bytes(pact)), in_process_timestamper().tsa_cert]
    distinct = {cert.sha256 for cert in certificates}
    assert len(distinct) == 4

    with CaptureQueriesContext(connection) as one:
        validation_material(certificates[:1])
    with CaptureQueriesContext(connection) as all_of_them:
        material = validation_material(certificates)
    with CaptureQueriesContext(connection) as one_by_one:
        expected_crls: dict[bytes, Any] = {}
        expected_ocsps = 0
        for cert in certificates:
            crls, ocsps = ca.revocation_material_for(cert)
            expected_crls.update((crl.dump(), crl) for crl in crls)
            expected_ocsps += len(ocsps)

    assert len(all_of_them) == len(one) < len(one_by_one) / 3
    assert {crl.dump() for crl in material.crls} == set(expected_crls)
    assert len(material.ocsps) == expected_ocsps - 1 == len(distinct)  # the TSA's once, not twice
    statuses = [
        response.basic_ocsp_response["tbs_response_data"]["responses"][0]["cert_status"].name
        for response in material.ocsps
    ]
    assert statuses == ["good"] * len(distinct)
