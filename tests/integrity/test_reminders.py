"""Deadline reminders (issue §8): before the due date, on overdue, to the superior; e-mail and
inbox; never twice."""

import datetime

import pytest
from django.core import mail

from audit.models import AuditEvent
from integrity.models import InboxMessage, IntegrityPact, PactReminder
from integrity.services import org
from integrity.services.pacts import pact_record_external_signature, pacts_reconcile
from integrity.services.reminders import pact_reminders_send, reminders_plan
from integrity.tasks import send_pact_reminders
from tests.factories import make_office, make_official, make_position

D0 = datetime.date(2026, 3, 2)  # due 10 working days later: 16 March 2026
pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    """GIVEN a KPPN head, a section head and one staff member with e-mail addresses."""
    units = make_office()
    head = make_position("KAKPPN", units["kppn"], head=True)
    kasi = make_position("KASI", units["section"], reports_to=head, head=True)
    staff = make_position("STAF", units["section"], reports_to=kasi)
    people = {}
    for name, position in (("Kepala", head), ("Kasi", kasi), ("Staf", staff)):
        official = make_official(name)
        official.email = f"{name.lower()}@kemenkeu.go.id"
        official.save(update_fields=["email"])
        org.assignment_start(official=official, position=position, effective_date=D0)
        people[name] = official
    pacts_reconcile(as_of=D0)
    staff_pact = IntegrityPact.objects.get(parties__official=people["Staf"], parties__role="declarant")
    return {"people": people, "staff_pact": staff_pact}


def test_no_reminder_long_before_the_due_date(team):
    assert team["staff_pact"].due_date == datetime.date(2026, 3, 16)
    assert reminders_plan(today=D0) == []


def test_reminder_before_due_goes_to_every_unsigned_party(team, settings, django_capture_on_commit_callbacks):
    settings.PAKTA_REMINDER_WORKING_DAYS_BEFORE = 3
    with django_capture_on_commit_callbacks(execute=True):
        sent = pact_reminders_send(today=datetime.date(2026, 3, 11))  # 3 working days before 16 March
    assert sent == 4  # both pacts, both parties
    assert PactReminder.objects.filter(kind="before_due").count() == 4
    staf = team["people"]["Staf"]
    message = InboxMessage.objects.get(official=staf)
    assert team["staff_pact"].number in message.subject and message.url.endswith(f"/{team['staff_pact'].pk}/")
    assert any(m.to == [staf.email] for m in mail.outbox)
    assert AuditEvent.objects.filter(action="integrity.pact.reminder_sent").count() == 4


def test_overdue_reminder_escalates_to_the_superior_and_is_sent_once(team, django_capture_on_commit_callbacks):
    day = datetime.date(2026, 3, 17)
    with django_capture_on_commit_callbacks(execute=True):
        first = pact_reminders_send(today=day)
    kinds = set(PactReminder.objects.values_list("kind", "official__name"))
    assert ("overdue", "Staf") in kinds and ("overdue", "Kasi") in kinds
    # Staf's superior is Kasi; Kasi's superior is the Kepala.
    assert ("overdue_superior", "Kasi") in kinds and ("overdue_superior", "Kepala") in kinds
    outbox, events = len(mail.outbox), AuditEvent.objects.count()
    assert outbox == first
    with django_capture_on_commit_callbacks(execute=True):
        assert pact_reminders_send(today=day) == 0
        assert pact_reminders_send(today=day + datetime.timedelta(days=1)) == 0
    assert len(mail.outbox) == outbox and AuditEvent.objects.count() == events
    assert first == PactReminder.objects.count()


def test_signed_pacts_get_no_reminders(team):
    for pact in IntegrityPact.objects.all():
        pact_record_external_signature(pact=pact, reference="NADINE-1", signed_on=D0)
    assert pact_reminders_send(today=datetime.date(2026, 3, 20)) == 0


def test_the_task_shell_calls_the_service(team, settings):
    result = send_pact_reminders.call()
    assert result == PactReminder.objects.count()
