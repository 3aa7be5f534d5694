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
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError
from audit.services import audit_record
from integrity import errors as org_errors
from integrity import workdays
from integrity.decree_files import (
    FILE_NO_ROWS,
    KIND_END,
    KIND_PLH,
    KIND_PLT,
    KIND_SATKER_HEAD,
    DecreeRow,
    ParsedDecree,
    RowError,
    error_sort_key,
)
from integrity.models import (
    Assignment,
    Decree,
    DecreeMove,
    IntegrityPact,
    Official,
    Position,
    Rank,
    ReconcileState,
    SpendingUnit,
    SpendingUnitHead,
)
from integrity.nip import first_appointment
from integrity.services import org
from integrity.services.pacts import pacts_reconcile

ONE_DAY = datetime.timedelta(days=1)

DECREE_REJECTED = _("SK %(number)s ditolak: %(count)s kesalahan, tidak ada data yang disimpan. Pertama: %(first)s")
DECREE_REJECTED_UNNAMED = _("Berkas SK ditolak: %(count)s kesalahan, tidak ada data yang disimpan. Pertama: %(first)s")
DECREE_NUMBER_CONFLICT = _(
    "SK nomor %(number)s sudah diimpor pada %(imported_at)s (berkas %(source)s) dengan isi yang berbeda; "
    "SK yang sudah diimpor tidak dapat diubah."
)
DECREE_ALREADY_IMPORTED = _(
    "SK %(number)s sudah diimpor pada %(imported_at)s dengan isi yang sama; tidak ada perubahan."
)
DECREE_IMPORTED = _(
    "SK %(number)s diimpor: %(moves)s perpindahan, %(created)s pakta baru, %(superseded)s pakta digantikan."
)
POSITION_UNKNOWN = _("Kode jabatan %(code)s tidak dikenal.")
SATKER_UNKNOWN = _("Kode satker %(code)s tidak terdaftar.")
OFFICIAL_UNKNOWN = _("NIP %(nip)s belum terdaftar; kolom nama wajib diisi untuk mendaftarkannya.")
OFFICIAL_NOT_REGISTERED = _("NIP %(nip)s belum terdaftar; pegawai yang belum terdaftar tidak dapat diberhentikan.")
NOT_HOLDING_POSITION = _("%(name)s tidak memegang jabatan %(position)s pada %(date)s.")


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


# --- what a preview and an import report ----------------------------------------------------


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


# --- applying the moves ---------------------------------------------------------------------


class _RowFailed(Exception):
    def __init__(self, column: str | None, message: Any) -> None:
        super().__init__(str(message))
        self.column = column
        self.message = str(message)


@contextmanager
def _errors_in(column: str | None) -> Iterator[None]:
    """A domain error raised by an organisation service becomes this row's error in `column`."""
    try:
        yield
    except ApplicationError as exc:
        raise _RowFailed(column, exc.message) from exc


@dataclass
class _Context:
    decree: Decree
    actor: Any
    as_of: datetime.date
    positions: dict[str, Position]
    satkers: dict[str, SpendingUnit]
    moves: list[MoveSummary] = field(default_factory=list)
    officials_created: list[str] = field(default_factory=list)


def _official(row: DecreeRow, ctx: _Context, *, create: bool) -> tuple[Official, bool]:
    official = Official.objects.filter(nip=row.nip).select_related("rank").first()
    if official is not None:
        return official, False
    if not create:
        raise _RowFailed("nip", OFFICIAL_NOT_REGISTERED % {"nip": row.nip})
    if not row.name:
        raise _RowFailed("nama", OFFICIAL_UNKNOWN % {"nip": row.nip})
    if row.rank_code and not Rank.objects.filter(code=row.rank_code).exists():
        raise _RowFailed("pangkat_golongan", org_errors.RANK_UNKNOWN % {"rank": row.rank_code})
    with _errors_in("nip"):
        official = org.official_create(
            nip=row.nip,
            name=row.name,
            employee_type=row.employee_type,
            title_prefix=row.title_prefix,
            title_suffix=row.title_suffix,
            rank_code=row.rank_code,
            email=row.email,
            actor=ctx.actor,
        )
    ctx.officials_created.append(f"{official.full_name} ({official.nip})")
    return official, True


