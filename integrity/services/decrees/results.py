"""What a preview and an import report: the moves, the assignments started and ended, the pacts
created and superseded (`DecreePreview`), and the result of an import (`DecreeImportResult`)."""

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from integrity.models import Decree


@dataclass(frozen=True)
class MoveSummary:
    row: int
    kind: str
    nip: str
    name: str
    position: str  # "Title (CODE)" or "Kepala Satker 006817 Name" or "" for a full stop
    effective_date: datetime.date
    official_created: bool
    takes_effect_later: bool


@dataclass(frozen=True)
class AssignmentChange:
    nip: str
    name: str
    position: str
    unit: str
    acting: str  # "" definitive, "plt", "plh", or "kepala_satker" for a satker headship
    date: datetime.date  # TMT for a start, last day for an end


@dataclass(frozen=True)
class PactPartySummary:
    role: str
    name: str
    nip: str
    position: str
    unit: str


@dataclass(frozen=True)
class PactCreatedSummary:
    number: str
    kind: str
    kind_label: str
    parties: tuple[PactPartySummary, ...]
    effective_date: datetime.date
    due_date: datetime.date
    due_date_provisional: bool
    supersedes: str


@dataclass(frozen=True)
class PactSupersededSummary:
    number: str
    kind: str
    kind_label: str
    parties: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class DecreePreview:
    """What importing the decree does, as of `as_of`. `pending_moves` are the moves whose TMT
    lies after `as_of`: recorded now, they change pacts when the nightly reconcile reaches them."""

    number: str
    decree_date: datetime.date | None
    title: str
    as_of: datetime.date
    content_sha256: str
    already_imported: bool
    moves: tuple[MoveSummary, ...] = ()
    officials_created: tuple[str, ...] = ()
    assignments_started: tuple[AssignmentChange, ...] = ()
    assignments_ended: tuple[AssignmentChange, ...] = ()
    pacts_created: tuple[PactCreatedSummary, ...] = ()
    pacts_superseded: tuple[PactSupersededSummary, ...] = ()

    @property
    def pending_moves(self) -> tuple[MoveSummary, ...]:
        return tuple(move for move in self.moves if move.takes_effect_later)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe (dates as YYYY-MM-DD) for the API and the UI."""
        data = _json_safe(asdict(self))
        data["pending_moves"] = [_json_safe(asdict(move)) for move in self.pending_moves]
        return data


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class DecreeImportResult:
    """`created` is False when the same decree was imported before: nothing changed, `changes`
    is None and the id tuples are empty. Otherwise `changes` is what `decree_preview` showed."""

    decree: Decree
    created: bool  # False: the same decree was imported before and nothing changed
    message: str
    changes: DecreePreview | None = None
    pacts_created: tuple[int, ...] = field(default=())
    pacts_superseded: tuple[int, ...] = field(default=())
