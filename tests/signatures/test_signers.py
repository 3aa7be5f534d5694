"""Key holders behind one interface, signing a PDF that pyHanko validates (signatures issue §1).

Validation uses our root as the only trust anchor and revocation material made in-process, in hard-fail
mode: a certificate that points to a CRL or OCSP responder must have a fresh answer, or it fails.
"""

import datetime
import os
import secrets
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from audit.models import AuditEvent
from signatures import ca, keystore
from signatures import signers as holders
from signatures.models import Revocation, SigningIdentity
from signatures.signers import (
    EmbeddedKeyHolder,
    KeyHolder,
    KeyHolderError,
    Pkcs11KeyHolder,
    Pkcs12Error,
    Pkcs12KeyHolder,
    SealKeyHolder,
    in_process_timestamper,
)

from .conftest import ORGANISATION, PASSPHRASE

SOFTHSM_LIB = "/usr/lib/softhsm/libsofthsm2.so"


def sign(pdf: bytes, holder: KeyHolder, *, timestamp: bool = True) -> bytes:
    meta = signers.PdfSignatureMetadata(
        field_name="Sig_Pegawai", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    stamper = in_process_timestamper() if timestamp else None
    out = signers.PdfSigner(meta, signer=holder.signer_for(), timestamper=stamper).sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf)), output=BytesIO()
    )
    return out.getvalue()


def validate(pdf: bytes, *, roots: list[asn1_x509.Certificate] | None = None) -> PdfSignatureStatus:
    embedded = PdfFileReader(BytesIO(pdf)).embedded_signatures[0]
    crls, ocsps = [], []
    for cert in (embedded.signer_cert, in_process_timestamper().tsa_cert):
        more_crls, more_ocsps = ca.revocation_material_for(cert)
        crls += more_crls
        ocsps += more_ocsps
    context = ValidationContext(
        trust_roots=roots if roots is not None else ca.trust_roots(),
        crls=crls,
        ocsps=ocsps,
        allow_fetching=False,
        revocation_mode="hard-fail",
    )
    return validate_pdf_signature(embedded, context)


def assert_valid(status: PdfSignatureStatus) -> None:
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.bottom_line, status.pretty_print_details()


# --- Embedded keys and the in-process TSA ---------------------------------------------------------------------


def test_embedded_key_signature_with_timestamp_validates_intact_and_trusted(identity, small_pdf):
    holder = EmbeddedKeyHolder(identity, PASSPHRASE)
    assert isinstance(holder, KeyHolder)
    signed = sign(small_pdf, holder)

    status = validate(signed)
    assert_valid(status)
    assert status.signer_reported_dt is not None
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.trusted
    assert status.signing_cert.subject.native["serial_number"] == identity.subject_serial


def test_tampering_breaks_the_signature(identity, small_pdf):
    signed = bytearray(sign(small_pdf, EmbeddedKeyHolder(identity, PASSPHRASE), timestamp=False))
    at = bytes(signed).index(b"PAKTA INTEGRITAS")
    signed[at : at + 5] = b"PAKTO"
    assert not validate(bytes(signed)).intact


def test_another_trust_root_does_not_trust_our_signature(identity, small_pdf):
    signed = sign(small_pdf, EmbeddedKeyHolder(identity, PASSPHRASE), timestamp=False)
    stranger_root = asn1_x509.Certificate.load(_test_ca()[0].public_bytes(serialization.Encoding.DER))
    status = validate(signed, roots=[stranger_root])
    assert status.intact and not status.trusted and not status.bottom_line


def test_a_revoked_signer_no_longer_validates(identity, small_pdf):
    signed = sign(small_pdf, EmbeddedKeyHolder(identity, PASSPHRASE), timestamp=False)
    ca.identity_revoke(identity=identity, reason="key_compromise", actor=None)
    status = validate(signed)
    assert status.intact and not status.bottom_line
    assert "revoked" in status.pretty_print_details().lower()
    with pytest.raises(KeyHolderError, match="dicabut"):
        EmbeddedKeyHolder(identity, PASSPHRASE)


