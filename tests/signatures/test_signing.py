"""Signing PDFs (signatures issue §2: `signatures.signing`, `signatures.stamp`, `signatures.lockout`).

Certification with DocMDP P=2, approval signatures in prepared fields with a visible QR stamp, B-LTA
sealing and archive renewal, on a real pact rendered by Typst and the embedded CA of `conftest.py`.
Each result is checked with pyHanko's validator and with the strict verifier (`signatures.verify`),
trusting only our root, revocation handed in-process (`ca.revocation_material_for`), nothing over HTTP.
"""

import copy
import datetime
import io
import os
import subprocess
import sys
import threading
from io import BytesIO

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from audit.models import AuditEvent
from integrity.documents import pact_template_current, render_pact_pdf
from signatures import ca, keystore, library_fixes, lockout, signing
from signatures import pdf as sigpdf
from signatures.library_fixes import read_hex_string_fast
from signatures.models import SigningIdentity, SigningLockout
from signatures.signers import (
    EmbeddedKeyHolder,
    InProcessTimeStamper,
    KeyHolderError,
    SealKeyHolder,
    in_process_timestamper,
)
from signatures.signing import (
    LongTermValidationError,
    PdfSigningError,
    SignatureFieldError,
    add_document_timestamp,
    certify_pdf,
    last_timestamp_valid_until,
    pakta_timestamper,
    seal_lta,
    sign_pdf_field,
    signature_certificates,
)
from signatures.stamp import (
    FONT_PATH,
    LABEL_CERTIFIED,
    LABEL_UNCERTIFIED,
    STAMP_CODEPOINTS,
    SignatureStamp,
    format_signing_time,
    stamp_text,
)
from signatures.verify import Verdict, verify_pdf_bytes
from tests.signatures.ades import ades_lta
from tests.signatures.conftest import ORGANISATION, PASSPHRASE

pytestmark = pytest.mark.django_db

SEAL = "KPPN-BNA"
URL = "http://pakta.test/v/0f1e2d3c4b5a69788796a5b4c3d2e1f0"
KPPN = "Kantor Pelayanan Perbendaharaan Negara Banda Aceh"


def _party(order: int, role: str, label: str, field: str, name: str, nip: str, nip_display: str, position: str):
    return {
        "order": order,
        "role": role,
        "role_label": label,
        "field_name": field,
        "name": name,
        "nip": nip,
        "nip_display": nip_display,
        "rank": "Penata Muda (III/a)",
        "position": position,
        "unit": KPPN,
    }


PACT_DATA = {
    "number": "PI-2026-000123",
    "kind": "employee_superior",
    "letterhead": [
        "KEMENTERIAN KEUANGAN REPUBLIK INDONESIA",
        "DIREKTORAT JENDERAL PERBENDAHARAAN",
        "KANTOR WILAYAH DIREKTORAT JENDERAL PERBENDAHARAAN PROVINSI ACEH",
        "KANTOR PELAYANAN PERBENDAHARAAN NEGARA BANDA ACEH",
    ],
    "address_lines": ["Gedung A Lt. 1 Komplek GKN Banda Aceh"],
    "institution": "Direktorat Jenderal Perbendaharaan",
    "place": "Banda Aceh",
    "date": "2026-11-02",
    "date_text": "2 November 2026",
    "spending_unit": None,
    "parties": [
        _party(1, "declarant", "Pembuat Pernyataan", "Sig1", "Nur Abdullah", "198503142010011001",
               "19850314 201001 1 001", "Pelaksana pada Seksi Pencairan Dana"),
        _party(2, "witness", "Menyaksikan", "Sig2", "Cut Nyak Aisyah, S.E., M.Ak.", "197805122000122001",
               "19780512 200012 2 001", "Kepala Seksi Pencairan Dana"),
    ],
}  # fmt: skip
STAMP = SignatureStamp(
    name="Nur Abdullah",
    nip="19850314 201001 1 001",
    position="Pelaksana pada Seksi Pencairan Dana",
    verification_url=URL,
)


@pytest.fixture
def pact_pdf(db) -> bytes:
    """GIVEN a pact rendered by Pakta: PDF/A-3b with two empty signature fields, Sig1 then Sig2."""
    return render_pact_pdf(copy.deepcopy(PACT_DATA), template=pact_template_current("employee_superior"))


@pytest.fixture
def tsa(ca_root):
    return in_process_timestamper()


