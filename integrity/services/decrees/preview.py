"""Previewing a decree: apply it and reconcile pacts in a transaction that is always rolled back,
and report what importing it would do."""

import datetime
from typing import Any

from django.db import transaction

from integrity import workdays
from integrity.decree_files import ParsedDecree, RowError
from integrity.services.decrees.apply import _apply
from integrity.services.decrees.errors import _rejected
from integrity.services.decrees.results import DecreePreview
from integrity.services.decrees.summary import _summarise
from integrity.services.decrees.validation import _precheck, _sorted
from integrity.services.pacts import pacts_reconcile


def _simulate(parsed: ParsedDecree, *, actor: Any, as_of: datetime.date) -> tuple[list[RowError], DecreePreview | None]:
    """Apply the decree (and reconcile pacts as of `as_of` when every row applies) inside a
    transaction that is always rolled back."""
    with transaction.atomic():
        try:
            pacts_reconcile(as_of=as_of, actor=actor)  # baseline: only the decree's own changes remain
            ctx, row_errors = _apply(parsed, actor=actor, as_of=as_of, source_name="")
            errors = _sorted([*parsed.errors, *row_errors])
            preview = None
            if not errors:
                result = pacts_reconcile(as_of=as_of, actor=actor)
                preview = _summarise(parsed, ctx, as_of, result.created, result.superseded)
        finally:
            transaction.set_rollback(True)
    return errors, preview


def decree_preview(*, parsed: ParsedDecree, actor: Any, as_of: datetime.date | None = None) -> DecreePreview:
    """What importing `parsed` would do, as of `as_of` (default today in Asia/Jakarta): the moves,
    the assignments that start and end, the pacts created and superseded. Writes nothing.

    Raises `DecreeRejected` (with the per-row report in `extra`) when the decree is invalid."""
    as_of = as_of or workdays.today_jakarta()
    existing, known = _precheck(parsed)
    if known:
        raise _rejected(parsed, known)
    if existing is not None:
        return DecreePreview(
            number=parsed.number,
            decree_date=parsed.decree_date,
            title=parsed.title,
            as_of=as_of,
            content_sha256=parsed.content_sha256,
            already_imported=True,
        )
    errors, preview = _simulate(parsed, actor=actor, as_of=as_of)
    if errors:
        raise _rejected(parsed, errors)
    assert preview is not None
    return preview
