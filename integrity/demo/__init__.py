"""The demo office (issue §11): Kanwil DJPb Aceh with KPPN Banda Aceh, its people, its satker
and almost three years of history, so that a new user sees pacts, coverage and renewal at once.

Everything is written through the services, so the demo is audited like real data:
- the organisation as it stood in January 2024 (units, positions, officials, the first
  assignments and satker heads) through `integrity.services.org`, then `pacts_reconcile` as of
  that date;
- every later change as a decree imported through `integrity.services.decrees.decree_import`, in
  TMT order (each import reconciles pacts; since the decrees are applied in date order, the
  relationships it finds are exactly those of the decree's TMT);
- a realistic share of the pacts recorded as signed outside Pakta through Nadine
  (`pact_record_external_signature`, DOMAIN.md §10.4.3), on dates drawn per pact from a seed
  derived from the parties' NIPs, so the result is the same on every database; recent pacts are
  left pending and some older ones overdue.

- at the end of the story, a few current pacts signed through Pakta itself (signatures issue §6): the
  demo logins' officials and a few of their colleagues are enrolled with the embedded CA (passphrase
  `DEMO_PASSPHRASE`, demo only), some pacts are signed by both parties and sealed (PAdES B-LTA, SIGNED),
  some only by their first party, so `kasi.pd` and `kepala.kppn` have a signature to give and `pegawai`
  and `satker` a pact to sign first; then one more decree (`FINAL_DECREE`) moves a staff member whose
  pact was signed, so one pact signed in Pakta is SUPERSEDED. A new user can sign, verify and download
  a signed pact at once.

`SAMPLE_ROTATION` is NOT applied here: it is `samples/demo_decree_rotation.csv`, which the user
imports to watch renewal (a new Kepala KPPN renews every satker pact; two new section heads renew
their staff's pacts).

Names, NIPs and satker codes are invented. E-mail addresses use the reserved `.example` domain
so that demo reminders can never reach a real mailbox. Satker of Polri and TNI are left out on
purpose: their heads carry an NRP, not an 18-digit NIP (DOMAIN.md §5.1), which `Official` cannot
hold.

Modules: `constants` (passwords, dates), `people`, `organisation` (units, positions, seats, first
assignments, satker), `decrees` (HISTORY, SAMPLE_ROTATION, FINAL_DECREE), `users` (the demo logins),
`external_signatures` (Nadine), `pakta_signing` (the CA, identities, signatures in Pakta), `summary`,
and `build` (`demo_build`, which ties them together in order).
"""

from integrity.demo.build import demo_build
from integrity.demo.constants import BASE_DATE, DEMO_DATE, DEMO_PASSPHRASE, DEMO_PASSWORD, EMAIL_DOMAIN, d
from integrity.demo.decrees import (
    FINAL_DECREE,
    HISTORY,
    SAMPLE_ROTATION,
    SAMPLE_TMT,
    SATKER_HEAD_CHANGES,
    DemoDecree,
    Move,
)
from integrity.demo.organisation import (
    BASE_ASSIGNMENTS,
    HEADS,
    KANWIL,
    KPPN,
    KPPN_SECTIONS,
    SATKER,
    SATKER_TABLE,
    SEATS,
    UNITS,
    seat,
)
from integrity.demo.pakta_signing import PAKTA_SIGNATURES, SIGNERS, PaktaSignature
from integrity.demo.people import PEOPLE, P, Person, S
from integrity.demo.summary import DemoSummary, demo_summary
from integrity.demo.users import DEMO_USERS, DemoUser

__all__ = [
    "BASE_ASSIGNMENTS",
    "BASE_DATE",
    "DEMO_DATE",
    "DEMO_PASSPHRASE",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "EMAIL_DOMAIN",
    "FINAL_DECREE",
    "HEADS",
    "HISTORY",
    "KANWIL",
    "KPPN",
    "KPPN_SECTIONS",
    "PAKTA_SIGNATURES",
    "PEOPLE",
    "SAMPLE_ROTATION",
    "SAMPLE_TMT",
    "SATKER",
    "SATKER_HEAD_CHANGES",
    "SATKER_TABLE",
    "SEATS",
    "SIGNERS",
    "UNITS",
    "DemoDecree",
    "DemoSummary",
    "DemoUser",
    "Move",
    "P",
    "PaktaSignature",
    "Person",
    "S",
    "d",
    "demo_build",
    "demo_summary",
    "seat",
]
