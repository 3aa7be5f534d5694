"""An outside PKI served over HTTP on 127.0.0.1, for the tests of what Pakta fetches when it seals: an
external timestamping authority (`test_external_tsa`), a certified provider (PSrE) whose signer signs a pact
(`test_certified_signer`).

Certificates are made with `cryptography` (ECDSA P-256), unrelated to the embedded CA. The server answers
GET `<base>/<ca>.crl` with that CA's CRL, signed at request time from the serials revoked so far, so a test
can revoke a certificate while it runs; GET `<base>/elsewhere.crl` redirects to Pakta's own host (which
Pakta must refuse to follow); POSTs go to the PKI (`ServedPki.post`, e.g. a TSA's timestamp queries). It
counts the requests it gets. `base` ends in a random path, unique per test: the process caches CRLs (and
TSAs) by URL, and a port may come round again.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import secrets
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
MOVED_TO_PAKTA = "http://pakta.test/ca/crl/issuing.crl"
"""Where GET `<base>/elsewhere.crl` redirects: Pakta's own host in the tests' `PAKTA_BASE_URL`."""


@dataclass
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))


def name(common_name: str, *, organisation: str, nip: str | None = None) -> x509.Name:
    """C=ID, O, CN, and the NIP in serialNumber as Indonesian signing certificates carry it."""
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if nip:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, nip))
    return x509.Name(attributes)


def certificate(
    subject: x509.Name,
    issuer: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool = False,
    tsa: bool = False,
    signer: bool = False,
    crl: str | None = None,
) -> x509.Certificate:
    """A certificate valid since 30 days (CA: ten years, others: one): a CA (keyCertSign, cRLSign), a TSA
    (extendedKeyUsage timeStamping, critical), a document signer (digitalSignature and nonRepudiation) or
    else digitalSignature only; with a CRL distribution point at `crl`."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=30))
        .not_valid_after(NOW + dt.timedelta(days=3650 if ca else 365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=signer,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if crl is not None:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if tsa:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class ServedPki:
    """A PKI behind the local server at `base`; subclasses name their CAs (`crl_issuer`) and may answer
    POSTs (`post`)."""

    base: str
    revoked: collections.defaultdict[str, set[int]] = field(
        init=False, default_factory=lambda: collections.defaultdict(set)
    )
    """Serial numbers on each CA's CRL, by the CA's route name (`root`, `issuing`)."""
    requests: collections.Counter[str] = field(init=False, default_factory=collections.Counter)
    """Requests received, as `"GET /issuing.crl"`."""

    def crl_url(self, issuer: str) -> str:
        return f"{self.base}/{issuer}.crl"

    def crl_issuer(self, issuer: str) -> Issued | None:
        """The CA whose CRL is served at `<base>/<issuer>.crl`, if any."""
        return None

    def crl(self, issuer: str) -> bytes:
        """The CA's current CRL (DER): valid from a minute ago for a day, listing `revoked[issuer]`."""
        signer = self.crl_issuer(issuer)
        assert signer is not None
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(signer.cert.subject)
            .last_update(now - dt.timedelta(minutes=1))
            .next_update(now + dt.timedelta(days=1))
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.key.public_key()), critical=False)
        )
        for serial in sorted(self.revoked[issuer]):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - dt.timedelta(minutes=1))
                .build()
            )
        return builder.sign(signer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def get(self, route: str, handler: BaseHTTPRequestHandler) -> bool:
        """Answer a GET to `<base><route>` other than a CRL through `handler` (a test's own route, e.g. a
        slow one); False lets the server answer it (CRLs, else 404)."""
        return False

    def post(self, route: str, content_type: str | None, body: bytes) -> tuple[int, str, bytes]:
        """(status, content type, body) answering a POST to `<base><route>`."""
        return 404, "text/plain", b"not found"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    pki: ServedPki


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    @property
    def route(self) -> str:
        """The path below the PKI's base."""
        return self.path.removeprefix(urllib.parse.urlsplit(self.server.pki.base).path)

    def do_POST(self) -> None:
        pki = self.server.pki
        pki.requests[f"POST {self.route}"] += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.answer(*pki.post(self.route, self.headers.get("Content-Type"), body))

    def do_GET(self) -> None:
        pki = self.server.pki
        pki.requests[f"GET {self.route}"] += 1
        if self.route == "/elsewhere.crl":  # moved to Pakta's own host
            self.send_response(302)
            self.send_header("Location", MOVED_TO_PAKTA)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if pki.get(self.route, self):
            return
        issuer = self.route.removeprefix("/").removesuffix(".crl") if self.route.endswith(".crl") else ""
        if "/" in issuer or pki.crl_issuer(issuer) is None:
            self.answer(404, "text/plain", b"not found")
            return
        self.answer(200, "application/pkix-crl", pki.crl(issuer))

    def answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet test output


@contextlib.contextmanager
def served[P: ServedPki](make: Callable[[str], P]) -> Iterator[P]:
    """A server on 127.0.0.1 (a free port) for the PKI `make(base)` builds, running until the block ends."""
    server = _Server(("127.0.0.1", 0), _Handler)
    pki = make(f"http://127.0.0.1:{server.server_address[1]}/{secrets.token_hex(4)}")
    server.pki = pki
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield pki
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
