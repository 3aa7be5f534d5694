"""Property-based tests of the pact engine (issue §5): for random organisations and random
sequences of decrees, after reconciling
- every active relationship has exactly one current pact,
- no current pact belongs to an ended relationship,
- reconciling again changes nothing,
- decrees with the same effective date give the same result in any order.
"""

import contextlib
import datetime
from collections.abc import Iterator

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.errors import ApplicationError
from integrity.models import IntegrityPact, Official, Position
from integrity.pact_rules import required_relationships
from integrity.services import org
from integrity.services.pacts import pacts_reconcile
from tests.factories import make_office, make_official, make_satker

DATES = [datetime.date(2026, 2, 2), datetime.date(2026, 3, 2), datetime.date(2026, 4, 1)]
AS_OF = datetime.date(2026, 5, 4)
pytestmark = pytest.mark.django_db

# A move: (kind, official index, position or satker index, date index)
moves = st.tuples(
    st.sampled_from(["angkat", "angkat", "angkat", "plt", "berhenti", "kepala_satker"]),
    st.integers(0, 9),
    st.integers(0, 7),
    st.integers(0, len(DATES) - 1),
)
organisations = st.fixed_dictionaries(
    {
        # position i reports to parent[i] (an earlier position) or to nobody
        "parents": st.lists(st.one_of(st.none(), st.integers(0, 7)), min_size=3, max_size=8),
        "heads": st.lists(st.booleans(), min_size=8, max_size=8),
        "satkers": st.integers(0, 3),
        "moves": st.lists(moves, min_size=1, max_size=10),
    }
)


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run one hypothesis example inside a savepoint that is always rolled back."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def build(org_spec: dict) -> dict:
    units = make_office()
    positions: list[Position] = []
    for i, parent in enumerate(org_spec["parents"]):
        reports_to = positions[parent % i] if parent is not None and i > 0 else None
        unit = units["kppn"] if i == 0 else units["section"]
        positions.append(
            org.position_create(
                code=f"P{i}", title=f"Jabatan {i}", unit=unit, reports_to=reports_to, is_unit_head=org_spec["heads"][i]
            )
        )
    officials = [make_official(f"Pejabat {i}") for i in range(10)]
    satkers = [make_satker(f"{i + 1:06d}", units["kppn"]) for i in range(org_spec["satkers"])]
    return {"positions": positions, "officials": officials, "satkers": satkers}


def apply_move(world: dict, move: tuple) -> None:
    kind, who, where, when = move
    official: Official = world["officials"][who]
    day = DATES[when]
    try:
        with transaction.atomic():
            if kind == "kepala_satker":
                if world["satkers"]:
                    satker = world["satkers"][where % len(world["satkers"])]
                    org.satker_head_appoint(spending_unit=satker, official=official, effective_date=day)
            elif kind == "berhenti":
                for assignment in official.assignments.active_on(day):
                    org.assignment_end(assignment=assignment, end_date=day - datetime.timedelta(days=1))
            else:
                position = world["positions"][where % len(world["positions"])]
                org.assignment_start(
                    official=official,
                    position=position,
                    effective_date=day,
                    acting="plt" if kind == "plt" else "",
                )
    except ApplicationError:
        pass  # an invalid move (overlap, back-dated) is rejected as a whole, like a bad decree row


def current_pacts() -> dict[str, IntegrityPact]:
    return {p.relationship_key: p for p in IntegrityPact.objects.filter(status__in=IntegrityPact.CURRENT_STATUSES)}


def semantic_state() -> set[tuple]:
    """Current pacts described without database ids or NIPs (each build draws fresh NIPs):
    kind, start, satker, and the parties by name and position."""
    result = set()
    for pact in IntegrityPact.objects.filter(status__in=IntegrityPact.CURRENT_STATUSES).prefetch_related("parties"):
        parties = tuple((p.role, p.snapshot["name"], p.snapshot["position"]) for p in pact.parties.order_by("order"))
        satker = pact.spending_unit.code if pact.spending_unit is not None else None
        result.add((pact.kind, pact.effective_date, satker, parties))
    return result


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(spec=organisations)
def test_reconcile_matches_the_organisation_exactly(spec: dict) -> None:
    with rolled_back():
        world = build(spec)
        for move in sorted(spec["moves"], key=lambda m: m[3]):
            apply_move(world, move)
            for day in (DATES[move[3]], AS_OF):
                pacts_reconcile(as_of=day)
                required = required_relationships(day)
                stored = current_pacts()
                # every active relationship has exactly one current pact, and nothing else is current
                assert set(stored) == set(required)
                assert IntegrityPact.objects.filter(
                    status__in=IntegrityPact.CURRENT_STATUSES, relationship_key__in=list(required)
                ).count() == len(required)
                # reconciling again changes nothing
                assert not pacts_reconcile(as_of=day).changed


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(spec=organisations, order=st.randoms(use_true_random=False))
def test_same_date_decrees_give_the_same_result_in_any_order(spec: dict, order) -> None:
    # Decrees on one date touching each official and each position at most once (two decrees
    # putting two people into one post on the same date would contradict each other).
    day_moves: list[tuple] = []
    seen_officials: set[int] = set()
    seen_targets: set[tuple[str, int]] = set()
    n_positions, n_satkers = len(spec["parents"]), max(spec["satkers"], 1)
    for kind, who, where, _when in spec["moves"]:
        # the same targets apply_move resolves to (indices wrap around)
        target = ("satker", where % n_satkers) if kind == "kepala_satker" else ("position", where % n_positions)
        if who in seen_officials or target in seen_targets:
            continue
        seen_officials.add(who)
        seen_targets.add(target)
        day_moves.append((kind, who, where, 2))
    shuffled = list(day_moves)
    order.shuffle(shuffled)
    outcomes = []
    for sequence in (day_moves, shuffled):
        with rolled_back():
            world = build(spec)
            # a common history on the first date, then the same-date decrees in the given order
            for i in range(5):
                apply_move(world, ("angkat", i, i, 0))
            pacts_reconcile(as_of=DATES[0])
            for move in sequence:
                apply_move(world, move)
            pacts_reconcile(as_of=AS_OF)
            outcomes.append(semantic_state())
    assert outcomes[0] == outcomes[1]