@pytest.fixture
def seal(ca_root) -> SealKeyHolder:
    return SealKeyHolder(SEAL)


@pytest.fixture
def signer(identity) -> EmbeddedKeyHolder:
    return EmbeddedKeyHolder(identity, PASSPHRASE)


@pytest.fixture
def certified(pact_pdf, seal, tsa) -> bytes:
    return certify_pdf(pact_pdf, key_holder=seal, field_name="Seal_Office", timestamper=tsa)


@pytest.fixture
def signed_twice(certified, signer, tsa) -> bytes:
    once = sign_pdf_field(certified, key_holder=signer, field_name="Sig1", timestamper=tsa, stamp=STAMP)
    return sign_pdf_field(once, key_holder=signer, field_name="Sig2", timestamper=tsa, stamp=STAMP)


def revocation_data(pdf: bytes, *extra) -> tuple[list, list]:
    crls: dict[bytes, object] = {}
    ocsps: list = []
    for cert in [*signature_certificates(pdf), *extra]:
        cert_crls, cert_ocsps = ca.revocation_material_for(cert)
        for crl in cert_crls:
            crls.setdefault(crl.dump(), crl)
        ocsps.extend(cert_ocsps)
    return list(crls.values()), ocsps


@pytest.fixture
def sealed(signed_twice, tsa) -> bytes:
    crls, ocsps = revocation_data(signed_twice, tsa.tsa_cert)
    return seal_lta(signed_twice, timestamper=tsa, trust_roots=ca.trust_roots(), crls=crls, ocsps=ocsps)


def statuses(pdf: bytes, trust_roots=None) -> dict[str, object]:
    crls, ocsps = revocation_data(pdf)
    roots = ca.trust_roots() if trust_roots is None else trust_roots
    context = ValidationContext(trust_roots=roots, crls=crls, ocsps=ocsps, revocation_mode="hard-fail")
    return {
        embedded.field_name: validate_pdf_signature(
            embedded, signer_validation_context=context, ts_validation_context=context
        )
        for embedded in PdfFileReader(BytesIO(pdf)).embedded_regular_signatures
    }


def verdict(pdf: bytes, trust_roots=None) -> Verdict:
    crls, ocsps = revocation_data(pdf)
    roots = ca.trust_roots() if trust_roots is None else trust_roots
    report = verify_pdf_bytes(pdf, trust_roots=roots, crls=crls, ocsps=ocsps, allowed_embedded_files=1)
    return report.verdict


def qr_urls(pdf: bytes, candidates) -> dict[str, str]:
    """Signature field -> the URL its stamp's QR code encodes, out of `candidates`: there is no QR decoder
    here, but pyHanko draws the modules deterministically from the URL, so each candidate's drawing is
    compared with the stamp's."""
    import qrcode
    from pyhanko.pdf_utils.qr import PdfStreamQRImage

    drawings = {}
    for url in candidates:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(url)
        code.make()
        drawings[code.make_image(image_factory=PdfStreamQRImage).render_command_stream()] = url
    found: dict[str, str] = {}
    reader = PdfFileReader(BytesIO(pdf))
    for field_ref in reader.root["/AcroForm"]["/Fields"]:
        field = field_ref.get_object()
        if "/AP" not in field or "/V" not in field:
            continue
        resources = field["/AP"]["/N"]["/Resources"]
        if "/XObject" in resources and "/QR" in resources["/XObject"]:
            found[str(field["/T"])] = drawings.get(resources["/XObject"]["/QR"].data, "?")
    return found


# ---- The plan, stage by stage -----------------------------------------------------------------------------


def test_certification_is_p2_in_a_new_invisible_field_and_validates(pact_pdf, certified):
    assert certified.startswith(pact_pdf)
    assert sigpdf.signature_field_names(certified) == ["Sig1", "Sig2", "Seal_Office"]
    (embedded,) = PdfFileReader(BytesIO(certified)).embedded_regular_signatures
    assert embedded.docmdp_level == MDPPerm.FILL_FORMS
    status = statuses(certified)["Seal_Office"]
    assert status.bottom_line and status.intact and status.trusted
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert verdict(certified) == Verdict.VALID


def test_parties_fill_prepared_fields_under_p2(certified, signed_twice):
    assert signed_twice.startswith(certified)
    result = statuses(signed_twice)
    assert set(result) == {"Seal_Office", "Sig1", "Sig2"}
    assert all(status.bottom_line for status in result.values())
    seal = result["Seal_Office"]
    assert seal.docmdp_ok and seal.modification_level == ModificationLevel.FORM_FILLING
    assert verdict(signed_twice) == Verdict.VALID


