"""The demo office (issue §11): `seed_demo` builds Kanwil DJPb Aceh with KPPN Banda Aceh and its
history, and the sample decree in samples/ shows renewal."""

import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings

from audit.models import AuditEvent
from audit.verification import verify_chain
from integrity import workdays
from integrity.demo import DEMO_USERS, HISTORY, KPPN, KPPN_SECTIONS, SAMPLE_ROTATION, SAMPLE_TMT
from integrity.models import (
    Assignment,
    Decree,
    IntegrityPact,
    Official,
    Position,
    RoleGrant,
    SpendingUnit,
    SpendingUnitHead,
    Unit,
)
from integrity.nip import validate_nip
from integrity.pact_rules import position_holders

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)  # "today" of the demo story
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "demo_decree_rotation.csv"
SECTION_NAMES = {
    "Subbagian Umum",
    "Seksi Pencairan Dana",
    "Seksi Bank",
    "Seksi Verifikasi dan Akuntansi",
    "Seksi Manajemen Satker dan Kepatuhan Internal",
}
US = IntegrityPact.Kind.UNIT_HEAD_SATKER
ES = IntegrityPact.Kind.EMPLOYEE_SUPERIOR


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """GIVEN an empty database on 28 November 2026, WHEN seed_demo runs: once for the module (it
    takes seconds), inside a transaction rolled back after the last test; each test runs in its
    own savepoint within it, so a test that imports the sample decree changes nothing for the
    others."""
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as patch,
        # The demo hashes its one password once; a fast hasher keeps the module quick.
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        patch.setattr(workdays, "today_jakarta", lambda: TODAY)
        out = io.StringIO()
        call_command("seed_demo", "--if-empty", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def current(**filters):
    return IntegrityPact.objects.filter(status__in=IntegrityPact.CURRENT_STATUSES, **filters)


def holder(holders, code: str) -> Assignment:
    row = holders[Position.objects.get(code=code).pk]
    return Assignment.objects.select_related("official", "position").get(pk=row.id)


def test_seed_demo_builds_the_office_its_people_and_satker(seeded):
    kppn = Unit.objects.get(code=KPPN)
    assert kppn.city == "Banda Aceh" and "Chik Ditiro" in kppn.address and "23241" in kppn.address
    assert [u.code for u in kppn.ancestors()] == ["KEMENKEU", "DJPB", "KANWIL-ACEH", KPPN]
    sections = Unit.objects.filter(parent=kppn, kind=Unit.Kind.SECTION)
    assert {s.name for s in sections} == SECTION_NAMES

    holders = position_holders(TODAY)
    kepala = holder(holders, "KPPN-BNA-KEPALA")
    assert kepala.position.reports_to is not None and kepala.position.reports_to.code == "KANWIL-ACEH-KEPALA"
    assert "KANWIL-ACEH-KEPALA" in {p.code for p in Position.objects.filter(pk__in=holders)}
    staff = 0
    for section in KPPN_SECTIONS:
        head = holder(holders, f"{section}-KEPALA")
        assert head.position.reports_to_id == kepala.position_id
        for position in Position.objects.filter(unit__code=section, is_unit_head=False):
            assert position.reports_to_id == head.position_id
            staff += position.pk in holders
    assert staff >= 25
    assert Position.objects.filter(unit__parent=kppn, kind=Position.Kind.FUNCTIONAL).exists()

    satker = SpendingUnit.objects.filter(serving_unit=kppn)
    assert satker.count() >= 40
    headed = set(SpendingUnitHead.objects.active_on(TODAY).values_list("spending_unit_id", flat=True))
    assert set(satker.values_list("pk", flat=True)) <= headed
    assert all(len(s.code) == 6 and s.code.isdigit() and len(s.ministry_code) == 3 for s in satker)

    for official in Official.objects.all():
        assert validate_nip(official.nip, employee_type=official.employee_type) == official.nip


def test_seed_demo_applies_history_and_leaves_a_mix_of_pact_states(seeded):
    assert Decree.objects.count() == len(HISTORY)
    assert not Decree.objects.filter(number=SAMPLE_ROTATION.number).exists()  # left for the user
    # Earlier Kepala KPPN and section heads, with their ends on record.
    previous = Assignment.objects.filter(position__code="KPPN-BNA-KEPALA", end_date__isnull=False)
    assert previous.count() == 1
    assert (ended := previous.get().end_date) is not None and ended < TODAY
    assert Assignment.objects.filter(position__code__endswith="-KEPALA", end_date__isnull=False).count() >= 4
    assert SpendingUnitHead.objects.filter(end_date__isnull=False).count() >= 10

    pending = current(status=IntegrityPact.Status.PENDING)
    assert IntegrityPact.objects.filter(status=IntegrityPact.Status.SIGNED).count() >= 50
    assert pending.filter(due_date__lt=TODAY).exists(), "some pacts are overdue"
    assert pending.filter(due_date__gte=TODAY).exists(), "some pacts are pending within their deadline"
    assert IntegrityPact.objects.filter(status=IntegrityPact.Status.SUPERSEDED).exists()
    signed = IntegrityPact.objects.filter(status=IntegrityPact.Status.SIGNED)
    assert all(p.external_reference.startswith("NADINE/") and p.signed_at for p in signed)
    assert not signed.filter(signed_at__date__gt=TODAY).exists()
    # Every served satker with a head has exactly one current pact with the current Kepala KPPN.
    kepala = holder(position_holders(TODAY), "KPPN-BNA-KEPALA")
    assert current(kind=US, counterparty_assignment=kepala).count() == SpendingUnit.objects.count()
    assert "terlambat" in seeded and "ditandatangani" in seeded
    report = verify_chain()
    assert report.ok, report.reason


def test_seed_demo_creates_the_demo_logins(seeded):
    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) == {spec.username for spec in DEMO_USERS}
    assert users["admin"].is_superuser
    assert all(u.check_password("pakta-demo-2026") for u in users.values())
    grants = set(RoleGrant.objects.values_list("user__username", "role", "unit__code"))
    assert grants == {
        ("hr", "hr_admin", "KANWIL-ACEH"),  # Kanwil HR processes rotations between its offices
        ("kepatuhan", "compliance", "KANWIL-ACEH"),
        ("auditor", "auditor", None),
    }
    holders = position_holders(TODAY)
    assert users["kepala.kppn"].official == holder(holders, "KPPN-BNA-KEPALA").official
    assert users["kasi.pd"].official == holder(holders, "KPPN-BNA-PD-KEPALA").official
    pegawai = users["pegawai"].official
    assert current(kind=ES, parties__official=pegawai, status="pending", due_date__gte=TODAY).exists()
    satker_head = users["satker"].official
    assert SpendingUnitHead.objects.active_on(TODAY).filter(official=satker_head).exists()

    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    for spec in DEMO_USERS:
        assert spec.username in out.getvalue()
    assert "pakta-demo-2026" in out.getvalue()


