"""Sealing a pact for the long term once every party signed (PAdES B-LTA): validation data for every
signature and timestamp, then a document timestamp over everything; PENDING -> SIGNED. The validation
report follows in the worker (`store_pact_validation_report`)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from integrity.models import IntegrityPact, PactRevision
from integrity.services.signing.errors import NOT_ISSUED, NOT_READY_TO_SEAL, NotReadyToSeal, check_signable
from integrity.services.signing.files import revision_chain_bytes, store_revision
from signatures.revocation import validation_material
from signatures.signing import (
    LongTermValidationError,
    last_timestamp_valid_until,
    pakta_timestamper,
    seal_lta,
    signature_certificates_with_chains,
)
from signatures.tsa import TSA_CERTIFICATE_UNSTABLE, tsa_certificates, tsa_refresh_if_changed

logger = logging.getLogger(__name__)


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
    current = IntegrityPact.objects.get(pk=pact.pk)
    latest = _to_seal(current)
    if latest.kind != PactRevision.Kind.SIGNATURE:
        return latest  # sealed already
    # Made before the row is locked: sealing may fetch revocation data from other parties (an external TSA,
    # a PSrE), which must not hold the pact's lock; a seal made meanwhile by another process wins.
    sealed = _seal_bytes(revision_chain_bytes(current, latest))
    valid_until = last_timestamp_valid_until(sealed)
    with transaction.atomic():
        locked = IntegrityPact.objects.select_for_update().get(pk=pact.pk)
        newest = _to_seal(locked)
        if newest.pk != latest.pk:
            return newest  # sealed meanwhile; our file is an unused twin
        now = timezone.now()
        revision = store_revision(
            locked, latest, sealed, kind=PactRevision.Kind.LTA, now=now, timestamp_valid_until=valid_until
        )
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


def _to_seal(pact: IntegrityPact) -> PactRevision:
    """The revision to seal (the last party's signature), or the seal revision of a pact sealed already.

    :raises PactNotSignable: the pact is SUPERSEDED (or SIGNED outside Pakta).
    :raises NotReadyToSeal: not issued, or a party has not signed yet.
    """
    latest = PactRevision.objects.filter(pact=pact).order_by("-sequence").first()
    if pact.status == IntegrityPact.Status.SIGNED and latest is not None and latest.kind != PactRevision.Kind.SIGNATURE:
        return latest
    check_signable(pact)
    if latest is None:
        raise NotReadyToSeal(NOT_ISSUED % {"number": pact.number})
    if pact.parties.filter(signed_at__isnull=True).exists() or latest.kind != PactRevision.Kind.SIGNATURE:
        raise NotReadyToSeal(NOT_READY_TO_SEAL % {"number": pact.number})
    return latest


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


def _enqueue_validation_report(pact_id: int) -> None:
    from integrity.tasks import store_pact_validation_report  # tasks call services

    store_pact_validation_report.enqueue(pact_id)


# A seam: `pact_seal` looks it up as this module's global and the archive renewal through this module, so a
# patch here reaches both (tests make it fail; bench/bench_signing/ times it).
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
