"""Validating a decree: the checks that need no simulation (file errors, a number already
imported with the same or other content), then every row applied in a transaction that is rolled
back; all problems in file order."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from integrity import workdays
from integrity.decree_files import FILE_NO_ROWS, ParsedDecree, RowError, error_sort_key
from integrity.models import Decree
from integrity.services.decrees.apply import _apply

DECREE_NUMBER_CONFLICT = _(
    "SK nomor %(number)s sudah diimpor pada %(imported_at)s (berkas %(source)s) dengan isi yang berbeda; "
    "SK yang sudah diimpor tidak dapat diubah."
)


def _conflict_error(existing: Decree) -> RowError:
    imported_at = existing.imported_at.astimezone(workdays.JAKARTA).strftime("%Y-%m-%d %H:%M")
    return RowError(
        None,
        "nomor_sk",
        str(
            DECREE_NUMBER_CONFLICT
            % {"number": existing.number, "imported_at": imported_at, "source": existing.source_name or "-"}
        ),
    )


def _sorted(errors: list[RowError]) -> list[RowError]:
    return sorted(errors, key=error_sort_key)


def _precheck(parsed: ParsedDecree) -> tuple[Decree | None, list[RowError] | None]:
    """Checks that need no simulation. Returns the decree already imported under this number (if
    any) and, when the answer is already known, the final list of errors (empty: a re-import of
    the same content, a no-op); `None` means "apply the rows to find out"."""
    if parsed.has_file_errors or not parsed.rows or not parsed.number or parsed.decree_date is None:
        # The file as a whole is unusable, or no row parsed: there is nothing to apply.
        return None, _sorted(list(parsed.errors)) or [RowError(None, None, str(FILE_NO_ROWS))]
    existing = Decree.objects.filter(number=parsed.number).first()
    if existing is None:
        return None, None
    if parsed.ok and existing.content_sha256 == parsed.content_sha256:
        return existing, []
    return existing, _sorted([*parsed.errors, _conflict_error(existing)])


def decree_validate(parsed: ParsedDecree) -> list[RowError]:
    """Every problem of the decree, file and database checks alike, for all rows; empty when it
    can be imported. An identical decree that was imported before validates (importing it again
    is a no-op); the same number with other content does not. Writes nothing."""
    _existing, known = _precheck(parsed)
    if known is not None:
        return known
    with transaction.atomic():
        try:
            _ctx, row_errors = _apply(parsed, actor=None, as_of=workdays.today_jakarta(), source_name="")
        finally:
            transaction.set_rollback(True)
    return _sorted([*parsed.errors, *row_errors])
