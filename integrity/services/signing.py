"""The signing plan of a pact (signatures issue §2): certification by the office seal, the parties'
signatures in order, the long-term seal, and archive renewal.

    pact_issue_for_signing   PENDING pact -> revision 1: the rendered PDF certified by the seal of the
                             pact's office (DocMDP P=2: afterwards only the prepared fields may be filled)
    pacts_issue_for_signing  the same for freshly rendered pacts (the render task), ahead of the signers
    pact_sign                the party whose turn it is signs its prepared field (PAdES B-T, visible
                             stamp); after the last party, pact_seal runs
    pact_seal                validation data + document timestamp (PAdES B-LTA); PENDING -> SIGNED; the
                             validation report follows in the worker (store_pact_validation_report)
    pacts_seal_pending       retries pact_seal for pacts whose parties all signed but that are not sealed
    pacts_retimestamp_due    renews the archive timestamp of sealed pacts before its certificate expires

Rules kept here (signatures issue §2, DOMAIN.md §4):

- **Only our own documents.** Pakta signs only the document it rendered: revision 1 is made from
  `IntegrityPact.document`, whose bytes must match the SHA-256 recorded when it was rendered, and every
  later revision must hash to its row and begin with those bytes (each step is an incremental update).
  Anything else, a file swapped on disk included, is refused and nothing is written.
- **Order.** Parties sign in `PactParty.order` (default: employee, then superior; satker head, then KPPN
  head); the signer must be the official of the lowest-ordered unsigned party. Out of order, a non-party,
  or a pact that is not PENDING: refused before any key is touched, nothing written.
- **Crash safety.** Each revision's file is written to `pacts/revisions/<sha256>.pdf` (temporary file in
  the same directory, fsync, rename, fsync of the directory) before its row, the party's `signed_at` and
  the audit event commit together. A crash leaves either nothing or a complete revision; a file without a
  row is harmless and reused when the same bytes come again.
- **Exactly one signature per field.** The pact row is locked (`SELECT ... FOR UPDATE`) while a signature
  is made and stored, the turn is checked again under the lock, and the database allows one revision per
  party. A repeated request with the same `Idempotency-Key` returns the revision the first one made.
- **Passphrases.** Wrong ones are counted per identity and lock signing after five
  (`signatures.lockout`); they are never stored, logged or audited.

Sealing runs after the last signature has committed, in its own transaction: the signer's act is
complete either way, and a seal that fails (logged) leaves the pact PENDING with all parties signed,
for `pacts_seal_pending` to finish; the lead's scheduler should run it with `pacts_retimestamp_due`.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError, ConflictError
from audit.services import audit_record
from integrity.models import IntegrityPact, PactParty, PactRevision, Unit
from integrity.services.pact_documents import ROLE_LABELS, pact_document_data, pact_document_ensure
from signatures import ca
from signatures import pdf as sigpdf
from signatures.lockout import embedded_key_holder_open, identity_check_not_locked
from signatures.models import SigningIdentity
from signatures.revocation import validation_material
from signatures.signers import KeyHolder, KeyHolderError, SealKeyHolder
from signatures.signing import (
    LongTermValidationError,
    certificate_chains_to,
    certify_pdf,
    last_timestamp_valid_until,
    pakta_timestamper,
    seal_lta,
    sign_pdf_field,
    signature_certificates_with_chains,
)
from signatures.stamp import SignatureStamp
from signatures.tsa import TSA_CERTIFICATE_UNSTABLE, tsa_certificates, tsa_refresh_if_changed

logger = logging.getLogger(__name__)

SEAL_FIELD = "Seal_Office"
"""The invisible field of the office seal's certification signature, added by the certification itself."""
VERIFICATION_ID_LENGTH = 32
"""Hex digits of revision 1's SHA-256 that identify a pact's document on its verification page (128 bits)."""
REVISIONS_DIR = "pacts/revisions"

