"""Thin task shells (django.tasks, database backend by default): load by id, call a service."""

from django.tasks import Task, task

from integrity.workdays import today_jakarta
from signatures.tasks import checkpoint_audit_journal


@task()
def render_pact_documents(pact_ids: list[int]) -> int:
    """Render the pacts' documents, then issue them for signing (certified by the office seal) so the
    parties' first signature does not wait for the certification. Returns the documents rendered."""
    from integrity.models import IntegrityPact
    from integrity.services.pact_documents import pact_document_ensure
    from integrity.services.signing import pacts_issue_for_signing

    rendered = 0
    for pact in IntegrityPact.objects.filter(pk__in=pact_ids, document=""):
        pact_document_ensure(pact=pact)
        rendered += 1
    pacts_issue_for_signing(pact_ids=pact_ids)
    return rendered


@task()
def reconcile_pacts() -> dict[str, int]:
    from integrity.services.pacts import pacts_reconcile

    result = pacts_reconcile(as_of=today_jakarta())
    return {"created": len(result.created), "superseded": len(result.superseded)}


@task()
def send_pact_reminders() -> int:
    from integrity.services.reminders import pact_reminders_send

    return pact_reminders_send(today=today_jakarta())


@task()
def seal_pending_pacts() -> int:
    from integrity.services.signing import pacts_seal_pending

    return pacts_seal_pending()


@task()
def store_pact_validation_report(pact_id: int) -> str | None:
    """Verify a sealed pact and store its validation report (enqueued by `pact_seal` after its commit).
    Returns the verdict, or None when the report could not be made (logged)."""
    from integrity.models import IntegrityPact
    from integrity.services.validation_reports import pact_validation_report_store

    pact = IntegrityPact.objects.filter(pk=pact_id).first()
    stored = pact_validation_report_store(pact=pact) if pact is not None else None
    return stored.verdict if stored is not None else None


@task()
def make_missing_validation_reports() -> int:
    from integrity.services.validation_reports import pact_validation_reports_missing

    return pact_validation_reports_missing()


@task()
def retimestamp_archives() -> int:
    """Re-timestamp sealed pacts whose last document timestamp expires within 90 days."""
    import datetime

    from integrity.services.signing import pacts_retimestamp_due

    return pacts_retimestamp_due(before=today_jakarta() + datetime.timedelta(days=90))


NIGHTLY: dict[str, Task] = {
    "reconcile_pacts": reconcile_pacts,
    "send_pact_reminders": send_pact_reminders,
    "seal_pending_pacts": seal_pending_pacts,
    "make_missing_validation_reports": make_missing_validation_reports,
    "retimestamp_archives": retimestamp_archives,
    # last, so the checkpoint covers the night's reconcile and sealing events
    "checkpoint_audit_journal": checkpoint_audit_journal,
}
