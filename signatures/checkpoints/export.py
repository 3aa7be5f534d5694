"""A checkpoint as a self-contained JSON file to keep outside Pakta, and the offline verification of such a
file with the CA root alone (or with OpenSSL, steps in the file)."""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.general import extract_certificate_info, extract_signer_info

from audit.models import AuditCheckpoint
from signatures.checkpoints.cms_data import _reading_untrusted_bytes, _signed_data
from signatures.checkpoints.errors import (
    EXPORT_TOO_LARGE,
    EXPORT_UNREADABLE,
    SIGNER_NOT_SYSTEM_SEAL,
    STATEMENT_INVALID,
    STORED_FIELDS_MISMATCH,
    TIMESTAMP_TOKEN_MISMATCH,
    CheckpointSignatureError,
)
from signatures.checkpoints.seal import _named_like_system_seal, _subject_text
from signatures.checkpoints.verification import _check_times, _verify_cms

EXPORT_FORMAT = "pakta-audit-checkpoint/1"
EXPORT_MAX_BYTES = 1024 * 1024


HOW_TO_VERIFY = [
    "Berkas ini adalah checkpoint jejak audit Pakta: `statement` menyatakan bahwa `size` peristiwa pertama "
    "jurnal audit memiliki akar Merkle `root` (RFC 9162) pada waktu `time`; `signature` adalah tanda tangan "
    "CMS terpisah (DER, base64) atas teks `statement` persis, dengan segel sistem Pakta; `timestamp_token` "
    "adalah stempel waktu RFC 3161 atas nilai tanda tangan itu (juga tertanam di `signature`).",
    "1. Ambil sertifikat CA induk Pakta dari sumber tepercaya (bukan dari berkas ini), pastikan sidik jari "
    "SHA-256-nya sama dengan `root_certificate_sha256`, simpan sebagai root.pem "
    "(openssl x509 -inform DER -in root.crt -out root.pem).",
    "2. jq -j .statement checkpoint.json > statement.json   (persis, tanpa baris baru di akhir)",
    "3. jq -r .signature checkpoint.json | base64 -d > checkpoint.p7s",
    "4. jq -r .certificate_chain checkpoint.json > chain.pem",
    "5. openssl cms -verify -binary -inform DER -in checkpoint.p7s -content statement.json "
    "-certfile chain.pem -CAfile root.pem -out /dev/null   -> 'CMS Verification successful'",
    "6. jq -r .timestamp_token checkpoint.json | base64 -d > checkpoint.tst && openssl ts -verify -token_in "
    "-in checkpoint.tst -digest $(jq -r .signature_value_sha256 checkpoint.json) -CAfile root.pem   "
    "-> 'Verification: OK'",
    "7. Bandingkan dengan jurnal: `python manage.py audit_proof root --size <size>` harus mencetak `root` yang "
    "sama; `python manage.py audit_checkpoint verify checkpoint.json` melakukan langkah 1-7 sekaligus.",
]


