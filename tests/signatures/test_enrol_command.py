"""`manage.py enrol` for the two key holders outside Pakta (signatures issue §1): `--pkcs11` makes the key
inside a token and certifies it, `--pkcs12 FILE` registers the certificate of a PKCS#12 file. The PIN and the
PKCS#12 password come from standard input, never from the command line.

GIVEN the embedded CA per test (tests/signatures/conftest.py) and, for the token tests, a fresh SoftHSM2 token
in a temporary directory (`softhsm_token_in`, shared with tests/api/test_key_holders_api.py).
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from signatures import signers
from signatures.models import SigningIdentity
from signatures.signers import Pkcs11KeyHolder

from .conftest import ORGANISATION
from .test_signers import _leaf, _mismatched, _p12, _test_ca, assert_valid, sign, validate

SOFTHSM_LIB = "/usr/lib/softhsm/libsofthsm2.so"
PIN, SO_PIN = "pin-975310", "24682468"  # not hex-only: searched for in output full of hex
P12_PASSWORD = "sandi-p12-uji"
NIP = "198503142010011001"
SUBJECT = ["--name", "Nur Abdullah", "--nip", NIP, "--unit", "Seksi Pencairan Dana"]
REPO = Path(__file__).resolve().parents[2]


def _reset_pkcs11() -> None:
    """End this process's token logins and unload the PKCS#11 library: SoftHSM2 reads SOFTHSM2_CONF (its
    token directory) when it is initialised, once per process, so a new directory needs a fresh load."""
    import pkcs11

    signers.pkcs11_logout_all()
    pkcs11.unload(SOFTHSM_LIB)


@pytest.fixture(scope="module")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from softhsm_token_in(tmp_path_factory)


def softhsm_token_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh SoftHSM2 token (user PIN `PIN`) in its own token directory, for one test module; its label.
    A module-scoped fixture yields from it (tests/api/test_key_holders_api.py has one too)."""
    util = shutil.which("softhsm2-util") or "/usr/bin/softhsm2-util"
    if not Path(SOFTHSM_LIB).exists() or not Path(util).exists():
        pytest.skip(f"{SOFTHSM_LIB} absent: apt-get install softhsm2 (make test installs it)")
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    _reset_pkcs11()
    label = f"pakta-{secrets.token_hex(4)}"
    subprocess.run(
        [util, "--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", SO_PIN],
        check=True,
        capture_output=True,
    )
    yield label
    _reset_pkcs11()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def token_has_key(token_label: str, key_label: str) -> bool:
    import pkcs11

    session = signers._pkcs11_session(SOFTHSM_LIB, token_label, PIN)
    try:
        session.get_key(object_class=pkcs11.ObjectClass.PRIVATE_KEY, label=key_label)
    except pkcs11.NoSuchKey:
        return False
    return True


def enrol(*args: str, stdin: str) -> str:
    out = io.StringIO()
    call_command("enrol", "nur.abdullah", *args, stdin=io.StringIO(stdin), stdout=out)
    return out.getvalue()


# ---- --pkcs11 ------------------------------------------------------------------------------------------------


@pytest.mark.pkcs11
def test_enrol_pkcs11_makes_the_key_in_the_token_and_certifies_it(softhsm_token, ca_root, pegawai, small_pdf):
    import pkcs11

    args = ["--pkcs11", "--token-label", softhsm_token, "--key-label", "nur-cmd", "--lib", SOFTHSM_LIB, *SUBJECT]
    out = enrol(*args, stdin=PIN + "\n")

    identity = SigningIdentity.objects.get(user=pegawai)
    assert identity.serial in out and PIN not in out
    assert (identity.backend, identity.pkcs11_token_label, identity.pkcs11_key_label) == (
        "pkcs11",
        softhsm_token,
        "nur-cmd",
    )
    assert not bytes(identity.encrypted_key) and identity.subject_serial == NIP
    assert identity.subject_organisation == ORGANISATION  # PAKTA_INSTITUTION_NAME by default
    private = signers._pkcs11_session(SOFTHSM_LIB, softhsm_token, PIN).get_key(
        object_class=pkcs11.ObjectClass.PRIVATE_KEY, label="nur-cmd"
    )
    assert private[pkcs11.Attribute.NEVER_EXTRACTABLE] and private[pkcs11.Attribute.LOCAL]
    event = AuditEvent.objects.get(action="signatures.identity.enrolled")
    assert '"backend":"pkcs11"' in event.payload and PIN not in event.payload

    holder = signers.key_holder_for(identity, secret=PIN)  # the library from PAKTA_PKCS11_LIB
    assert isinstance(holder, Pkcs11KeyHolder)
    assert_valid(validate(sign(small_pdf, holder)))


