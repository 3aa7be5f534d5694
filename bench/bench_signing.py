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
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import itertools
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection, transaction
from django.tasks import task
from django.test import Client, override_settings

from bench._db import throwaway_database

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
MASS_PACTS = int(os.environ.get("PAKTA_BENCH_MASS_PACTS", "1000"))  # the issue's figure; smaller for a quick run
MASS_CAP_S = 1800.0  # the workers are stopped (gracefully) after this long; the rate counts finished pacts
WORKERS = 2
WORKER_STOP_S = 60.0
SPARE = 2  # warm-up pacts


# --------------------------------------------------------------------------------------------------------
# The worker's task
# --------------------------------------------------------------------------------------------------------


@task()
def bench_sign_pact(pact_id: int) -> int:
    """Certify, have every party sign with its passphrase, seal (the seal follows the last signature).

    Runs in `manage.py db_worker`; raises unless the pact ends SIGNED. Returns the party signatures made."""
    from integrity.models import IntegrityPact
    from integrity.services.signing import pact_sign

    pact = IntegrityPact.objects.get(pk=pact_id)
    parties = list(pact.parties.select_related("official__user").order_by("order"))
    for party in parties:
        pact_sign(pact=pact, user=party.official.user, passphrase=PASSPHRASE)
    pact.refresh_from_db()
    if pact.status != IntegrityPact.Status.SIGNED:
        raise RuntimeError(f"pact {pact.number} ended {pact.status}, not signed")
    return len(parties)


