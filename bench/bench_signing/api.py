"""sign_api_p95 and sign_api_last_party_p50: signing through `POST /api/v1/pacts/<id>/sign/`."""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from django.test import Client

from bench.bench_signing.constants import API_LAST_PARTY, GOAL_API_P95_MS, PASSPHRASE
from bench.bench_signing.measuring import Results, _percentile, _timed
from bench.bench_signing.world import World, _parties


def _sign_by_api(client: Client, pact: Any) -> float:
    body = json.dumps({"passphrase": PASSPHRASE})
    started = time.perf_counter()
    response = client.post(f"/api/v1/pacts/{pact.pk}/sign/", body, content_type="application/json")
    elapsed = 1000 * (time.perf_counter() - started)
    assert response.status_code == 201, response.content[:300]
    return elapsed


def _logged_in(world: World, pact: Any, order: int) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(world.signers[_parties(pact)[order].official_id].user)
    return client


def _measure_api(world: World, warm_up: Any, pacts: list[Any], out: Results) -> None:
    """sign_api_p95: first party, passphrase (production scrypt), pact issued (certified) by the render task
    as in production. Then, as information, the second party of some of them: that request also seals the
    pact."""
    from integrity.models import IntegrityPact, PactRevision
    from integrity.services.signing import pacts_issue_for_signing
    from signatures import keystore

    assert pacts_issue_for_signing(pact_ids=[p.pk for p in [warm_up, *pacts]]) == len(pacts) + 1
    _sign_by_api(_logged_in(world, warm_up, 0), warm_up)
    clients = [_logged_in(world, pact, 0) for pact in pacts]
    timings = [_sign_by_api(client, pact) for pact, client in zip(pacts, clients, strict=True)]
    assert PactRevision.objects.filter(pact__in=pacts, kind="signature").count() == len(pacts)
    blob = bytes(next(iter(world.signers.values())).identity.encrypted_key)
    kdf = [1000 * _timed(lambda: keystore.decrypt_with_passphrase(blob, PASSPHRASE)) for _ in range(5)]
    out.add(
        f"sign_api_p95 = {_percentile(timings, 95):.0f} ms (goal < {GOAL_API_P95_MS:.0f}; {len(timings)} first-party "
        f"signatures on pacts the render task certified)"
    )
    out.add(
        f"sign_api_p50 = {statistics.median(timings):.0f} ms (goal info; max {max(timings):.0f} ms; scrypt "
        f"n=2**{keystore.SCRYPT_LOG2_N} alone {statistics.median(kdf):.0f} ms)"
    )
    last = pacts[:API_LAST_PARTY]
    clients = [_logged_in(world, pact, 1) for pact in last]
    timings = [_sign_by_api(client, pact) for pact, client in zip(last, clients, strict=True)]
    assert IntegrityPact.objects.filter(pk__in=[p.pk for p in last], status="signed").count() == len(last)
    out.add(
        f"sign_api_last_party_p50 = {statistics.median(timings):.0f} ms (goal info; max {max(timings):.0f} ms over "
        f"{len(timings)}: the last party's request also seals the pact, B-LTA; the report is the worker's)"
    )
