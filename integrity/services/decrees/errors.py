"""A refused decree: `DecreeRejected`, carrying the per-row report, and its message."""

from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError
from integrity.decree_files import ParsedDecree, RowError

DECREE_REJECTED = _("SK %(number)s ditolak: %(count)s kesalahan, tidak ada data yang disimpan. Pertama: %(first)s")
DECREE_REJECTED_UNNAMED = _("Berkas SK ditolak: %(count)s kesalahan, tidak ada data yang disimpan. Pertama: %(first)s")


class DecreeRejected(ApplicationError):
    """The decree was refused; nothing was written. `extra` is JSON-serialisable:
    `{"file": "...", "number": "...", "errors": [{"row": 3, "column": "nip", "message": "..."}]}`
    with `row` None for the whole file and `column` None for the whole row."""


def _rejected(parsed: ParsedDecree, errors: list[RowError]) -> DecreeRejected:
    first = errors[0].describe(parsed.filename)
    if parsed.number:
        message = DECREE_REJECTED % {"number": parsed.number, "count": len(errors), "first": first}
    else:
        message = DECREE_REJECTED_UNNAMED % {"count": len(errors), "first": first}
    return DecreeRejected(
        message,
        extra={
            "file": parsed.filename,
            "number": parsed.number,
            "errors": [error.as_dict() for error in errors],
        },
    )
