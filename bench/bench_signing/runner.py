"""`run()`: builds the fixture once, shares its pacts out between the measurements, returns the lines."""

from __future__ import annotations

import time

from django.db import connection
from django.test import Client

from bench.bench_signing.api import _measure_api
from bench.bench_signing.constants import API_SIGNATURES, MASS_PACTS, PER_ROUND, ROUNDS, SPARE
from bench.bench_signing.mass import _measure_mass
from bench.bench_signing.measuring import Results
from bench.bench_signing.ratios import _measure_asn1crypto, _measure_ratios, _warm_up
from bench.bench_signing.raw import _raw_signer_class
from bench.bench_signing.world import _build, _environment


def run() -> list[str]:
    from asn1crypto import x509

    from signatures import ca
    from signatures.signers import in_process_timestamper
    from signatures.signing import _reserve, _tst_reserve
    from signatures.stamp import stamp_style

    out = Results()
    needed = SPARE + ROUNDS * PER_ROUND + API_SIGNATURES + MASS_PACTS
    began = time.perf_counter()
    with _environment() as directory:
        started = time.perf_counter()
        world = _build(needed)
        tsa = in_process_timestamper()
        chain = ca.ca_chain()
        signer_class = _raw_signer_class()
        first_cert = x509.Certificate.load(bytes(next(iter(world.signers.values())).identity.certificate))
        world.raw.update(
            tsa=tsa,
            chain=chain,
            roots=ca.trust_roots(),
            signer_class=signer_class,
            stamp_style=stamp_style(),
            sign_reserve=_reserve(signer_class(world.key, first_cert, chain), tsa),
            tst_reserve=_tst_reserve(tsa),
        )
        setup_s = time.perf_counter() - started
        pacts = iter(world.pacts)
        spare = [next(pacts) for _ in range(SPARE)]
        ratio_pacts = [next(pacts) for _ in range(ROUNDS * PER_ROUND)]
        api_pacts = [next(pacts) for _ in range(API_SIGNATURES)]
        mass_pacts = list(pacts)

        _measure_asn1crypto(out)
        _warm_up(world, spare[0], Client(HTTP_HOST="127.0.0.1"))
        _measure_ratios(world, ratio_pacts, out)
        _measure_api(world, spare[1], api_pacts, out)
        _measure_mass(directory, mass_pacts, out)
        vendor = connection.vendor
    out.add(
        f"signing_bench_runtime = {time.perf_counter() - began:.0f} s (goal info: fixture {setup_s:.0f} s, "
        f"{len(world.pacts)} pacts rendered, {len(world.signers)} identities, {vendor})"
    )
    return out.lines