def test_sealed_file_passes_ades_lta_from_its_own_data(signed_twice, sealed):
    assert sealed.startswith(signed_twice)
    reader = PdfFileReader(BytesIO(sealed))
    assert "/DSS" in reader.root
    assert len(reader.embedded_timestamp_signatures) == 1
    assert all(status.bottom_line for status in statuses(sealed).values())
    assert verdict(sealed) == Verdict.VALID
    assert set(ades_lta(sealed).values()) == {AdESPassed.OK}


def test_without_the_seal_the_signatures_are_not_long_term_valid(signed_twice):
    # B-T alone: the file does not carry what AdES-LTA needs (measurements.md §4).
    assert AdESPassed.OK not in set(ades_lta(signed_twice).values())


def test_resealing_renews_the_archive_timestamp_chain(sealed, tsa):
    crls, ocsps = revocation_data(sealed, tsa.tsa_cert)
    renewed = seal_lta(sealed, timestamper=tsa, trust_roots=ca.trust_roots(), crls=crls, ocsps=ocsps)
    assert renewed.startswith(sealed)
    assert len(PdfFileReader(BytesIO(renewed)).embedded_timestamp_signatures) == 2
    assert set(ades_lta(renewed).values()) == {AdESPassed.OK}
    assert verdict(renewed) == Verdict.VALID


def test_last_timestamp_valid_until_is_the_end_of_the_tsa_chain(sealed, signed_twice, tsa):
    tsa_end = tsa.tsa_cert.not_valid_after
    issuing_end = ca.ca_certificate().not_valid_after
    assert last_timestamp_valid_until(sealed) == min(tsa_end, issuing_end)
    assert last_timestamp_valid_until(signed_twice) is None


def test_last_timestamp_valid_until_reads_the_newest_timestamp(sealed):
    """GIVEN a sealed file timestamped once more by another TSA whose certificate ends in 10 days THEN the
    end is that TSA's, as pyHanko's own reading of the newest document timestamp says."""
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA Lain")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=10))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    other = InProcessTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)), tsa_key=key
    )
    twice = add_document_timestamp(sealed, timestamper=other)
    newest = PdfFileReader(BytesIO(twice)).embedded_timestamp_signatures[-1]
    assert newest.signer_cert.subject.human_friendly == "Common Name: TSA Lain"
    assert last_timestamp_valid_until(twice) == newest.signer_cert.not_valid_after
    assert last_timestamp_valid_until(twice) < last_timestamp_valid_until(sealed)


def test_bare_document_timestamp(certified, tsa):
    stamped = add_document_timestamp(certified, timestamper=tsa, field_name="Waktu")
    assert stamped.startswith(certified)
    (timestamp,) = PdfFileReader(BytesIO(stamped)).embedded_timestamp_signatures
    assert timestamp.field_name == "Waktu"


def test_signature_certificates_lists_signers_and_tsa_once(signed_twice, identity, seal, tsa):
    serials = {cert.serial_number for cert in signature_certificates(signed_twice)}
    from cryptography import x509

    own = x509.load_der_x509_certificate(bytes(identity.certificate)).serial_number
    assert serials == {own, seal.certificate.serial_number, tsa.tsa_cert.serial_number}


# ---- Tampering and trust ------------------------------------------------------------------------------------


def test_a_flipped_byte_in_a_signed_revision_invalidates(pact_pdf, sealed):
    crls, ocsps = revocation_data(sealed)
    at = pact_pdf.index(b"stream\n", len(pact_pdf) // 2) + 20  # inside a content stream of the pact
    tampered = bytearray(sealed)
    tampered[at] ^= 0x20
    report = verify_pdf_bytes(
        bytes(tampered), trust_roots=ca.trust_roots(), crls=crls, ocsps=ocsps, allowed_embedded_files=1
    )
    assert report.verdict == Verdict.INVALID
    assert verdict(sealed) == Verdict.VALID


def test_a_page_added_after_signing_is_modified(signed_twice):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed_twice))
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"0 0 m 100 100 l S")))
    out = BytesIO()
    writer.write(out)
    assert verdict(out.getvalue()) == Verdict.MODIFIED


