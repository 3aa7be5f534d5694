"""Signed checkpoints of the audit journal (signatures issue §4).

Periodically (the nightly task `signatures.tasks.checkpoint_audit_journal`) and on demand
(`manage.py audit_checkpoint create`), the journal's Merkle root (RFC 9162, `audit.selectors.journal_root`)
goes into a canonical statement

    {"log":"pakta-audit","root":"<hex>","size":<n>,"time":"<ISO 8601 UTC>"}

which the **system seal** signs as a detached CMS SignedData (RFC 5652; ECDSA P-256, SHA-256) carrying an
RFC 3161 signature timestamp from the embedded TSA as unsigned attribute. `audit.services.
audit_checkpoint_store` recomputes the root and keeps the checkpoint. `audit_verify` then compares the
journal with the latest checkpoint, so a deleted tail is caught even when the head was reset, and checks
its signature through `verify_checkpoint_signature` (found by `settings.PAKTA_CHECKPOINT_VERIFIER`,
because `audit` may not import `signatures`).

The system seal is an office seal (`CaKey` role `seal`, label `SYSTEM`, "Sistem Pakta"), issued on first
use and renewed a month before it expires. A checkpoint exported as a JSON file (`checkpoint_export`) and
kept elsewhere still proves the journal's size and root if the database, checkpoints included, is later
altered; it verifies offline with the CA root alone (`checkpoint_verify_exported`) or with OpenSSL
(`openssl cms -verify` for the signature, `openssl ts -verify` for the timestamp; steps in the file).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime
import hashlib
import json
from collections.abc import Coroutine, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms, pem
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pyhanko.sign.general import extract_certificate_info, extract_signer_info, find_unique_cms_attribute
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from audit.errors import ApplicationError
from audit.models import AuditCheckpoint
from audit.selectors import journal_root
from audit.services import audit_checkpoint_store
from signatures import ca
from signatures.models import CaKey
from signatures.revocation import embedded_material
from signatures.signers import SealKeyHolder, in_process_timestamper

SYSTEM_SEAL_CODE = "SYSTEM"
SYSTEM_SEAL_NAME = "Sistem Pakta"
SEAL_RENEW_BEFORE = datetime.timedelta(days=30)
DIGEST_ALGORITHM = "sha256"
EXPORT_FORMAT = "pakta-audit-checkpoint/1"
EXPORT_MAX_BYTES = 1024 * 1024
CLOCK_TOLERANCE = datetime.timedelta(minutes=5)
_STRONG_DIGESTS = frozenset({"sha256", "sha384", "sha512"})
_EXPIRY_PROBLEMS = frozenset({"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"})

SIGNATURE_UNREADABLE = _("Tanda tangan checkpoint tidak dapat dibaca: %(detail)s")
SIGNATURE_INVALID = _("Tanda tangan checkpoint tidak sah: pernyataan tidak cocok dengan tanda tangannya.")
SIGNER_UNTRUSTED = _("Penanda tangan checkpoint tidak berantai ke CA induk yang dipercaya (%(detail)s).")
SIGNER_NOT_SYSTEM_SEAL = _("Checkpoint tidak ditandatangani dengan segel sistem Pakta.")
TIMESTAMP_MISSING = _("Tanda tangan checkpoint tidak memuat stempel waktu.")
TIMESTAMP_INVALID = _("Stempel waktu checkpoint tidak sah atau tidak dipercaya.")
TIMESTAMP_TOKEN_MISMATCH = _("Token stempel waktu yang disimpan berbeda dari yang ada di tanda tangan.")
TIMESTAMP_BEFORE_STATEMENT = _("Stempel waktu checkpoint lebih awal dari waktu pada pernyataannya.")
STATEMENT_INVALID = _("Pernyataan checkpoint tidak sah.")
STORED_FIELDS_MISMATCH = _("Data checkpoint yang tersimpan tidak cocok dengan pernyataan yang ditandatangani.")
EXPORT_UNREADABLE = _("Berkas checkpoint tidak dapat dibaca: %(detail)s")
EXPORT_TOO_LARGE = _("Berkas checkpoint terlalu besar (paling besar %(maximum)s KB).")

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


class CheckpointSignatureError(ApplicationError):
    """A checkpoint's signature, timestamp or stored fields do not verify, or an exported file is unreadable."""


