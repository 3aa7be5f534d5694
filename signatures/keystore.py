"""Private keys at rest: encrypted with the installation's CA key, or with an official's passphrase.

Two versioned blob formats, both AES-256-GCM with a random 96-bit nonce; every header byte is also
authenticated (GCM associated data), so a blob cannot be altered or moved to another record unnoticed
when the caller passes that record's `context`:

- CA key blob (keys of the embedded CA and office seals), key from `settings.PAKTA_CA_KEY_FILE`::

      b"PKC" | version 0x01 | key id (8: SHA-256 of the key, first 8 bytes) | nonce (12) | ciphertext+tag

- Passphrase blob (officials' embedded signing keys), key = scrypt(passphrase, salt)::

      b"PKP" | version 0x01 | kdf 0x01 (scrypt) | log2(n) | r | p | salt (16) | nonce (12) | ciphertext+tag

  The scrypt parameters travel in the blob, so stronger defaults later do not strand older keys. The
  default is n = 2**15, r = 8, p = 1 (32 MiB, tens of milliseconds); tests may lower it through the
  optional setting `PAKTA_SIGNING_SCRYPT_LOG2_N`, never below 2**10.

A passphrase is NFC-normalised (the same words typed on another device give the same bytes) and is
never stored, logged or cached: it lives in the caller's frame for the length of one call.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import struct
import threading
import unicodedata
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError

WRONG_PASSPHRASE = _("Passphrase salah.")
PASSPHRASE_TOO_SHORT = _("Passphrase terlalu pendek: paling sedikit %(minimum)s karakter.")
PASSPHRASE_TOO_LONG = _("Passphrase terlalu panjang: paling banyak %(maximum)s karakter.")
CA_KEY_FILE_MISSING = _(
    "Berkas kunci CA %(path)s tidak ditemukan. Pulihkan dari cadangan, atau jalankan `manage.py ca_init` "
    "pada instalasi baru."
)
CA_KEY_FILE_INVALID = _("Berkas kunci CA %(path)s tidak berisi kunci 32 byte (base64).")
CA_KEY_MISMATCH = _("Kunci privat ini dienkripsi dengan berkas kunci CA lain, bukan %(path)s.")
BLOB_INVALID = _("Data kunci terenkripsi rusak atau formatnya tidak dikenal.")

PASSPHRASE_MAX_LENGTH = 1024
SCRYPT_LOG2_N = 15
SCRYPT_R = 8
SCRYPT_P = 1
_SCRYPT_LOG2_N_RANGE = range(10, 21)  # 2**20 x r=8 is 1 GiB: refuse blobs that would exhaust memory

_CA_MAGIC = b"PKC\x01"
_PASSPHRASE_MAGIC = b"PKP\x01"
_KDF_SCRYPT = 1
_NONCE_BYTES = 12
_SALT_BYTES = 16
_KEY_ID_BYTES = 8
_PASSPHRASE_HEADER = struct.Struct(">4sBBBB16s12s")  # magic+version, kdf, log2 n, r, p, salt, nonce


class KeystoreError(ApplicationError):
    """An encrypted key could not be read: missing or wrong CA key file, or a damaged blob."""


class WrongPassphrase(ApplicationError):
    """The passphrase does not open the key (or the blob was altered). Nothing was decrypted."""

    status_code = 403


class PassphraseTooShort(ApplicationError):
    """The passphrase is shorter than `settings.PAKTA_SIGNING_PASSPHRASE_MIN_LENGTH`."""


class PassphraseTooLong(ApplicationError):
    """The passphrase is longer than `PASSPHRASE_MAX_LENGTH` characters."""


# --------------------------------------------------------------------------------------------------------
# The CA key file
# --------------------------------------------------------------------------------------------------------

_ca_key_lock = threading.Lock()
_ca_key_cache: dict[tuple[str, int, int], bytes] = {}


def ca_key_path() -> Path:
    """The configured CA key file (`settings.PAKTA_CA_KEY_FILE`)."""
    return Path(settings.PAKTA_CA_KEY_FILE)


def ca_key_file_exists() -> bool:
    """Whether the CA key file is present."""
    return ca_key_path().is_file()


def ca_key_file_create() -> Path:
    """Create the CA key file with 32 random bytes (base64), mode 0600, in a 0700 directory.

    :returns: the path written.
    :raises FileExistsError: the file already exists (it is never overwritten: keys encrypted with it
        would become unreadable).
    """
    path = ca_key_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(secrets.token_bytes(32)).decode("ascii") + "\n")
    return path


def _ca_key() -> bytes:
    """The 32-byte CA key, read once per process per file (cached by path, inode and mtime)."""
    path = ca_key_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise KeystoreError(CA_KEY_FILE_MISSING % {"path": path}) from None
    cache_key = (str(path), stat.st_ino, stat.st_mtime_ns)
    with _ca_key_lock:
        key = _ca_key_cache.get(cache_key)
        if key is None:
            try:
                key = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
            except (ValueError, UnicodeDecodeError):
                key = b""
            if len(key) != 32:
                raise KeystoreError(CA_KEY_FILE_INVALID % {"path": path})
            _ca_key_cache.clear()
            _ca_key_cache[cache_key] = key
    return key


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"pakta-ca-key-id" + key).digest()[:_KEY_ID_BYTES]


def encrypt_with_ca_key(data: bytes, *, context: bytes = b"") -> bytes:
    """Encrypt `data` (a private key in PKCS#8 DER) with the CA key file, AES-256-GCM.

    :param context: bytes the blob is bound to (e.g. the record's role and label); decryption must pass
        the same.
    :returns: a CA key blob (format in the module docstring).
    :raises KeystoreError: the CA key file is missing or invalid.
    """
    key = _ca_key()
    nonce = secrets.token_bytes(_NONCE_BYTES)
    header = _CA_MAGIC + _key_id(key) + nonce
    return header + AESGCM(key).encrypt(nonce, data, header + context)


def decrypt_with_ca_key(blob: bytes, *, context: bytes = b"") -> bytes:
    """Decrypt a CA key blob made by `encrypt_with_ca_key` with the same `context`.

    :raises KeystoreError: the CA key file is missing or invalid, the blob was encrypted with another
        CA key file, or the blob is damaged or was altered.
    """
    blob = bytes(blob)
    key = _ca_key()
    header_len = len(_CA_MAGIC) + _KEY_ID_BYTES + _NONCE_BYTES
    if len(blob) <= header_len or not blob.startswith(_CA_MAGIC):
        raise KeystoreError(BLOB_INVALID)
    key_id = blob[len(_CA_MAGIC) : len(_CA_MAGIC) + _KEY_ID_BYTES]
    if not secrets.compare_digest(key_id, _key_id(key)):
        raise KeystoreError(CA_KEY_MISMATCH % {"path": ca_key_path()})
    header, nonce = blob[:header_len], blob[header_len - _NONCE_BYTES : header_len]
    try:
        return AESGCM(key).decrypt(nonce, blob[header_len:], header + context)
    except InvalidTag:
        raise KeystoreError(BLOB_INVALID) from None


# --------------------------------------------------------------------------------------------------------
# Passphrase-protected keys
# --------------------------------------------------------------------------------------------------------


def check_passphrase_policy(passphrase: str) -> None:
    """Refuse a passphrase that breaks the policy (length, counted after NFC normalisation).

    :raises PassphraseTooShort: shorter than `settings.PAKTA_SIGNING_PASSPHRASE_MIN_LENGTH`.
    :raises PassphraseTooLong: longer than `PASSPHRASE_MAX_LENGTH`.
    """
    minimum = settings.PAKTA_SIGNING_PASSPHRASE_MIN_LENGTH
    length = len(unicodedata.normalize("NFC", passphrase))
    if length < minimum:
        raise PassphraseTooShort(PASSPHRASE_TOO_SHORT % {"minimum": minimum}, extra={"minimum": minimum})
    if length > PASSPHRASE_MAX_LENGTH:
        raise PassphraseTooLong(PASSPHRASE_TOO_LONG % {"maximum": PASSPHRASE_MAX_LENGTH})


def _scrypt_log2_n() -> int:
    value = int(getattr(settings, "PAKTA_SIGNING_SCRYPT_LOG2_N", SCRYPT_LOG2_N))
    if value not in _SCRYPT_LOG2_N_RANGE:
        raise ValueError(f"PAKTA_SIGNING_SCRYPT_LOG2_N must be in 10..20, not {value}")
    return value


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(secret)


def encrypt_with_passphrase(data: bytes, passphrase: str) -> bytes:
    """Encrypt `data` (a private key in PKCS#8 DER) under a key derived from `passphrase`.

    The passphrase policy is checked first (see `check_passphrase_policy`); the key is scrypt
    (n = 2**15, r = 8, p = 1 by default) over the NFC-normalised passphrase with a random 16-byte salt,
    then AES-256-GCM with a random nonce.

    :returns: a passphrase blob (format in the module docstring).
    :raises PassphraseTooShort: the passphrase is shorter than the policy minimum.
    :raises PassphraseTooLong: the passphrase is longer than `PASSPHRASE_MAX_LENGTH`.
    """
    check_passphrase_policy(passphrase)
    log2_n = _scrypt_log2_n()
    salt, nonce = secrets.token_bytes(_SALT_BYTES), secrets.token_bytes(_NONCE_BYTES)
    header = _PASSPHRASE_HEADER.pack(_PASSPHRASE_MAGIC, _KDF_SCRYPT, log2_n, SCRYPT_R, SCRYPT_P, salt, nonce)
    key = _derive(passphrase, salt, log2_n, SCRYPT_R, SCRYPT_P)
    return header + AESGCM(key).encrypt(nonce, data, header)


def decrypt_with_passphrase(blob: bytes, passphrase: str) -> bytes:
    """Decrypt a passphrase blob made by `encrypt_with_passphrase`.

    The length policy is not applied here: a key encrypted under an older, shorter minimum must still
    open.

    :raises WrongPassphrase: the passphrase does not open the blob (or the blob was altered).
    :raises KeystoreError: the blob is damaged or of an unknown format or version.
    """
    blob = bytes(blob)
    size = _PASSPHRASE_HEADER.size
    if len(blob) <= size or not blob.startswith(_PASSPHRASE_MAGIC):
        raise KeystoreError(BLOB_INVALID)
    _magic, kdf, log2_n, r, p, salt, nonce = _PASSPHRASE_HEADER.unpack(blob[:size])
    if kdf != _KDF_SCRYPT or log2_n not in _SCRYPT_LOG2_N_RANGE or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise KeystoreError(BLOB_INVALID)
    if len(passphrase) > PASSPHRASE_MAX_LENGTH:
        raise WrongPassphrase(WRONG_PASSPHRASE)
    key = _derive(passphrase, salt, log2_n, r, p)
    try:
        return AESGCM(key).decrypt(nonce, blob[size:], blob[:size])
    except InvalidTag:
        raise WrongPassphrase(WRONG_PASSPHRASE) from None
