"""The pact engine: which pacts a rotation requires, supersession, idempotency (issue §5)."""

import datetime

import pytest
from django.test import override_settings

from audit.models import AuditEvent
from integrity.explain import pact_explain
from integrity.models import Decree, IntegrityPact, PactParty
from integrity.pact_rules import required_relationships
from integrity.services import org
from integrity.services.pacts import pacts_reconcile
from integrity.workdays import add_working_days
from tests.factories import make_office, make_official, make_position, make_satker

D0 = datetime.date(2026, 2, 2)
D1 = datetime.date(2026, 6, 1)
pytestmark = pytest.mark.django_db


def decree(number: str, day: datetime.date) -> Decree:
    return Decree.objects.create(number=number, decree_date=day, content_sha256="0" * 64)


@pytest.fixture
def office():
    """GIVEN a KPPN with its head, a section with its head and two staff, and three satker, two
    of which have a head."""
    units = make_office()
    kanwil_head = make_position("KAKANWIL", units["kanwil"], head=True)
    kppn_head = make_position("KAKPPN", units["kppn"], reports_to=kanwil_head, head=True)
    kasi = make_position("KASI-PD", units["section"], reports_to=kppn_head, head=True)
    staff = [make_position(f"PD-{i}", units["section"], reports_to=kasi) for i in (1, 2)]
    people = {name: make_official(name) for name in ("Kakanwil", "Kepala", "Kasi", "Staf1", "Staf2", "Pengganti")}
    org.assignment_start(official=people["Kakanwil"], position=kanwil_head, effective_date=D0)
    org.assignment_start(official=people["Kepala"], position=kppn_head, effective_date=D0)
    org.assignment_start(official=people["Kasi"], position=kasi, effective_date=D0)
    org.assignment_start(official=people["Staf1"], position=staff[0], effective_date=D0)
    org.assignment_start(official=people["Staf2"], position=staff[1], effective_date=D0)
    satkers = [make_satker(code, units["kppn"]) for code in ("000001", "000002", "000003")]
    for satker in satkers[:2]:
        org.satker_head_appoint(
            spending_unit=satker, official=make_official(f"Kasatker {satker.code}"), effective_date=D0
        )
    return {"units": units, "people": people, "kasi": kasi, "kppn_head": kppn_head, "staff": staff, "satkers": satkers}


def current(**filters):
    return IntegrityPact.objects.filter(status__in=IntegrityPact.CURRENT_STATUSES, **filters)


def test_initial_reconcile_creates_every_required_pact(office):
    result = pacts_reconcile(as_of=D0)
    # 4 reporting lines (Kepala->Kakanwil, Kasi->Kepala, 2 staff->Kasi) + 2 satker with a head.
    assert len(result.created) == 6 and not result.superseded
    assert current(kind="employee_superior").count() == 4
    assert current(kind="unit_head_satker").count() == 2
    staff_pact = current(parties__official=office["people"]["Staf1"]).get()
    parties = list(staff_pact.parties.order_by("order").values_list("role", "official__name"))
    assert parties == [("declarant", "Staf1"), ("witness", "Kasi")]
    satker_pact = current(spending_unit=office["satkers"][0]).get()
    assert [p.role for p in satker_pact.parties.order_by("order")] == ["party", "party"]
    assert satker_pact.parties.get(order=2).official == office["people"]["Kepala"]


def test_due_date_counts_working_days_from_the_effective_date(office, settings):
    settings.PAKTA_PACT_DUE_WORKING_DAYS = 10
    pacts_reconcile(as_of=D0)
    pact = current(parties__official=office["people"]["Staf1"]).get()
    assert pact.effective_date == D0
    assert pact.due_date == add_working_days(D0, 10, policy="pact_signing").date
    # 3-13 Feb give nine working days; 16 Feb is cuti bersama, 17 Feb Imlek: the tenth is 18 Feb.
    assert pact.due_date == datetime.date(2026, 2, 18)


def test_reconcile_is_idempotent(office):
    pacts_reconcile(as_of=D0)
    events = AuditEvent.objects.count()
    again = pacts_reconcile(as_of=D0)
    assert not again.changed and again.unchanged == 6
    assert AuditEvent.objects.count() == events


