"""Pact list API at 100,000 pacts on PostgreSQL (issue §9 "performance"): p50/p95 latency of
`GET /api/v1/pacts/` and the number of queries per request at two page sizes.

Runs only against PostgreSQL (DATABASE_URL=postgres://...): SQLite timings say nothing about
production. A throwaway test database is created from the migrations (bench/_db.py), filled with
fixture data through bulk_create (one Kanwil with 20 KPPN, 4,000 officials, 100,000 pacts with two
parties each, statuses and due dates spread the way a few years of rotations leave them), then
`VACUUM ANALYZE` leaves the table as autovacuum keeps a live one (statistics, visibility map for
index-only counts). Requests go through `django.test.Client` as a compliance officer of the Kanwil,
so every request pays for what a real one pays for: session, scope, filters, the (capped) COUNT,
the page and its parties. The machine is shared: read the numbers with its load in mind.
"""

import datetime
import random
import statistics
import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench._db import throwaway_database

PACTS = 100_000
KPPNS = 20
SECTIONS_PER_KPPN = 4
OFFICIALS = 4_000
REQUESTS = 300
WARMUP = 20
GOAL_P95_MS = 50.0
SEED = 20261128


def _nip(n: int) -> str:
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=n % 12000)
    return f"{birth:%Y%m%d}200501{1 + n % 2}{n // 12000 + 1:03d}"


