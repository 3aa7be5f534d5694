"""What the demo holds: `demo_summary` counts units, officials, decrees and pacts by state, and the pacts
signed through Pakta, for `seed_demo` to print."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from integrity import workdays
from integrity.demo.users import DEMO_USERS
from integrity.models import Decree, IntegrityPact, Official, PactRevision, Position, SpendingUnit, Unit


@dataclass
class DemoSummary:
    units: int
    officials: int
    positions: int
    spending_units: int
    decrees: int
    pacts: dict[str, int]
    users: list[str]
    # Pacts signed through Pakta: "signed" (both parties, sealed), "half" (first party only), "superseded".
    pakta: dict[str, int] = field(default_factory=dict)


def demo_summary(today: datetime.date | None = None) -> DemoSummary:
    today = today or workdays.today_jakarta()
    by_status = Counter(IntegrityPact.objects.values_list("status", flat=True))
    overdue = IntegrityPact.objects.filter(status=IntegrityPact.Status.PENDING, due_date__lt=today).count()
    pacts = {
        "signed": by_status.get(IntegrityPact.Status.SIGNED, 0),
        "pending": by_status.get(IntegrityPact.Status.PENDING, 0) - overdue,
        "overdue": overdue,
        "superseded": by_status.get(IntegrityPact.Status.SUPERSEDED, 0),
    }
    sealed = PactRevision.objects.filter(kind=PactRevision.Kind.LTA).values_list("pact_id", flat=True)
    in_pakta = IntegrityPact.objects.filter(revisions__kind=PactRevision.Kind.SIGNATURE).distinct()
    pakta = {
        "signed": in_pakta.filter(status=IntegrityPact.Status.SIGNED, pk__in=sealed).count(),
        "half": in_pakta.filter(status=IntegrityPact.Status.PENDING).count(),
        "superseded": in_pakta.filter(status=IntegrityPact.Status.SUPERSEDED, pk__in=sealed).count(),
    }
    return DemoSummary(
        units=Unit.objects.count(),
        officials=Official.objects.count(),
        positions=Position.objects.count(),
        spending_units=SpendingUnit.objects.count(),
        decrees=Decree.objects.count(),
        pacts=pacts,
        users=[spec.username for spec in DEMO_USERS],
        pakta=pakta,
    )
