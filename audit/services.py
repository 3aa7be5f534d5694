"""The one writer of the audit journal.

`audit_record` must run inside the transaction of the state change it records (STYLE.md:
guard -> atomic + lock -> change -> audit event -> on_commit), so the event and the change
commit or roll back together. `audit_checkpoint_store` is the one writer of checkpoints.
"""

import datetime
import hashlib
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.canonical import canonical_json, normalize
from audit.errors import ConflictError
from audit.merkle import root_from_leaf_hashes
from audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent, AuditHead
from audit.selectors import journal_leaf_hashes

SYSTEM_ACTOR = "system"

CHECKPOINT_STATEMENT_INVALID = _("Pernyataan checkpoint tidak sah atau tidak cocok dengan ukuran dan akarnya.")
CHECKPOINT_SIGNATURE_MISSING = _("Checkpoint harus membawa tanda tangan dan token stempel waktu.")
CHECKPOINT_ROOT_MISMATCH = _("Akar Merkle checkpoint tidak cocok dengan %(size)s peristiwa pertama jurnal audit.")
CHECKPOINT_SMALLER_THAN_LATEST = _(
    "Checkpoint mencakup %(size)s peristiwa, lebih sedikit dari checkpoint terakhir (%(latest)s peristiwa)."
)
CHECKPOINT_HISTORY_CHANGED = _(
    "Jurnal audit tidak lagi cocok dengan checkpoint terakhir #%(id)s; jalankan audit_verify."
)


class CheckpointRefused(ConflictError):
    """A checkpoint does not describe the journal as it is, or would move backwards. Nothing was written."""


