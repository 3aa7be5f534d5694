"""Importing decrees (SK mutasi/pengangkatan): validate, preview, import.

A decree is all-or-nothing (issue "decree import"): every row is checked before anything is
written, and one bad row rejects the whole decree with a per-row report. The checks that need the
database (unknown position or satker, overlapping assignment, TMT before the person's first
appointment) are not re-implemented here: the moves are applied through the organisation
services (`integrity.services.org`) inside a transaction, each row in its own savepoint, and
every row's `ApplicationError` is collected with its row number. Applying the rows in file order
is what judges two rows of one decree that interact (a rotation into a post that an earlier row
vacates). Validation and preview roll that transaction back; import keeps it only when no row
failed.

Moves (`jenis`, see samples/README.md):
- `angkat`: definitive appointment or rotation; `assignment_start` ends the official's previous
  definitive post and the position's previous holder the day before TMT (DOMAIN.md §1.4);
- `plt`, `plh`: acting assignments;
- `berhenti`: ends the person's assignments active the day before TMT (only the one at
  `kode_jabatan` when given) on that day;
- `kepala_satker`: a new head of the satker `kode_satker` (DOMAIN.md §5.4).
An official whose NIP is not registered yet is created from the row (`nama` then required).

Importing the same decree twice changes nothing (same number, same content hash); the same number
with other content is refused. Pacts follow through `pacts_reconcile` as of today (Asia/Jakarta):
moves whose TMT lies ahead take effect when the nightly reconcile reaches their TMT.

Modules: `errors` (`DecreeRejected`), `results` (what a preview and an import report), `apply`
(the moves applied row by row through the organisation services), `summary` (the preview of an
applied decree), `validation` (`decree_validate` and the checks that need no simulation),
`preview` (`decree_preview`), `importing` (`decree_import`).
"""

from integrity.services.decrees.apply import (
    NOT_HOLDING_POSITION,
    OFFICIAL_NOT_REGISTERED,
    OFFICIAL_UNKNOWN,
    ONE_DAY,
    POSITION_UNKNOWN,
    SATKER_UNKNOWN,
)
from integrity.services.decrees.errors import (
    DECREE_REJECTED,
    DECREE_REJECTED_UNNAMED,
    DecreeRejected,
)
from integrity.services.decrees.importing import (
    DECREE_ALREADY_IMPORTED,
    DECREE_IMPORTED,
    decree_import,
)
from integrity.services.decrees.preview import (
    decree_preview,
)
from integrity.services.decrees.results import (
    AssignmentChange,
    DecreeImportResult,
    DecreePreview,
    MoveSummary,
    PactCreatedSummary,
    PactPartySummary,
    PactSupersededSummary,
)
from integrity.services.decrees.validation import (
    DECREE_NUMBER_CONFLICT,
    decree_validate,
)

__all__ = [
    "DECREE_ALREADY_IMPORTED",
    "DECREE_IMPORTED",
    "DECREE_NUMBER_CONFLICT",
    "DECREE_REJECTED",
    "DECREE_REJECTED_UNNAMED",
    "NOT_HOLDING_POSITION",
    "OFFICIAL_NOT_REGISTERED",
    "OFFICIAL_UNKNOWN",
    "ONE_DAY",
    "POSITION_UNKNOWN",
    "SATKER_UNKNOWN",
    "AssignmentChange",
    "DecreeImportResult",
    "DecreePreview",
    "DecreeRejected",
    "MoveSummary",
    "PactCreatedSummary",
    "PactPartySummary",
    "PactSupersededSummary",
    "decree_import",
    "decree_preview",
    "decree_validate",
]