def _position(row: DecreeRow, ctx: _Context) -> Position:
    position = ctx.positions.get(row.position_code)
    if position is None:
        raise _RowFailed("kode_jabatan", POSITION_UNKNOWN % {"code": row.position_code})
    return position


def _apply_row(row: DecreeRow, ctx: _Context) -> None:
    decree = ctx.decree
    target = ""
    if row.kind == KIND_SATKER_HEAD:
        spending_unit = ctx.satkers.get(row.satker_code)
        if spending_unit is None:
            raise _RowFailed("kode_satker", SATKER_UNKNOWN % {"code": row.satker_code})
        official, created = _official(row, ctx, create=True)
        # satker_head_appoint has no appointment check of its own; the NIP rule is the same.
        first = first_appointment(official.nip, official.employee_type)
        if row.effective_date < first:
            raise _RowFailed(
                "tmt",
                org_errors.ASSIGNMENT_BEFORE_APPOINTMENT
                % {"date": row.effective_date.isoformat(), "name": official.full_name, "first": first.isoformat()},
            )
        with _errors_in("tmt"):
            org.satker_head_appoint(
                spending_unit=spending_unit,
                official=official,
                effective_date=row.effective_date,
                title=row.satker_title,
                decree=decree,
                actor=ctx.actor,
            )
        target = f"{row.satker_title} {spending_unit}"
    elif row.kind == KIND_END:
        official, created = _official(row, ctx, create=False)
        last_day = row.effective_date - ONE_DAY
        active = (
            Assignment.objects.active_on(last_day)
            .filter(official=official)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=last_day))
            .select_related("position")
            .order_by("effective_date", "pk")
        )
        if row.position_code:
            position = _position(row, ctx)
            active = active.filter(position=position)
            target = f"{position.title} ({position.code})"
            if not active:
                raise _RowFailed(
                    "kode_jabatan",
                    NOT_HOLDING_POSITION
                    % {"name": official.full_name, "position": position.title, "date": last_day.isoformat()},
                )
        elif not active:
            raise _RowFailed(
                "tmt", org_errors.NO_ACTIVE_ASSIGNMENT % {"name": official.full_name, "date": last_day.isoformat()}
            )
        for assignment in active:
            with _errors_in("tmt"):
                org.assignment_end(assignment=assignment, end_date=last_day, decree=decree, actor=ctx.actor)
    else:
        position = _position(row, ctx)
        official, created = _official(row, ctx, create=True)
        acting = {KIND_PLT: Assignment.Acting.PLT, KIND_PLH: Assignment.Acting.PLH}.get(
            row.kind, Assignment.Acting.DEFINITIVE
        )
        with _errors_in("tmt"):
            org.assignment_start(
                official=official,
                position=position,
                effective_date=row.effective_date,
                acting=acting,
                decree=decree,
                inauguration_date=row.inauguration_date,
                actor=ctx.actor,
            )
        target = f"{position.title} ({position.code})"
    DecreeMove.objects.create(
        decree=decree,
        row_number=row.row,
        kind=row.kind,
        nip=row.nip,
        position=ctx.positions.get(row.position_code) if row.position_code else None,
        spending_unit=ctx.satkers.get(row.satker_code) if row.satker_code else None,
        effective_date=row.effective_date,
        data=row.canonical(),
    )
    ctx.moves.append(
        MoveSummary(
            row=row.row,
            kind=row.kind,
            nip=row.nip,
            name=official.full_name,
            position=target,
            effective_date=row.effective_date,
            official_created=created,
            takes_effect_later=row.effective_date > ctx.as_of,
        )
    )


def _apply(
    parsed: ParsedDecree, *, actor: Any, as_of: datetime.date, source_name: str
) -> tuple[_Context, list[RowError]]:
    """Create the decree and apply every row in order, each in a savepoint; a failed row is rolled
    back alone and reported, and the rows after it are still judged. Call inside `atomic()`."""
    assert parsed.decree_date is not None  # _precheck
    decree = Decree.objects.create(
        number=parsed.number,
        decree_date=parsed.decree_date,
        title=parsed.title,
        content_sha256=parsed.content_sha256,
        source_name=(source_name or parsed.filename)[:255],
        imported_by=actor if getattr(actor, "pk", None) is not None else None,
    )
    ctx = _Context(
        decree=decree,
        actor=actor,
        as_of=as_of,
        positions={
            p.code: p
            for p in Position.objects.filter(code__in={r.position_code for r in parsed.rows}).select_related("unit")
        },
        satkers={s.code: s for s in SpendingUnit.objects.filter(code__in={r.satker_code for r in parsed.rows})},
    )
    errors: list[RowError] = []
    for row in parsed.rows:
        try:
            with transaction.atomic():
                _apply_row(row, ctx)
        except _RowFailed as exc:
            errors.append(RowError(row.row, exc.column, exc.message))
    return ctx, errors


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


