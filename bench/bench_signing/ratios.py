"""asn1crypto_reencoding, the warm-up, and the three ratios (sign_bt_service_ratio, seal_lta_service_ratio,
verify_api_ratio) with their information lines and breakdowns, on the same pacts.
"""

from __future__ import annotations

import functools
import itertools
import statistics
from typing import Any

from django.test import Client

from bench.bench_signing.constants import BREAKDOWN_DOCUMENTS, GOAL_RATIO, PER_ROUND, ROUNDS
from bench.bench_signing.measuring import Results, _compare, _time_calls, _timed
from bench.bench_signing.raw import (
    _certificates_in,
    _raw_seal,
    _raw_sign,
    _raw_sign_job,
    _raw_verify,
    _revocation,
    _stock_pyhanko,
)
from bench.bench_signing.world import World, _latest_bytes, _parties, _signer


def _warm_up(world: World, pact: Any, client: Client) -> None:
    """One pact the whole way through the services and both raw paths: fonts, styles, CA keys, caches."""
    from integrity.services.signing import pact_issue_for_signing, pact_sign

    pact_issue_for_signing(pact=pact, actor=None)
    job = _raw_sign_job(world, pact)
    for stock in (True, False):
        with _stock_pyhanko(stock):
            _raw_sign(world, job)
    for party in _parties(pact):
        signer = _signer(world, party)
        pact_sign(pact=pact, user=signer.user, key_holder=signer.holder)
    data = _latest_bytes(pact)
    revocation = _revocation(_certificates_in(data, world.raw["tsa"].tsa_cert))
    for stock in (True, False):
        with _stock_pyhanko(stock):
            _raw_seal(world, data, revocation)
            _raw_verify(world, data, revocation)
    _verify_api(client, data, 0)


def _verify_api(client: Client, data: bytes, n: int) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("pakta.pdf", data, content_type="application/pdf")
    # A new client address each time: the public endpoint is throttled per address (30/min).
    address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
    response = client.post("/api/v1/verify/", {"file": upload}, REMOTE_ADDR=address)
    assert response.status_code == 200, response.content[:300]
    body: dict[str, Any] = response.json()
    assert body["verdict"] == "VALID", body["reasons"]
    return body


def _measure_asn1crypto(out: Results) -> None:
    """Whether the asn1crypto re-encoding fix (`signatures.library_fixes`) is in effect in this process."""
    from signatures.library_fixes import asn1crypto_reencodes

    state = "present" if asn1crypto_reencodes() else "fixed"
    out.add(
        f"asn1crypto_reencoding = {state} (goal: fixed; asn1crypto {_version('asn1crypto')} re-encodes structures "
        "built in memory, issue #256; Pakta applies upstream commit a767d2d at import, signatures.library_fixes, "
        "in this process, the workers and the verification children alike)"
    )


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


