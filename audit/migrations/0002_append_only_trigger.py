"""PostgreSQL refuses UPDATE and DELETE on the audit journal (STYLE.md "Audit trail").

SQLite has no equivalent we can rely on; there the chain itself (audit_verify) detects edits.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_journal_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit journal is append-only: % on audit_auditevent is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_journal_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_journal_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # the SQL contains %, not placeholders


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_journal")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