def test_replacing_a_section_head_renews_the_pacts_of_the_section(office):
    pacts_reconcile(as_of=D0)
    old_staff = {p.pk for p in current(kind="employee_superior", counterparty_assignment__position=office["kasi"])}
    sk = decree("SK-1/2026", D1)
    org.assignment_start(official=office["people"]["Pengganti"], position=office["kasi"], effective_date=D1, decree=sk)
    result = pacts_reconcile(as_of=D1)
    # Staff pacts with the old Kasi, and the old Kasi's own pact with the Kepala, end.
    assert set(result.superseded) >= old_staff and len(result.superseded) == 3
    assert len(result.created) == 3
    for pact in IntegrityPact.objects.filter(pk__in=old_staff):
        assert pact.status == IntegrityPact.Status.SUPERSEDED
        assert pact.superseded_by_decree == sk
        assert "Kasi" in pact.supersede_reason and "SK-1/2026" in pact.supersede_reason
    renewed = current(parties__official=office["people"]["Staf1"]).get()
    assert renewed.parties.get(order=2).official == office["people"]["Pengganti"]
    assert renewed.trigger_decree == sk
    assert renewed.supersedes is not None and renewed.supersedes.pk in old_staff
    why = pact_explain(renewed)
    assert why["trigger_decree"]["number"] == "SK-1/2026"
    assert why["counterparty"]["official"] == "Pengganti"


def test_replacing_the_kppn_head_renews_one_pact_per_served_satker(office):
    pacts_reconcile(as_of=D0)
    sk = decree("SK-2/2026", D1)
    org.assignment_start(
        official=office["people"]["Pengganti"], position=office["kppn_head"], effective_date=D1, decree=sk
    )
    result = pacts_reconcile(as_of=D1)
    new_satker = current(kind="unit_head_satker")
    assert new_satker.count() == 2  # the third satker has no head
    assert all(p.parties.get(order=2).official == office["people"]["Pengganti"] for p in new_satker)
    superseded = IntegrityPact.objects.filter(pk__in=result.superseded)
    assert superseded.filter(kind="unit_head_satker").count() == 2
    # The Kasi's pact with the Kepala and the Kepala's with the Kakanwil are renewed as well.
    assert superseded.filter(kind="employee_superior").count() == 2


def test_ended_relationship_is_superseded_and_never_duplicated(office):
    pacts_reconcile(as_of=D0)
    sk = decree("SK-3/2026", D1)
    staff1 = office["people"]["Staf1"].assignments.get()
    org.assignment_end(assignment=staff1, end_date=D1 - datetime.timedelta(days=1), decree=sk)
    result = pacts_reconcile(as_of=D1)
    assert len(result.superseded) == 1 and not result.created
    assert not current(parties__official=office["people"]["Staf1"]).exists()


def test_plt_fills_a_vacancy_but_plh_beside_a_holder_does_not_sign(office):
    sk = decree("SK-4/2026", D0)
    kasi_assignment = office["people"]["Kasi"].assignments.get()
    org.assignment_end(assignment=kasi_assignment, end_date=D0, decree=sk)
    plt = make_official("Plt Kasi")
    org.assignment_start(
        official=plt, position=office["kasi"], effective_date=D0 + datetime.timedelta(days=1), acting="plt", decree=sk
    )
    pacts_reconcile(as_of=D1)
    witness = PactParty.objects.filter(pact__in=current(kind="employee_superior"), role="witness")
    assert witness.filter(official=plt).count() == 2
    plh = make_official("Plh Kepala")
    org.assignment_start(official=plh, position=office["kppn_head"], effective_date=D1, acting="plh")
    assert not pacts_reconcile(as_of=D1).changed


@override_settings(PAKTA_INDIVIDUAL_PACTS=True)
def test_individual_pacts_follow_the_policy(office):
    pacts_reconcile(as_of=D0)
    assert current(kind="individual").count() == 5  # every position holder, each once


def test_identity_snapshot_is_frozen_at_creation(office):
    pacts_reconcile(as_of=D0)
    official = office["people"]["Staf1"]
    official.name = "Nama Baru"
    official.save()
    party = PactParty.objects.get(official=official)
    assert party.snapshot["name"] == "Staf1"
    assert party.snapshot["position"] == office["staff"][0].title


def test_required_relationships_on_a_date_before_anyone_started(office):
    assert required_relationships(D0 - datetime.timedelta(days=1)) == {}
