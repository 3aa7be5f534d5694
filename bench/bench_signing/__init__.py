"""Signing, sealing and verification through the services vs raw pyHanko (signatures issue, "Performance").

Everything runs in a throwaway database (bench/_db.py) with its own CA key file and media directory under a
temporary directory. SQLite is a *file* there (WAL, as in production) rather than the usual in-memory
database, so that `manage.py db_worker` processes can share it; PostgreSQL (DATABASE_URL) gets its own
`test_<name>_bench_sign` database.

The fixture: one KPPN with sections of a head and ten staff each, an account and an embedded signing
identity per official, the pacts made by `pacts_reconcile` and their documents rendered (as the render task
does after a reconcile). Identities are issued by the embedded CA through its own code, but share one key
pair encrypted once with production scrypt (n = 2**15): enrolling ~300 officials one by one would cost a
key derivation each and measure nothing. Opening a key still pays the full derivation every time.

First, `asn1crypto_reencoding`: asn1crypto 1.5.1 (the newest release) never clears the "changed" mark of a
structure it encoded (asn1crypto issue #256, fixed upstream in commit a767d2d, not released), so a CMS built
in memory is re-encoded over and over and some signatures took 10-30 s instead of ~50 ms. Pakta applies the
upstream fix when `signatures` is imported (`signatures.library_fixes`); the line says whether it is in
effect, for both sides of every ratio below.

Figures (each ratio compares the two sides in the same run, rounds alternating which side goes first):

- `sign_bt_service_ratio`: `pact_sign` by the first party, with a key holder whose key is already loaded
  (no key derivation), of pacts already issued (certified by the office seal), vs raw pyHanko signing the
  same prepared field of the same certified bytes: B-T with the same in-process TSA, a `Signer` subclass
  keeping the loaded key, `bytes_reserved`, the same visible QR stamp, in memory, no database.
- `sign_api_p95`: `POST /api/v1/pacts/<id>/sign/` through `django.test.Client` by each pact's first party
  with the passphrase (production scrypt), on pacts the render task has issued (certified with the office
  seal), as in production. `sign_api_last_party_p50` (information): the second party of some of them,
  whose request also seals the pact (the validation report is left to the worker).
- `seal_lta_service_ratio`: `pact_seal` of pacts both parties signed (the automatic seal after the last
  signature is switched off in this process for that step), vs raw pyHanko on the same bytes: validation
  data of every signature (`collect_validation_info` with CRLs and OCSP responses made ahead of time) into
  the DSS, then a document timestamp with the same TSA. A breakdown line times the service's own steps.
- `verify_api_ratio`: `POST /api/v1/verify/` of the sealed files vs raw `validate_pdf_signature` /
  `validate_pdf_timestamp` over every signature of the same file, with a `ValidationContext` per file
  (our root, CRLs and OCSP responses made ahead of time, hard-fail). A breakdown line splits the API time
  into HTTP, the child process and the strict analysis itself.
- `mass_signing`: pacts certified, signed by both parties (passphrases, production scrypt), sealed (B-LTA)
  and their validation reports made: one django.tasks task per pact (the seal enqueues the report's task)
  run by two `manage.py db_worker --batch` processes (2 cores). 1,000 pacts (`PAKTA_BENCH_MASS_PACTS`
  for a quicker run); the workers are stopped after MASS_CAP_S. The rate counts the pacts finished, from
  the first task's start to the last task's end, reports included.

"Raw pyHanko" is the library as shipped: Pakta replaces pyHanko's byte-at-a-time hex string reader
process-wide (`signatures.library_fixes.read_hex_string_fast`), so the raw side runs with pyHanko's own reader
restored; a second, information-only ratio compares against raw pyHanko with Pakta's faster reader.

pyHanko's INFO log lines (one per certificate path validated) are silenced while the benchmark runs. It
uses private helpers of the code under test (`ca._create_identity`, `signing._reserve`, the seal and
verification seams) and breaks loudly when they change. The machine is shared with other work: absolute
rates move from run to run by 20-40 %, ratios less.

Layout: `constants` (goals and sizes), `world` (environment and fixture), `raw` (raw pyHanko), `measuring`
(timers, comparison, result lines), `ratios`, `api` and `mass` (the measurements; `mass` holds the workers'
task `bench_sign_pact`), `runner` (`run()`, which `python -m bench` calls).
"""

from bench.bench_signing.mass import bench_sign_pact
from bench.bench_signing.runner import run

__all__ = ["bench_sign_pact", "run"]