def _measure_ratios(world: World, pacts: list[Any], out: Results) -> None:
    """sign_bt_service_ratio, seal_lta_service_ratio, verify_api_ratio on the same pacts."""
    from integrity.models import IntegrityPact
    from integrity.services.signing import pact_issue_for_signing, pact_seal, pact_sign
    from integrity.services.signing import seal as signing_seal
    from integrity.services.signing import sign as signing_sign
    from signatures.verification_service import verify_document
    from signatures.verify import analysis as verify_analysis
    from signatures.verify import isolation as verify_isolation

    rounds = [list(range(r * PER_ROUND, (r + 1) * PER_ROUND)) for r in range(ROUNDS)]
    for pact in pacts:
        pact_issue_for_signing(pact=pact, actor=None)
    firsts = [_parties(pact)[0] for pact in pacts]
    holders = [_signer(world, party) for party in firsts]  # opened now: the figure excludes the KDF
    jobs = [_raw_sign_job(world, pact) for pact in pacts]

    signed: dict[int, int] = {}

    def service_sign(i: int) -> None:
        revision = pact_sign(pact=pacts[i], user=holders[i].user, key_holder=holders[i].holder)
        signed[i] = revision.size

    raw_sizes: list[int] = []
    sign = _compare(rounds, service_sign, lambda i: raw_sizes.append(len(_raw_sign(world, jobs[i]))))
    out.add(
        f"sign_bt_service_ratio = {sign.ratio:.2f} ratio (goal >= {GOAL_RATIO}; B-T approval signature, "
        f"key loaded, no KDF)"
    )
    out.add(
        f"sign_bt_service = {sign.service_rate:.1f} signatures/s (goal info; raw pyHanko {sign.raw_rate:.1f}/s, "
        f"with Pakta's hex reader {sign.raw_fast_rate:.1f}/s -> ratio {sign.ratio_fast:.2f}; "
        f"sizes {statistics.mean(signed.values()) / 1024:.1f} vs {statistics.mean(raw_sizes) / 1024:.1f} KB)"
    )

    # The second party signs, without the automatic seal, so that the seal can be timed on its own.
    original_seal = signing_sign._seal_after_last_signature
    signing_sign._seal_after_last_signature = lambda pact, *, actor: None
    try:
        for pact in pacts:
            second = _signer(world, _parties(pact)[1])
            pact_sign(pact=pact, user=second.user, key_holder=second.holder)
    finally:
        signing_sign._seal_after_last_signature = original_seal
    tsa_cert = world.raw["tsa"].tsa_cert
    to_seal = [_latest_bytes(pact) for pact in pacts]
    seal_revocation = [_revocation(_certificates_in(data, tsa_cert)) for data in to_seal]
    with _time_calls(signing_seal, "_seal_bytes") as spent:
        seal = _compare(
            rounds,
            lambda i: pact_seal(pact=pacts[i], actor=None),
            lambda i: _raw_seal(world, to_seal[i], seal_revocation[i]),
        )
    assert IntegrityPact.objects.filter(pk__in=[p.pk for p in pacts], status="signed").count() == len(pacts)
    out.add(
        f"seal_lta_service_ratio = {seal.ratio:.2f} ratio (goal >= {GOAL_RATIO}; pact_seal vs raw DSS + document "
        f"timestamp)"
    )
    out.add(
        f"seal_lta_service = {seal.service_rate:.1f} seals/s (goal info; raw pyHanko {seal.raw_rate:.1f}/s, "
        f"with Pakta's hex reader {seal.raw_fast_rate:.1f}/s -> ratio {seal.ratio_fast:.2f})"
    )
    per_seal = {name: 1000 * seconds / len(pacts) for name, seconds in spent.items()}
    total_ms = 1000 / seal.service_rate
    parts = ", ".join(f"{name} {ms:.0f}" for name, ms in per_seal.items())
    out.add(
        f"seal_lta_breakdown = {total_ms:.0f} ms/pact (goal info: {parts}, the rest (checks, files, rows, audit) "
        f"{total_ms - sum(per_seal.values()):.0f}; raw pyHanko {1000 / seal.raw_fast_rate:.0f} with the same "
        f"hex reader)"
    )

    finals = [_latest_bytes(pact) for pact in pacts]
    final_revocation = [_revocation(_certificates_in(data, tsa_cert)) for data in finals]
    expected = [_raw_verify(world, data, final_revocation[i]) for i, data in enumerate(finals)]
    counter = itertools.count(1)
    client = Client(HTTP_HOST="127.0.0.1")

    def raw_verify(i: int) -> None:
        assert _raw_verify(world, finals[i], final_revocation[i]) == expected[i] == 4

    verify = _compare(rounds, lambda i: _verify_api(client, finals[i], next(counter)), raw_verify)
    out.add(
        f"verify_api_ratio = {verify.ratio:.2f} ratio (goal >= {GOAL_RATIO}; sealed pact, 4 signatures: "
        f"certification, 2 approvals, document timestamp)"
    )
    out.add(
        f"verify_api = {verify.service_rate:.1f} documents/s (goal info; raw pyHanko {verify.raw_rate:.1f}/s, "
        f"with Pakta's hex reader {verify.raw_fast_rate:.1f}/s -> ratio {verify.ratio_fast:.2f})"
    )

    # Where the API's time goes: HTTP + DRF, the child process, the strict analysis itself. Per document,
    # one after the other: the API, verify_document, verify_document with the analysis run in-process, raw.
    sums = {"api": 0.0, "service": 0.0, "inline": 0.0, "raw": 0.0}
    original_isolated = verify_isolation.run_isolated
    documents = finals[:BREAKDOWN_DOCUMENTS]
    for i, data in enumerate(documents):
        sums["api"] += _timed(functools.partial(_verify_api, client, data, next(counter)))
        sums["service"] += _timed(functools.partial(verify_document, data))
        verify_isolation.run_isolated = lambda job, **_limits: verify_analysis.analyse(job)
        try:
            sums["inline"] += _timed(functools.partial(verify_document, data))
        finally:
            verify_isolation.run_isolated = original_isolated
        sums["raw"] += _timed(functools.partial(_raw_verify, world, data, final_revocation[i]))
    ms = {key: 1000 * value / len(documents) for key, value in sums.items()}
    out.add(
        f"verify_api_breakdown = {ms['api']:.0f} ms/document (goal info: HTTP+DRF {ms['api'] - ms['service']:.0f}, "
        f"child process {ms['service'] - ms['inline']:.0f}, strict analysis in-process {ms['inline']:.0f}; "
        f"raw pyHanko {ms['raw']:.0f} with the same hex reader)"
    )