PACT_NOT_SIGNABLE = _("Pakta %(number)s tidak dapat ditandatangani: statusnya %(status)s.")
NOT_A_PARTY = _("Anda bukan pihak penanda tangan pakta %(number)s.")
NOT_YOUR_TURN = _("Belum giliran Anda menandatangani pakta %(number)s: menunggu tanda tangan %(waiting)s.")
ALREADY_SIGNED = _("Anda sudah menandatangani pakta %(number)s.")
NO_IDENTITY = _("Anda belum memiliki identitas penandatangan aktif. Daftarkan identitas dulu.")
PASSPHRASE_REQUIRED = _("Masukkan passphrase untuk menandatangani.")
KEY_HOLDER_NOT_YOURS = _("Kunci penandatangan ini bukan milik akun Anda.")
IDEMPOTENCY_KEY_INVALID = _("Idempotency-Key harus terdiri dari 1–200 karakter ASCII yang terlihat.")
IDEMPOTENCY_KEY_REUSED = _("Idempotency-Key ini sudah dipakai untuk permintaan lain pada pakta %(number)s.")
DOCUMENT_NOT_OURS = _("Dokumen pakta %(number)s ditolak: %(detail)s Pakta hanya menandatangani dokumen buatannya.")
DETAIL_RENDERED_CHANGED = _("berkas dokumen tidak cocok dengan SHA-256 saat dibuat.")
DETAIL_FIELDS_CHANGED = _("kolom tanda tangannya tidak sesuai dengan para pihak.")
DETAIL_ALREADY_SIGNED = _("dokumen sudah memuat tanda tangan.")
DETAIL_REVISION_CHANGED = _("berkas revisi %(sequence)s tidak cocok dengan SHA-256-nya.")
DETAIL_REVISION_FOREIGN = _("revisi %(sequence)s tidak berasal dari dokumen yang dibuat Pakta.")
DETAIL_FILE_MISSING = _("berkas %(name)s tidak ditemukan.")
NOT_READY_TO_SEAL = _("Pakta %(number)s belum ditandatangani semua pihak.")
NOT_ISSUED = _("Pakta %(number)s belum diterbitkan untuk ditandatangani.")
SIGN_REASON = _("%(role)s Pakta Integritas %(number)s")
SEAL_REASON = _("Diterbitkan oleh %(office)s melalui Pakta; hanya kolom tanda tangan yang boleh diisi.")

_IDEMPOTENCY_KEY_RE = re.compile(r"[\x21-\x7e]{1,200}")


class PactNotSignable(ConflictError):
    """The pact is not PENDING (already SIGNED, or SUPERSEDED); nothing was written."""


class NotAParty(ApplicationError):
    """The user is not one of the pact's signing parties."""

    status_code = 403


class NotYourTurn(ConflictError):
    """The user is a party, but an earlier party has not signed yet."""


class AlreadySigned(ConflictError):
    """The user's party has signed already (a second request for the same field)."""


class NoSigningIdentity(ConflictError):
    """The user has no active embedded signing identity to open with a passphrase."""


class KeyHolderNotYours(ApplicationError):
    """The key holder handed in belongs to another account (or to none)."""

    status_code = 403


class IdempotencyKeyInvalid(ApplicationError):
    """The Idempotency-Key is empty, too long or not visible ASCII."""


class IdempotencyKeyReused(ConflictError):
    """The Idempotency-Key was used on this pact by another account."""


class PassphraseRequired(ApplicationError):
    """Signing with the embedded identity needs its passphrase."""


class DocumentNotOurs(ConflictError):
    """The PDF to sign is not one Pakta rendered (or a revision file was changed): refused, nothing written."""


class NotReadyToSeal(ConflictError):
    """Sealing was asked for before every party signed."""


# --------------------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------------------


def pact_verification_url(pact: IntegrityPact) -> str:
    """The page a pact's QR codes link to: `PAKTA_BASE_URL/v/<verification id>` (the id is set when the
    pact is issued for signing; empty before)."""
    return f"{settings.PAKTA_BASE_URL.rstrip('/')}/v/{pact.verification_id or ''}"


def pact_latest_revision(pact: IntegrityPact) -> PactRevision | None:
    """The newest stored revision of the pact's document, or None before it was issued for signing."""
    return PactRevision.objects.filter(pact=pact).order_by("-sequence").first()


def pact_revision_bytes(revision: PactRevision) -> bytes:
    """The bytes of a stored revision, checked against its SHA-256.

    :raises DocumentNotOurs: the file is missing or its content changed.
    """
    return _verified_file(revision.file.name, revision.sha256, revision.pact, revision.sequence)


