"""The benchmark's goals, the fixture's passphrase and names, and how many pacts each measurement uses."""

from __future__ import annotations

import datetime
import os

GOAL_RATIO = 0.8
GOAL_API_P95_MS = 300.0
PASSPHRASE = "kopi-aceh-gayo-bench-2026"  # noqa: S105 (throwaway identities)
ORGANISATION = "Direktorat Jenderal Perbendaharaan"
KPPN_CODE = "KPPN-BNA"
KPPN_NAME = "Kantor Pelayanan Perbendaharaan Negara Banda Aceh"
D0 = datetime.date(2026, 2, 2)

STAFF_PER_SECTION = 10
ROUNDS = 8
PER_ROUND = 4  # pacts per round for the three ratios: ROUNDS x PER_ROUND pacts go sign -> seal -> verify
BREAKDOWN_DOCUMENTS = 8
API_SIGNATURES = 40
API_LAST_PARTY = 10  # of the API pacts, signed by their second party too (that request also seals)
MASS_PACTS = int(os.environ.get("PAKTA_BENCH_MASS_PACTS", "1000"))  # the figure; smaller for a quick run
MASS_CAP_S = 1800.0  # the workers are stopped (gracefully) after this long; the rate counts finished pacts
WORKERS = 2
WORKER_STOP_S = 60.0
SPARE = 2  # warm-up pacts