def test_a_wrong_passphrase_is_refused(identity):
    with pytest.raises(keystore.WrongPassphrase):
        EmbeddedKeyHolder(identity, "bukan-passphrase-nya")


def test_the_loaded_key_is_never_re_parsed_while_signing(identity, small_pdf, monkeypatch):
    holder = EmbeddedKeyHolder(identity, PASSPHRASE)
    in_process_timestamper()  # the TSA key is loaded once per process, before this point

    def refuse(*args, **kwargs):
        raise AssertionError("a private key was parsed during signing")

    with monkeypatch.context() as patch:
        patch.setattr(serialization, "load_der_private_key", refuse)
        patch.setattr(serialization, "load_pem_private_key", refuse)
        signed = sign(small_pdf, holder)
    assert_valid(validate(signed))


def test_the_timestamper_is_built_once_per_process(ca_root):
    assert in_process_timestamper() is in_process_timestamper()
    tsa_eku = in_process_timestamper().tsa_cert.extended_key_usage_value.native
    assert tsa_eku == ["time_stamping"]


def test_office_seal_signs_and_validates(ca_root, small_pdf):
    holder = SealKeyHolder("KPPN-BNA")
    assert_valid(validate(sign(small_pdf, holder)))
    with pytest.raises(ca.CaNotInitialized):
        SealKeyHolder("KPPN-TIDAK-ADA")


# --- PKCS#12 --------------------------------------------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


def _test_ca() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("PSrE Uji Root"))
        .issuer_name(_name("PSrE Uji Root"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _leaf(
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    *,
    days: int = 365,
    start_days_ago: int = 1,
    is_ca: bool = False,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name("Penandatangan PKCS12"))
        .issuer_name(issuer[0].subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=start_days_ago))
        .not_valid_after(now - datetime.timedelta(days=start_days_ago) + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(issuer[1], hashes.SHA256())
    )


def _p12(key, cert, cas=(), password: bytes = b"sandi-p12-uji") -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"signer", key, cert, list(cas), serialization.BestAvailableEncryption(password)
    )


def test_pkcs12_signature_validates_against_its_own_root(db, small_pdf):
    root = _test_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    holder = Pkcs12KeyHolder(_p12(key, _leaf(root, key), [root[0]]), "sandi-p12-uji")
    signed = sign(small_pdf, holder, timestamp=False)
    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    root_asn1 = asn1_x509.Certificate.load(root[0].public_bytes(serialization.Encoding.DER))
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[root_asn1], allow_fetching=False))
    assert_valid(status)


def test_pkcs12_with_rsa_key_signs(db, small_pdf):
    root = _test_ca()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signed = sign(small_pdf, Pkcs12KeyHolder(_p12(key, _leaf(root, key)), "sandi-p12-uji"), timestamp=False)
    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    root_asn1 = asn1_x509.Certificate.load(root[0].public_bytes(serialization.Encoding.DER))
    assert_valid(validate_pdf_signature(embedded, ValidationContext(trust_roots=[root_asn1], allow_fetching=False)))


def _mismatched() -> bytes:
    """A PKCS#12 whose key is not the certificate's (cryptography refuses to pair them, so the certificate
    travels unpaired, as some tools write it)."""
    root = _test_ca()
    key, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    return _p12(other, None, [_leaf(root, key)])