@dataclass(frozen=True)
class _Verified:
    signer: asn1_x509.Certificate
    timestamp: datetime.datetime
    token_der: bytes


def _run[T](coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


# --------------------------------------------------------------------------------------------------------
# The system seal
# --------------------------------------------------------------------------------------------------------


def _organisation() -> str:
    names = ca.ca_certificate(CaKey.Role.ROOT).subject.native
    return str(names.get("organization_name") or settings.PAKTA_INSTITUTION_NAME)


def _system_seal() -> SealKeyHolder:
    """The system seal, issued on first use and renewed `SEAL_RENEW_BEFORE` its expiry."""
    try:
        cert, _key = ca.load_ca_key(CaKey.Role.SEAL, SYSTEM_SEAL_CODE)
        due = cert.not_valid_after_utc - timezone.now() < SEAL_RENEW_BEFORE
    except ca.CaNotInitialized:
        if not ca.ca_exists():
            raise
        due = True
    if due:
        # IntegrityError: another process issued it at the same moment; use theirs.
        with contextlib.suppress(IntegrityError):
            ca.ca_issue_seal(unit_code=SYSTEM_SEAL_CODE, unit_name=SYSTEM_SEAL_NAME, organisation=_organisation())
    return SealKeyHolder(SYSTEM_SEAL_CODE)


def _is_system_seal(cert: asn1_x509.Certificate) -> bool:
    der = cert.dump()
    rows = CaKey.objects.filter(role=CaKey.Role.SEAL, label=SYSTEM_SEAL_CODE).only("certificate")
    return any(bytes(row.certificate) == der for row in rows)


def _named_like_system_seal(cert: asn1_x509.Certificate) -> bool:
    """Offline, without the CA's records: a seal certificate names the unit in OU and CN and, unlike an
    official's, carries no serialNumber (NIP)."""
    name = x509.load_der_x509_certificate(cert.dump()).subject

    def values(oid: x509.ObjectIdentifier) -> list[str]:
        return [str(attr.value) for attr in name.get_attributes_for_oid(oid)]

    return (
        values(NameOID.COMMON_NAME) == [SYSTEM_SEAL_NAME]
        and values(NameOID.ORGANIZATIONAL_UNIT_NAME) == [SYSTEM_SEAL_NAME]
        and not values(NameOID.SERIAL_NUMBER)
    )


def _subject_text(cert: asn1_x509.Certificate) -> str:
    return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()


# --------------------------------------------------------------------------------------------------------
# Signing
# --------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _reading_untrusted_bytes() -> Iterator[None]:
    """Turn any failure of the ASN.1/CMS libraries on hostile bytes into a failed verification, never a crash.

    asn1crypto parses lazily, so a malformed structure can fail at any later access; parsing all of it up
    front (`.native`) costs seconds on a CMS with certificates, so the accesses are guarded instead."""
    try:
        yield
    except ApplicationError:
        raise
    except Exception as exc:
        raise CheckpointSignatureError(SIGNATURE_UNREADABLE % {"detail": type(exc).__name__}) from None


def _signed_data(cms_der: bytes) -> cms.SignedData:
    with _reading_untrusted_bytes():
        info = cms.ContentInfo.load(cms_der)
        if info["content_type"].native != "signed_data":
            raise CheckpointSignatureError(SIGNATURE_UNREADABLE % {"detail": "bukan CMS SignedData"})
        signed_data: cms.SignedData = info["content"]
        if signed_data["encap_content_info"]["content"].native is not None:
            raise CheckpointSignatureError(SIGNATURE_UNREADABLE % {"detail": "tanda tangan tidak terpisah"})
        extract_signer_info(signed_data)  # exactly one signer
    return signed_data


def _embedded_token(signed_data: cms.SignedData) -> cms.ContentInfo:
    try:
        token: cms.ContentInfo = find_unique_cms_attribute(
            extract_signer_info(signed_data)["unsigned_attrs"], "signature_time_stamp_token"
        )
    except Exception:  # pyHanko: NonexistentAttributeError, MultivaluedAttributeError; asn1crypto errors
        raise CheckpointSignatureError(TIMESTAMP_MISSING) from None
    return token


def checkpoint_create(*, actor: Any = None) -> AuditCheckpoint:
    """Sign and keep a checkpoint of the whole audit journal as it is now (signatures issue §4).

    The journal's Merkle root goes into the canonical statement (`AuditCheckpoint.statement_for`), which
    the system seal signs as a detached CMS with a signature timestamp from the embedded TSA; the store
    recomputes the root before keeping it and records `audit.checkpoint.created` (that event and any
    appended meanwhile fall into the next checkpoint). The system seal is issued on first use (recorded
    as `signatures.seal.issued`) and renewed a month before it expires.

    :returns: the stored checkpoint.
    :raises signatures.ca.CaNotInitialized: the embedded CA has not been initialised.
    :raises signatures.keystore.KeystoreError: the CA key file is missing or does not open the seal key.
    :raises signatures.signers.KeyHolderError: the system seal certificate cannot sign (not yet valid).
    :raises audit.errors.ApplicationError: the journal has a gap (`audit.selectors.JOURNAL_BROKEN`).
    :raises audit.services.CheckpointRefused: the journal no longer matches the latest checkpoint.
    """
    seal = _system_seal()
    timestamper = in_process_timestamper()
    tree = journal_root()
    now = timezone.now().replace(microsecond=0)
    statement = AuditCheckpoint.statement_for(size=tree.size, root_hex=tree.root_hex, time=now)
    content_info: cms.ContentInfo = _run(
        seal.signer_for().async_sign_general_data(
            statement.encode("utf-8"),
            DIGEST_ALGORITHM,
            detached=True,
            timestamper=timestamper,
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=now),
        )
    )
    token = _embedded_token(content_info["content"])
    return audit_checkpoint_store(
        size=tree.size,
        root_hex=tree.root_hex,
        statement=statement,
        signature=content_info.dump(),
        timestamp_token=token.dump(),
        signer_subject=_subject_text(seal.certificate),
        actor=actor,
    )