@pytest.mark.pkcs11
def test_enrol_pkcs11_with_a_wrong_pin_makes_nothing(softhsm_token, ca_root, pegawai):
    args = ["--pkcs11", "--token-label", softhsm_token, "--key-label", "nur-salah", *SUBJECT]
    with pytest.raises(CommandError, match="PIN token salah"):
        enrol(*args, stdin="000000\n")
    with pytest.raises(CommandError, match="PIN token kosong"):
        enrol(*args, stdin="")
    with pytest.raises(CommandError, match="Token token-lain tidak ditemukan"):
        enrol("--pkcs11", "--token-label", "token-lain", "--key-label", "nur-salah", *SUBJECT, stdin=PIN + "\n")
    assert not SigningIdentity.objects.exists()
    assert not AuditEvent.objects.filter(action="signatures.identity.enrolled").exists()
    assert not token_has_key(softhsm_token, "nur-salah")


@pytest.mark.pkcs11
def test_enrol_pkcs11_refuses_a_key_label_already_in_the_token(softhsm_token, ca_root, pegawai):
    args = ["--pkcs11", "--token-label", softhsm_token, "--key-label", "nur-dua-kali", *SUBJECT]
    enrol(*args, stdin=PIN + "\n")
    with pytest.raises(CommandError, match="Token sudah berisi kunci dengan label nur-dua-kali"):
        enrol(*args, stdin=PIN + "\n")
    assert SigningIdentity.objects.count() == 1


def test_enrol_pkcs11_options_are_checked_before_the_token_is_used(ca_root, pegawai):
    with pytest.raises(CommandError, match="--pkcs11 memerlukan --token-label dan --key-label"):
        enrol("--pkcs11", "--token-label", "pakta", *SUBJECT, stdin=PIN + "\n")
    with pytest.raises(CommandError, match="hanya berlaku dengan --pkcs11"):
        enrol("--key-label", "nur", *SUBJECT, stdin="kopi-aceh-gayo-2026\n")
    with pytest.raises(CommandError, match="Wajib diisi: --nip, --unit"):
        enrol("--pkcs11", "--token-label", "pakta", "--key-label", "nur", "--name", "Nur", stdin=PIN + "\n")
    assert not SigningIdentity.objects.exists()


def test_enrol_pkcs11_needs_the_ca_first(pegawai):
    with pytest.raises(CommandError, match="CA Pakta belum disiapkan"):
        enrol("--pkcs11", "--token-label", "pakta", "--key-label", "nur", *SUBJECT, stdin=PIN + "\n")


def test_a_refused_enrolment_exits_non_zero_with_the_reason_in_indonesian(tmp_path):
    """The command run as `manage.py`, on an empty SQLite database of its own (the refusal needs no data)."""
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "manage.py", "enrol", "nur.abdullah", "--key-label", "nur", *SUBJECT],
        cwd=REPO,
        env=env | {"PAKTA_TESTING": "1", "PAKTA_VAR_DIR": str(tmp_path)},
        input="",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result
    assert "--token-label, --key-label dan --lib hanya berlaku dengan --pkcs11." in result.stderr


# ---- --pkcs12 ------------------------------------------------------------------------------------------------


def certify(root, settings, tmp_path) -> None:
    """Configure `root` as a certified PSrE root (`PAKTA_CERTIFIED_ROOTS_DIR`)."""
    certified = tmp_path / "certified"
    certified.mkdir(exist_ok=True)
    (certified / "psre-uji.pem").write_bytes(root[0].public_bytes(serialization.Encoding.PEM))
    settings.PAKTA_CERTIFIED_ROOTS_DIR = str(certified)