def test_another_root_does_not_trust_our_signatures(signed_twice):
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Root lain")])
    now = datetime.datetime.now(datetime.UTC)
    other = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    root = asn1_x509.Certificate.load(other.public_bytes(serialization.Encoding.DER))
    assert verdict(signed_twice, trust_roots=[root]) == Verdict.UNTRUSTED


def test_sealing_without_revocation_data_is_refused(signed_twice, tsa):
    with pytest.raises(LongTermValidationError) as caught:
        seal_lta(signed_twice, timestamper=tsa, trust_roots=ca.trust_roots(), crls=[], ocsps=[])
    assert caught.value.status_code == 409


def test_sealing_under_a_foreign_root_is_refused(signed_twice, tsa):
    crls, ocsps = revocation_data(signed_twice, tsa.tsa_cert)
    with pytest.raises(LongTermValidationError):
        seal_lta(signed_twice, timestamper=tsa, trust_roots=[], crls=crls, ocsps=ocsps)


def test_sealing_an_unsigned_file_is_refused(pact_pdf, tsa):
    with pytest.raises(PdfSigningError):
        seal_lta(pact_pdf, timestamper=tsa, trust_roots=ca.trust_roots())


# ---- Field rules ---------------------------------------------------------------------------------------------


def test_certifying_a_signed_document_is_refused(certified, seal, tsa):
    with pytest.raises(SignatureFieldError):
        certify_pdf(certified, key_holder=seal, field_name="Seal_Again", timestamper=tsa)


def test_certifying_into_an_existing_field_is_refused(pact_pdf, seal, tsa):
    with pytest.raises(SignatureFieldError):
        certify_pdf(pact_pdf, key_holder=seal, field_name="Sig1", timestamper=tsa)


def test_signing_a_missing_or_filled_field_is_refused(certified, signer, tsa):
    with pytest.raises(SignatureFieldError) as missing:
        sign_pdf_field(certified, key_holder=signer, field_name="Sig9", timestamper=tsa, stamp=STAMP)
    assert "Sig9" in missing.value.message
    with pytest.raises(SignatureFieldError):
        sign_pdf_field(certified, key_holder=signer, field_name="Seal_Office", timestamper=tsa, stamp=STAMP)


def test_not_a_pdf_is_refused(signer, tsa):
    with pytest.raises(PdfSigningError):
        sign_pdf_field(b"bukan pdf", key_holder=signer, field_name="Sig1", timestamper=tsa, stamp=STAMP)


def test_a_too_small_reservation_falls_back_to_pyhankos_estimate(certified, signer, tsa, monkeypatch):
    monkeypatch.setattr(signing.approval, "_reserve", lambda signer, timestamper: 1024)
    signed = sign_pdf_field(certified, key_holder=signer, field_name="Sig1", timestamper=tsa, stamp=STAMP)
    assert statuses(signed)["Sig1"].bottom_line


def test_reservation_fits_our_chain_tightly(certified, signer, tsa):
    signed = sign_pdf_field(certified, key_holder=signer, field_name="Sig1", timestamper=tsa, stamp=STAMP)
    embedded = PdfFileReader(BytesIO(signed)).embedded_regular_signatures[-1]
    from asn1crypto import parser

    info = parser.parse(embedded.pkcs7_content)
    used = len(info[3]) + len(info[4])
    reserved = len(embedded.pkcs7_content)
    assert used < reserved <= used + 2048


def test_signing_time_is_the_one_given_everywhere(certified, signer, tsa):
    moment = timezone.make_aware(datetime.datetime(2026, 11, 2, 9, 5, 30))
    signed = sign_pdf_field(
        certified, key_holder=signer, field_name="Sig1", timestamper=tsa, stamp=STAMP, signing_time=moment
    )
    status = statuses(signed)["Sig1"]
    assert status.signer_reported_dt == moment
    assert "2 November 2026 09:05 WIB" in stamp_text(STAMP, moment)


# ---- The visible stamp --------------------------------------------------------------------------------------


def test_stamp_uses_only_the_embedded_subset_font(signed_twice):
    fonts = sigpdf.fonts(signed_twice)
    assert all(font.embedded for font in fonts), fonts
    stamp_fonts = [font for font in fonts if "DejaVuSans" in font.base_font]
    assert len(stamp_fonts) == 2 and all(font.subtype == "Type0" for font in stamp_fonts)
    assert all(re_subset(font.base_font) for font in stamp_fonts)


def re_subset(name: str) -> bool:
    import re

    return re.fullmatch(r"[A-Z]{6}\+DejaVuSans-Identity-H", name) is not None