def test_seed_demo_if_empty_is_a_no_op_the_second_time(seeded):
    events, pacts = AuditEvent.objects.count(), IntegrityPact.objects.count()
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "tidak dimuat ulang" in out.getvalue()
    assert (AuditEvent.objects.count(), IntegrityPact.objects.count()) == (events, pacts)
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    assert AuditEvent.objects.count() == events


def test_importing_the_sample_decree_renews_satker_and_section_pacts(seeded):
    """WHEN the user imports samples/demo_decree_rotation.csv (TMT 23 Nov 2026): the new Kepala
    KPPN gets one new pact per served satker, each superseding the old head's pact for that
    satker; the staff of Seksi Bank and Seksi Vera get new pacts with their new heads."""
    before = position_holders(TODAY)
    old_kepala = holder(before, "KPPN-BNA-KEPALA")
    old_satker_pacts = {p.pk: p.spending_unit_id for p in current(kind=US, counterparty_assignment=old_kepala)}
    replaced = ("KPPN-BNA-BANK", "KPPN-BNA-VERA")
    old_heads = {section: holder(before, f"{section}-KEPALA") for section in replaced}
    staff = {
        section: [
            holder(before, p.code)
            for p in Position.objects.filter(unit__code=section, is_unit_head=False)
            if p.pk in before
        ]
        for section in replaced
    }
    pd_staff_pacts = set(
        current(kind=ES, unit__code="KPPN-BNA-PD", declarant_assignment__position__is_unit_head=False).values_list(
            "pk", flat=True
        )
    )

    call_command("import_decree", str(SAMPLE), stdout=io.StringIO())

    decree = Decree.objects.get(number=SAMPLE_ROTATION.number)
    after = position_holders(TODAY)
    new_kepala = holder(after, "KPPN-BNA-KEPALA")
    assert new_kepala.official != old_kepala.official and new_kepala.effective_date == SAMPLE_TMT

    superseded_satker = IntegrityPact.objects.filter(kind=US, superseded_by_decree=decree)
    assert set(superseded_satker.values_list("pk", flat=True)) == set(old_satker_pacts)
    assert not current(pk__in=old_satker_pacts).exists()
    served_with_head = SpendingUnitHead.objects.active_on(TODAY).exclude(official=new_kepala.official)
    new_satker_pacts = current(kind=US, counterparty_assignment=new_kepala)
    assert new_satker_pacts.count() == served_with_head.count() == len(old_satker_pacts)
    for pact in new_satker_pacts:
        assert pact.supersedes_id in old_satker_pacts
        assert old_satker_pacts[pact.supersedes_id] == pact.spending_unit_id
        assert pact.trigger_decree == decree and pact.effective_date == SAMPLE_TMT

    for section in replaced:
        new_head = holder(after, f"{section}-KEPALA")
        assert new_head.official != old_heads[section].official
        for member in staff[section]:
            pact = current(kind=ES, declarant_assignment=member).get()
            assert pact.counterparty_assignment == new_head
            assert pact.supersedes is not None
            assert pact.supersedes.counterparty_assignment == old_heads[section]
            assert pact.supersedes.status == IntegrityPact.Status.SUPERSEDED
    # A section whose head stayed keeps its staff pacts.
    assert pd_staff_pacts and current(pk__in=pd_staff_pacts).count() == len(pd_staff_pacts)
    assert verify_chain().ok


def test_the_demo_hr_administrator_may_import_the_sample_decree(seeded):
    """GIVEN the demo office WHEN `hr` previews the sample rotation decree THEN no row lies
    outside their scope (the decree moves people between the KPPN and the Kanwil)."""
    from django.contrib.auth import get_user_model

    from integrity.apis.decrees import rows_outside_hr_scope
    from integrity.decree_files import parse_decree_file

    path = Path(__file__).resolve().parents[2] / "samples" / "demo_decree_rotation.csv"
    parsed = parse_decree_file(path.name, path.read_bytes())
    hr = get_user_model().objects.get(username="hr")
    assert rows_outside_hr_scope(parsed, hr) == []
