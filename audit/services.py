"""The one writer of the audit journal.

`audit_record` must run inside the transaction of the state change it records (STYLE.md:
guard -> atomic + lock -> change -> audit event -> on_commit), so the event and the change
commit or roll back together.
"""

import datetime
import hashlib
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from audit.canonical import canonical_json, normalize
from audit.models import GENESIS_HASH, AuditEvent, AuditHead

SYSTEM_ACTOR = "system"


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
    with transaction.atomic():
        head = _locked_head()
        seq, prev = head.seq, head.hash
        rows = []
        now = timezone.now()
        for item in events:
            action = item["action"]
            if action.count(".") < 2:
                raise ValueError(f"audit action must be app.entity.past_tense, not {action!r}")
            stype, sid = _subject_ref(item.get("subject"), item.get("subject_type"), item.get("subject_id"))
            body = canonical_json(normalize(item.get("payload") or {}))
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