@pytest.mark.parametrize(
    ("make", "password", "error", "message"),
    [
        pytest.param(
            lambda root, key: _p12(key, _leaf(root, key)),
            "sandi-keliru-99",
            Pkcs12Error,
            "kata sandi salah",
            id="wrong-password",
        ),
        pytest.param(
            lambda root, key: _p12(key, _leaf(root, key, days=30, start_days_ago=60)),
            "sandi-p12-uji",
            KeyHolderError,
            "kedaluwarsa",
            id="expired",
        ),
        pytest.param(
            lambda root, key: _p12(key, _leaf(root, key, is_ca=True)),
            "sandi-p12-uji",
            KeyHolderError,
            "sertifikat CA",
            id="ca-certificate",
        ),
        pytest.param(lambda root, key: _mismatched(), "sandi-p12-uji", Pkcs12Error, "tidak cocok", id="mismatched-key"),
        pytest.param(lambda root, key: b"bukan PKCS#12", "sandi-p12-uji", Pkcs12Error, "rusak", id="not-pkcs12"),
        pytest.param(
            lambda root, key: secrets.token_bytes(holders.PKCS12_MAX_BYTES + 1),
            "sandi-p12-uji",
            Pkcs12Error,
            "terlalu besar",
            id="too-large",
        ),
        pytest.param(
            lambda root, key: _p12(key, None, [root[0]]), "sandi-p12-uji", KeyHolderError, "sertifikat CA", id="only-ca"
        ),
    ],
)
def test_pkcs12_bad_input_is_refused_clearly(db, make, password, error, message):
    root = _test_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(error) as caught:
        Pkcs12KeyHolder(make(root, key), password)
    assert message in str(caught.value.message)
    assert password not in str(caught.value.message)


def test_pkcs12_for_a_registered_identity_must_carry_its_certificate(identity):
    root = _test_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(Pkcs12Error, match="bukan sertifikat yang terdaftar"):
        Pkcs12KeyHolder(_p12(key, _leaf(root, key)), "sandi-p12-uji", identity=identity)


def test_a_registered_pkcs12_identity_keeps_only_the_certificate(pegawai, ca_root, small_pdf):
    root = _test_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    p12 = _p12(key, _leaf(root, key), [root[0]])
    with pytest.raises(Pkcs12Error):
        ca.identity_register_pkcs12(user=pegawai, pkcs12_bytes=p12, password="sandi-keliru-99", actor=pegawai)
    assert not SigningIdentity.objects.exists()

    identity = ca.identity_register_pkcs12(user=pegawai, pkcs12_bytes=p12, password="sandi-p12-uji", actor=pegawai)
    assert identity.backend == "pkcs12" and identity.issuer is None and not bytes(identity.encrypted_key)
    assert identity.subject_name == "Penandatangan PKCS12"
    event = AuditEvent.objects.get(action="signatures.identity.registered")
    assert "sandi-p12-uji" not in event.payload

    holder = holders.key_holder_for(identity, secret="sandi-p12-uji", pkcs12_bytes=p12)
    assert isinstance(holder, Pkcs12KeyHolder)
    sign(small_pdf, holder, timestamp=False)

    ca.identity_revoke(identity=identity, reason="cessation_of_operation", actor=pegawai)
    assert not Revocation.objects.exists()  # another CA's certificate: only marked here
    with pytest.raises(KeyHolderError, match="dicabut"):
        holders.key_holder_for(identity, secret="sandi-p12-uji", pkcs12_bytes=p12)


def test_key_holder_for_an_embedded_identity_asks_for_the_passphrase(identity):
    assert isinstance(holders.key_holder_for(identity, secret=PASSPHRASE), EmbeddedKeyHolder)
    with pytest.raises(keystore.WrongPassphrase):
        holders.key_holder_for(identity, secret="bukan-passphrase-nya")


# --- PKCS#11 (SoftHSM2) ---------------------------------------------------------------------------------------

PIN, SO_PIN = "246810", "13579135"


@pytest.fixture(scope="module")
def softhsm_token(tmp_path_factory):
    """A fresh SoftHSM2 token in a temporary token directory (SOFTHSM2_CONF), for this module's process."""
    if not Path(SOFTHSM_LIB).exists():
        pytest.skip(f"{SOFTHSM_LIB} absent: apt-get install softhsm2 (make test installs it)")
    util = shutil.which("softhsm2-util") or "/usr/bin/softhsm2-util"
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    label = f"pakta-{secrets.token_hex(4)}"
    subprocess.run(
        [util, "--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", SO_PIN],
        check=True,
        capture_output=True,
    )
    yield label
    holders.pkcs11_logout_all()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.mark.pkcs11
