"""`demo_build`: the demo office built through the services, in one transaction: the organisation and
its first assignments, the decrees in TMT order with external signatures along the way, then the
signatures in Pakta and the final decree."""

import datetime
from typing import Any

from django.db import transaction

from integrity import workdays
from integrity.decree_files import parse_decree_file
from integrity.demo.constants import BASE_DATE, DEMO_DATE, d
from integrity.demo.decrees import FINAL_DECREE, HISTORY, DemoDecree
from integrity.demo.external_signatures import _Signatures
from integrity.demo.organisation import _FUNCTIONAL, BASE_ASSIGNMENTS, HEADS, KPPN, SATKER, SEATS, UNITS, seat
from integrity.demo.pakta_signing import _enrol, _ensure_ca, _sign_in_pakta, _signing_accounts
from integrity.demo.people import PEOPLE, Person
from integrity.demo.summary import DemoSummary, demo_summary
from integrity.demo.users import _create_users, _grant_roles, _link_users
from integrity.models import Official, Position, Unit
from integrity.services import org
from integrity.services.decrees import decree_import
from integrity.services.pacts import pacts_reconcile


def _build_organisation(actor: Any) -> tuple[dict[str, Unit], dict[str, Position]]:
    units: dict[str, Unit] = {}
    for code, name, kind, parent, city, address, phone, website in UNITS:
        units[code] = org.unit_create(
            code=code,
            name=name,
            kind=kind,
            parent=units[parent] if parent else None,
            city=city,
            address=address,
            phone=phone,
            website=website,
            actor=actor,
        )
    positions: dict[str, Position] = {}
    for code, title, unit, reports_to in HEADS:
        positions[code] = org.position_create(
            code=code,
            title=title,
            unit=units[unit],
            reports_to=positions[reports_to] if reports_to else None,
            is_unit_head=True,
            kind=Position.Kind.STRUCTURAL,
            actor=actor,
        )
    for section, seats in SEATS.items():
        for number, title in seats:
            code = seat(section, number)
            positions[code] = org.position_create(
                code=code,
                title=title,
                unit=units[section],
                reports_to=positions[f"{section}-KEPALA"],
                kind=Position.Kind.FUNCTIONAL if title.startswith(_FUNCTIONAL) else Position.Kind.STAFF,
                actor=actor,
            )
    return units, positions


def _register(person: Person, actor: Any) -> Official:
    return org.official_create(
        nip=person.nip,
        name=person.name,
        title_prefix=person.prefix,
        title_suffix=person.suffix,
        rank_code=person.rank,
        email=person.email,
        actor=actor,
    )


def _build_base(actor: Any, units: dict[str, Unit], positions: dict[str, Position]) -> None:
    """The organisation as it stood on BASE_DATE: first assignments and satker heads."""
    officials: dict[str, Official] = {}
    for key, code, tmt, (number, date) in BASE_ASSIGNMENTS:
        officials[key] = _register(PEOPLE[key], actor)
        org.assignment_start(
            official=officials[key],
            position=positions[code],
            effective_date=tmt,
            decree_number=number,
            decree_date=date,
            inauguration_date=tmt,
            actor=actor,
        )
    for code, ministry, name, title, head, since in SATKER:
        spending_unit = org.spending_unit_create(
            code=code, name=name, ministry_code=ministry, serving_unit=units[KPPN], actor=actor
        )
        official = officials.get(head) or _register(PEOPLE[head], actor)
        org.satker_head_appoint(
            spending_unit=spending_unit,
            official=official,
            effective_date=d(since),
            title=title,
            decree_number=f"SK penetapan KPA {code}/{since[:4]}",
            actor=actor,
        )


def _import(decree: DemoDecree, actor: Any) -> tuple[int, ...]:
    parsed = parse_decree_file(f"{decree.number}.csv", decree.csv_bytes())
    result = decree_import(parsed=parsed, actor=actor, source_name="demo")
    return result.pacts_created


def demo_build() -> DemoSummary:
    """Build the demo office into an empty database, in one transaction (DOMAIN.md §5.1-5.4), with a few
    pacts signed through Pakta at the end (signatures issue §6). The embedded CA is set up first if
    `ca_init` has not run. The signed PDFs are written under MEDIA_ROOT before the transaction commits;
    if it rolls back they are unreferenced files, harmless (integrity.services.signing)."""
    with transaction.atomic():
        users = _create_users()
        admin, hr = users["admin"], users["hr"]
        units, positions = _build_organisation(admin)
        _grant_roles(users, units)
        _build_base(admin, units, positions)
        signatures = _Signatures(actor=hr)
        signatures.plan(pacts_reconcile(as_of=BASE_DATE).created)
        for decree in sorted(HISTORY, key=lambda item: (item.effective_date, item.number)):
            signatures.record_until(decree.effective_date)
            signatures.plan(_import(decree, admin))
        signatures.record_until(min(DEMO_DATE, workdays.today_jakarta()) + datetime.timedelta(days=1))
        _link_users(users)
        _ensure_ca()
        accounts = _signing_accounts(users, admin)
        _enrol(accounts)
        _sign_in_pakta(accounts)
        _import(FINAL_DECREE, admin)
        return demo_summary()