def _populate(rng: random.Random) -> dict[str, Any]:
    from django.contrib.auth.models import User

    from integrity.models import IntegrityPact, Official, PactParty, RoleGrant, Unit

    ministry = Unit.objects.create(code="KEMENKEU", name="Kementerian Keuangan", kind="ministry")
    dg = Unit.objects.create(code="DJPB", name="Direktorat Jenderal Perbendaharaan", kind="dg", parent=ministry)
    kanwil = Unit.objects.create(code="KANWIL-ACEH", name="Kanwil DJPb Aceh", kind="kanwil", parent=dg)
    kppns, leaves = [], []
    for k in range(KPPNS):
        kppn = Unit.objects.create(code=f"KPPN-{k:02d}", name=f"KPPN {k:02d}", kind="kppn", parent=kanwil)
        kppns.append(kppn)
        leaves.append(kppn)
        for s in range(SECTIONS_PER_KPPN):
            leaves.append(
                Unit.objects.create(
                    code=f"KPPN-{k:02d}-S{s}", name=f"Seksi {s} KPPN {k:02d}", kind="section", parent=kppn
                )
            )
    officials = Official.objects.bulk_create(Official(nip=_nip(n), name=f"Pegawai {n:05d}") for n in range(OFFICIALS))
    today = datetime.date(2026, 11, 27)
    kinds = [IntegrityPact.Kind.EMPLOYEE_SUPERIOR] * 9 + [IntegrityPact.Kind.UNIT_HEAD_SATKER]
    statuses = (
        [IntegrityPact.Status.SUPERSEDED] * 12 + [IntegrityPact.Status.SIGNED] * 5 + [IntegrityPact.Status.PENDING] * 3
    )
    batch = 5_000
    for start in range(0, PACTS, batch):
        pacts = []
        for i in range(start, min(start + batch, PACTS)):
            effective = today - datetime.timedelta(days=rng.randrange(0, 4 * 365))
            status = rng.choice(statuses)
            pacts.append(
                IntegrityPact(
                    number=f"PI-{effective:%Y}-{i + 1:06d}",
                    kind=rng.choice(kinds),
                    status=status,
                    relationship_key=f"BENCH:{i}",
                    unit=rng.choice(leaves),
                    effective_date=effective,
                    due_date=effective + datetime.timedelta(days=14),
                )
            )
        IntegrityPact.objects.bulk_create(pacts)
        parties = []
        for pact in pacts:
            first, second = rng.sample(officials, 2)
            for order, role, who in ((1, "declarant", first), (2, "witness", second)):
                parties.append(
                    PactParty(
                        pact=pact,
                        order=order,
                        role=role,
                        official=who,
                        field_name=f"Sig{order}_{role.capitalize()}",
                        snapshot={"name": who.name, "nip": who.nip, "position": "Pelaksana", "unit": "Seksi"},
                        signed_at=None,
                    )
                )
        PactParty.objects.bulk_create(parties, batch_size=5_000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    user = User.objects.create_user("kepatuhan-bench", password="x")  # noqa: S106 (throwaway database)
    RoleGrant.objects.create(user=user, role=RoleGrant.Role.COMPLIANCE, unit=kanwil)
    return {"user": user, "kppns": kppns, "officials": officials}


def _queries(rng: random.Random, world: dict[str, Any]) -> list[dict[str, Any]]:
    """A mix of what the pages ask: the first pages, deeper pages, each filter."""
    mix: list[dict[str, Any]] = []
    for n in range(REQUESTS):
        choice = n % 8
        if choice in (0, 1):
            query: dict[str, Any] = {"offset": 50 * rng.randrange(0, 40)}
        elif choice == 2:
            query = {"status": "pending"}
        elif choice == 3:
            query = {"overdue": "true", "offset": 50 * rng.randrange(0, 4)}
        elif choice == 4:
            query = {"unit": rng.choice(world["kppns"]).pk}
        elif choice == 5:
            query = {"kind": "unit_head_satker", "status": "signed"}
        elif choice == 6:
            query = {"party": rng.choice(world["officials"]).pk}
        else:
            query = {"nip": rng.choice(world["officials"]).nip, "overdue": "false"}
        mix.append({"limit": 50, **query})
    return mix


def _percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _measure(rng: random.Random) -> tuple[list[float], dict[int, int], list[float], float]:
    with throwaway_database():
        started = time.perf_counter()
        world = _populate(rng)
        populate_s = time.perf_counter() - started
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(world["user"])
        for _ in range(WARMUP):
            assert client.get("/api/v1/pacts/", {"limit": 50}).status_code == 200
        timings: list[float] = []
        for query in _queries(rng, world):
            t0 = time.perf_counter()
            response = client.get("/api/v1/pacts/", query)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.content[:200]
        counts: dict[int, int] = {}
        for limit in (10, 100):
            with CaptureQueriesContext(connection) as captured:
                response = client.get("/api/v1/pacts/", {"limit": limit, "offset": 500})
            assert response.status_code == 200 and len(response.json()["results"]) == limit
            counts[limit] = len(captured)
        deep: list[float] = []
        for offset in (50_000, 90_000, 99_950):
            t0 = time.perf_counter()
            assert client.get("/api/v1/pacts/", {"limit": 50, "offset": offset}).status_code == 200
            deep.append((time.perf_counter() - t0) * 1000)
    return timings, counts, deep, populate_s


def run() -> list[str]:
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return ["bench: pact_list_api_p95 = skipped (needs DATABASE_URL=postgres://...)"]
    rng = random.Random(SEED)
    # Its own test database name: a concurrent `pytest` on the same DATABASE_URL uses test_<name>.
    test_settings = connection.settings_dict.setdefault("TEST", {})
    previous_name = test_settings.get("NAME")
    test_settings["NAME"] = f"test_{connection.settings_dict['NAME']}_bench_api"
    try:
        timings, counts, deep, populate_s = _measure(rng)
    finally:
        test_settings["NAME"] = previous_name
    p50, p95 = statistics.median(timings), _percentile(timings, 95)
    constant = "constant" if counts[10] == counts[100] else "NOT constant"
    return [
        f"bench: pact_list_api_p95 = {p95:.1f} ms (goal < {GOAL_P95_MS:.0f})",
        f"bench: pact_list_api_p50 = {p50:.1f} ms ({REQUESTS} requests, {PACTS:,} pacts, limit=50, mixed filters)",
        f"bench: pact_list_api_queries = {counts[100]} queries/request (goal: constant; "
        f"{counts[10]} at limit=10, {counts[100]} at limit=100: {constant})",
        f"bench: pact_list_api_deep_offset_max = {max(deep):.1f} ms (offset up to 99,950; information)",
        f"bench: pact_list_api_fixture = {populate_s:.0f} s to insert {PACTS:,} pacts and {2 * PACTS:,} parties",
    ]
