"""Deadline reminders for pending pacts (issue §8): before the due date and on overdue, to the
parties who have not signed and, when overdue, to their direct superior; by e-mail and in the
in-app inbox. A reminder is claimed by inserting its `PactReminder` row (unique per pact,
recipient and kind), so running the job twice, or in two workers, never sends it twice.
"""

import datetime
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.services import audit_record
from integrity.models import Assignment, InboxMessage, IntegrityPact, Official, PactParty, PactReminder
from integrity.pact_rules import position_holders
from integrity.workdays import count_working_days

PACT_POLICY = "pact_signing"


@dataclass(frozen=True)
class ReminderPlan:
    pact_id: int
    official_id: int
    kind: str


def _superiors_of(official_ids: set[int], day: datetime.date) -> dict[int, int]:
    """official -> the official holding the position their current position reports to."""
    holders = position_holders(day)
    result: dict[int, int] = {}
    for official_id, reports_to in (
        Assignment.objects.active_on(day)
        .filter(official_id__in=official_ids, position__reports_to__isnull=False)
        .order_by("acting", "effective_date")
        .values_list("official_id", "position__reports_to_id")
    ):
        holder = holders.get(reports_to)
        if holder is not None and holder.official_id != official_id:
            result.setdefault(official_id, holder.official_id)
    return result


def reminders_plan(*, today: datetime.date) -> list[ReminderPlan]:
    """Which reminders are due today (read only)."""
    window = settings.PAKTA_REMINDER_WORKING_DAYS_BEFORE
    pending = IntegrityPact.objects.filter(status=IntegrityPact.Status.PENDING)
    unsigned = list(
        PactParty.objects.filter(pact__in=pending, signed_at__isnull=True).values_list(
            "pact_id", "official_id", "pact__due_date"
        )
    )
    plans: list[ReminderPlan] = []
    overdue_parties: set[int] = set()
    for pact_id, official_id, due in unsigned:
        if due < today:
            plans.append(ReminderPlan(pact_id, official_id, PactReminder.Kind.OVERDUE))
            overdue_parties.add(official_id)
        elif count_working_days(today, due, policy=PACT_POLICY) <= window:
            plans.append(ReminderPlan(pact_id, official_id, PactReminder.Kind.BEFORE_DUE))
    superiors = _superiors_of(overdue_parties, today)
    escalations = {
        ReminderPlan(pact_id, superiors[official_id], PactReminder.Kind.OVERDUE_SUPERIOR)
        for pact_id, official_id, due in unsigned
        if due < today and official_id in superiors
    }
    return plans + sorted(escalations, key=lambda p: (p.pact_id, p.official_id))


def _message(plan: ReminderPlan, pact: IntegrityPact, recipient: Official) -> tuple[str, str]:
    due = pact.due_date.strftime("%d-%m-%Y")
    if plan.kind == PactReminder.Kind.BEFORE_DUE:
        return (
            _("Pengingat: pakta integritas %(number)s jatuh tempo %(due)s") % {"number": pact.number, "due": due},
            _("Pakta integritas %(number)s menunggu tanda tangan Anda paling lambat %(due)s.")
            % {"number": pact.number, "due": due},
        )
    if plan.kind == PactReminder.Kind.OVERDUE:
        return (
            _("Terlambat: pakta integritas %(number)s") % {"number": pact.number},
            _("Pakta integritas %(number)s belum Anda tandatangani dan telah melewati batas waktu %(due)s.")
            % {"number": pact.number, "due": due},
        )
    return (
        _("Terlambat (bawahan): pakta integritas %(number)s") % {"number": pact.number},
        _("Pakta integritas %(number)s dari bawahan Anda belum lengkap ditandatangani; batas waktu %(due)s terlewati.")
        % {"number": pact.number, "due": due},
    )


def _send_email(subject: str, body: str, address: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


def pact_reminders_send(*, today: datetime.date, actor: Any = None) -> int:
    """Send every reminder due today that has not been sent yet. Returns how many were sent."""
    plans = reminders_plan(today=today)
    if not plans:
        return 0
    pacts = IntegrityPact.objects.in_bulk({p.pact_id for p in plans})
    officials = Official.objects.in_bulk({p.official_id for p in plans})
    sent = 0
    for plan in plans:
        pact, recipient = pacts[plan.pact_id], officials[plan.official_id]
        try:
            with transaction.atomic():
                PactReminder.objects.create(pact=pact, official=recipient, kind=plan.kind)
                subject, body = _message(plan, pact, recipient)
                url = reverse("frontend:pact-detail", args=[pact.pk])
                InboxMessage.objects.create(official=recipient, subject=subject, body=body, url=url)
                audit_record(
                    action="integrity.pact.reminder_sent",
                    actor=actor,
                    subject=pact,
                    payload={"number": pact.number, "recipient_nip": recipient.nip, "kind": plan.kind},
                )
                if recipient.email:
                    link = settings.PAKTA_BASE_URL.rstrip("/") + url
                    email = recipient.email
                    transaction.on_commit(partial(_send_email, subject, f"{body}\n\n{link}", email))
        except IntegrityError:
            continue  # already sent (by an earlier run or a parallel worker)
        sent += 1
    return sent
