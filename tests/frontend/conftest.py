"""A small office for the web UI tests, built through the services (tests/factories.py).

GIVEN Kanwil -> KPPN -> two sections (Pencairan Dana, Bank), one satker served by the KPPN, and
these accounts (the demo office's names):
- `kepala.kppn`: head of the KPPN (unit head, superior of both section heads);
- `kasi.pd`: head of Seksi Pencairan Dana (superior of `pegawai` and one more official);
- `pegawai`: staff of Seksi Pencairan Dana, with one overdue pact;
- `satker`: head of satker 000001 (party of the KPPN's external pact);
- `hr` (HR administrator of the KPPN), `kepatuhan` (compliance officer of the Kanwil),
  `auditor` (auditor of every unit), `orang_luar` (no official, no grant: sees nothing).

The pacts, reconciled as of today (Asia/Jakarta):
| unit        | pact                          | state   |
|-------------|-------------------------------|---------|
| KPPN        | Kepala -> Kakanwil            | signed  |
| KPPN        | Kepala <-> Kepala satker      | overdue |
| Seksi PD    | Kasi PD -> Kepala             | signed  |
| Seksi PD    | pegawai -> Kasi PD            | overdue |
| Seksi PD    | Staf PD 2 -> Kasi PD          | signed  |
| Seksi Bank  | Kasi Bank -> Kepala           | pending |
| Seksi Bank  | Staf Bank -> Kasi Bank        | pending |
Coverage of the Kanwil: 3 signed (43%), 2 pending (29%), 2 overdue (29%) of 7.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import translation

from integrity.models import IntegrityPact, Official, Position, RoleGrant, SpendingUnit, Unit
from integrity.services import org
from integrity.services.pacts import pact_record_external_signature, pacts_reconcile
from integrity.workdays import today_jakarta
from tests.factories import make_office, make_official, make_position, make_satker

PASSWORD = "pakta-test-2026"


@dataclass
class Office:
    today: datetime.date
    units: dict[str, Unit]
    positions: dict[str, Position]
    officials: dict[str, Official]
    users: dict[str, Any]
    satker: SpendingUnit
    pacts: dict[str, IntegrityPact] = field(default_factory=dict)


def _user(username: str, official: Official | None = None) -> Any:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if official is not None:
        official.user = user
        official.save(update_fields=["user"])
    return user


def build_office() -> Office:
    today = today_jakarta()
    old = today - datetime.timedelta(days=200)
    units = make_office()
    units["bank"] = org.unit_create(code="KPPN-BNA-BANK", name="Seksi Bank", kind="section", parent=units["kppn"])
    positions: dict[str, Position] = {}
    positions["kakanwil"] = make_position("KAKANWIL", units["kanwil"], head=True)
    positions["kepala"] = make_position("KPPN-BNA-KEPALA", units["kppn"], reports_to=positions["kakanwil"], head=True)
    positions["kasi_pd"] = make_position(
        "KPPN-BNA-PD-KASI", units["section"], reports_to=positions["kepala"], head=True
    )
    positions["pd1"] = make_position("KPPN-BNA-PD-1", units["section"], reports_to=positions["kasi_pd"])
    positions["pd2"] = make_position("KPPN-BNA-PD-2", units["section"], reports_to=positions["kasi_pd"])
    positions["kasi_bank"] = make_position(
        "KPPN-BNA-BANK-KASI", units["bank"], reports_to=positions["kepala"], head=True
    )
    positions["bank1"] = make_position("KPPN-BNA-BANK-1", units["bank"], reports_to=positions["kasi_bank"])
    positions["bank2"] = make_position("KPPN-BNA-BANK-2", units["bank"], reports_to=positions["kasi_bank"])
    officials = {
        "kakanwil": make_official("Teuku Fadhlullah"),
        "kepala": make_official("Hendra Gunawan"),
        "kasi_pd": make_official("Rahmi Fitriani"),
        "pegawai": make_official("Yusnidar"),
        "pd2": make_official("Marzuki"),
        "kasi_bank": make_official("Irwansyah"),
        "bank1": make_official("Nanda Safitri"),
        "satker": make_official("Siti Maryam"),
        "hr": make_official("Siti Rahmah"),
    }
    for key, when in (("kakanwil", old), ("kepala", old), ("kasi_pd", old), ("pd2", old)):
        org.assignment_start(official=officials[key], position=positions[key], effective_date=when)
    org.assignment_start(official=officials["pegawai"], position=positions["pd1"], effective_date=old)
    org.assignment_start(official=officials["kasi_bank"], position=positions["kasi_bank"], effective_date=today)
    org.assignment_start(official=officials["bank1"], position=positions["bank1"], effective_date=today)
    satker = make_satker("000001", units["kppn"])
    org.satker_head_appoint(spending_unit=satker, official=officials["satker"], effective_date=old)
    pacts_reconcile(as_of=today)

    users = {
        "kepala.kppn": _user("kepala.kppn", officials["kepala"]),
        "kasi.pd": _user("kasi.pd", officials["kasi_pd"]),
        "pegawai": _user("pegawai", officials["pegawai"]),
        "satker": _user("satker", officials["satker"]),
        "hr": _user("hr", officials["hr"]),
        "kepatuhan": _user("kepatuhan"),
        "auditor": _user("auditor"),
        "orang_luar": _user("orang_luar"),
    }
    RoleGrant.objects.create(user=users["hr"], role=RoleGrant.Role.HR_ADMIN, unit=units["kppn"])
    RoleGrant.objects.create(user=users["kepatuhan"], role=RoleGrant.Role.COMPLIANCE, unit=units["kanwil"])
    RoleGrant.objects.create(user=users["auditor"], role=RoleGrant.Role.AUDITOR, unit=None)

    def pact_of(official: Official, kind: str = IntegrityPact.Kind.EMPLOYEE_SUPERIOR) -> IntegrityPact:
        return IntegrityPact.objects.get(
            kind=kind, status__in=IntegrityPact.CURRENT_STATUSES, parties__official=official, parties__order=1
        )

    pacts = {
        "kepala": pact_of(officials["kepala"]),
        "satker": pact_of(officials["satker"], IntegrityPact.Kind.UNIT_HEAD_SATKER),
        "kasi_pd": pact_of(officials["kasi_pd"]),
        "pegawai": pact_of(officials["pegawai"]),
        "pd2": pact_of(officials["pd2"]),
        "kasi_bank": pact_of(officials["kasi_bank"]),
        "bank1": pact_of(officials["bank1"]),
    }
    for key in ("kepala", "kasi_pd", "pd2"):
        pacts[key] = pact_record_external_signature(pact=pacts[key], reference=f"TTE-{key}", signed_on=old)
    return Office(
        today=today,
        units=units,
        positions=positions,
        officials=officials,
        users=users,
        satker=satker,
        pacts=pacts,
    )


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request in English leaves English active in this thread (LocaleMiddleware does not undo
    it); later tests elsewhere expect the default language."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """PBKDF2 at its production cost takes ~2 s per user here; the tests do not test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def office(db: None) -> Office:
    return build_office()


# ---- Browser tests (test_browser.py, test_signing_browser.py) ----------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(transactional_db: None) -> Iterator[Any]:
    """One Chromium per test, started after the test database is ready: once Playwright's event
    loop runs, Django's per-context connection no longer carries the serialized contents that
    `serialized_rollback` restores, so the migration data (ranks, holidays) would stay flushed."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
            browser.close()
        finally:
            # The ORM calls made while the event loop ran opened a connection in its context; closed here,
            # or it outlives the tests and PostgreSQL refuses to drop the test database.
            connections.close_all()