def pact_party_to_sign(pact: IntegrityPact) -> PactParty | None:
    """The party whose turn it is: the lowest `order` without a signature (None when all signed)."""
    return pact.parties.filter(signed_at__isnull=True).select_related("official").order_by("order").first()


# --------------------------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------------------------


def pact_issue_for_signing(*, pact: IntegrityPact, actor: Any) -> PactRevision:
    """Make revision 1 of a PENDING pact: its rendered document (`pact_document_ensure`) certified by the
    seal of the pact's office (DocMDP P=2, B-T, invisible field `Seal_Office`). The office's seal is issued
    by the embedded CA if it has none or its seal expired. Idempotent: an issued pact returns its
    revision 1. Audit: `integrity.pact.certified`.

    :raises PactNotSignable: the pact is not PENDING.
    :raises DocumentNotOurs: the rendered document's bytes do not match the SHA-256 recorded at rendering,
        its signature fields are not the parties', or it is already signed.
    :raises signatures.ca.CaNotInitialized: the embedded CA has not been initialised.
    """
    existing = PactRevision.objects.filter(pact=pact, sequence=1).first()
    if existing is not None:
        return existing
    pact = IntegrityPact.objects.get(pk=pact.pk)
    _check_signable(pact)
    pact = pact_document_ensure(pact=pact, actor=actor)
    rendered = _rendered_bytes(pact)
    office = pact.unit.office()
    seal = _seal_holder(pact, office, actor)
    now = timezone.now()
    certified = certify_pdf(
        rendered,
        key_holder=seal,
        field_name=SEAL_FIELD,
        timestamper=pakta_timestamper(),
        reason=str(SEAL_REASON % {"office": office.name}),
        location=office.city or office.name,
        signing_time=now,
    )
    digest, name = _store_file(certified)
    with transaction.atomic():
        locked = IntegrityPact.objects.select_for_update().get(pk=pact.pk)
        existing = PactRevision.objects.filter(pact=locked, sequence=1).first()
        if existing is not None:  # issued meanwhile by another request; our file is an unused twin
            return existing
        _check_signable(locked)
        revision = PactRevision.objects.create(
            pact=locked,
            sequence=1,
            kind=PactRevision.Kind.CERTIFIED,
            sha256=digest,
            file=name,
            size=len(certified),
            signed_at=now,
            signer_name=_subject_name(seal.certificate),
            signer_serial=_serial(seal.certificate),
        )
        locked.verification_id = digest[:VERIFICATION_ID_LENGTH]
        locked.save(update_fields=["verification_id"])
        audit_record(
            action="integrity.pact.certified",
            actor=actor,
            subject=locked,
            payload={
                "number": locked.number,
                "sequence": 1,
                "sha256": digest,
                "office": office.code,
                "seal_serial": revision.signer_serial,
                "verification_id": locked.verification_id,
            },
        )
    return revision


