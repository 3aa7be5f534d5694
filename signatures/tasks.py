"""Thin task shells (django.tasks, database backend by default): call a service."""

from django.tasks import task


@task()
def checkpoint_audit_journal() -> int:
    """Sign a checkpoint of the audit journal (signatures issue §4); nightly, from the scheduler's NIGHTLY.

    Returns the new checkpoint's id."""
    from signatures.checkpoints import checkpoint_create

    return checkpoint_create(actor=None).pk