def test_stamp_widths_are_per_thousand_em(signed_twice):
    """pyHanko writes /W in font units; our font has 1000 per em, so the space is DejaVu's 651/2048."""
    reader = PdfFileReader(BytesIO(signed_twice))
    for field_ref in reader.root["/AcroForm"]["/Fields"]:
        field = field_ref.get_object()
        if "/AP" not in field or "/V" not in field:
            continue
        font = field["/AP"]["/N"]["/Resources"]["/Font"]["/F1"]
        cid_font = font["/DescendantFonts"][0]
        widths = list(cid_font["/W"])
        flat = {}
        for i in range(0, len(widths), 2):
            for offset, width in enumerate(widths[i + 1]):
                flat[int(widths[i]) + offset] = int(width)
        space_gid = TTFont(str(FONT_PATH)).getGlyphID("space")
        assert flat[space_gid] == 318  # round(651 * 1000 / 2048)
        assert max(flat.values()) <= 1000


def test_stamp_qr_links_to_the_verification_page(signed_twice):
    assert qr_urls(signed_twice, [URL, "http://pakta.test/v/lain"]) == {"Sig1": URL, "Sig2": URL}


def test_stamp_text_lines():
    moment = datetime.datetime(2026, 3, 14, 3, 15, tzinfo=datetime.UTC)  # 10:15 in Jakarta
    text = stamp_text(STAMP, moment).split("\n")
    assert text == [
        "Ditandatangani secara elektronik",
        "Nur Abdullah",
        "NIP 19850314 201001 1 001",
        "Pelaksana pada Seksi Pencairan Dana",
        "14 Maret 2026 10:15 WIB",
        str(LABEL_UNCERTIFIED),
    ]
    certified = SignatureStamp(name="A", nip="1", position="B", verification_url=URL, certified=True)
    assert stamp_text(certified, moment).endswith(str(LABEL_CERTIFIED))


def test_stamp_text_wraps_long_positions_and_replaces_unknown_characters():
    moment = timezone.now()
    stamp = SignatureStamp(
        name="Nur\nAbdullah\u200b 王",
        nip="19850314 201001 1 001",
        position="Kepala Seksi Manajemen Satker dan Kepatuhan Internal pada Kantor Pelayanan Perbendaharaan "
        "Negara Banda Aceh Provinsi Aceh",
        verification_url=URL,
    )
    lines = stamp_text(stamp, moment).split("\n")
    assert lines[1] == "Nur Abdullah ?"
    position = lines[3:5]
    assert all(len(line) <= 44 for line in position) and position[-1].endswith("…")
    assert len(lines) == 7


def test_signing_time_is_shown_in_wib():
    assert format_signing_time(datetime.datetime(2026, 12, 31, 17, 30, tzinfo=datetime.UTC)) == (
        "1 Januari 2027 00:30 WIB"
    )
    with pytest.raises(ValueError):
        format_signing_time(datetime.datetime(2026, 1, 1))


def test_shipped_font_is_a_small_latin_subset_at_1000_units_per_em():
    data = FONT_PATH.read_bytes()
    assert len(data) < 100 * 1024
    font = TTFont(io.BytesIO(data))
    assert font["head"].unitsPerEm == 1000
    cmap = font.getBestCmap()
    assert set(STAMP_CODEPOINTS) <= set(cmap)
    assert (FONT_PATH.parent / "LICENSE-DejaVu.txt").exists()


def test_shipped_font_can_be_rebuilt_from_debian(tmp_path):
    from signatures.stamp import DEBIAN_DEJAVU_SANS, build_stamp_font

    if not DEBIAN_DEJAVU_SANS.exists():
        pytest.skip("fonts-dejavu-core is not installed")
    rebuilt = TTFont(io.BytesIO(build_stamp_font()))
    shipped = TTFont(str(FONT_PATH))
    assert rebuilt.getBestCmap() == shipped.getBestCmap()
    assert rebuilt["head"].unitsPerEm == 1000


# ---- The timestamper ----------------------------------------------------------------------------------------


def test_embedded_tsa_by_default_and_one_http_client_per_url(ca_root, settings):
    settings.PAKTA_TSA_URL = ""
    assert pakta_timestamper() is in_process_timestamper()
    settings.PAKTA_TSA_URL = "http://127.0.0.1:9/tsa"
    first = pakta_timestamper()
    assert isinstance(first, HTTPTimeStamper) and first.url == "http://127.0.0.1:9/tsa"
    assert pakta_timestamper() is first


