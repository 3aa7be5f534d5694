"""The append-only, hash-chained audit journal (STYLE.md "Audit trail").

Each `AuditEvent` stores its predecessor's hash and its own; the hash covers every field, so
editing, deleting or reordering a row breaks the chain at that row (`audit_verify`). Rows are
written only by `audit.services.audit_record`; on PostgreSQL a trigger refuses UPDATE and
DELETE (migration 0002). `AuditHead` is the single row that writers lock to append one at a
time, so concurrent writers never fork the chain. `AuditCheckpoint` anchors the journal: a signed
statement of its Merkle root at a size, so deleting the tail (and resetting the head) is caught too.
"""

import datetime
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import models

from audit.canonical import canonical_json

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    seq = models.BigIntegerField("nomor urut", unique=True)
    occurred_at = models.DateTimeField("waktu (UTC)")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="pelaku"
    )
    actor_label = models.CharField("pelaku (teks)", max_length=150)
    action = models.CharField("tindakan", max_length=100, db_index=True)
    subject_type = models.CharField("jenis subjek", max_length=100)
    subject_id = models.CharField("id subjek", max_length=64)
    payload = models.TextField("muatan (JSON kanonis)")
    prev_hash = models.CharField("hash sebelumnya", max_length=64)
    hash = models.CharField("hash", max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = "peristiwa audit"
        verbose_name_plural = "peristiwa audit"
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_seq_positive")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject_type}:{self.subject_id}"


class AuditHead(models.Model):
    """The chain's tip: the last sequence number and hash. One row (pk=1), locked by writers."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "ujung rantai audit"

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


CHECKPOINT_LOG_ID = "pakta-audit"
_STATEMENT_KEYS = frozenset({"log", "size", "root", "time"})
_ROOT_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class CheckpointStatement:
    """The fields of a checkpoint statement: the journal's first `size` events have Merkle root `root_hex`
    (RFC 9162 §2.1.1, leaves as in `audit.selectors`), stated at `time` (UTC, whole seconds)."""

    size: int
    root_hex: str
    time: datetime.datetime


class AuditCheckpoint(models.Model):
    """A signed, timestamped statement of the journal's Merkle root at `size` events (signatures issue §4).

    `statement` is the exact text that was signed, canonical JSON
    `{"log": "pakta-audit", "root": <hex>, "size": <n>, "time": <ISO 8601 UTC>}` (`statement_for`);
    `size`, `root_hex` and `created_at` repeat it for queries. `signature` is a detached CMS SignedData
    (DER) over the statement's UTF-8 bytes by the system seal, carrying an RFC 3161 signature timestamp as
    unsigned attribute; `timestamp_token` is that same token on its own. Written only by
    `audit.services.audit_checkpoint_store`; append-only like the journal (PostgreSQL trigger, migration
    0003). The signature is verified by `signatures.checkpoints` (audit cannot import signatures).
    """

    size = models.BigIntegerField("jumlah peristiwa tercakup")
    root_hex = models.CharField("akar Merkle (heks)", max_length=64)
    created_at = models.DateTimeField("waktu pernyataan (UTC)")
    statement = models.TextField("pernyataan yang ditandatangani (JSON kanonis)")
    signature = models.BinaryField("tanda tangan (CMS terpisah, DER)")
    timestamp_token = models.BinaryField("token stempel waktu (RFC 3161, DER)")
    signer_subject = models.CharField("penanda tangan (DN)", max_length=400)

    class Meta:
        ordering = ["size", "pk"]
        verbose_name = "checkpoint audit"
        verbose_name_plural = "checkpoint audit"
        indexes = [models.Index(fields=["size"], name="audit_checkpoint_size_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(size__gte=1), name="audit_checkpoint_size_positive")]

    def __str__(self) -> str:
        return f"checkpoint #{self.pk}: {self.size} peristiwa, akar {self.root_hex[:12]}"

    @staticmethod
    def statement_for(*, size: int, root_hex: str, time: datetime.datetime) -> str:
        """The canonical statement text for a checkpoint (what the system seal signs)."""
        moment = time.astimezone(datetime.UTC).replace(microsecond=0)
        return canonical_json(
            {"log": CHECKPOINT_LOG_ID, "size": size, "root": root_hex, "time": moment.isoformat(timespec="seconds")}
        )

    @staticmethod
    def parse_statement(text: str) -> CheckpointStatement:
        """Read a statement and insist it is exactly what `statement_for` makes of its own fields.

        Raises ValueError otherwise (other keys or log id, a bad root, a naive or fractional time, or
        any other spelling of the same JSON)."""
        try:
            data = json.loads(text)
        except (TypeError, json.JSONDecodeError) as exc:
            raise ValueError("statement is not JSON") from exc
        if not isinstance(data, dict) or set(data) != _STATEMENT_KEYS or data["log"] != CHECKPOINT_LOG_ID:
            raise ValueError("statement has the wrong fields")
        size, root_hex, time_text = data["size"], data["root"], data["time"]
        if type(size) is not int or size < 1:
            raise ValueError("statement size must be a positive integer")
        if not isinstance(root_hex, str) or not _ROOT_HEX.fullmatch(root_hex):
            raise ValueError("statement root must be 64 lowercase hex digits")
        if not isinstance(time_text, str):
            raise ValueError("statement time must be text")
        time = datetime.datetime.fromisoformat(time_text)
        if time.tzinfo is None:
            raise ValueError("statement time must carry its offset")
        if AuditCheckpoint.statement_for(size=size, root_hex=root_hex, time=time) != text:
            raise ValueError("statement is not in canonical form")
        return CheckpointStatement(size=size, root_hex=root_hex, time=time.astimezone(datetime.UTC))