# --------------------------------------------------------------------------------------------------------
# Verifying
# --------------------------------------------------------------------------------------------------------


def _status(
    statement: bytes, signed_data: cms.SignedData, context: dict[str, Any], moment: datetime.datetime | None
) -> Any:
    validation = ValidationContext(**context, allow_fetching=False, revocation_mode="soft-fail", moment=moment)
    return _run(
        async_validate_detached_cms(
            statement,
            signed_data,
            signer_validation_context=validation,
            key_usage_settings=KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"}),
        )
    )


def _verify_cms(
    statement: bytes,
    signed_data: cms.SignedData,
    *,
    trust_roots: Sequence[asn1_x509.Certificate],
    other_certs: Sequence[asn1_x509.Certificate] = (),
    crls: Sequence[asn1_crl.CertificateList] = (),
    ocsps: Sequence[asn1_ocsp.OCSPResponse] = (),
) -> _Verified:
    """The cryptographic verdict on a detached checkpoint signature: intact, made by a certificate that
    chains to `trust_roots`, with a valid, trusted signature timestamp. A signer certificate that has
    expired since is judged at the time the timestamp proves."""
    with _reading_untrusted_bytes():
        digest = extract_signer_info(signed_data)["digest_algorithm"]["algorithm"].native
    if digest not in _STRONG_DIGESTS:
        raise CheckpointSignatureError(SIGNATURE_UNREADABLE % {"detail": digest})
    token = _embedded_token(signed_data)
    context = {"trust_roots": list(trust_roots), "other_certs": list(other_certs), "crls": crls, "ocsps": ocsps}
    try:
        status = _status(statement, signed_data, context, None)
    except Exception as exc:  # any library failure on hostile input is a failed verification, never a crash
        raise CheckpointSignatureError(SIGNATURE_UNREADABLE % {"detail": type(exc).__name__}) from None
    if not (status.intact and status.valid):
        raise CheckpointSignatureError(SIGNATURE_INVALID)
    ts = status.timestamp_validity
    if ts is None:
        raise CheckpointSignatureError(TIMESTAMP_MISSING)
    if not (ts.intact and ts.valid):
        raise CheckpointSignatureError(TIMESTAMP_INVALID)
    if ts.trusted and getattr(status.trust_problem_indic, "name", "") in _EXPIRY_PROBLEMS:
        # The seal certificate has expired since, but the trusted timestamp proves when it signed: judge the
        # certificate at that time, as for PDFs (signatures.verify).
        try:
            status = _status(statement, signed_data, context, ts.timestamp)
        except Exception as exc:
            raise CheckpointSignatureError(SIGNATURE_UNREADABLE % {"detail": type(exc).__name__}) from None
    if not status.trusted:
        detail = getattr(status.trust_problem_indic, "name", "") or "tidak ada jalur ke CA induk"
        raise CheckpointSignatureError(SIGNER_UNTRUSTED % {"detail": detail})
    if not ts.trusted:
        raise CheckpointSignatureError(TIMESTAMP_INVALID)
    return _Verified(signer=status.signing_cert, timestamp=ts.timestamp, token_der=token.dump())


