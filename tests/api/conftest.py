"""API fixtures: one Kanwil with two KPPN, named actors with intent (STYLE.md "Tests").

KPPN Banda Aceh (BNA) is "this office": its head, the head of its Pencairan Dana section, two
staff in that section, a satker it serves. KPPN Lhokseumawe (LSM) is "the other office", where
`orang_luar` works and must see nothing of BNA. Position and satker codes match
`samples/decree_rotation_example.csv`, so the sample imports into this office.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from rest_framework.test import APIClient

from integrity.models import (
    Assignment,
    Decree,
    DecreeMove,
    InboxMessage,
    IntegrityPact,
    Official,
    Position,
    RoleGrant,
    SpendingUnit,
    Unit,
)
from integrity.services import org
from integrity.services.pacts import pacts_reconcile
from tests.factories import make_office, make_official, make_position, make_satker

D0 = datetime.date(2026, 2, 2)
PASSWORD = "rahasia-uji-123"
ROLES = ["pegawai", "atasan", "kepala_kantor", "hr", "kepatuhan", "auditor", "orang_luar", "anonim"]
# The NIP of the staff member whom the sample decree ends (row 4 of the sample).
SAMPLE_LEAVER_NIP = "196607151990031003"


@dataclass
class Office:
    kanwil: Unit
    kppn: Unit
    section: Unit
    other_kppn: Unit
    other_section: Unit
    kppn_head: Position
    kasi: Position
    staff_1: Position
    staff_2: Position
    other_staff: Position
    satker: SpendingUnit
    other_satker: SpendingUnit
    officials: dict[str, Official]
    decree: Decree


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def _world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[Office, dict[str, User]]]:
    """The office and its users, built once per test module inside a transaction that is rolled
    back at the end of the module; each test runs in a savepoint inside it (like Django's
    `TestCase.setUpTestData`), so a test's writes never reach the next test."""
    from django.test.utils import override_settings

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                office = _build_office()
                users = _build_users(office)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield office, users
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def office(_world: tuple[Office, dict[str, User]], db: Any) -> Office:
    return _world[0]


def _build_office() -> Office:
    """GIVEN the Aceh Kanwil with KPPN Banda Aceh (head, Kasi PD, two staff, satker 006817 with its
    head) and KPPN Lhokseumawe (head, one staff, satker 006900), everyone in post since D0, the
    pacts reconciled as of D0, and one decree on file that touches Banda Aceh."""
    units = make_office()
    other_kppn = org.unit_create(
        code="KPPN-LSM", name="KPPN Lhokseumawe", kind="kppn", parent=units["kanwil"], city="Lhokseumawe"
    )
    other_section = org.unit_create(code="KPPN-LSM-PD", name="Seksi PD Lhokseumawe", kind="section", parent=other_kppn)
    kakanwil = make_position("KANWIL-ACEH-KEPALA", units["kanwil"], head=True)
    kppn_head = make_position("KPPN-BNA-KEPALA", units["kppn"], reports_to=kakanwil, head=True)
    kasi = make_position("KPPN-BNA-PD-KASI", units["section"], reports_to=kppn_head, head=True)
    staff_1 = make_position("KPPN-BNA-PD-PELAKSANA-1", units["section"], reports_to=kasi)
    staff_2 = make_position("KPPN-BNA-PD-PELAKSANA-2", units["section"], reports_to=kasi)
    other_head = make_position("KPPN-LSM-KEPALA", other_kppn, reports_to=kakanwil, head=True)
    other_staff = make_position("KPPN-LSM-PD-PELAKSANA-1", other_section, reports_to=other_head)
    officials = {
        "kakanwil": make_official("Kakanwil Aceh"),
        "kepala_kantor": make_official("Kepala KPPN Banda Aceh"),
        "atasan": make_official("Kasi Pencairan Dana"),
        "pegawai": make_official("Pelaksana Satu"),
        "pelaksana_2": make_official("Pelaksana Dua", nip=SAMPLE_LEAVER_NIP),
        "kepala_lsm": make_official("Kepala KPPN Lhokseumawe"),
        "orang_luar": make_official("Pelaksana Lhokseumawe"),
        "kasatker": make_official("Kepala Satker 006817"),
        "kasatker_lsm": make_official("Kepala Satker 006900"),
    }
    for key, position in [
        ("kakanwil", kakanwil),
        ("kepala_kantor", kppn_head),
        ("atasan", kasi),
        ("pegawai", staff_1),
        ("pelaksana_2", staff_2),
        ("kepala_lsm", other_head),
        ("orang_luar", other_staff),
    ]:
        org.assignment_start(official=officials[key], position=position, effective_date=D0)
    satker = make_satker("006817", units["kppn"])
    other_satker = make_satker("006900", other_kppn)
    org.satker_head_appoint(spending_unit=satker, official=officials["kasatker"], effective_date=D0)
    org.satker_head_appoint(spending_unit=other_satker, official=officials["kasatker_lsm"], effective_date=D0)
    pacts_reconcile(as_of=D0)
    decree = Decree.objects.create(number="KEP-1/WPB.01/2026", decree_date=D0, content_sha256="0" * 64)
    DecreeMove.objects.create(
        decree=decree,
        row_number=2,
        kind=DecreeMove.Kind.APPOINT,
        nip=officials["pegawai"].nip,
        position=staff_1,
        effective_date=D0,
        data={"name": "Pelaksana Satu"},
    )
    return Office(
        kanwil=units["kanwil"],
        kppn=units["kppn"],
        section=units["section"],
        other_kppn=other_kppn,
        other_section=other_section,
        kppn_head=kppn_head,
        kasi=kasi,
        staff_1=staff_1,
        staff_2=staff_2,
        other_staff=other_staff,
        satker=satker,
        other_satker=other_satker,
        officials=officials,
        decree=decree,
    )