def _chain_of(signer: asn1_x509.Certificate, others: Sequence[asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    """`signer` followed by its issuers among `others`, nearest first, as far as they go."""
    chain = [signer]
    seen = {signer.dump()}
    while chain[-1].subject != chain[-1].issuer:
        issuer = next((c for c in others if c.subject == chain[-1].issuer and c.dump() not in seen), None)
        if issuer is None:
            break
        chain.append(issuer)
        seen.add(issuer.dump())
    return chain


def _pem(cert: asn1_x509.Certificate) -> str:
    return pem.armor("CERTIFICATE", cert.dump()).decode("ascii")


def checkpoint_export(checkpoint: AuditCheckpoint) -> bytes:
    """The checkpoint as a self-contained JSON file (UTF-8) to keep outside Pakta: the signed statement
    and its fields, the CMS signature and the timestamp token (DER, base64), the signer's certificate chain
    (PEM, signer first, root last), the root's SHA-256 fingerprint, the SHA-256 of the signature value (the
    timestamp's imprint) and the steps to verify it with OpenSSL (`HOW_TO_VERIFY`).

    :raises CheckpointSignatureError: the stored signature cannot be read.
    """
    signed_data = _signed_data(bytes(checkpoint.signature))
    with _reading_untrusted_bytes():
        info = extract_certificate_info(signed_data)
        chain = _chain_of(info.signer_cert, info.other_certs)
        root = chain[-1] if chain[-1].subject == chain[-1].issuer else None
        signature_value = extract_signer_info(signed_data)["signature"].native
    document = {
        "format": EXPORT_FORMAT,
        "checkpoint_id": checkpoint.pk,
        "statement": checkpoint.statement,
        "size": checkpoint.size,
        "root": checkpoint.root_hex,
        "time": checkpoint.created_at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "signer": checkpoint.signer_subject,
        "signature": base64.b64encode(bytes(checkpoint.signature)).decode("ascii"),
        "timestamp_token": base64.b64encode(bytes(checkpoint.timestamp_token)).decode("ascii"),
        "signature_value_sha256": hashlib.sha256(signature_value).hexdigest(),
        "certificate_chain": "".join(_pem(cert) for cert in chain),
        "root_certificate_sha256": hashlib.sha256(root.dump()).hexdigest() if root is not None else None,
        "how_to_verify": HOW_TO_VERIFY,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _load_export(data: bytes) -> tuple[dict[str, Any], bytes, bytes, list[asn1_x509.Certificate]]:
    if len(data) > EXPORT_MAX_BYTES:
        raise CheckpointSignatureError(EXPORT_TOO_LARGE % {"maximum": EXPORT_MAX_BYTES // 1024})
    try:
        document = json.loads(data.decode("utf-8"))
        if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
            raise ValueError(f"format bukan {EXPORT_FORMAT}")
        statement = document["statement"]
        if not isinstance(statement, str):
            raise ValueError("statement bukan teks")
        signature = base64.b64decode(document["signature"], validate=True)
        token = base64.b64decode(document["timestamp_token"], validate=True)
        chain_text = document.get("certificate_chain") or ""
        certs = [asn1_x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(chain_text.encode(), True)]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise CheckpointSignatureError(EXPORT_UNREADABLE % {"detail": exc}) from None
    return document, signature, token, certs


def checkpoint_verify_exported(
    data: bytes,
    trust_roots: Sequence[asn1_x509.Certificate],
    *,
    seal_certificates: Sequence[asn1_x509.Certificate] | None = None,
) -> dict[str, Any]:
    """Verify an exported checkpoint file offline, trusting only `trust_roots` (the certificates in the
    file serve as intermediates, never as anchors). Nothing is fetched; revocation is not checked.

    The signer must be one of `seal_certificates` when given (the system seals from the CA's records);
    otherwise a certificate named like the system seal (CN and OU "Sistem Pakta", no serialNumber), which
    tells it from an official's certificate under the same CA. Whether the journal still has this root is
    for the caller to compare (`audit.selectors.journal_root(size)`).

    :returns: `{"checkpoint_id", "size", "root", "time", "timestamp", "signer"}` with times as aware
        datetimes.
    :raises CheckpointSignatureError: the file is unreadable or too large, the statement is not canonical,
        the signature, signer, timestamp or the file's stated fields do not verify.
    """
    document, signature, token, certs = _load_export(data)
    statement: str = document["statement"]
    try:
        stated = AuditCheckpoint.parse_statement(statement)
    except ValueError:
        raise CheckpointSignatureError(STATEMENT_INVALID) from None
    signed_data = _signed_data(signature)
    verified = _verify_cms(statement.encode("utf-8"), signed_data, trust_roots=trust_roots, other_certs=certs)
    if seal_certificates is not None:
        is_seal = any(cert.dump() == verified.signer.dump() for cert in seal_certificates)
    else:
        is_seal = _named_like_system_seal(verified.signer)
    if not is_seal:
        raise CheckpointSignatureError(SIGNER_NOT_SYSTEM_SEAL)
    if token != verified.token_der:
        raise CheckpointSignatureError(TIMESTAMP_TOKEN_MISMATCH)
    _check_times(stated.time, verified)
    declared = (document.get("size"), document.get("root"), document.get("time"))
    if declared != (stated.size, stated.root_hex, stated.time.isoformat(timespec="seconds")):
        raise CheckpointSignatureError(STORED_FIELDS_MISMATCH)
    return {
        "checkpoint_id": document.get("checkpoint_id"),
        "size": stated.size,
        "root": stated.root_hex,
        "time": stated.time,
        "timestamp": verified.timestamp,
        "signer": _subject_text(verified.signer),
    }
