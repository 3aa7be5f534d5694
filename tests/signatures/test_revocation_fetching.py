"""What `signatures.revocation` fetches for certificates outside our CA, against a real server on 127.0.0.1:
only issuers that are CAs count, internal addresses are refused unless allowed, a slow answer is cut at the
deadline, and OCSP stands in for a CRL that cannot be had.

The PKI is a root (trusted through `PAKTA_TSA_TRUST_ROOTS`) that issues the certificates directly; the
server answers GET `/root.crl` (the root's CRL), GET `/broken.crl` (HTTP 500), GET `/drip` (a body byte
every half second), GET `/drip-headers` (a header byte every half second) and POST `/ocsp` (a `good` OCSP
response signed by the root).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID

from signatures.revocation import fetch, validation_material
from signatures.signing import LongTermValidationError
from tests.signatures.external_pki import NOW, Issued, ServedPki, certificate, name, served

pytestmark = pytest.mark.django_db


_BIG_BODY = 256 * 1024 * 1024


@dataclass
class Pki(ServedPki):
    root: Issued = field(init=False)
    redirect_body_sent: int = 0
    redirect_done: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        root_name = _name("Akar Uji Pengambilan")
        self.root = Issued(certificate(root_name, root_name, key, key, ca=True), key)

    def crl_issuer(self, issuer: str) -> Issued | None:
        return self.root if issuer == "root" else None

    def get(self, route: str, handler: BaseHTTPRequestHandler) -> bool:
        if route == "/broken.crl":
            handler.answer(500, "text/plain", b"broken")  # type: ignore[attr-defined]
            return True
        if route == "/drip":  # the headers at once, then the body a byte at a time
            handler.send_response(200)
            handler.send_header("Content-Type", "application/pkix-crl")
            handler.send_header("Content-Length", "100000")
            handler.end_headers()
            _drip(handler, b"0")
            return True
        if route == "/drip-headers":  # the status line, then a header that never ends
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Lambat: ")
            _drip(handler, b"a")
            return True
        if route == "/moved.crl":  # a redirect to the root's CRL, with a body of 256 MiB
            handler.send_response(302)
            handler.send_header("Location", self.base + "/root.crl")
            handler.send_header("Content-Length", str(_BIG_BODY))
            handler.end_headers()
            chunk = b"\0" * (1024 * 1024)
            try:
                for _ in range(_BIG_BODY // len(chunk)):
                    handler.wfile.write(chunk)
                    self.redirect_body_sent += len(chunk)
            except OSError:
                pass
            self.redirect_done.set()
            return True
        return False

    def post(self, route: str, content_type: str | None, body: bytes) -> tuple[int, str, bytes]:
        if route != "/ocsp" or content_type != "application/ocsp-request":
            return 400, "text/plain", b"not an OCSP request"
        request = ocsp.load_der_ocsp_request(body)
        now = dt.datetime.now(dt.UTC)
        response = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                issuer_name_hash=request.issuer_name_hash,
                issuer_key_hash=request.issuer_key_hash,
                serial_number=request.serial_number,
                algorithm=request.hash_algorithm,
                cert_status=ocsp.OCSPCertStatus.GOOD,
                this_update=now - dt.timedelta(minutes=1),
                next_update=now + dt.timedelta(hours=1),
                revocation_time=None,
                revocation_reason=None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.root.cert)
            .sign(self.root.key, hashes.SHA256())
        )
        return 200, "application/ocsp-response", response.public_bytes(serialization.Encoding.DER)

    def issue(self, common_name: str, *, crl: str | None = None, ocsp_url: str | None = None) -> Issued:
        """An end-entity certificate from the root with a CRL and/or OCSP URL (routes below `base`)."""
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.root.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )
        if crl is not None:
            point = x509.DistributionPoint([x509.UniformResourceIdentifier(self.base + crl)], None, None, None)
            builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
        if ocsp_url is not None:
            access = x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(self.base + ocsp_url)
            )
            builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
        return Issued(builder.sign(self.root.key, hashes.SHA256()), key)


def _drip(handler: BaseHTTPRequestHandler, byte: bytes) -> None:
    """A byte every half second for a minute at most, until the client goes away."""
    with contextlib.suppress(OSError):
        for _ in range(120):
            handler.wfile.write(byte)
            handler.wfile.flush()
            time.sleep(0.5)


def _name(common_name: str) -> x509.Name:
    return name(common_name, organisation="PKI Uji Pengambilan")


@pytest.fixture
def pki(settings: Any, tmp_path: Path) -> Iterator[Pki]:
    """GIVEN the PKI served on 127.0.0.1, its root trusted, internal addresses allowed (the server's)."""
    with served(Pki) as served_pki:
        roots = tmp_path / "roots.pem"
        roots.write_bytes(served_pki.root.cert.public_bytes(serialization.Encoding.PEM))
        settings.PAKTA_BASE_URL = "http://pakta.test"
        settings.PAKTA_CERTIFIED_ROOTS_DIR = ""
        settings.PAKTA_TSA_TRUST_ROOTS = str(roots)
        settings.PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS = True
        yield served_pki


def test_a_leaf_is_no_issuer_and_nothing_is_fetched(pki):
    """GIVEN a certificate signed with the key of an end-entity certificate (cA false) of a trusted root,
    naming a CRL of its own WHEN its validation data is gathered THEN it does not chain and nothing is
    fetched."""
    leaf = pki.issue("Pemegang Sertifikat", crl="/root.crl")
    key = ec.generate_private_key(ec.SECP256R1())
    forged = certificate(_name("Sertifikat Palsu"), leaf.cert.subject, key, leaf.key, crl=f"{pki.base}/attacker.crl")
    with pytest.raises(LongTermValidationError) as refused:
        validation_material([Issued(forged, key).asn1], intermediates=[leaf.asn1])
    assert "tidak terhubung ke akar sertifikat tepercaya" in str(refused.value.message)
    assert not pki.requests


def test_an_expired_ca_is_no_issuer(pki):
    """GIVEN a CA certificate past its validity as the issuer THEN the certificate does not chain."""
    key = ec.generate_private_key(ec.SECP256R1())
    expired_ca = (
        x509.CertificateBuilder()
        .subject_name(_name("CA Kedaluwarsa"))
        .issuer_name(pki.root.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=30))
        .not_valid_after(NOW - dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(pki.root.key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = certificate(_name("Penanda Tangan"), expired_ca.subject, leaf_key, key, crl=f"{pki.base}/root.crl")
    with pytest.raises(LongTermValidationError) as refused:
        validation_material([Issued(leaf, leaf_key).asn1], intermediates=[Issued(expired_ca, key).asn1])
    assert "tidak terhubung" in str(refused.value.message)
    assert not pki.requests


def test_a_loopback_url_is_refused_unless_allowed(pki, settings):
    """GIVEN a CRL on 127.0.0.1 WHEN internal addresses are not allowed THEN it is refused with the reason
    and not requested; WHEN allowed THEN it is fetched."""
    signer = pki.issue("Penanda Tangan", crl="/root.crl")
    settings.PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(LongTermValidationError) as refused:
        validation_material([signer.asn1])
    assert "tidak dapat diambil" in str(refused.value.message)
    assert "alamat jaringan internal tidak diizinkan" in refused.value.extra["detail"]
    assert "127.0.0.1" in refused.value.extra["detail"]
    assert not pki.requests

    settings.PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS = True
    material = validation_material([signer.asn1])
    assert len(material.crls) == 1
    assert pki.requests == {"GET /root.crl": 1}


def test_a_redirect_is_followed_without_reading_its_body(pki):
    """GIVEN a CRL URL that redirects with a 256 MiB body WHEN fetched THEN the CRL it points to is had,
    and the redirect's body is not read (the connection is closed after its headers)."""
    signer = pki.issue("Penanda Tangan", crl="/moved.crl")
    material = validation_material([signer.asn1])
    assert len(material.crls) == 1
    assert pki.requests == {"GET /moved.crl": 1, "GET /root.crl": 1}
    assert pki.redirect_done.wait(10)
    assert pki.redirect_body_sent < 64 * 1024 * 1024


def test_the_address_connected_to_is_the_one_checked(pki, settings, monkeypatch):
    """GIVEN a host whose DNS answers a public address first and then 127.0.0.1 (DNS rebinding) WHEN
    internal addresses are not allowed THEN the connection is refused: the address connected to is checked,
    not only the first answer; nothing reaches the server."""
    settings.PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS = False
    port = int(pki.base.split(":")[2].split("/")[0])
    url = pki.base.replace("127.0.0.1", "crl.rebinding.test") + "/root.crl"
    answers = iter([("8.8.8.8", port)])  # the first answer (the check); then loopback
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        if host != "crl.rebinding.test":
            return real_getaddrinfo(host, *args, **kwargs)
        address = next(answers, ("127.0.0.1", port))
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", address)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(ValueError, match="alamat jaringan internal tidak diizinkan"):
        fetch.fetch(url)
    assert not pki.requests


@pytest.mark.parametrize("route", ["/drip", "/drip-headers"], ids=["body", "headers"])
def test_a_slow_drip_answer_is_cut_at_the_deadline(pki, monkeypatch, route):
    """GIVEN a CRL server that sends a byte every half second, in the body or in the headers, WHEN fetching
    with a 1 s limit THEN the fetch stops within about that second with a clear error, and the thread that
    made the request ends too (its socket is shut down)."""
    monkeypatch.setattr(fetch, "FETCH_TIMEOUT", 1.0)
    signer = pki.issue("Penanda Tangan", crl=route)
    started = time.monotonic()
    with pytest.raises(LongTermValidationError) as refused:
        validation_material([signer.asn1])
    elapsed = time.monotonic() - started
    assert elapsed < 3  # the server would drip for a minute
    assert "tidak dapat diambil" in str(refused.value.message)
    assert "no complete answer within 1 s" in refused.value.extra["detail"]
    assert pki.requests == {f"GET {route}": 1}
    for _ in range(250):
        if not any(thread.name == "pakta-revocation-fetch" for thread in threading.enumerate()):
            break
        time.sleep(0.02)
    else:
        pytest.fail("the fetching thread still runs after the deadline")


def test_ocsp_stands_in_for_a_crl_that_cannot_be_had(pki):
    """GIVEN a certificate whose CRL URL answers 500 and whose OCSP responder works THEN its validation data
    is the OCSP response."""
    signer = pki.issue("Penanda Tangan", crl="/broken.crl", ocsp_url="/ocsp")
    material = validation_material([signer.asn1])
    assert material.crls == []
    assert len(material.ocsps) == 1
    assert material.ocsps[0]["response_status"].native == "successful"
    assert pki.requests == {"GET /broken.crl": 1, "POST /ocsp": 1}


def test_without_ocsp_a_failing_crl_still_refuses(pki):
    """GIVEN a certificate whose only CRL URL answers 500 and no OCSP THEN refused with the HTTP error."""
    signer = pki.issue("Penanda Tangan", crl="/broken.crl")
    with pytest.raises(LongTermValidationError) as refused:
        validation_material([signer.asn1])
    assert "HTTP 500" in refused.value.extra["detail"]