def test_enrol_pkcs12_registers_only_the_certificate(ca_root, pegawai, tmp_path, settings):
    root = _test_ca()
    certify(root, settings, tmp_path)
    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "nur.p12"
    path.write_bytes(_p12(key, _leaf(root, key), [root[0]], password=P12_PASSWORD.encode()))

    out = enrol("--pkcs12", str(path), stdin=P12_PASSWORD + "\n")

    identity = SigningIdentity.objects.get(user=pegawai)
    assert identity.serial in out and P12_PASSWORD not in out
    assert identity.backend == "pkcs12" and identity.issuer is None and not bytes(identity.encrypted_key)
    assert identity.subject_name == "Penandatangan PKCS12"  # from the certificate, not from options
    event = AuditEvent.objects.get(action="signatures.identity.registered")
    assert P12_PASSWORD not in event.payload
    holder = signers.key_holder_for(identity, secret=P12_PASSWORD, pkcs12_bytes=path.read_bytes())
    assert holder.certificate.dump() == bytes(identity.certificate)


@pytest.mark.parametrize(
    ("make", "password", "message"),
    [
        pytest.param(
            lambda root, key: _p12(key, _leaf(root, key)), "sandi-keliru-99", "kata sandi salah", id="wrong-password"
        ),
        pytest.param(
            lambda root, key: _p12(key, _leaf(root, key, days=30, start_days_ago=60)),
            P12_PASSWORD,
            "kedaluwarsa",
            id="expired",
        ),
        pytest.param(lambda root, key: _mismatched(), P12_PASSWORD, "tidak cocok", id="mismatched-key"),
    ],
)
def test_enrol_pkcs12_refusals_store_nothing(ca_root, pegawai, tmp_path, make, password, message):
    root = _test_ca()
    path = tmp_path / "nur.p12"
    path.write_bytes(make(root, ec.generate_private_key(ec.SECP256R1())))
    with pytest.raises(CommandError, match=message) as caught:
        enrol("--pkcs12", str(path), stdin=password + "\n")
    assert password not in str(caught.value)
    assert not SigningIdentity.objects.exists()
    assert not AuditEvent.objects.filter(action="signatures.identity.registered").exists()


def test_enrol_pkcs12_refuses_a_certificate_that_cannot_be_sealed(ca_root, pegawai, tmp_path, settings):
    """GIVEN a self-signed certificate, or one of a PSrE whose root is not configured, THEN refused as through
    the API (its signature could never be sealed) and nothing is stored; with the root configured, registered."""
    settings.PAKTA_CERTIFIED_ROOTS_DIR = ""
    key = ec.generate_private_key(ec.SECP256R1())
    named = _leaf(_test_ca(), key)  # only lends its subject as the issuer's name
    self_signed = tmp_path / "sendiri.p12"
    self_signed.write_bytes(_p12(key, _leaf((named, key), key), password=P12_PASSWORD.encode()))
    root = _test_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    psre = tmp_path / "psre.p12"
    psre.write_bytes(_p12(key, _leaf(root, key), [root[0]], password=P12_PASSWORD.encode()))
    for path in (self_signed, psre):
        with pytest.raises(CommandError, match="PAKTA_CERTIFIED_ROOTS_DIR") as caught:
            enrol("--pkcs12", str(path), stdin=P12_PASSWORD + "\n")
        assert "tidak diterbitkan oleh CA Pakta" in str(caught.value) and P12_PASSWORD not in str(caught.value)
    assert not SigningIdentity.objects.exists()
    assert not AuditEvent.objects.filter(action="signatures.identity.registered").exists()

    certify(root, settings, tmp_path)
    enrol("--pkcs12", str(psre), stdin=P12_PASSWORD + "\n")
    assert SigningIdentity.objects.filter(user=pegawai, backend="pkcs12").count() == 1


def test_enrol_pkcs12_refuses_a_missing_file_and_subject_options(ca_root, pegawai, tmp_path):
    with pytest.raises(CommandError, match="tidak dapat dibaca"):
        enrol("--pkcs12", str(tmp_path / "tidak-ada.p12"), stdin=P12_PASSWORD + "\n")
    with pytest.raises(CommandError, match="datanya diambil dari sertifikat"):
        enrol("--pkcs12", str(tmp_path / "tidak-ada.p12"), "--name", "Nur", stdin=P12_PASSWORD + "\n")
    with pytest.raises(CommandError, match=r"Akun orang\.tak\.dikenal tidak ditemukan"):
        call_command("enrol", "orang.tak.dikenal", "--pkcs12", "x.p12", stdin=io.StringIO(""), stdout=io.StringIO())
    assert not SigningIdentity.objects.exists()
