"""The demo logins (`DEMO_USERS`): their accounts, role grants, and links to their officials."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password

from integrity.demo.constants import DEMO_PASSWORD
from integrity.demo.organisation import KANWIL
from integrity.demo.people import PEOPLE
from integrity.models import Official, RoleGrant, Unit
from integrity.services.access import account_create, official_link_account, role_grant


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # shown by demo_logins
    person: str | None = None  # the official this login belongs to
    grant: str | None = None  # RoleGrant.Role
    grant_unit: str | None = None  # unit code; None = all units
    superuser: bool = False


DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", "Superuser (admin Django)", superuser=True),
    DemoUser("hr", "Administrator SDM Kanwil DJPb Aceh", "siti", RoleGrant.Role.HR_ADMIN, KANWIL),
    DemoUser("kepatuhan", "Petugas kepatuhan Kanwil DJPb Aceh", "kasi_ki", RoleGrant.Role.COMPLIANCE, KANWIL),
    DemoUser("auditor", "Auditor (semua unit)", None, RoleGrant.Role.AUDITOR, None),
    DemoUser("kepala.kppn", "Kepala KPPN Banda Aceh", "kepala"),
    DemoUser("kasi.pd", "Kepala Seksi Pencairan Dana", "kasi_pd"),
    DemoUser("pegawai", "Pelaksana Seksi Pencairan Dana", "agung"),
    DemoUser("satker", "Kepala Kantor Kemenag Kota Banda Aceh (satker)", "s_kemenag_kota_2"),
]


def _create_users() -> dict[str, Any]:
    """The demo logins, all with DEMO_PASSWORD (hashed once: hashing is deliberately slow, ~1 s each)."""
    hashed = make_password(DEMO_PASSWORD)
    users: dict[str, Any] = {}
    for spec in DEMO_USERS:
        user = account_create(
            username=spec.username, password=None, is_superuser=spec.superuser, actor=users.get("admin")
        )
        user.password = hashed
        user.save(update_fields=["password"])
        users[spec.username] = user
    return users


def _grant_roles(users: dict[str, Any], units: dict[str, Unit]) -> None:
    for spec in DEMO_USERS:
        if spec.grant is not None:
            unit = units[spec.grant_unit] if spec.grant_unit else None
            role_grant(user=users[spec.username], role=spec.grant, unit=unit, actor=users["admin"])


def _link_users(users: dict[str, Any]) -> None:
    for spec in DEMO_USERS:
        if spec.person is not None:
            official = Official.objects.get(nip=PEOPLE[spec.person].nip)
            official_link_account(official=official, username=spec.username, password=None, actor=users["admin"])
