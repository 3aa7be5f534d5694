"""Pact reconcile after a large rotation decree (issue §11, "Performance").

Builds, in a throwaway database, an organisation of 10,000 officials in 10,000 positions (60 KPPN
under one Kanwil, five sections each, about 32 staff per section) and 3,000 satker with heads
(3,000 more officials), reconciles once, then imports a decree of 2,000 moves through the real
importer (`decree_import`): 30 KPPN heads and 150 section heads rotate, 1,540 staff rotate, 280 satker
get a new head. The decree's TMT lies after today, so the import records the moves and leaves the
pacts alone; the step measured is the nightly `pacts_reconcile(as_of=TMT)` that then supersedes
about 7,400 pacts and creates as many. The same is measured at a quarter of the size to show that the
number of SQL queries does not grow with the rows.

The fixture is bulk-inserted (benchmark data, not application writes, so not audited); the decree
and both reconciles go through the services.

Queries are counted with a bare `execute_wrapper` rather than `CaptureQueriesContext`: the latter
formats every statement for its log, which for bulk inserts of thousands of rows costs as much as
running them (on SQLite) and would inflate the wall time being measured.
"""

import csv
import datetime
import io
import itertools
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection

from bench._db import throwaway_database

FULL = 1.0
SMALL = 0.25
GOAL_WALL_SECONDS = 30.0
GOAL_GROWTH = 1.2
BASE_DATE = datetime.date(2025, 1, 6)
SECTIONS = ("UMUM", "PD", "BANK", "VERA", "MSKI")


@dataclass
class Measurement:
    scale: float
    officials: int
    satker: int
    moves: int
    initial_pacts: int
    initial_wall: float
    import_wall: float
    wall: float
    queries: int
    by_verb: Counter[str]
    created: int
    superseded: int


