"""Keys at rest: the CA key file and passphrase-encrypted blobs (signatures issue §1)."""

import os
import stat
import unicodedata

import pytest

from signatures import keystore

SECRET = b"\x30\x81\x87 a PKCS#8 private key would be here"


@pytest.fixture
def ca_key_file(settings):
    return keystore.ca_key_file_create()


def test_the_ca_key_file_is_created_0600_and_never_overwritten(ca_key_file):
    assert stat.S_IMODE(os.stat(ca_key_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(ca_key_file.parent).st_mode) == 0o700
    with pytest.raises(FileExistsError):
        keystore.ca_key_file_create()


def test_ca_key_round_trip_is_bound_to_its_context(ca_key_file):
    blob = keystore.encrypt_with_ca_key(SECRET, context=b"root:")
    assert SECRET not in blob and blob.startswith(b"PKC\x01")
    assert keystore.decrypt_with_ca_key(blob, context=b"root:") == SECRET
    assert keystore.encrypt_with_ca_key(SECRET, context=b"root:") != blob  # fresh nonce each time
    with pytest.raises(keystore.KeystoreError):
        keystore.decrypt_with_ca_key(blob, context=b"seal:KPPN-BNA")


def test_an_altered_ca_blob_is_refused(ca_key_file):
    blob = bytearray(keystore.encrypt_with_ca_key(SECRET))
    blob[-1] ^= 1
    with pytest.raises(keystore.KeystoreError, match="rusak"):
        keystore.decrypt_with_ca_key(bytes(blob))


def test_a_blob_from_another_key_file_names_the_mismatch(ca_key_file, settings, tmp_path):
    blob = keystore.encrypt_with_ca_key(SECRET)
    settings.PAKTA_CA_KEY_FILE = tmp_path / "other" / "ca.key"
    keystore.ca_key_file_create()
    with pytest.raises(keystore.KeystoreError, match="berkas kunci CA lain"):
        keystore.decrypt_with_ca_key(blob)


def test_a_missing_or_invalid_key_file_is_a_clear_error(settings, tmp_path):
    settings.PAKTA_CA_KEY_FILE = tmp_path / "missing.key"
    with pytest.raises(keystore.KeystoreError, match="tidak ditemukan"):
        keystore.encrypt_with_ca_key(SECRET)
    bad = tmp_path / "bad.key"
    bad.write_text("not base64 of 32 bytes\n")
    settings.PAKTA_CA_KEY_FILE = bad
    with pytest.raises(keystore.KeystoreError, match="32 byte"):
        keystore.encrypt_with_ca_key(SECRET)


def test_passphrase_round_trip_and_wrong_passphrase():
    blob = keystore.encrypt_with_passphrase(SECRET, "kopi-aceh-gayo-2026")
    assert SECRET not in blob and blob.startswith(b"PKP\x01")
    assert keystore.decrypt_with_passphrase(blob, "kopi-aceh-gayo-2026") == SECRET
    with pytest.raises(keystore.WrongPassphrase) as caught:
        keystore.decrypt_with_passphrase(blob, "kopi-aceh-gayo-2027")
    assert str(caught.value.message) == "Passphrase salah." and "kopi" not in str(caught.value)


def test_passphrase_policy():
    with pytest.raises(keystore.PassphraseTooShort):
        keystore.encrypt_with_passphrase(SECRET, "123456789")
    keystore.encrypt_with_passphrase(SECRET, "1234567890")
    with pytest.raises(keystore.PassphraseTooLong):
        keystore.encrypt_with_passphrase(SECRET, "x" * (keystore.PASSPHRASE_MAX_LENGTH + 1))


def test_passphrase_minimum_comes_from_settings(settings):
    settings.PAKTA_SIGNING_PASSPHRASE_MIN_LENGTH = 16
    with pytest.raises(keystore.PassphraseTooShort, match="16"):
        keystore.check_passphrase_policy("fifteen-chars-x")


def test_the_same_passphrase_typed_decomposed_still_opens():
    composed = "kopi-gayo-\u00e9-2026"
    blob = keystore.encrypt_with_passphrase(SECRET, composed)
    assert keystore.decrypt_with_passphrase(blob, unicodedata.normalize("NFD", composed)) == SECRET


def test_scrypt_parameters_travel_in_the_blob_and_default_to_2_pow_15(settings):
    blob = keystore.encrypt_with_passphrase(SECRET, "kopi-aceh-gayo-2026")
    assert blob[4:8] == bytes([1, 10, 8, 1])  # scrypt, log2 n = 10 (tests), r = 8, p = 1
    del settings.PAKTA_SIGNING_SCRYPT_LOG2_N
    assert keystore._scrypt_log2_n() == 15
    # A blob made with the test parameters still opens under the production default.
    assert keystore.decrypt_with_passphrase(blob, "kopi-aceh-gayo-2026") == SECRET


def test_damaged_or_foreign_passphrase_blobs_are_refused():
    with pytest.raises(keystore.KeystoreError):
        keystore.decrypt_with_passphrase(b"-----BEGIN PRIVATE KEY-----", "kopi-aceh-gayo-2026")
    blob = bytearray(keystore.encrypt_with_passphrase(SECRET, "kopi-aceh-gayo-2026"))
    blob[5] = 30  # n = 2**30 would need 128 GiB
    with pytest.raises(keystore.KeystoreError):
        keystore.decrypt_with_passphrase(bytes(blob), "kopi-aceh-gayo-2026")
