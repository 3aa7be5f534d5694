"""Pact PDF rendering through the service vs a bare Typst compile of the same template (issue §7).

Same run, same template version, same kind of data: `render_pact_pdf` (data checks, canonical JSON,
Typst PDF/A-3b compile with the attached data, signature fields) against `typst.Compiler.compile` alone
with the inputs the service would build. Every document rendered is new (its own number and names, of
the same lengths on both sides), as in production: Typst memoises compilations, and a repeated input
compiles several times faster than a new one, so no input is ever rendered twice.

Main figures are per core: the process is pinned to one CPU while measuring, as in
shared/reference/measurements.md (Typst is multi-threaded, so an unpinned compile uses several cores
while the Python part uses one). The unpinned ratio is printed as information.
"""

import copy
import datetime
import itertools
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typst

from audit.canonical import canonical_json
from bench._db import throwaway_database

DOCS = 20
ROUNDS = 5
GOAL_RATIO = 0.8

BASE: dict[str, Any] = {
    "number": "PI-2026-000000",
    "kind": "employee_superior",
    "letterhead": [
        "KEMENTERIAN KEUANGAN REPUBLIK INDONESIA",
        "DIREKTORAT JENDERAL PERBENDAHARAAN",
        "KANTOR WILAYAH DIREKTORAT JENDERAL PERBENDAHARAAN PROVINSI ACEH",
        "KANTOR PELAYANAN PERBENDAHARAAN NEGARA BANDA ACEH",
    ],
    "address_lines": [
        "Gedung A Lt. 1 Komplek GKN Banda Aceh Jl. Tgk. Chik Ditiro Banda Aceh 23241",
        "Telepon (0651) 29804",
    ],
    "institution": "Direktorat Jenderal Perbendaharaan",
    "place": "Banda Aceh",
    "date": "2026-11-02",
    "date_text": "2 November 2026",
    "spending_unit": None,
    "parties": [
        {
            "order": 1,
            "role": "declarant",
            "role_label": "Pembuat Pernyataan",
            "field_name": "Sig1",
            "name": "Teuku Muhammad Rizki",
            "nip": "198609262015051001",
            "nip_display": "19860926 201505 1 001",
            "rank": "Penata Muda (III/a)",
            "position": "Pelaksana pada Seksi Pencairan Dana",
            "unit": "Kantor Pelayanan Perbendaharaan Negara Banda Aceh",
        },
        {
            "order": 2,
            "role": "witness",
            "role_label": "Menyaksikan",
            "field_name": "Sig2",
            "name": "Cut Nyak Aisyah, S.E., M.Ak.",
            "nip": "197805122000122001",
            "nip_display": "19780512 200012 2 001",
            "rank": "Penata Tingkat I (III/d)",
            "position": "Kepala Seksi Pencairan Dana",
            "unit": "Kantor Pelayanan Perbendaharaan Negara Banda Aceh",
        },
    ],
}


_batches = itertools.count(1)


def _documents() -> list[dict[str, Any]]:
    """A batch of new documents, none rendered before in this process."""
    batch = next(_batches)
    docs = []
    for i in range(DOCS):
        data = copy.deepcopy(BASE)
        data["number"] = f"PI-2026-{batch:03d}{i:03d}"
        data["parties"][0]["name"] = f"Pegawai {batch:03d}{i:03d} Binti Abdullah"
        docs.append(data)
    return docs


@contextmanager
def _pinned_to_one_core() -> Iterator[bool]:
    if not hasattr(os, "sched_getaffinity"):
        yield False
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        yield True
    finally:
        os.sched_setaffinity(0, before)


def _docs_per_second(render: Callable[[dict[str, Any]], bytes]) -> float:
    docs = _documents()
    start = time.perf_counter()
    for data in docs:
        render(data)
    return len(docs) / (time.perf_counter() - start)


def _measure(
    bare: Callable[[dict[str, Any]], bytes], service: Callable[[dict[str, Any]], bytes]
) -> tuple[float, float, float]:
    """Median docs/s of each side and the median of the per-round ratios (rounds alternate the sides)."""
    bare_rates, service_rates, ratios = [], [], []
    for _round in range(ROUNDS):
        bare_rate = _docs_per_second(bare)
        service_rate = _docs_per_second(service)
        bare_rates.append(bare_rate)
        service_rates.append(service_rate)
        ratios.append(service_rate / bare_rate)
    return statistics.median(bare_rates), statistics.median(service_rates), statistics.median(ratios)


def run() -> list[str]:
    from integrity.documents import PDF_STANDARD, pact_template_current, render_pact_pdf

    with throwaway_database():
        template = pact_template_current("employee_superior")
        source = template.source.encode("utf-8")
        template_json = json.dumps({"kind": template.kind, "version": template.version, "sha256": template.sha256})
        timestamp = datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC)
        compiler = typst.Compiler(ignore_system_fonts=True)

        def bare(data: dict[str, Any]) -> bytes:
            inputs = {"doc": canonical_json(data), "template": template_json}
            pdf = compiler.compile(input=source, sys_inputs=inputs, pdf_standards=PDF_STANDARD, timestamp=timestamp)
            assert isinstance(pdf, bytes)
            return pdf

        def service(data: dict[str, Any]) -> bytes:
            return render_pact_pdf(data, template=template)

        # Warm up both (fonts, the signature-box lookup of this template version).
        warm_up = _documents()[0]
        bare(warm_up)
        service(warm_up)
        with _pinned_to_one_core() as pinned:
            bare_rate, service_rate, ratio = _measure(bare, service)
        ratio_all_cores = _measure(bare, service)[2] if pinned else ratio

    lines = [
        f"bench: pact_pdf_render_ratio = {ratio:.2f} ratio (goal >= {GOAL_RATIO})",
        f"bench: pact_pdf_render_service = {service_rate:.1f} docs/s (goal info)",
        f"bench: pact_pdf_render_bare_typst = {bare_rate:.1f} docs/s (goal info)",
    ]
    if pinned:  # the lines above are per core; this one lets Typst use every core
        lines.append(f"bench: pact_pdf_render_ratio_unpinned = {ratio_all_cores:.2f} ratio (goal info)")
    return lines