@contextmanager
def count_queries() -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        counts[sql.lstrip().split(" ", 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counts


class _Nips:
    """Valid, unique NIPs (DOMAIN.md §5.1): one birth date per person, TMT CPNS at 23."""

    def __init__(self) -> None:
        self._n = itertools.count()

    def __next__(self) -> str:
        n = next(self._n)
        birth = datetime.date(1966, 1, 1) + datetime.timedelta(days=n)
        return f"{birth:%Y%m%d}{birth.year + 23:04d}{n % 12 + 1:02d}{n % 2 + 1}001"


@dataclass
class Org:
    kppn_heads: list[str]  # position codes
    section_heads: list[str]
    staff: list[str]
    satker: list[str]  # satker codes
    holders: dict[str, str]  # position code -> NIP


def build(scale: float, nips: _Nips) -> Org:
    """Bulk-insert the organisation and its first assignments and satker heads."""
    from integrity.models import Assignment, Official, Position, SpendingUnit, SpendingUnitHead, Unit

    n_kppn = round(60 * scale)
    n_officials = round(10_000 * scale)
    n_satker = round(3_000 * scale)
    n_staff = n_officials - 1 - n_kppn - 5 * n_kppn

    kanwil = Unit.objects.create(code="B-KANWIL", name="Kanwil DJPb Bench", kind=Unit.Kind.REGIONAL_OFFICE)
    kppns = Unit.objects.bulk_create(
        Unit(code=f"B-KPPN-{k:03d}", name=f"KPPN Bench {k:03d}", kind=Unit.Kind.SERVICE_OFFICE, parent=kanwil)
        for k in range(n_kppn)
    )
    sections = Unit.objects.bulk_create(
        Unit(code=f"{kppn.code}-{s}", name=f"Seksi {s} {kppn.name}", kind=Unit.Kind.SECTION, parent=kppn)
        for kppn in kppns
        for s in SECTIONS
    )
    structural, staff_kind = Position.Kind.STRUCTURAL, Position.Kind.STAFF
    root = Position.objects.create(
        code="B-KANWIL-KEPALA", title="Kepala Kanwil", unit=kanwil, is_unit_head=True, kind=structural
    )
    kppn_heads = Position.objects.bulk_create(
        Position(
            code=f"{u.code}-KEPALA", title="Kepala KPPN", unit=u, reports_to=root, is_unit_head=True, kind=structural
        )
        for u in kppns
    )
    head_of = {p.unit_id: p for p in kppn_heads}
    section_heads = Position.objects.bulk_create(
        Position(
            code=f"{u.code}-KEPALA",
            title=f"Kepala {u.name}",
            unit=u,
            reports_to=head_of[kppn.pk],
            is_unit_head=True,
            kind=structural,
        )
        for kppn, u in zip((k for k in kppns for _ in SECTIONS), sections, strict=True)
    )
    staff = Position.objects.bulk_create(
        (
            Position(
                code=f"{head.unit.code}-P{i:04d}", title="Pelaksana", unit=head.unit, reports_to=head, kind=staff_kind
            )
            for i, head in zip(range(n_staff), itertools.cycle(section_heads), strict=False)
        ),
        batch_size=2000,
    )
    positions = [root, *kppn_heads, *section_heads, *staff]
    officials = Official.objects.bulk_create(
        (Official(nip=next(nips), name=f"Pegawai {i:05d}", email="") for i in range(len(positions))), batch_size=2000
    )
    Assignment.objects.bulk_create(
        (
            Assignment(official=o, position=p, effective_date=BASE_DATE, decree_number="BENCH/2025")
            for o, p in zip(officials, positions, strict=True)
        ),
        batch_size=2000,
    )
    satker = SpendingUnit.objects.bulk_create(
        (
            SpendingUnit(code=f"{i:06d}", name=f"Satker {i:06d}", ministry_code="015", serving_unit=kppns[i % n_kppn])
            for i in range(1, n_satker + 1)
        ),
        batch_size=2000,
    )
    heads = Official.objects.bulk_create(
        (Official(nip=next(nips), name=f"Kepala Satker {s.code}", email="") for s in satker), batch_size=2000
    )
    SpendingUnitHead.objects.bulk_create(
        (
            SpendingUnitHead(spending_unit=s, official=h, effective_date=BASE_DATE, decree_number="BENCH/2025")
            for s, h in zip(satker, heads, strict=True)
        ),
        batch_size=2000,
    )
    return Org(
        kppn_heads=[p.code for p in kppn_heads],
        section_heads=[p.code for p in section_heads],
        staff=[p.code for p in staff],
        satker=[s.code for s in satker],
        holders={p.code: o.nip for p, o in zip(positions, officials, strict=True)},
    )


def _rotation(codes: list[str], holders: dict[str, str], cycle: int) -> Iterator[tuple[str, str]]:
    """(NIP, target position) rows rotating `codes` in cycles of `cycle`: each holder moves to
    the next post; the first row vacates the post that the cycle's last row fills."""
    for start in range(0, len(codes) - cycle + 1, cycle):
        group = codes[start : start + cycle]
        for i, code in enumerate(group):
            yield holders[code], group[(i + 1) % cycle]


def decree_csv(org: Org, scale: float, tmt: datetime.date, nips: _Nips) -> bytes:
    """2,000 moves at full size, in the decree file format (integrity.decree_files.COLUMNS)."""
    from integrity.decree_files import COLUMNS

    n_kppn_moves, n_section_moves = round(30 * scale), round(150 * scale)
    n_satker_moves = round(280 * scale)
    n_staff_moves = round(2_000 * scale) - n_kppn_moves - n_section_moves - n_satker_moves
    moves: list[dict[str, str]] = []
    for cycle, codes, n in (
        (n_kppn_moves, org.kppn_heads, n_kppn_moves),
        (5, org.section_heads, n_section_moves),
        (10, org.staff, n_staff_moves),
    ):
        for nip, target in itertools.islice(_rotation(codes, org.holders, cycle), n):
            moves.append({"jenis": "angkat", "nip": nip, "kode_jabatan": target, "tanggal_pelantikan": tmt.isoformat()})
    for code in org.satker[:: max(1, len(org.satker) // n_satker_moves)][:n_satker_moves]:
        moves.append({"jenis": "kepala_satker", "nip": next(nips), "nama": f"Kepala Baru {code}", "kode_satker": code})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n", restval="")
    writer.writeheader()
    for move in moves:
        writer.writerow(
            {
                "nomor_sk": f"KEP-BENCH/{scale}/2026",
                "tanggal_sk": BASE_DATE.isoformat(),
                "perihal": "Mutasi besar (bench)",
                "tmt": tmt.isoformat(),
                **move,
            }
        )
    return out.getvalue().encode("utf-8")


def measure(scale: float) -> Measurement:
    from integrity import workdays
    from integrity.decree_files import parse_decree_file
    from integrity.models import IntegrityPact, Official, SpendingUnit
    from integrity.services.decrees import decree_import
    from integrity.services.pacts import pacts_reconcile

    with throwaway_database():
        nips = _Nips()
        org = build(scale, nips)
        started = time.perf_counter()
        pacts_reconcile(as_of=BASE_DATE)
        initial_wall = time.perf_counter() - started
        initial_pacts = IntegrityPact.objects.count()

        # After today, so that the import only records the moves (its own reconcile is as of today).
        tmt = workdays.today_jakarta() + datetime.timedelta(days=14)
        parsed = parse_decree_file("bench.csv", decree_csv(org, scale, tmt, nips))
        assert parsed.ok, parsed.errors[:3]
        started = time.perf_counter()
        decree_import(parsed=parsed, actor=None, source_name="bench")
        import_wall = time.perf_counter() - started

        workdays.clear_cache()  # both sizes load the holiday table once, as a fresh nightly run does
        with count_queries() as counts:
            started = time.perf_counter()
            result = pacts_reconcile(as_of=tmt)
            wall = time.perf_counter() - started
        assert result.created and result.superseded
        return Measurement(
            scale=scale,
            officials=Official.objects.count(),
            satker=SpendingUnit.objects.count(),
            moves=len(parsed.rows),
            initial_pacts=initial_pacts,
            initial_wall=initial_wall,
            import_wall=import_wall,
            wall=wall,
            queries=sum(counts.values()),
            by_verb=counts,
            created=len(result.created),
            superseded=len(result.superseded),
        )


def run() -> list[str]:
    small = measure(SMALL)
    full = measure(FULL)
    growth = full.queries / small.queries
    vendor = connection.vendor
    verbs = ", ".join(f"{verb} {n}" for verb, n in sorted(full.by_verb.items()))
    return [
        f"bench: reconcile_2000_moves_wall = {full.wall:.1f} s (goal < {GOAL_WALL_SECONDS:.0f})",
        f"bench: reconcile_2000_moves_queries = {full.queries} queries (goal: constant)",
        f"bench: reconcile_500_moves_queries = {small.queries} queries (goal: constant)",
        f"bench: reconcile_queries_growth = {growth:.2f} ratio (goal <= {GOAL_GROWTH}, 4x rows)",
        f"bench: reconcile_2000_moves_renewed = {full.created} pacts (goal info: {full.superseded} superseded, "
        f"{full.officials} officials, {full.satker} satker, {vendor}; queries: {verbs})",
        f"bench: reconcile_500_moves_wall = {small.wall:.1f} s (goal info)",
        f"bench: reconcile_initial_wall = {full.initial_wall:.1f} s (goal info: {full.initial_pacts} pacts created)",
        f"bench: decree_import_2000_moves_wall = {full.import_wall:.1f} s (goal info)",
    ]
