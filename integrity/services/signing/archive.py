"""Archive renewal: a sealed pact's last document timestamp is renewed (fresh validation data and a new
timestamp, PAdES B-LTA renewal) before the certificate of its timestamping authority expires."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from audit.services import audit_record
from integrity.models import IntegrityPact, PactRevision
from integrity.services.signing import seal as sealing
from integrity.services.signing.files import revision_chain_bytes, store_revision
from signatures.signing import last_timestamp_valid_until

logger = logging.getLogger(__name__)


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


def _retimestamp(pact: IntegrityPact, *, actor: Any, cutoff: datetime.datetime) -> PactRevision | None:
    latest = _to_renew(pact, cutoff=cutoff)
    if latest is None:
        return None
    # Made before the row is locked, as a seal is (`pact_seal`): renewing may fetch revocation data from an
    # external TSA, which must not hold the pact's lock; a renewal stored meanwhile by another run wins.
    renewed = sealing._seal_bytes(revision_chain_bytes(pact, latest))  # through the module: a patch applies
    valid_until = last_timestamp_valid_until(renewed)
    if latest.timestamp_valid_until is not None and (
        valid_until is None or valid_until <= latest.timestamp_valid_until
    ):
        logger.warning(
            "Pact %s: a new archive timestamp would expire %s, no later than the current one (%s); "
            "renew the TSA certificate",
            pact.number,
            valid_until,
            latest.timestamp_valid_until,
        )
        return None
    with transaction.atomic():
        locked = IntegrityPact.objects.select_for_update().get(pk=pact.pk)
        newest = _to_renew(locked, cutoff=cutoff)
        if newest is None or newest.pk != latest.pk:
            return None  # renewed meanwhile by another run: ours is dropped, nothing was stored
        revision = store_revision(
            locked,
            latest,
            renewed,
            kind=PactRevision.Kind.RETIMESTAMP,
            now=timezone.now(),
            timestamp_valid_until=valid_until,
        )
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


def _to_renew(pact: IntegrityPact, *, cutoff: datetime.datetime) -> PactRevision | None:
    """The pact's sealed revision whose archive timestamp ends before `cutoff`, or None (not sealed, or
    renewed already)."""
    latest = PactRevision.objects.filter(pact=pact).order_by("-sequence").first()
    if latest is None or latest.kind not in (PactRevision.Kind.LTA, PactRevision.Kind.RETIMESTAMP):
        return None
    if latest.timestamp_valid_until is not None and latest.timestamp_valid_until >= cutoff:
        return None
    return latest