# --------------------------------------------------------------------------------------------------------
# Environment and fixture
# --------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _environment() -> Iterator[Path]:
    """A temporary directory for the CA key file, media and (SQLite) the database file; the throwaway
    database in it; production scrypt; the embedded TSA."""
    from signatures import keystore

    directory = Path(tempfile.mkdtemp(prefix="pakta-bench-signing-"))
    test_settings = connection.settings_dict.setdefault("TEST", {})
    previous_name = test_settings.get("NAME")
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(directory / "pakta.sqlite3")
    else:
        test_settings["NAME"] = f"test_{connection.settings_dict['NAME']}_bench_sign"
    quiet = {name: logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")}
    levels = {name: logger.level for name, logger in quiet.items()}
    for logger in quiet.values():  # their INFO lines (one per certificate path validated) would drown the output
        logger.setLevel(logging.WARNING)
    overrides = override_settings(
        PAKTA_CA_KEY_FILE=directory / "ca.key",
        MEDIA_ROOT=directory / "media",
        PAKTA_TSA_URL="",
        PAKTA_SIGNING_SCRYPT_LOG2_N=keystore.SCRYPT_LOG2_N,
        PAKTA_CERTIFIED_ROOTS_DIR="",
        ALLOWED_HOSTS=["127.0.0.1"],
    )
    try:
        with overrides, throwaway_database():
            yield directory
    finally:
        test_settings["NAME"] = previous_name
        for name, logger in quiet.items():
            logger.setLevel(levels[name])
        shutil.rmtree(directory, ignore_errors=True)


class _Nips:
    """Valid, unique NIPs (DOMAIN.md §5.1): one birth date per person, TMT CPNS at 23."""

    def __init__(self) -> None:
        self._n = itertools.count()

    def __next__(self) -> str:
        n = next(self._n)
        birth = datetime.date(1966, 1, 1) + datetime.timedelta(days=7 * n)
        return f"{birth:%Y%m%d}{birth.year + 23:04d}{n % 12 + 1:02d}{n % 2 + 1}001"


@dataclass
class Signer:
    user: Any
    identity: Any
    holder: Any = None  # an opened EmbeddedKeyHolder, made when needed (one key derivation)


@dataclass
class World:
    pacts: list[Any]  # staff pacts (order 1 = staff, order 2 = section head), sections interleaved
    signers: dict[int, Signer]  # official id -> signer
    key: Any  # the shared private key (loaded)
    office: Any
    raw: dict[str, Any] = field(default_factory=dict)


def _build(n_staff: int) -> World:
    """The office, its officials with accounts and identities, their pacts with rendered documents."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.contrib.auth import get_user_model

    from integrity.models import Assignment, IntegrityPact, Official, PactParty, Position, Unit
    from integrity.services.pact_documents import pact_document_ensure
    from integrity.services.pacts import pacts_reconcile
    from signatures import ca, keystore
    from signatures.models import SigningIdentity

    n_sections = -(-n_staff // STAFF_PER_SECTION)
    ministry = Unit.objects.create(code="KEMENKEU", name="Kementerian Keuangan Republik Indonesia", kind="ministry")
    dg = Unit.objects.create(code="DJPB", name=ORGANISATION, kind="dg", parent=ministry)
    kanwil = Unit.objects.create(
        code="KANWIL-ACEH", name="Kanwil DJPb Provinsi Aceh", kind="kanwil", parent=dg, city="Banda Aceh"
    )
    kppn = Unit.objects.create(code=KPPN_CODE, name=KPPN_NAME, kind="kppn", parent=kanwil, city="Banda Aceh")
    sections = Unit.objects.bulk_create(
        Unit(code=f"{KPPN_CODE}-S{s:02d}", name=f"Seksi {s:02d}", kind="section", parent=kppn)
        for s in range(n_sections)
    )
    structural, staff_kind = Position.Kind.STRUCTURAL, Position.Kind.STAFF
    kppn_head = Position.objects.create(
        code="KAKPPN", title="Kepala KPPN", unit=kppn, is_unit_head=True, kind=structural
    )
    heads = Position.objects.bulk_create(
        Position(
            code=f"{u.code}-KEPALA", title=f"Kepala {u.name}", unit=u, reports_to=kppn_head, is_unit_head=True,
            kind=structural,
        )
        for u in sections
    )  # fmt: skip
    staff = Position.objects.bulk_create(
        Position(
            code=f"{heads[i % n_sections].unit.code}-P{i:04d}", title="Pelaksana", unit=heads[i % n_sections].unit,
            reports_to=heads[i % n_sections], kind=staff_kind,
        )
        for i in range(n_staff)
    )  # fmt: skip
    positions = [kppn_head, *heads, *staff]
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        user_model(username=f"bench{i:05d}", password="!unusable")  # noqa: S106 (no login by password)
        for i in range(len(positions))
    )
    nips = _Nips()
    officials = Official.objects.bulk_create(
        Official(nip=next(nips), name=f"Pegawai Bench {i:05d}", email="", user=user) for i, user in enumerate(users)
    )
    Assignment.objects.bulk_create(
        Assignment(official=o, position=p, effective_date=D0, decree_number="BENCH/2026")
        for o, p in zip(officials, positions, strict=True)
    )

    keystore.ca_key_file_create()
    ca.ca_initialize(organisation=ORGANISATION, unit_seals=[(KPPN_CODE, KPPN_NAME)])
    key = ec.generate_private_key(ec.SECP256R1())
    blob = keystore.encrypt_with_passphrase(ca._pkcs8(key), PASSPHRASE)  # the one enrolment KDF
    signers: dict[int, Signer] = {}
    for official, position, user in zip(officials, positions, users, strict=True):
        subject = ca._Subject.clean(
            name=official.full_name, nip=official.nip, unit_name=position.unit.name, organisation=ORGANISATION
        )
        with transaction.atomic():
            identity = ca._create_identity(
                user=user,
                backend=SigningIdentity.Backend.EMBEDDED,
                subject=subject,
                public_key=key.public_key(),
                encrypted_key=blob,
                actor=user,
            )
        signers[official.pk] = Signer(user=user, identity=identity)

    pacts_reconcile(as_of=D0)
    staff_ids = {o.pk for o in officials[1 + n_sections :]}
    by_staff = {
        party.official_id: party.pact
        for party in PactParty.objects.filter(
            order=1, official_id__in=staff_ids, pact__kind=IntegrityPact.Kind.EMPLOYEE_SUPERIOR
        ).select_related("pact")
    }
    # Staff were assigned round-robin over the sections: in this order consecutive pacts have different
    # section heads (two workers never wait on one head's identity).
    pacts = [by_staff[o.pk] for o in officials[1 + n_sections :]]
    pacts = [pact_document_ensure(pact=pact) for pact in pacts]
    return World(pacts=pacts, signers=signers, key=key, office=kppn)


def _parties(pact: Any) -> list[Any]:
    return list(pact.parties.select_related("official").order_by("order"))


def _signer(world: World, party: Any) -> Signer:
    from signatures.signers import EmbeddedKeyHolder

    signer = world.signers[party.official_id]
    if signer.holder is None:
        signer.holder = EmbeddedKeyHolder(signer.identity, PASSPHRASE)
    return signer


def _latest_bytes(pact: Any) -> bytes:
    from integrity.selectors.signing import pact_latest_revision, pact_revision_bytes

    revision = pact_latest_revision(pact)
    assert revision is not None
    return pact_revision_bytes(revision)


# --------------------------------------------------------------------------------------------------------
# Raw pyHanko
# --------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _stock_pyhanko(stock: bool) -> Iterator[None]:
    """pyHanko's own hex string reader (as shipped) while `stock`; Pakta's otherwise."""
    from pyhanko.pdf_utils import generic

    from signatures import library_fixes

    if not stock:
        yield
        return
    patched = generic.read_hex_string_from_stream
    generic.read_hex_string_from_stream = library_fixes.PYHANKO_READ_HEX
    try:
        yield
    finally:
        generic.read_hex_string_from_stream = patched


def _raw_signer_class() -> type:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class RawSigner(signers.Signer):
        """measurements.md §3: a Signer subclass that keeps the loaded (EC) key."""

        def __init__(self, key: Any, cert: Any, chain: Sequence[Any]) -> None:
            super().__init__(signing_cert=cert, cert_registry=SimpleCertificateStore.from_certs([cert, *chain]))
            self._key = key

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            return bytes(self._key.sign(data, ec.ECDSA(hashes.SHA256())))

    return RawSigner


@dataclass
class RawSignJob:
    data: bytes
    field_name: str
    cert: Any
    text_params: dict[str, str]
    reason: str
    location: str


def _raw_sign_job(world: World, pact: Any) -> RawSignJob:
    """What raw pyHanko needs to sign the first party's field of the pact's certified revision as the service
    does: the certified bytes, the field, the signer's certificate, the same stamp text and metadata."""
    from asn1crypto import x509 as asn1_x509
    from django.utils import timezone

    from integrity.selectors.signing import pact_verification_url
    from signatures.stamp import SignatureStamp, stamp_text_params

    party = _parties(pact)[0]
    signer = world.signers[party.official_id]
    stamp = SignatureStamp(
        name=str(party.snapshot.get("name") or party.official.full_name),
        nip=str(party.snapshot.get("nip_display") or party.snapshot.get("nip") or party.official.nip_display),
        position=str(party.snapshot.get("position", "")),
        verification_url=pact_verification_url(pact),
    )
    return RawSignJob(
        data=_latest_bytes(pact),
        field_name=party.field_name,
        cert=asn1_x509.Certificate.load(bytes(signer.identity.certificate)),
        text_params=stamp_text_params(stamp, timezone.now()),
        reason=f"Pembuat Pernyataan Pakta Integritas {pact.number}",
        location=world.office.city,
    )


def _raw_sign(world: World, job: RawSignJob) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    raw = world.raw
    signer = raw["signer_class"](world.key, job.cert, raw["chain"])
    meta = signers.PdfSignatureMetadata(
        field_name=job.field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=job.reason,
        location=job.location,
    )
    pdf_signer = signers.PdfSigner(meta, signer, timestamper=raw["tsa"], stamp_style=raw["stamp_style"])
    out = BytesIO()
    pdf_signer.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(job.data)),
        existing_fields_only=True,
        bytes_reserved=raw["sign_reserve"],
        appearance_text_params=dict(job.text_params),
        output=out,
    )
    return out.getvalue()