# ---- Hex strings --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"<>",
        b"<00>",
        b"<0a1B2c>",
        b"<0a 1B\n2c\r\t\x0c\x00>",
        b"<abc>",
        b"<" + b"30" * 20000 + b">",
        b"<41 % comment >\n42>",
    ],
)
def test_fast_hex_strings_read_exactly_as_pyhanko_does(raw):
    original = library_fixes.PYHANKO_READ_HEX
    tail = b" /Next"
    ours, theirs = BytesIO(raw + tail), BytesIO(raw + tail)
    assert read_hex_string_fast(ours) == original(theirs)
    assert ours.tell() == theirs.tell()


def test_fast_hex_strings_fail_as_pyhanko_does():
    from pyhanko.pdf_utils.misc import PdfReadError

    original = library_fixes.PYHANKO_READ_HEX
    for raw in (b"<4G>", b"<41"):
        with pytest.raises((PdfReadError, Exception)) as ours:
            read_hex_string_fast(BytesIO(raw))
        with pytest.raises((PdfReadError, Exception)) as theirs:
            original(BytesIO(raw))
        assert type(ours.value) is type(theirs.value)


def test_pyhanko_reads_hex_strings_through_the_fast_reader():
    assert generic.read_hex_string_from_stream is read_hex_string_fast


def test_asn1crypto_no_longer_reencodes_what_it_encoded():
    """asn1crypto 1.5.1 left structures marked as changed after encoding them (issue #256): the fix is in."""
    assert not library_fixes.asn1crypto_reencodes()
    assert library_fixes.fix_asn1crypto_reencoding() is False  # applied once, at import


