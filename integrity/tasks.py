"""Thin task shells (django.tasks, database backend by default): load by id, call a service."""

from django.tasks import Task, task

from integrity.workdays import today_jakarta
from signatures.tasks import checkpoint_audit_journal


@task()
def render_pact_documents(pact_ids: list[int]) -> int:
    from integrity.models import IntegrityPact
    from integrity.services.pact_documents import pact_document_ensure

    rendered = 0
    for pact in IntegrityPact.objects.filter(pk__in=pact_ids, document=""):
        pact_document_ensure(pact=pact)
        rendered += 1
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
def retimestamp_archives() -> int:
    """Re-timestamp sealed pacts whose last document timestamp expires within 90 days."""
    import datetime

    from integrity.services.signing import pacts_retimestamp_due

    return pacts_retimestamp_due(before=today_jakarta() + datetime.timedelta(days=90))


NIGHTLY: dict[str, Task] = {
    "reconcile_pacts": reconcile_pacts,
    "send_pact_reminders": send_pact_reminders,
    "seal_pending_pacts": seal_pending_pacts,
    "retimestamp_archives": retimestamp_archives,
    # last, so the checkpoint covers the night's reconcile and sealing events
    "checkpoint_audit_journal": checkpoint_audit_journal,
}