def _revocation(certs: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """CRLs and OCSP responses for `certs`, made by the embedded CA in-process (ahead of any timing)."""
    from signatures import ca

    crls: dict[bytes, Any] = {}
    ocsps: list[Any] = []
    for cert in certs:
        cert_crls, cert_ocsps = ca.revocation_material_for(cert)
        for crl in cert_crls:
            crls.setdefault(crl.dump(), crl)
        ocsps.extend(cert_ocsps)
    return list(crls.values()), ocsps


def _certificates_in(pdf: bytes, tsa_cert: Any) -> list[Any]:
    from signatures.signing import signature_certificates

    return [*signature_certificates(pdf), tsa_cert]


def _raw_seal(world: World, data: bytes, revocation: tuple[list[Any], list[Any]]) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info
    from pyhanko_certvalidator import ValidationContext

    raw = world.raw
    crls, ocsps = revocation
    context = ValidationContext(
        trust_roots=raw["roots"], crls=crls, ocsps=ocsps, allow_fetching=False, revocation_mode="hard-fail"
    )
    writer = IncrementalPdfFileWriter(BytesIO(data))

    async def paths() -> list[Any]:
        found: list[Any] = []
        for embedded in writer.prev.embedded_signatures:
            found.extend(await collect_validation_info(embedded, context))
        return found

    DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=asyncio.run(paths()), validation_context=context)
    out = BytesIO()
    signers.PdfTimeStamper(raw["tsa"], field_name=f"Archive_{uuid.uuid4().hex[:12]}").timestamp_pdf(
        writer, "sha256", validation_context=context, bytes_reserved=raw["tst_reserve"], output=out
    )
    return out.getvalue()


