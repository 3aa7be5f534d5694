"""Importing a decree: all rows or none, serialised with the reconciler; the decree, its moves,
the assignments, the pact changes and the audit event commit together."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from integrity import workdays
from integrity.decree_files import ParsedDecree
from integrity.models import ReconcileState
from integrity.services.decrees.apply import _apply
from integrity.services.decrees.errors import _rejected
from integrity.services.decrees.results import DecreeImportResult
from integrity.services.decrees.summary import _summarise
from integrity.services.decrees.validation import _precheck, _sorted
from integrity.services.pacts import pacts_reconcile

DECREE_ALREADY_IMPORTED = _(
    "SK %(number)s sudah diimpor pada %(imported_at)s dengan isi yang sama; tidak ada perubahan."
)
DECREE_IMPORTED = _(
    "SK %(number)s diimpor: %(moves)s perpindahan, %(created)s pakta baru, %(superseded)s pakta digantikan."
)


def _lock_imports() -> None:
    """Serialise imports (and reconciles) on the reconciler's singleton row, so that a second
    import of the same decree waits and then sees the first one."""
    ReconcileState.objects.get_or_create(pk=1)
    ReconcileState.objects.select_for_update().filter(pk=1).first()


def decree_import(*, parsed: ParsedDecree, actor: Any, source_name: str = "") -> DecreeImportResult:
    """Import a decree: all rows or none (DOMAIN.md §1.4; issue "decree import").

    - any problem -> `DecreeRejected` with the per-row report in `extra`; nothing is written;
    - the same number with the same content -> nothing changes (`created` is False);
    - the same number with other content -> `DecreeRejected` naming the number;
    - otherwise the decree, its moves, the assignments and the pact changes (reconcile as of
      today in Asia/Jakarta) and the audit event `integrity.decree.imported` commit together.
    """
    today = workdays.today_jakarta()
    with transaction.atomic():
        _lock_imports()
        existing, known = _precheck(parsed)
        if known:
            raise _rejected(parsed, known)
        if existing is not None:
            imported_at = existing.imported_at.astimezone(workdays.JAKARTA).strftime("%Y-%m-%d %H:%M")
            return DecreeImportResult(
                decree=existing,
                created=False,
                message=str(DECREE_ALREADY_IMPORTED % {"number": existing.number, "imported_at": imported_at}),
            )
        pacts_reconcile(as_of=today, actor=actor)  # catch up first, so the result is the decree's alone
        ctx, row_errors = _apply(parsed, actor=actor, as_of=today, source_name=source_name)
        errors = _sorted([*parsed.errors, *row_errors])
        if errors:
            raise _rejected(parsed, errors)  # leaving atomic() with an exception rolls it all back
        result = pacts_reconcile(as_of=today, actor=actor)
        changes = _summarise(parsed, ctx, today, result.created, result.superseded)
        decree = ctx.decree
        audit_record(
            action="integrity.decree.imported",
            actor=actor,
            subject=decree,
            payload={
                "number": decree.number,
                "decree_date": decree.decree_date,
                "title": decree.title,
                "content_sha256": decree.content_sha256,
                "source_name": decree.source_name,
                "moves": len(parsed.rows),
                "officials_created": len(ctx.officials_created),
                "pacts_created": [p.number for p in changes.pacts_created],
                "pacts_superseded": [p.number for p in changes.pacts_superseded],
                "pending_moves": [m.row for m in changes.pending_moves],
            },
        )
    return DecreeImportResult(
        decree=decree,
        created=True,
        message=str(
            DECREE_IMPORTED
            % {
                "number": decree.number,
                "moves": len(parsed.rows),
                "created": len(result.created),
                "superseded": len(result.superseded),
            }
        ),
        changes=changes,
        pacts_created=tuple(result.created),
        pacts_superseded=tuple(result.superseded),
    )