def pact_sign(
    *,
    pact: IntegrityPact,
    user: Any,
    passphrase: str | None = None,
    key_holder: KeyHolder | None = None,
    idempotency_key: str | None = None,
) -> PactRevision:
    """The party whose turn it is signs the pact: an approval signature in its prepared field (PAdES B-T,
    timestamp from `PAKTA_TSA_URL` or the embedded TSA), with a visible stamp (name, NIP, position, time in
    WIB, "Ditandatangani secara elektronik", certified or not, QR code to the verification page). The pact
    is issued for signing first if it was not (`pact_issue_for_signing`). After the last party, the pact
    is sealed (`pact_seal`) and becomes SIGNED. Audit: `integrity.pact.signed_by_party`.

    The key is the user's embedded identity opened with `passphrase` (wrong passphrases are counted and
    lock signing after `PAKTA_SIGNING_MAX_FAILURES`), or `key_holder` (PKCS#12, PKCS#11) built by the
    caller for one of the user's identities. With `idempotency_key`, a request repeated after the first
    one's revision committed returns that revision unchanged.

    :returns: the party's signature revision.
    :raises IdempotencyKeyInvalid: the key is empty, longer than 200 characters or not visible ASCII.
    :raises IdempotencyKeyReused: the key was used on this pact by another account.
    :raises PactNotSignable: the pact is not PENDING.
    :raises NotAParty: the user is not one of the pact's parties.
    :raises NotYourTurn: an earlier party has not signed yet.
    :raises AlreadySigned: the user's party has signed already.
    :raises NoSigningIdentity: no passphrase identity (and no `key_holder`).
    :raises PassphraseRequired: no passphrase (and no `key_holder`).
    :raises KeyHolderNotYours: `key_holder` is not one of the user's identities.
    :raises signatures.lockout.SigningLocked: signing is locked after wrong passphrases.
    :raises signatures.keystore.WrongPassphrase: the passphrase is wrong (counted).
    :raises signatures.signers.KeyHolderError: the identity is revoked or its certificate expired.
    :raises DocumentNotOurs: the document or a revision is not Pakta's own, unchanged.
    """
    key = _checked_idempotency_key(idempotency_key)
    if key is not None:
        replay = _replay(pact, key, user)
        if replay is not None:
            return replay
    current = IntegrityPact.objects.get(pk=pact.pk)
    _party_for(current, user)
    holder = _key_holder(user, passphrase, key_holder)
    pact_issue_for_signing(pact=current, actor=user)
    with transaction.atomic():
        locked = IntegrityPact.objects.select_for_update().get(pk=pact.pk)
        if key is not None:
            replay = _replay(locked, key, user, seal=False)
            if replay is not None:
                return replay
        party = _party_for(locked, user)
        latest = PactRevision.objects.filter(pact=locked).order_by("-sequence").first()
        if latest is None:  # pragma: no cover - issued above, and revisions are never deleted
            raise PactNotSignable(NOT_ISSUED % {"number": locked.number})
        data = _revision_chain_bytes(locked, latest)
        office = locked.unit.office()
        stamp = _stamp(locked, party, holder)
        now = timezone.now()
        signed = sign_pdf_field(
            data,
            key_holder=holder,
            field_name=party.field_name,
            timestamper=pakta_timestamper(),
            stamp=stamp,
            reason=str(SIGN_REASON % {"role": ROLE_LABELS.get(party.role, party.role), "number": locked.number}),
            location=office.city or office.name,
            signing_time=now,
        )
        digest, name = _store_file(signed)
        revision = PactRevision.objects.create(
            pact=locked,
            sequence=latest.sequence + 1,
            kind=PactRevision.Kind.SIGNATURE,
            party=party,
            sha256=digest,
            file=name,
            size=len(signed),
            signed_at=now,
            signer_name=_subject_name(holder.certificate),
            signer_serial=_serial(holder.certificate),
            signed_by=user,
            idempotency_key=key or "",
        )
        party.signed_at = now
        party.save(update_fields=["signed_at"])
        audit_record(
            action="integrity.pact.signed_by_party",
            actor=user,
            subject=locked,
            payload={
                "number": locked.number,
                "sequence": revision.sequence,
                "sha256": digest,
                "party_order": party.order,
                "role": party.role,
                "field": party.field_name,
                "backend": getattr(holder, "backend", ""),
                "certificate_serial": revision.signer_serial,
                "certified": stamp.certified,
                "idempotency": key is not None,
            },
        )
        complete = not locked.parties.filter(signed_at__isnull=True).exists()
    if complete:
        _seal_after_last_signature(locked, actor=user)
    return revision