def event_hash(
    *,
    seq: int,
    occurred_at: datetime.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    subject_type: str,
    subject_id: str,
    payload: str,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical JSON of every field of an event, its predecessor's hash included."""
    material = canonical_json(
        {
            "seq": seq,
            "occurred_at": occurred_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "actor": actor_label,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "payload": payload,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def compute_event_hash(event: AuditEvent) -> str:
    return event_hash(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        payload=event.payload,
        prev_hash=event.prev_hash,
    )


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    # First event ever (or after a test flush): rebuild the head from the journal itself.
    last = AuditEvent.objects.order_by("-seq").first()
    try:
        with transaction.atomic():
            AuditHead.objects.create(pk=1, seq=last.seq if last else 0, hash=last.hash if last else GENESIS_HASH)
    except IntegrityError:
        pass  # another writer created it first; lock theirs
    return AuditHead.objects.select_for_update().get(pk=1)


def _subject_ref(subject: models.Model | None, subject_type: str | None, subject_id: Any) -> tuple[str, str]:
    if subject is not None:
        return subject._meta.label_lower, str(subject.pk)
    return subject_type or "", "" if subject_id is None else str(subject_id)


def audit_record(
    *,
    action: str,
    actor: Any = None,
    subject: models.Model | None = None,
    subject_type: str | None = None,
    subject_id: Any = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `action` is dotted past tense (`integrity.pact.superseded`); `actor`
    is a user or None for the system; secrets in `payload` are masked before hashing."""
    item = {"action": action, "subject": subject, "subject_type": subject_type, "subject_id": subject_id}
    return _append([{**item, "payload": payload}], actor=actor)[0]


def audit_record_many(events: list[dict[str, Any]], *, actor: Any = None) -> int:
    """Append many events in one locked step (bulk insert): for reconciler runs that create or
    supersede thousands of pacts, so the number of queries does not grow with the rows.

    Each item has the keyword arguments of `audit_record` except `actor`."""
    return len(_append(events, actor=actor))


def _append(events: list[dict[str, Any]], *, actor: Any) -> list[AuditEvent]:
    """The one place that writes the journal: lock the head, chain, bulk insert, move the head."""
    if not events:
        return []
    actor_obj = actor if getattr(actor, "pk", None) is not None else None
    label = actor_obj.get_username() if actor_obj is not None else SYSTEM_ACTOR
    prepared = []  # checked and serialised first: bad input raises before anything is locked or written
    for item in events:
        action = item["action"]
        if action.count(".") < 2:
            raise ValueError(f"audit action must be app.entity.past_tense, not {action!r}")
        stype, sid = _subject_ref(item.get("subject"), item.get("subject_type"), item.get("subject_id"))
        prepared.append((action, stype, sid, canonical_json(normalize(item.get("payload") or {}))))
    # No savepoint inside the caller's transaction (two round trips per event): only a database error can
    # happen in here, and it aborts the caller's change with it, as a change without its audit event must.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        seq, prev = head.seq, head.hash
        rows = []
        now = timezone.now()
        for action, stype, sid, body in prepared:
            seq += 1
            digest = event_hash(
                seq=seq,
                occurred_at=now,
                actor_id=actor_obj.pk if actor_obj else None,
                actor_label=label,
                action=action,
                subject_type=stype,
                subject_id=sid,
                payload=body,
                prev_hash=prev,
            )
            rows.append(
                AuditEvent(
                    seq=seq,
                    occurred_at=now,
                    actor=actor_obj,
                    actor_label=label,
                    action=action,
                    subject_type=stype,
                    subject_id=sid,
                    payload=body,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        AuditEvent.objects.bulk_create(rows)  # as many rows per INSERT as the backend allows
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash"])
    return rows


def audit_checkpoint_store(
    *,
    size: int,
    root_hex: str,
    statement: str,
    signature: bytes,
    timestamp_token: bytes,
    signer_subject: str,
    actor: Any = None,
) -> AuditCheckpoint:
    """Keep a signed checkpoint of the journal's first `size` events (signatures issue §4) and record
    `audit.checkpoint.created`. The signature itself is made and checked by `signatures.checkpoints`.

    The checkpoint is stored only if it tells the truth about the journal now: the statement is the
    canonical one for `size` and `root_hex`, the Merkle root of events 1..size recomputed from the journal
    equals `root_hex`, it covers no fewer events than the latest checkpoint, and the journal still has that
    checkpoint's root at its size (a rewritten history is never anchored). The journal head stays locked
    while checking and writing, so appends and other checkpoints wait.

    :raises CheckpointRefused: bad statement, missing signature, a mismatching root, a smaller checkpoint
        or a journal that no longer matches the latest checkpoint; nothing is written.
    :raises ApplicationError: the journal has fewer than `size` events or a gap (`audit.selectors`).
    """
    try:
        stated = AuditCheckpoint.parse_statement(statement)
    except ValueError:
        raise CheckpointRefused(CHECKPOINT_STATEMENT_INVALID) from None
    if (stated.size, stated.root_hex) != (size, root_hex):
        raise CheckpointRefused(CHECKPOINT_STATEMENT_INVALID, {"size": size})
    if not signature or not timestamp_token:
        raise CheckpointRefused(CHECKPOINT_SIGNATURE_MISSING)
    with transaction.atomic():
        _locked_head()
        latest = AuditCheckpoint.objects.order_by("-size", "-pk").first()
        if latest is not None and size < latest.size:
            raise CheckpointRefused(CHECKPOINT_SMALLER_THAN_LATEST % {"size": size, "latest": latest.size})
        leaves = journal_leaf_hashes(size)
        if root_from_leaf_hashes(leaves).hex() != root_hex:
            raise CheckpointRefused(CHECKPOINT_ROOT_MISMATCH % {"size": size}, {"size": size})
        if latest is not None and root_from_leaf_hashes(leaves[: latest.size]).hex() != latest.root_hex:
            raise CheckpointRefused(CHECKPOINT_HISTORY_CHANGED % {"id": latest.pk}, {"checkpoint": latest.pk})
        checkpoint = AuditCheckpoint.objects.create(
            size=size,
            root_hex=root_hex,
            created_at=stated.time,
            statement=statement,
            signature=bytes(signature),
            timestamp_token=bytes(timestamp_token),
            signer_subject=signer_subject[:400],
        )
        audit_record(
            action="audit.checkpoint.created",
            actor=actor,
            subject=checkpoint,
            payload={"size": size, "root": root_hex, "time": stated.time, "signer": signer_subject},
        )
    return checkpoint
