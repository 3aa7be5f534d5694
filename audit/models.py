"""The append-only, hash-chained audit journal (STYLE.md "Audit trail").

Each `AuditEvent` stores its predecessor's hash and its own; the hash covers every field, so
editing, deleting or reordering a row breaks the chain at that row (`audit_verify`). Rows are
written only by `audit.services.audit_record`; on PostgreSQL a trigger refuses UPDATE and
DELETE (migration 0002). `AuditHead` is the single row that writers lock to append one at a
time, so concurrent writers never fork the chain.
"""

from django.conf import settings
from django.db import models

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