def pact_seal(*, pact: IntegrityPact, actor: Any = None) -> PactRevision:
    """Seal a pact that every party signed for the long term (PAdES B-LTA): the certificates, CRLs and
    OCSP responses of every signature and timestamp go into the document's DSS, then a document timestamp
    covers everything. Revocation data is made in-process for our CA's certificates, and fetched from the
    certificate's own CRL or OCSP URLs for the others: an external TSA's, a certified provider's (PSrE)
    signer and issuing CA (`signatures.revocation.validation_material`). The pact becomes SIGNED, dated
    by its last party's signature. Idempotent: a SIGNED pact returns its seal revision. Audit:
    `integrity.pact.sealed`. After the commit, the task `store_pact_validation_report` is enqueued: the
    worker verifies the sealed file and stores its validation report.

    :raises PactNotSignable: the pact is SUPERSEDED (or SIGNED outside Pakta, without revisions).
    :raises NotReadyToSeal: a party has not signed yet.
    :raises DocumentNotOurs: the latest revision is not Pakta's own, unchanged.
    :raises signatures.signing.LongTermValidationError: a certificate in the document does not chain to a
        trusted root (a PSrE signer needs its root in `PAKTA_CERTIFIED_ROOTS_DIR`), or its revocation data
        cannot be had or says revoked; nothing is written.
    :raises signatures.signing.TimestampError: the timestamping authority failed; nothing is written.
    """
    with transaction.atomic():
        locked = IntegrityPact.objects.select_for_update().get(pk=pact.pk)
        latest = PactRevision.objects.filter(pact=locked).order_by("-sequence").first()
        if (
            locked.status == IntegrityPact.Status.SIGNED
            and latest is not None
            and latest.kind != PactRevision.Kind.SIGNATURE
        ):
            return latest
        _check_signable(locked)
        if latest is None:
            raise NotReadyToSeal(NOT_ISSUED % {"number": locked.number})
        if locked.parties.filter(signed_at__isnull=True).exists() or latest.kind != PactRevision.Kind.SIGNATURE:
            raise NotReadyToSeal(NOT_READY_TO_SEAL % {"number": locked.number})
        data = _revision_chain_bytes(locked, latest)
        sealed = _seal_bytes(data)
        now = timezone.now()
        revision = _store_revision(locked, latest, sealed, kind=PactRevision.Kind.LTA, now=now)
        last_signature = max(party.signed_at for party in locked.parties.all() if party.signed_at is not None)
        locked.status = IntegrityPact.Status.SIGNED
        locked.signed_at = last_signature
        locked.save(update_fields=["status", "signed_at"])
        audit_record(
            action="integrity.pact.sealed",
            actor=actor,
            subject=locked,
            payload={
                "number": locked.number,
                "sequence": revision.sequence,
                "sha256": revision.sha256,
                "timestamp_valid_until": revision.timestamp_valid_until,
            },
        )
        # The report verifies the whole file again (~80 % of a seal's time): the worker makes it after the
        # commit, so the last party's request does not wait for it; nightly, reports_make_missing catches up.
        transaction.on_commit(lambda: _enqueue_validation_report(locked.pk), robust=True)
    return revision


def pacts_issue_for_signing(*, pact_ids: list[int], actor: Any = None) -> int:
    """Issue (certify) the PENDING pacts among `pact_ids` that have a rendered document and no revision yet,
    as the render task does right after rendering, so a party's first signature does not wait for the
    office seal's certification. Does nothing before the embedded CA is initialised (the first signature
    then certifies, `pact_sign`). Failures are logged and left to the first signature.

    :returns: the number of pacts issued.
    """
    if not ca.ca_exists():
        return 0
    waiting = (
        IntegrityPact.objects.filter(pk__in=pact_ids, status=IntegrityPact.Status.PENDING)
        .exclude(document="")
        .exclude(revisions__sequence=1)
        .order_by("pk")
    )
    issued = 0
    for pact in waiting:
        try:
            pact_issue_for_signing(pact=pact, actor=actor)
        except Exception:
            logger.exception("Certifying pact %s failed; its first signature will certify it", pact.number)
        else:
            issued += 1
    return issued


def pacts_seal_pending(*, actor: Any = None) -> int:
    """Seal every PENDING pact whose parties have all signed in Pakta but that was not sealed (the seal
    after the last signature failed, or the process stopped in between). Failures are logged and left for
    the next run.

    :returns: the number of pacts sealed.
    """
    candidates = (
        IntegrityPact.objects.filter(status=IntegrityPact.Status.PENDING, revisions__kind=PactRevision.Kind.SIGNATURE)
        .exclude(parties__signed_at__isnull=True)
        .distinct()
        .order_by("pk")
    )
    sealed = 0
    for pact in candidates:
        try:
            pact_seal(pact=pact, actor=actor)
        except Exception:
            logger.exception("Sealing pact %s failed; it stays PENDING until the next run", pact.number)
        else:
            sealed += 1
    return sealed


