"""Signed checkpoints of the audit journal (signatures issue §4), append-only like the journal.

PostgreSQL refuses UPDATE and DELETE on the checkpoint table with a trigger of its own, as migration 0002
does for the events. SQLite has none; there a tampered checkpoint fails its signature check instead
(`signatures.checkpoints.verify_checkpoint_signature`, run by `audit_verify`).
"""

from django.db import migrations, models

CREATE_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_checkpoint_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit checkpoints are append-only: % on audit_auditcheckpoint is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_auditcheckpoint_append_only ON audit_auditcheckpoint;
CREATE TRIGGER audit_auditcheckpoint_append_only
    BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_append_only();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS audit_auditcheckpoint_append_only ON audit_auditcheckpoint;
DROP FUNCTION IF EXISTS audit_checkpoint_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER, params=None)  # the SQL contains %, not placeholders


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_trigger"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("size", models.BigIntegerField(verbose_name="jumlah peristiwa tercakup")),
                ("root_hex", models.CharField(max_length=64, verbose_name="akar Merkle (heks)")),
                ("created_at", models.DateTimeField(verbose_name="waktu pernyataan (UTC)")),
                ("statement", models.TextField(verbose_name="pernyataan yang ditandatangani (JSON kanonis)")),
                ("signature", models.BinaryField(verbose_name="tanda tangan (CMS terpisah, DER)")),
                ("timestamp_token", models.BinaryField(verbose_name="token stempel waktu (RFC 3161, DER)")),
                ("signer_subject", models.CharField(max_length=400, verbose_name="penanda tangan (DN)")),
            ],
            options={
                "verbose_name": "checkpoint audit",
                "verbose_name_plural": "checkpoint audit",
                "ordering": ["size", "pk"],
                "indexes": [models.Index(fields=["size"], name="audit_checkpoint_size_idx")],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("size__gte", 1)), name="audit_checkpoint_size_positive")
                ],
            },
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