# --- summaries --------------------------------------------------------------------------------


def _assignment_change(assignment: Assignment, day: datetime.date) -> AssignmentChange:
    return AssignmentChange(
        nip=assignment.official.nip,
        name=assignment.official.full_name,
        position=f"{assignment.position.title} ({assignment.position.code})",
        unit=assignment.position.unit.name,
        acting=assignment.acting,
        date=day,
    )


def _headship_change(head: SpendingUnitHead, day: datetime.date) -> AssignmentChange:
    return AssignmentChange(
        nip=head.official.nip,
        name=head.official.full_name,
        position=f"{head.title} {head.spending_unit.code}",
        unit=head.spending_unit.name,
        acting=KIND_SATKER_HEAD,
        date=day,
    )


def _summarise(
    parsed: ParsedDecree, ctx: _Context, as_of: datetime.date, created_ids: list[int], superseded_ids: list[int]
) -> DecreePreview:
    decree = ctx.decree
    related = ("official", "position__unit")
    started = [_assignment_change(a, a.effective_date) for a in decree.started_assignments.select_related(*related)]
    started += [
        _headship_change(h, h.effective_date)
        for h in decree.started_headships.select_related("official", "spending_unit")
    ]
    ended = [
        _assignment_change(a, a.end_date)
        for a in decree.ended_assignments.select_related(*related).order_by("end_date", "pk")
        if a.end_date is not None
    ]
    ended += [
        _headship_change(h, h.end_date)
        for h in decree.ended_headships.select_related("official", "spending_unit").order_by("end_date", "pk")
        if h.end_date is not None
    ]
    created = []
    for pact in (
        IntegrityPact.objects.filter(pk__in=created_ids).select_related("supersedes").prefetch_related("parties")
    ):
        created.append(
            PactCreatedSummary(
                number=pact.number,
                kind=pact.kind,
                kind_label=str(pact.get_kind_display()),
                parties=tuple(
                    PactPartySummary(
                        role=party.role,
                        name=party.snapshot.get("name", ""),
                        nip=party.snapshot.get("nip", ""),
                        position=party.snapshot.get("position", ""),
                        unit=party.snapshot.get("unit", ""),
                    )
                    for party in sorted(pact.parties.all(), key=lambda p: p.order)
                ),
                effective_date=pact.effective_date,
                due_date=pact.due_date,
                due_date_provisional=pact.due_date_provisional,
                supersedes=pact.supersedes.number if pact.supersedes else "",
            )
        )
    superseded = [
        PactSupersededSummary(
            number=pact.number,
            kind=pact.kind,
            kind_label=str(pact.get_kind_display()),
            parties=tuple(
                party.snapshot.get("name", "") for party in sorted(pact.parties.all(), key=lambda p: p.order)
            ),
            reason=pact.supersede_reason,
        )
        for pact in IntegrityPact.objects.filter(pk__in=superseded_ids).prefetch_related("parties")
    ]
    return DecreePreview(
        number=parsed.number,
        decree_date=parsed.decree_date,
        title=parsed.title,
        as_of=as_of,
        content_sha256=parsed.content_sha256,
        already_imported=False,
        moves=tuple(ctx.moves),
        officials_created=tuple(ctx.officials_created),
        assignments_started=tuple(sorted(started, key=lambda c: (c.date, c.nip, c.position))),
        assignments_ended=tuple(sorted(ended, key=lambda c: (c.date, c.nip, c.position))),
        pacts_created=tuple(sorted(created, key=lambda p: p.number)),
        pacts_superseded=tuple(sorted(superseded, key=lambda p: p.number)),
    )