def pacts_retimestamp_due(*, before: datetime.date, actor: Any = None) -> int:
    """Renew the archive timestamp of every sealed pact (SIGNED, or SUPERSEDED after it was signed: the
    archive is kept forever) whose last document timestamp stops being verifiable before `before` (the
    end of its TSA certificate chain): fresh validation data for that timestamp plus a new timestamp, as a
    new revision (PAdES B-LTA renewal). A renewal that would not outlast the old timestamp (the TSA's own
    certificate ends first: renew it) is skipped and logged. Audit: `integrity.pact.retimestamped`.

    Meant for a daily task; `before` = today + a margin (e.g. 90 days) leaves time for failures.

    :returns: the number of pacts timestamped again.
    """
    latest = PactRevision.objects.filter(pact=OuterRef("pk")).order_by("-sequence")
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    due = (
        IntegrityPact.objects.annotate(
            last_kind=Subquery(latest.values("kind")[:1]),
            last_valid_until=Subquery(latest.values("timestamp_valid_until")[:1]),
        )
        .filter(
            last_kind__in=[PactRevision.Kind.LTA, PactRevision.Kind.RETIMESTAMP],
            last_valid_until__lt=cutoff,
        )
        .order_by("last_valid_until", "pk")
    )
    renewed = 0
    for pact in due:
        try:
            if _retimestamp(pact, actor=actor, cutoff=cutoff) is not None:
                renewed += 1
        except Exception:
            logger.exception("Archive timestamp renewal of pact %s failed", pact.number)
    return renewed


# --------------------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------------------


def _retimestamp(pact: IntegrityPact, *, actor: Any, cutoff: datetime.datetime) -> PactRevision | None:
    with transaction.atomic():
        locked = IntegrityPact.objects.select_for_update().get(pk=pact.pk)
        latest = PactRevision.objects.filter(pact=locked).order_by("-sequence").first()
        if latest is None or latest.kind not in (PactRevision.Kind.LTA, PactRevision.Kind.RETIMESTAMP):
            return None
        if latest.timestamp_valid_until is not None and latest.timestamp_valid_until >= cutoff:
            return None  # renewed meanwhile
        data = _revision_chain_bytes(locked, latest)
        renewed = _seal_bytes(data)
        valid_until = last_timestamp_valid_until(renewed)
        if latest.timestamp_valid_until is not None and (
            valid_until is None or valid_until <= latest.timestamp_valid_until
        ):
            logger.warning(
                "Pact %s: a new archive timestamp would expire %s, no later than the current one (%s); "
                "renew the TSA certificate",
                locked.number,
                valid_until,
                latest.timestamp_valid_until,
            )
            return None
        revision = _store_revision(locked, latest, renewed, kind=PactRevision.Kind.RETIMESTAMP, now=timezone.now())
        audit_record(
            action="integrity.pact.retimestamped",
            actor=actor,
            subject=locked,
            payload={
                "number": locked.number,
                "sequence": revision.sequence,
                "sha256": revision.sha256,
                "previous_valid_until": latest.timestamp_valid_until,
                "timestamp_valid_until": revision.timestamp_valid_until,
            },
        )
    return revision


def _enqueue_validation_report(pact_id: int) -> None:
    from integrity.tasks import store_pact_validation_report  # tasks call services

    store_pact_validation_report.enqueue(pact_id)


def _seal_after_last_signature(pact: IntegrityPact, *, actor: Any) -> None:
    try:
        pact_seal(pact=pact, actor=actor)
    except Exception:
        # The signature is committed; the seal is the system's step and is retried (pacts_seal_pending).
        logger.exception("Sealing pact %s after its last signature failed; it stays PENDING", pact.number)


def _seal_bytes(data: bytes) -> bytes:
    """`data` with validation data for all its signatures and a document timestamp (B-LTA).

    The TSA's certificates are known before the timestamp is asked for (`signatures.tsa`), so their
    validation data goes into the file with the signers' (`signatures.revocation`: in-process for our CA,
    fetched for an external TSA or a certified provider's signer). The intermediates each signature carries
    let a PSrE signer's path (root → issuing CA → signer) be built, and its issuing CA's revocation data be
    fetched too. A TSA that answers with a certificate it did not show before (renewed) gets one more try
    with the new certificate's data.

    :raises signatures.signing.LongTermValidationError: a certificate does not chain to a trusted root, its
        revocation data cannot be had or says revoked, or the TSA keeps changing certificates.
    :raises signatures.signing.TimestampError: the timestamping authority failed.
    """
    timestamper = pakta_timestamper()
    certificates, carried = signature_certificates_with_chains(data)
    for _attempt in range(2):
        material = validation_material([*certificates, *tsa_certificates(timestamper)], intermediates=carried)
        sealed = seal_lta(
            data, timestamper=timestamper, trust_roots=material.trust_roots, crls=material.crls, ocsps=material.ocsps
        )
        if not tsa_refresh_if_changed(timestamper, sealed):
            return sealed
    raise LongTermValidationError(TSA_CERTIFICATE_UNSTABLE)