def test_a_fresh_process_importing_the_verifier_gets_both_fixes():
    """The verification child processes start from a fork server that imports `signatures.verify` only:
    both fixes must come with that import, not with Django's start-up."""
    code = (
        "import signatures.verify\n"
        "from pyhanko.pdf_utils import generic\n"
        "from signatures import library_fixes as f\n"
        "assert generic.read_hex_string_from_stream is f.read_hex_string_fast\n"
        "assert not f.asn1crypto_reencodes()\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=django_settings.BASE_DIR, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# ---- Passphrase lockout (signatures.lockout) ----------------------------------------------------------------


def test_lockout_counts_locks_audits_and_expires(identity, pegawai, settings):
    settings.PAKTA_SIGNING_MAX_FAILURES = 3
    settings.PAKTA_SIGNING_LOCK_MINUTES = 15
    for remaining in (2, 1, 0):
        with pytest.raises(keystore.WrongPassphrase) as caught:
            lockout.embedded_key_holder_open(identity=identity, passphrase="salah-passphrase-1", actor=pegawai)
        assert caught.value.extra == {"remaining_attempts": remaining}
    event = AuditEvent.objects.get(action="signatures.identity.locked")
    assert event.subject_id == str(identity.pk)
    until = lockout.identity_locked_until(identity)
    assert until is not None and until - timezone.now() <= datetime.timedelta(minutes=15)
    with pytest.raises(lockout.SigningLocked):
        lockout.embedded_key_holder_open(identity=identity, passphrase=PASSPHRASE, actor=pegawai)
    with pytest.raises(lockout.SigningLocked):
        lockout.identity_check_not_locked(identity)
    SigningLockout.objects.filter(identity=identity).update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    assert lockout.identity_locked_until(identity) is None
    holder = lockout.embedded_key_holder_open(identity=identity, passphrase=PASSPHRASE, actor=pegawai)
    assert holder.certificate.serial_number == int(identity.serial, 16)
    assert SigningLockout.objects.get(identity=identity).failed_count == 0


def test_lockout_audit_never_holds_the_passphrase(identity, pegawai, settings):
    settings.PAKTA_SIGNING_MAX_FAILURES = 1
    with pytest.raises(keystore.WrongPassphrase):
        lockout.embedded_key_holder_open(identity=identity, passphrase="rahasia-sekali-99", actor=pegawai)
    assert not AuditEvent.objects.filter(payload__contains="rahasia-sekali-99").exists()


def test_the_key_is_tried_outside_any_transaction(identity, pegawai, monkeypatch):
    """The key derivation (scrypt) holds no lock: on SQLite a transaction would hold the whole database."""
    outer = len(connection.atomic_blocks)  # the test's own transaction
    seen: list[int] = []
    real = lockout.EmbeddedKeyHolder

    def holder(identity_: SigningIdentity, passphrase: str) -> EmbeddedKeyHolder:
        seen.append(len(connection.atomic_blocks) - outer)
        return real(identity_, passphrase)

    monkeypatch.setattr(lockout, "EmbeddedKeyHolder", holder)
    with pytest.raises(keystore.WrongPassphrase):
        lockout.embedded_key_holder_open(identity=identity, passphrase="salah-passphrase-1", actor=pegawai)
    lockout.embedded_key_holder_open(identity=identity, passphrase=PASSPHRASE, actor=pegawai)
    assert seen == [0, 0]


def test_attempts_cut_off_mid_way_count_as_wrong_once_stale(identity, pegawai, settings):
    """GIVEN as many attempts in progress as allowed, started two minutes ago (cut off by a crash) WHEN one
    more comes, even with the right passphrase, THEN they count as wrong: signing locks, audited, and the
    key is not tried."""
    settings.PAKTA_SIGNING_MAX_FAILURES = 3
    started = timezone.now() - datetime.timedelta(minutes=2)
    SigningLockout.objects.create(identity=identity, attempts_in_progress=3, attempt_started_at=started)
    with pytest.raises(lockout.SigningLocked):
        lockout.embedded_key_holder_open(identity=identity, passphrase=PASSPHRASE, actor=pegawai)
    row = SigningLockout.objects.get(identity=identity)
    assert (row.failed_count, row.attempts_in_progress) == (3, 0)
    assert lockout.identity_locked_until(identity) is not None
    assert AuditEvent.objects.filter(action="signatures.identity.locked", subject_id=str(identity.pk)).count() == 1


def test_attempts_in_progress_make_the_next_wait_but_lock_nothing(identity, pegawai, settings):
    """GIVEN two wrong passphrases recorded and one attempt being checked right now, with 3 allowed WHEN
    another comes THEN it is told to retry (429) without being tried; nothing is locked or audited; once
    the attempt in progress ends right, the next one goes through."""
    settings.PAKTA_SIGNING_MAX_FAILURES = 3
    SigningLockout.objects.create(
        identity=identity, failed_count=2, attempts_in_progress=1, attempt_started_at=timezone.now()
    )
    with pytest.raises(lockout.SigningBusy) as busy:
        lockout.embedded_key_holder_open(identity=identity, passphrase=PASSPHRASE, actor=pegawai)
    assert busy.value.status_code == 429 and "Coba lagi sebentar lagi" in str(busy.value.message)
    assert lockout.identity_locked_until(identity) is None
    assert not AuditEvent.objects.filter(action="signatures.identity.locked").exists()
    assert SigningLockout.objects.get(identity=identity).attempts_in_progress == 1

    SigningLockout.objects.filter(identity=identity).update(attempts_in_progress=0)  # it ended
    lockout.embedded_key_holder_open(identity=identity, passphrase=PASSPHRASE, actor=pegawai)
    row = SigningLockout.objects.get(identity=identity)
    assert (row.failed_count, row.attempts_in_progress) == (0, 0)


def test_an_identity_that_cannot_sign_is_not_counted(identity, pegawai):
    """A revoked identity is refused for what it is, not as a guess: the count does not move."""
    ca.identity_revoke(identity=identity, reason="cessation_of_operation", actor=pegawai)
    identity.refresh_from_db()
    for _ in range(2):
        with pytest.raises(KeyHolderError):
            lockout.embedded_key_holder_open(identity=identity, passphrase="salah-passphrase-1", actor=pegawai)
    assert SigningLockout.objects.get(identity=identity).failed_count == 0


def _parallel_attempts(passphrases: list[str]) -> tuple[list[object], SigningIdentity]:
    """Opens one identity's key with `passphrases`, all at the same moment from threads; what each got."""
    keystore.ca_key_file_create()
    ca.ca_initialize(organisation=ORGANISATION, unit_seals=[])
    user = get_user_model().objects.create_user(username="penanda.tangan")
    target = ca.identity_enrol(
        user=user,
        passphrase=PASSPHRASE,
        name="Nur Abdullah",
        nip="198503142010011001",
        unit_name="Seksi Pencairan Dana",
        organisation=ORGANISATION,
        email="nur.abdullah@example.go.id",
        actor=user,
    )
    start = threading.Barrier(len(passphrases))
    results: list[object] = []

    def attempt(passphrase: str) -> None:
        try:
            start.wait()
            results.append(lockout.embedded_key_holder_open(identity=target, passphrase=passphrase, actor=user))
        except Exception as exc:  # collected and checked by the test
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(passphrase,)) for passphrase in passphrases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == len(passphrases)
    return results, target


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_wrong_passphrases_make_no_more_guesses_than_allowed(settings):
    """GIVEN 8 requests with wrong passphrases at the same moment and 5 allowed THEN exactly 5 are tried
    (the last to fail told 0 left), the other 3 are refused untried (to retry, or locked), signing ends
    locked, and the lock is audited once."""
    settings.PAKTA_SIGNING_MAX_FAILURES = 5
    results, target = _parallel_attempts([f"tebakan-keliru-{number:02d}" for number in range(8)])
    wrong = sorted(exc.extra["remaining_attempts"] for exc in results if isinstance(exc, keystore.WrongPassphrase))
    refused = [exc for exc in results if isinstance(exc, (lockout.SigningBusy, lockout.SigningLocked))]
    assert len(wrong) == 5 and wrong[0] == 0, results
    assert len(refused) == 3, results
    assert AuditEvent.objects.filter(action="signatures.identity.locked").count() == 1
    assert lockout.identity_locked_until(target) is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_right_passphrases_never_lock(settings):
    """GIVEN 8 requests with the right passphrase at the same moment and 5 allowed (an API client signing
    many pacts at once) THEN each opens the key or is told to retry; nothing is locked or audited and the
    count is back at zero."""
    settings.PAKTA_SIGNING_MAX_FAILURES = 5
    results, target = _parallel_attempts([PASSPHRASE] * 8)
    opened = [result for result in results if isinstance(result, EmbeddedKeyHolder)]
    busy = [result for result in results if isinstance(result, lockout.SigningBusy)]
    assert opened and len(opened) + len(busy) == 8, results
    assert lockout.identity_locked_until(target) is None
    assert not AuditEvent.objects.filter(action="signatures.identity.locked").exists()
    row = SigningLockout.objects.get(identity=target)
    assert (row.failed_count, row.attempts_in_progress) == (0, 0)