def _check_times(stated_time: datetime.datetime, verified: _Verified) -> None:
    if verified.timestamp < stated_time - CLOCK_TOLERANCE:
        raise CheckpointSignatureError(TIMESTAMP_BEFORE_STATEMENT)


def _revocation_material(
    signed_data: cms.SignedData,
) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse]]:
    """CRLs and OCSP responses of our CA for the signer and the TSA (made in-process, nothing fetched)."""
    with _reading_untrusted_bytes():
        choices = [*signed_data["certificates"], *_embedded_token(signed_data)["content"]["certificates"]]
        certs = [choice.chosen for choice in choices if choice.name == "certificate" and not choice.chosen.ca]
    return embedded_material(certs)


def verify_checkpoint_signature(checkpoint: AuditCheckpoint) -> None:
    """Check a stored checkpoint: its statement is canonical and agrees with its size, root, time and
    signer columns; the CMS signature over the statement is intact and made by the system seal of the
    embedded CA (chaining to `ca.trust_roots()`, not revoked); the embedded signature timestamp is valid,
    trusted, not earlier than the statement's time, and the same token as the stored one.

    This is the default `settings.PAKTA_CHECKPOINT_VERIFIER`, called by `audit_verify` for the latest
    checkpoint. Whether the journal still matches the checkpoint is `audit.verification.verify_chain`'s job.

    :raises CheckpointSignatureError: with the reason in Indonesian when any of the above fails.
    :raises signatures.ca.CaNotInitialized: the embedded CA has not been initialised.
    """
    try:
        stated = AuditCheckpoint.parse_statement(checkpoint.statement)
    except ValueError:
        raise CheckpointSignatureError(STATEMENT_INVALID) from None
    signed_data = _signed_data(bytes(checkpoint.signature))
    crls, ocsps = _revocation_material(signed_data)
    verified = _verify_cms(
        checkpoint.statement.encode("utf-8"), signed_data, trust_roots=ca.trust_roots(), crls=crls, ocsps=ocsps
    )
    if not _is_system_seal(verified.signer):
        raise CheckpointSignatureError(SIGNER_NOT_SYSTEM_SEAL)
    stored = (checkpoint.size, checkpoint.root_hex, checkpoint.created_at, checkpoint.signer_subject)
    if stored != (stated.size, stated.root_hex, stated.time, _subject_text(verified.signer)):
        raise CheckpointSignatureError(STORED_FIELDS_MISMATCH)
    if bytes(checkpoint.timestamp_token) != verified.token_der:
        raise CheckpointSignatureError(TIMESTAMP_TOKEN_MISMATCH)
    _check_times(stated.time, verified)


# --------------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------------


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