def _store_revision(
    pact: IntegrityPact, previous: PactRevision, data: bytes, *, kind: str, now: datetime.datetime
) -> PactRevision:
    digest, name = _store_file(data)
    return PactRevision.objects.create(
        pact=pact,
        sequence=previous.sequence + 1,
        kind=kind,
        sha256=digest,
        file=name,
        size=len(data),
        signed_at=now,
        timestamp_valid_until=last_timestamp_valid_until(data),
    )


def _seal_holder(pact: IntegrityPact, office: Unit, actor: Any) -> SealKeyHolder:
    """The office's seal; issued (or renewed when expired) by the embedded CA when needed."""
    try:
        return SealKeyHolder(office.code)
    except (ca.CaNotInitialized, KeyHolderError):
        if not ca.ca_exists():
            raise
    organisation = pact_document_data(pact)["institution"]
    # A concurrent request may issue the office's first seal at the same moment: then use that one.
    with contextlib.suppress(IntegrityError):
        ca.ca_issue_seal(unit_code=office.code, unit_name=office.name, organisation=organisation, actor=actor)
    return SealKeyHolder(office.code)


def _key_holder(user: Any, passphrase: str | None, key_holder: KeyHolder | None) -> KeyHolder:
    if key_holder is not None:
        identity = getattr(key_holder, "identity", None)
        if not isinstance(identity, SigningIdentity) or identity.user_id != user.pk:
            raise KeyHolderNotYours(KEY_HOLDER_NOT_YOURS)
        identity_check_not_locked(identity)
        return key_holder
    identity = SigningIdentity.objects.filter(
        user=user, backend=SigningIdentity.Backend.EMBEDDED, status=SigningIdentity.Status.ACTIVE
    ).first()
    if identity is None:
        raise NoSigningIdentity(NO_IDENTITY)
    if not passphrase:
        identity_check_not_locked(identity)
        raise PassphraseRequired(PASSPHRASE_REQUIRED)
    return embedded_key_holder_open(identity=identity, passphrase=passphrase, actor=user)


def _check_signable(pact: IntegrityPact) -> None:
    if pact.status != IntegrityPact.Status.PENDING:
        raise PactNotSignable(PACT_NOT_SIGNABLE % {"number": pact.number, "status": pact.get_status_display()})


def _party_for(pact: IntegrityPact, user: Any) -> PactParty:
    """The user's party if it is their turn; otherwise the reason why not."""
    _check_signable(pact)
    parties = list(pact.parties.select_related("official").order_by("order"))
    mine = [party for party in parties if party.official.user_id is not None and party.official.user_id == user.pk]
    if not mine:
        raise NotAParty(NOT_A_PARTY % {"number": pact.number})
    waiting = next((party for party in parties if party.signed_at is None), None)
    if waiting is not None and waiting in mine:
        return waiting
    if all(party.signed_at is not None for party in mine):
        raise AlreadySigned(ALREADY_SIGNED % {"number": pact.number})
    assert waiting is not None
    who = f"{waiting.snapshot.get('name', waiting.official.full_name)} ({ROLE_LABELS.get(waiting.role, waiting.role)})"
    raise NotYourTurn(NOT_YOUR_TURN % {"number": pact.number, "waiting": who})


def _checked_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY_RE.fullmatch(key):
        raise IdempotencyKeyInvalid(IDEMPOTENCY_KEY_INVALID)
    return key


def _replay(pact: IntegrityPact, key: str, user: Any, *, seal: bool = True) -> PactRevision | None:
    """The revision an earlier request with the same key made, if any (and the pact's seal, if that
    request's seal did not happen)."""
    revision = PactRevision.objects.filter(pact=pact, idempotency_key=key).first()
    if revision is None:
        return None
    if revision.signed_by_id != user.pk:
        raise IdempotencyKeyReused(IDEMPOTENCY_KEY_REUSED % {"number": pact.number})
    if seal:
        fresh = IntegrityPact.objects.get(pk=pact.pk)
        if fresh.status == IntegrityPact.Status.PENDING and not fresh.parties.filter(signed_at__isnull=True).exists():
            _seal_after_last_signature(fresh, actor=user)
    return revision