def stamp_texts(pdf: bytes) -> dict[str, str]:
    """Signature field -> the text drawn in its stamp, decoded through the embedded font's /ToUnicode map."""
    reader = PdfFileReader(BytesIO(pdf))
    texts: dict[str, str] = {}
    for field_ref in reader.root["/AcroForm"]["/Fields"]:
        field = field_ref.get_object()
        if "/AP" not in field or "/V" not in field:
            continue
        appearance = field["/AP"]["/N"]
        lines: list[str] = []
        sigpdf._show_text(bytes(appearance.data), appearance["/Resources"], lines, 0)
        texts[str(field["/T"])] = "\n".join(line for line in lines if line)
    return texts


def test_stamp_text_is_drawn_with_the_embedded_font(signed_twice):
    texts = stamp_texts(signed_twice)
    assert set(texts) == {"Sig1", "Sig2"}
    for text in texts.values():
        flat = text.replace(" ", "")
        for expected in (
            "Ditandatanganisecaraelektronik",
            "NurAbdullah",
            "NIP19850314201001",
            "WIB",
            str(LABEL_UNCERTIFIED).replace(" ", ""),
        ):
            assert expected in flat, text


def test_certificate_chains_to_checks_signatures_not_names(identity, ca_root):
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    own = asn1_x509.Certificate.load(bytes(identity.certificate))
    issuing = ca.ca_certificate()
    assert signing.certificate_chains_to(own, roots=ca.trust_roots(), intermediates=[issuing])
    assert not signing.certificate_chains_to(own, roots=[], intermediates=[issuing])
    # A look-alike: same subject and issuer names as ours, signed by a key that is not our CA's.
    real = x509.load_der_x509_certificate(bytes(identity.certificate))
    key = ec.generate_private_key(ec.SECP256R1())
    forged = (
        x509.CertificateBuilder().subject_name(real.subject).issuer_name(real.issuer).public_key(key.public_key())
        .serial_number(real.serial_number + 1).not_valid_before(real.not_valid_before_utc)
        .not_valid_after(real.not_valid_after_utc).sign(key, hashes.SHA256())
    )  # fmt: skip
    forged_asn1 = asn1_x509.Certificate.load(forged.public_bytes(serialization.Encoding.DER))
    assert not signing.certificate_chains_to(forged_asn1, roots=ca.trust_roots(), intermediates=[issuing])