def test_pkcs11_key_generated_in_the_token_signs_and_validates(softhsm_token, ca_root, pegawai, small_pdf):
    import pkcs11

    public_key = holders.pkcs11_generate_key(
        lib_path=SOFTHSM_LIB, token_label=softhsm_token, pin=PIN, key_label="nur-p256"
    )
    session = holders._pkcs11_session(SOFTHSM_LIB, softhsm_token, PIN)
    private = session.get_key(object_class=pkcs11.ObjectClass.PRIVATE_KEY, label="nur-p256")
    assert private[pkcs11.Attribute.SENSITIVE] and not private[pkcs11.Attribute.EXTRACTABLE]
    assert private[pkcs11.Attribute.NEVER_EXTRACTABLE] and private[pkcs11.Attribute.LOCAL]

    identity = ca.identity_enrol_token_key(
        user=pegawai,
        public_key_der=public_key,
        token_label=softhsm_token,
        key_label="nur-p256",
        name="Nur Abdullah",
        nip="198503142010011001",
        unit_name="Seksi Pencairan Dana",
        organisation=ORGANISATION,
        actor=None,
    )
    assert identity.backend == "pkcs11" and not bytes(identity.encrypted_key)
    holder = holders.key_holder_for(identity, secret=PIN, pkcs11_lib=SOFTHSM_LIB)
    assert isinstance(holder, Pkcs11KeyHolder)
    assert_valid(validate(sign(small_pdf, holder)))
    # A second signature in the same process reuses the login (no UserAlreadyLoggedIn).
    again = Pkcs11KeyHolder(SOFTHSM_LIB, softhsm_token, PIN, "nur-p256", bytes(identity.certificate))
    assert_valid(validate(sign(small_pdf, again)))

    with pytest.raises(holders.Pkcs11Error, match="sudah berisi kunci"):
        holders.pkcs11_generate_key(lib_path=SOFTHSM_LIB, token_label=softhsm_token, pin=PIN, key_label="nur-p256")

    # Signatures from several threads share the process's one session on the token, one at a time: each
    # is a valid ECDSA signature of its own data.
    import asyncio
    import concurrent.futures

    verifier = x509.load_der_x509_certificate(bytes(identity.certificate)).public_key()
    assert isinstance(verifier, ec.EllipticCurvePublicKey)

    def raw_signature(n: int) -> tuple[bytes, bytes]:
        data = f"data ke-{n}".encode()
        return data, asyncio.run(holder.signer_for().async_sign_raw(data, "sha256"))

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(raw_signature, range(16)))
    for data, signature in results:
        verifier.verify(signature, data, ec.ECDSA(hashes.SHA256()))  # DER, as pyHanko returns it
    assert len({signature for _data, signature in results}) == 16


@pytest.mark.pkcs11
def test_pkcs11_wrong_pin_missing_key_and_token_are_refused(softhsm_token, identity):
    cert = bytes(identity.certificate)
    with pytest.raises(holders.WrongPin, match="PIN token salah"):
        Pkcs11KeyHolder(SOFTHSM_LIB, softhsm_token, "000000", "nur-p256", cert)
    with pytest.raises(holders.Pkcs11Error, match="tidak ditemukan di token"):
        Pkcs11KeyHolder(SOFTHSM_LIB, softhsm_token, PIN, "tidak-ada", cert)  # the right PIN logs in again
    with pytest.raises(holders.Pkcs11Error, match=r"Token token-lain tidak ditemukan"):
        Pkcs11KeyHolder(SOFTHSM_LIB, "token-lain", PIN, "nur-p256", cert)