def _raw_verify(world: World, data: bytes, revocation: tuple[list[Any], list[Any]]) -> int:
    """Classic pyHanko validation of every signature and document timestamp; returns how many passed."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    crls, ocsps = revocation
    context = ValidationContext(
        trust_roots=world.raw["roots"], crls=crls, ocsps=ocsps, allow_fetching=False, revocation_mode="hard-fail"
    )
    passed = 0
    for embedded in PdfFileReader(BytesIO(data)).embedded_signatures:
        if embedded.sig_object_type == "/DocTimeStamp":
            ts_status = validate_pdf_timestamp(embedded, validation_context=context)
            passed += bool(ts_status.valid and ts_status.intact and ts_status.trusted)
        else:
            status = validate_pdf_signature(embedded, signer_validation_context=context, ts_validation_context=context)
            passed += bool(status.bottom_line)
    return passed


# --------------------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _seconds(fn: Callable[[Any], Any], items: Iterable[Any]) -> float:
    """Seconds spent in `fn(item)` over `items` (the loop itself not counted)."""
    total = 0.0
    for item in items:
        started = time.perf_counter()
        fn(item)
        total += time.perf_counter() - started
    return total


@dataclass
class Ratio:
    service_rate: float
    raw_rate: float
    ratio: float
    raw_fast_rate: float
    ratio_fast: float


def _compare(
    rounds: Sequence[Sequence[int]],
    service: Callable[[int], Any],
    raw: Callable[[int], Any],
) -> Ratio:
    """Per round: the service once over the round's items, raw pyHanko (as shipped) and raw pyHanko with
    Pakta's hex reader over the same items; the side that goes first alternates. Rates are items per
    second summed over rounds; the ratio is the median of the per-round ratios."""
    service_s, raw_s, fast_s, ratios, fast_ratios = 0.0, 0.0, 0.0, [], []
    for number, items in enumerate(rounds):

        def run_service(items: Sequence[int] = items) -> float:
            return _seconds(service, items)

        def run_raw(stock: bool, items: Sequence[int] = items) -> float:
            with _stock_pyhanko(stock):
                return _seconds(raw, items)

        if number % 2:
            s = run_service()
            r, f = run_raw(True), run_raw(False)
        else:
            r, f = run_raw(True), run_raw(False)
            s = run_service()
        service_s, raw_s, fast_s = service_s + s, raw_s + r, fast_s + f
        ratios.append(r / s)
        fast_ratios.append(f / s)
    n = sum(len(items) for items in rounds)
    return Ratio(n / service_s, n / raw_s, statistics.median(ratios), n / fast_s, statistics.median(fast_ratios))


@contextlib.contextmanager
def _time_calls(module: Any, *names: str) -> Iterator[dict[str, float]]:
    """Seconds spent in each of `module`'s functions `names` (those it has) while the block runs."""
    spent = {name: 0.0 for name in names if callable(getattr(module, name, None))}
    originals = {name: getattr(module, name) for name in spent}

    def timing(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    for name, function in originals.items():
        setattr(module, name, timing(name, function))
    try:
        yield spent
    finally:
        for name, function in originals.items():
            setattr(module, name, function)


def _percentile(samples: Sequence[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


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


@dataclass
class Results:
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(f"bench: {line}")


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


def _worker_environment(directory: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PAKTA_TESTING="1",
        PAKTA_VAR_DIR=str(directory),  # SQLite: <dir>/pakta.sqlite3 is the throwaway database
        PAKTA_CA_KEY_FILE=str(settings.PAKTA_CA_KEY_FILE),
        PAKTA_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PAKTA_TSA_URL="",
        PAKTA_BASE_URL=str(settings.PAKTA_BASE_URL),
        PAKTA_CERTIFIED_ROOTS_DIR="",
        LOG_LEVEL="WARNING",
    )
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = quote(str(db["USER"] or ""), safe="")
        if db.get("PASSWORD"):
            credentials += ":" + quote(str(db["PASSWORD"]), safe="")
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        env["DATABASE_URL"] = f"postgres://{credentials}@{host}/{db['NAME']}"
    return env


def _measure_mass(directory: Path, pacts: list[Any], out: Results) -> None:
    """mass_signing: one task per pact, two `db_worker --batch` processes; stopped after MASS_CAP_S."""
    from django_tasks_db.models import DBTaskResult

    from integrity.models import IntegrityPact

    DBTaskResult.objects.all().delete()  # the reconcile's render task: the documents are rendered already
    for pact in pacts:
        bench_sign_pact.enqueue(pact.pk)
    connection.close()  # SQLite: no connection of ours in the way of the workers' writes
    base = Path(settings.BASE_DIR)
    log_path = directory / "workers.log"
    command = [
        sys.executable, str(base / "manage.py"), "db_worker", "--batch", "--no-startup-delay", "--no-reload",
        "--interval", "0.05", "--verbosity", "0",
    ]  # fmt: skip
    started = time.perf_counter()
    capped = False
    with open(log_path, "w") as log:
        workers = [
            subprocess.Popen(
                [*command, "--worker-id", f"bench-{n}"],
                cwd=base,
                env=_worker_environment(directory),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for n in range(WORKERS)
        ]
        try:
            while any(worker.poll() is None for worker in workers):
                if time.perf_counter() - started > MASS_CAP_S and not capped:
                    capped = True
                    for worker in workers:
                        if worker.poll() is None:
                            worker.terminate()  # db_worker finishes the task it is running, then exits
                time.sleep(0.2)
                if time.perf_counter() - started > MASS_CAP_S + WORKER_STOP_S:
                    break
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
    wall_with_start = time.perf_counter() - started
    results = list(DBTaskResult.objects.all())
    failed = [r for r in results if r.status == "FAILED"]
    done = [r for r in results if r.task_path.endswith(".bench_sign_pact") and r.status == "SUCCESSFUL"]
    reports = [r for r in results if r.task_path.endswith(".store_pact_validation_report") and r.status == "SUCCESSFUL"]
    if failed or not done:
        detail = failed[0].traceback[-1500:] if failed else ""
        tail = log_path.read_text()[-1500:]
        raise RuntimeError(f"{len(failed)} of {len(results)} tasks failed, {len(done)} succeeded: {detail}\n{tail}")
    done_ids = [r.args_kwargs["args"][0] for r in done]
    signed = IntegrityPact.objects.filter(pk__in=done_ids, status="signed").count()
    assert signed == len(done), (signed, len(done))
    valid = sum(1 for r in reports if r.return_value == "VALID")
    finished = done + reports
    first = min(r.started_at for r in finished if r.started_at is not None)
    last = max(r.finished_at for r in finished if r.finished_at is not None)
    wall = (last - first).total_seconds()
    signatures = sum(int(r.return_value or 0) for r in done)
    by_worker = sorted(sum(1 for r in finished if f"bench-{n}" in r.worker_ids) for n in range(WORKERS))
    scope = (
        f"{len(done)} of {len(pacts)} pacts enqueued, stopped after {MASS_CAP_S:.0f} s"
        if capped
        else f"all {len(done)} pacts enqueued"
    )
    out.add(
        f"mass_signing = {signatures / wall:.1f} signatures/s (goal info, {WORKERS} cores; {len(done) / wall:.2f} "
        f"pacts/s; {scope}; each pact certified, signed by both parties with passphrases (production scrypt), "
        f"B-LTA-sealed, and its validation report made by the worker: {valid} of {len(done)} reports VALID; "
        f"{WORKERS} db_worker processes ({by_worker} tasks), {connection.vendor}; {wall:.0f} s from the first "
        f"task's start to the last one's end, {wall_with_start:.0f} s with worker start and stop)"
    )


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