def _user(username: str, official: Official | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    if official is not None:
        official.user = user
        official.save(update_fields=["user"])
    return user


def _granted(username: str, role: str, unit: Unit | None) -> User:
    user = _user(username)
    RoleGrant.objects.create(user=user, role=role, unit=unit)
    return user


def _build_users(office: Office) -> dict[str, User]:
    return {
        "pegawai": _user("pegawai", office.officials["pegawai"]),
        "atasan": _user("atasan", office.officials["atasan"]),
        "kepala_kantor": _user("kepala_kantor", office.officials["kepala_kantor"]),
        "hr": _granted("hr", RoleGrant.Role.HR_ADMIN, office.kppn),
        "kepatuhan": _granted("kepatuhan", RoleGrant.Role.COMPLIANCE, office.kppn),
        "auditor": _granted("auditor", RoleGrant.Role.AUDITOR, office.kanwil),
        "orang_luar": _user("orang_luar", office.officials["orang_luar"]),
        "hr_luar": _granted("hr_luar", RoleGrant.Role.HR_ADMIN, office.other_kppn),
    }


def _fresh(user: User) -> User:
    """A new instance per test: `user_scope` caches the scope on the user object."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def pegawai(_world: Any, db: Any) -> User:
    """A staff member of the PD section: sees their own pacts, assignments and section."""
    return _fresh(_world[1]["pegawai"])


@pytest.fixture
def atasan(_world: Any, db: Any) -> User:
    """The head of the PD section, the direct superior of both staff: sees their team's pacts."""
    return _fresh(_world[1]["atasan"])


@pytest.fixture
def kepala_kantor(_world: Any, db: Any) -> User:
    """The head of KPPN Banda Aceh (unit head): sees everything in the KPPN, changes nothing."""
    return _fresh(_world[1]["kepala_kantor"])


@pytest.fixture
def hr(_world: Any, db: Any) -> User:
    """The HR administrator of KPPN Banda Aceh: creates organisation data and imports decrees
    there, and nowhere else."""
    return _fresh(_world[1]["hr"])


@pytest.fixture
def kepatuhan(_world: Any, db: Any) -> User:
    """The compliance officer of KPPN Banda Aceh: reads everything there and the audit journal."""
    return _fresh(_world[1]["kepatuhan"])


@pytest.fixture
def auditor(_world: Any, db: Any) -> User:
    """An auditor over the whole Kanwil: reads everything there, writes nothing."""
    return _fresh(_world[1]["auditor"])


@pytest.fixture
def orang_luar(_world: Any, db: Any) -> User:
    """A staff member of the other KPPN: must see nothing of Banda Aceh."""
    return _fresh(_world[1]["orang_luar"])


@pytest.fixture
def hr_luar(_world: Any, db: Any) -> User:
    """The HR administrator of the other KPPN: may not touch Banda Aceh."""
    return _fresh(_world[1]["hr_luar"])


@pytest.fixture
def anonim(_world: Any, db: Any) -> None:
    """Not signed in."""
    return None


def client_for(user: User | None) -> APIClient:
    """A session-authenticated client (a fresh user object per request, as in production)."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_actor(request: pytest.FixtureRequest) -> Any:
    """`as_actor("hr")` -> an APIClient signed in as that actor fixture (anonymous for "anonim")."""

    def make(name: str) -> APIClient:
        return client_for(request.getfixturevalue(name))

    return make


def pact_of(official: Official, **filters: Any) -> IntegrityPact:
    """The current pact where `official` is the first party (declarant or satker head)."""
    return IntegrityPact.objects.filter(
        status__in=IntegrityPact.CURRENT_STATUSES, parties__official=official, parties__order=1, **filters
    ).get()


def assignment_of(official: Official) -> Assignment:
    return Assignment.objects.filter(official=official).get()


def inbox_message(official: Official, subject: str = "Pengingat") -> InboxMessage:
    return InboxMessage.objects.create(official=official, subject=subject, body="Isi pesan", url="/")
