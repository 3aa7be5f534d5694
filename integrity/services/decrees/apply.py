"""Applying the moves of a decree through the organisation services (`integrity.services.org`),
row by row in file order, each row in its own savepoint; a row's domain error becomes its entry in
the per-row report."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError
from integrity import errors as org_errors
from integrity.decree_files import KIND_END, KIND_PLH, KIND_PLT, KIND_SATKER_HEAD, DecreeRow, ParsedDecree, RowError
from integrity.models import Assignment, Decree, DecreeMove, Official, Position, Rank, SpendingUnit
from integrity.nip import first_appointment
from integrity.services import org
from integrity.services.decrees.results import MoveSummary

ONE_DAY = datetime.timedelta(days=1)

POSITION_UNKNOWN = _("Kode jabatan %(code)s tidak dikenal.")
SATKER_UNKNOWN = _("Kode satker %(code)s tidak terdaftar.")
OFFICIAL_UNKNOWN = _("NIP %(nip)s belum terdaftar; kolom nama wajib diisi untuk mendaftarkannya.")
OFFICIAL_NOT_REGISTERED = _("NIP %(nip)s belum terdaftar; pegawai yang belum terdaftar tidak dapat diberhentikan.")
NOT_HOLDING_POSITION = _("%(name)s tidak memegang jabatan %(position)s pada %(date)s.")


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
