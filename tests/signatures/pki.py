"""A small test PKI and PDF helpers for the signature tests.

Everything is made in memory with `cryptography`: a root CA, signers (ECDSA P-256, the NIP in the
subject's serialNumber, as Indonesian signing certificates carry it), a time-stamping authority (RSA,
because pyHanko's DummyTimeStamper signs with RSA only) and a second, unrelated root for "wrong trust root"
cases. Documents are minimal hand-written PDFs (no Typst), shaped like a pact: one page of text, a text
field, optionally the pact data attached as JSON with `/AFRelationship /Data`, then two empty signature
fields added by `signatures.pdf.add_signature_fields`.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signatures.pdf import SignatureFieldSpec, add_signature_fields

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
CRL_URL = "http://127.0.0.1:9/pakta-test.crl"  # never fetched: CRLs are handed in process
PEGAWAI_NIP = "198501012010011001"
ATASAN_NIP = "197203152000031002"
FIELDS = ("Sig_Pegawai", "Sig_Atasan")


@dataclass(frozen=True)
class Identity:
    cert: x509.Certificate
    key: Any

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.der)

    @property
    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )


@dataclass(frozen=True)
class Pki:
    root: Identity
    pegawai: Identity
    atasan: Identity
    expired: Identity
    tsa: Identity
    other_root: Identity
    impostor: Identity
    """A signer with a NIP like a real one, chaining to `other_root`."""

    def signer(self, who: Identity) -> signers.SimpleSigner:
        chain = [self.root.asn1] if who is not self.impostor else [self.other_root.asn1]
        return signers.SimpleSigner(
            signing_cert=who.asn1, signing_key=who.asn1_key, cert_registry=SimpleCertificateStore.from_certs(chain)
        )

    def timestamper(self) -> timestamps.DummyTimeStamper:
        return timestamps.DummyTimeStamper(
            tsa_cert=self.tsa.asn1,
            tsa_key=self.tsa.asn1_key,
            certs_to_embed=SimpleCertificateStore.from_certs([self.root.asn1]),
        )

    def crl_revoking(self, *revoked: Identity) -> bytes:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.root.cert.subject)
            .last_update(NOW - dt.timedelta(hours=1))
            .next_update(NOW + dt.timedelta(days=7))
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root.key.public_key()), critical=False
            )
        )
        for identity in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(identity.cert.serial_number)
                .revocation_date(NOW - dt.timedelta(minutes=30))
                .build()
            )
        return builder.sign(self.root.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _name(common_name: str, nip: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kementerian Keuangan"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if nip:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, nip))
    return x509.Name(attributes)


def _root(common_name: str) -> Identity:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=365))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Identity(cert, key)


def _issue(
    issuer: Identity,
    subject: x509.Name,
    key: Any,
    *,
    tsa: bool = False,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> Identity:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=30))
        .not_valid_after(not_after or NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not tsa,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
        .add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None, None)]
            ),
            critical=False,
        )
    )
    if tsa:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return Identity(builder.sign(issuer.key, hashes.SHA256()), key)


@functools.cache
def make_pki() -> Pki:
    """The test PKI, built once per process (RSA key generation for the TSA takes ~50 ms)."""
    root = _root("Pakta Test Root CA")
    other_root = _root("Other Test Root CA")

    def p256() -> ec.EllipticCurvePrivateKey:
        return ec.generate_private_key(ec.SECP256R1())

    return Pki(
        root=root,
        pegawai=_issue(root, _name("Nur Abdullah", PEGAWAI_NIP), p256()),
        atasan=_issue(root, _name("Siti Rahmawati", ATASAN_NIP), p256()),
        expired=_issue(
            root,
            _name("Lama Sekali", "196001012000011001"),
            p256(),
            not_before=NOW - dt.timedelta(days=400),
            not_after=NOW - dt.timedelta(days=35),
        ),
        tsa=_issue(
            root, _name("Pakta Test TSA"), rsa.generate_private_key(public_exponent=65537, key_size=2048), tsa=True
        ),
        other_root=other_root,
        impostor=_issue(other_root, _name("Nur Abdullah", PEGAWAI_NIP), p256()),
    )


# --------------------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------------------

PACT_TEXT = "PAKTA INTEGRITAS - Nur Abdullah berjanji tidak menerima gratifikasi."
PACT_JSON = b'{"number": "PI-2026-000123", "name": "Nur Abdullah"}'


def minimal_pdf(*, attachment: bool = True, javascript: bool = False, text_field: bool = True) -> bytes:
    """A one-page PDF with text, a text field "Catatan" and (optionally) the pact data attached as JSON."""
    content = f"BT /F1 12 Tf 72 760 Td ({PACT_TEXT}) Tj ET".encode("latin-1")
    objects: dict[int, bytes] = {}
    catalog = [b"/Type /Catalog /Pages 2 0 R"]
    page_extra = b""
    if text_field:
        catalog.append(b"/AcroForm << /Fields [5 0 R] /DA (/Helv 0 Tf 0 g) >>")
        page_extra = b" /Annots [5 0 R]"
        objects[5] = (
            b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (Catatan) /V (awal) /F 4 "
            b"/Rect [72 600 300 620] /P 3 0 R /DA (/Helv 10 Tf 0 g) >>"
        )
    if attachment:
        catalog.append(b"/Names << /EmbeddedFiles << /Names [(pakta.json) 7 0 R] >> >> /AF [7 0 R]")
        objects[7] = (
            b"<< /Type /Filespec /F (pakta.json) /UF (pakta.json) /AFRelationship /Data "
            b"/Desc (Data pakta) /EF << /F 8 0 R /UF 8 0 R >> >>"
        )
        objects[8] = b"<< /Type /EmbeddedFile /Subtype /application#2Fjson /Length %d >>\nstream\n%s\nendstream" % (
            len(PACT_JSON),
            PACT_JSON,
        )
    if javascript:
        catalog.append(b"/OpenAction << /S /JavaScript /JS (app.alert\\('hai'\\)) >>")
    objects[1] = b"<< " + b" ".join(catalog) + b" >>"
    objects[2] = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    objects[3] = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 6 0 R >> >>" + page_extra + b" >>"
    )
    objects[4] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
    objects[6] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    size = max(objects) + 1
    for num in range(1, size):
        if num in objects:
            offsets[num] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % size
    for num in range(1, size):
        out += b"%010d 00000 n\r\n" % offsets[num] if num in offsets else b"0000000000 65535 f\r\n"
    out += b"trailer\n<< /Size %d /Root 1 0 R /ID [<%s><%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        b"11" * 16,
        b"11" * 16,
        xref_at,
    )
    return bytes(out)


def pact_with_fields(**kwargs: Any) -> bytes:
    """`minimal_pdf` plus the two empty signature fields, in signing order."""
    return add_signature_fields(
        minimal_pdf(**kwargs),
        [
            SignatureFieldSpec(FIELDS[0], 0, (72.0, 100.0, 272.0, 160.0)),
            SignatureFieldSpec(FIELDS[1], 0, (320.0, 100.0, 520.0, 160.0)),
        ],
    )


def sign(
    pdf: bytes,
    field: str,
    signer: signers.Signer,
    *,
    certify: bool = False,
    timestamper: timestamps.TimeStamper | None = None,
    reason: str | None = None,
) -> bytes:
    """Sign the existing field `field` (PAdES, SHA-256); certify with DocMDP P=2 when asked."""
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        reason=reason,
    )
    out = signers.PdfSigner(meta, signer=signer, timestamper=timestamper).sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf), strict=False), existing_fields_only=True, output=BytesIO()
    )
    return bytes(out.getvalue())


def signed_pact(pki: Pki, **kwargs: Any) -> bytes:
    """Certified by the employee (P=2), then approved by the superior, both with signature timestamps."""
    pdf = pact_with_fields(**kwargs)
    pdf = sign(pdf, FIELDS[0], pki.signer(pki.pegawai), certify=True, timestamper=pki.timestamper())
    return sign(pdf, FIELDS[1], pki.signer(pki.atasan), timestamper=pki.timestamper())


# --------------------------------------------------------------------------------------------------------
# Tampering, each as one incremental update
# --------------------------------------------------------------------------------------------------------


def _update(pdf: bytes, change: Any) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    change(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _first_page(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    return writer.root["/Pages"]["/Kids"][0]


def add_page(pdf: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        contents = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 760 Td (Lampiran) Tj ET"))
        page = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Page"),
                generic.pdf_name("/MediaBox"): generic.ArrayObject(map(generic.NumberObject, (0, 0, 595, 842))),
                generic.pdf_name("/Contents"): contents,
                generic.pdf_name("/Resources"): generic.DictionaryObject(),
            }
        )
        writer.insert_page(page)

    return _update(pdf, change)


def change_text(pdf: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        page["/Contents"] = writer.add_object(
            generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 760 Td (PAKTA INTEGRITAS - DIBATALKAN) Tj ET")
        )
        writer.update_container(page)

    return _update(pdf, change)


def add_annotation(pdf: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        note = writer.add_object(
            generic.DictionaryObject(
                {
                    generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                    generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
                    generic.pdf_name("/Rect"): generic.ArrayObject(map(generic.NumberObject, (400, 700, 420, 720))),
                    generic.pdf_name("/Contents"): generic.TextStringObject("Tidak berlaku"),
                }
            )
        )
        annots = page.raw_get("/Annots")
        if isinstance(annots, generic.IndirectObject):
            array = annots.get_object()
            array.append(note)
            writer.update_container(array)
        else:
            page["/Annots"].append(note)
            writer.update_container(page)

    return _update(pdf, change)


def change_field_value(pdf: bytes, name: str = "Catatan") -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        for ref in writer.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if field.get("/T") == name:
                field["/V"] = generic.TextStringObject("diubah")
                writer.update_container(field)
                return
        raise AssertionError(f"no field {name}")

    return _update(pdf, change)


def change_signature_reason(pdf: bytes, name: str = FIELDS[0]) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        for ref in writer.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if field.get("/T") == name:
                sig = field["/V"]
                sig["/Reason"] = generic.TextStringObject("Dibatalkan")
                writer.update_container(sig)
                return
        raise AssertionError(f"no field {name}")

    return _update(pdf, change)


def flip_signed_byte(pdf: bytes) -> bytes:
    """Change one letter of the page text inside the first signed revision."""
    at = pdf.index(b"Nur Abdullah berjanji")
    return pdf[:at] + b"X" + pdf[at + 1 :]


def sign_lta(pdf: bytes, field: str, pki: Pki, who: Identity) -> bytes:
    """Sign `field` at PAdES B-LTA: signature timestamp, then DSS with the CRL, then a document timestamp."""
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(
        trust_roots=[pki.root.asn1], crls=[pki.crl_revoking()], allow_fetching=False, revocation_mode="hard-fail"
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=True,
        use_pades_lta=True,
        validation_context=context,
    )
    out = signers.PdfSigner(meta, signer=pki.signer(who), timestamper=pki.timestamper()).sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf), strict=False), existing_fields_only=True, output=BytesIO()
    )
    return bytes(out.getvalue())


def encrypted(pdf: bytes) -> bytes:
    """`pdf` rewritten with RC4/AES password encryption (pacts never are)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(BytesIO(pdf), strict=False))
    writer.encrypt("pemilik", "pengguna")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def flate_bomb(expanded: int = 512 * 1024 * 1024) -> bytes:
    """A valid zlib stream of `expanded` spaces in about 1/1000 of the size, built in well under a second.

    Each 1 MiB chunk is compressed after a full flush, which resets the compressor, so the compressed
    block of the second chunk repeats for all the others; only the Adler-32 trailer needs all the data.
    """
    import struct
    import zlib

    chunk = b" " * (1024 * 1024)
    count = expanded // len(chunk)
    compressor = zlib.compressobj(9)
    head = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = compressor.flush()
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(chunk, checksum)
    return head + block * (count - 1) + final[:-4] + struct.pack(">I", checksum)


def metadata_bomb(pdf: bytes) -> bytes:
    """An update that replaces the XMP metadata with a Flate stream expanding to 512 MiB."""
    bomb = flate_bomb()

    def change(writer: IncrementalPdfFileWriter) -> None:
        stream = generic.StreamObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Metadata"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/XML"),
                generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode"),
            },
            encoded_data=bomb,
        )
        writer.root["/Metadata"] = writer.add_object(stream)
        writer.update_root()

    return _update(pdf, change)