def _stamp(pact: IntegrityPact, party: PactParty, holder: KeyHolder) -> SignatureStamp:
    snapshot = party.snapshot
    return SignatureStamp(
        name=str(snapshot.get("name") or party.official.full_name),
        nip=str(snapshot.get("nip_display") or snapshot.get("nip") or party.official.nip_display),
        position=str(snapshot.get("position", "")),
        verification_url=pact_verification_url(pact),
        certified=_is_certified(holder),
    )


def _is_certified(holder: KeyHolder) -> bool:
    """*Tersertifikasi* (PP 71/2019 Pasal 60) only when the signer's certificate really chains to the root of
    a certified provider (`PAKTA_CERTIFIED_ROOTS_DIR`, e.g. BSrE); the embedded CA's never do."""
    from signatures.verification_service import certified_roots

    roots = certified_roots()
    if not roots:
        return False
    registry = holder.signer_for().cert_registry
    return certificate_chains_to(holder.certificate, roots=roots, intermediates=list(registry or ()))


# --------------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------------


def _rendered_bytes(pact: IntegrityPact) -> bytes:
    """The pact's rendered, unsigned document, checked: the SHA-256 recorded at rendering, one empty field
    per party in signing order, no signature."""
    data = _verified_file(pact.document.name, pact.document_sha256, pact, None, rendered=True)
    expected = list(pact.parties.order_by("order").values_list("field_name", flat=True))
    try:
        names = sigpdf.signature_field_names(data)
    except sigpdf.PdfError as exc:
        raise _not_ours(pact, exc.message) from exc
    if names != expected:
        raise _not_ours(pact, DETAIL_FIELDS_CHANGED)
    if b"/ByteRange" in data:
        raise _not_ours(pact, DETAIL_ALREADY_SIGNED)
    return data


def _revision_chain_bytes(pact: IntegrityPact, revision: PactRevision) -> bytes:
    """A revision's bytes, checked against its SHA-256 and against the rendered document they must
    extend."""
    data = _verified_file(revision.file.name, revision.sha256, pact, revision.sequence)
    rendered = _verified_file(pact.document.name, pact.document_sha256, pact, None, rendered=True)
    if not data.startswith(rendered):
        raise _not_ours(pact, DETAIL_REVISION_FOREIGN % {"sequence": revision.sequence})
    return data


def _verified_file(
    name: str | None, sha256: str, pact: IntegrityPact, sequence: int | None, *, rendered: bool = False
) -> bytes:
    try:
        data = Path(default_storage.path(name)).read_bytes() if name else b""
    except FileNotFoundError:
        data = b""
    if not data:
        raise _not_ours(pact, DETAIL_FILE_MISSING % {"name": name or "-"})
    if not sha256 or hashlib.sha256(data).hexdigest() != sha256:
        detail = DETAIL_RENDERED_CHANGED if rendered else DETAIL_REVISION_CHANGED % {"sequence": sequence}
        raise _not_ours(pact, detail)
    return data


def _not_ours(pact: IntegrityPact, detail: Any) -> DocumentNotOurs:
    return DocumentNotOurs(DOCUMENT_NOT_OURS % {"number": pact.number, "detail": detail}, extra={"detail": str(detail)})


def _store_file(data: bytes) -> tuple[str, str]:
    """Write `data` content-addressed under MEDIA_ROOT (`pacts/revisions/<sha256>.pdf`) and make it
    durable before returning: temporary file in the same directory, fsync, atomic rename, fsync of the
    directory. An existing file with the same content is reused.

    :returns: (sha256 hex, storage name).
    """
    digest = hashlib.sha256(data).hexdigest()
    name = f"{REVISIONS_DIR}/{digest}.pdf"
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if hashlib.sha256(path.read_bytes()).hexdigest() == digest:
            return digest, name
    except FileNotFoundError:
        pass
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".pdf", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return digest, name


def _subject_name(certificate: Any) -> str:
    try:
        return str(certificate.subject.native.get("common_name", ""))[:200]
    except (AttributeError, ValueError):
        return ""


def _serial(certificate: Any) -> str:
    try:
        return format(int(certificate.serial_number), "x")[:64]
    except (AttributeError, TypeError, ValueError):
        return ""
