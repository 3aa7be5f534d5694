"""Pacts signed through Pakta itself at the end of the story (signatures issue §6): the embedded CA, the
signers' accounts and identities (under `DEMO_PASSPHRASE`), and `PAKTA_SIGNATURES` signed with `pact_sign`."""

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from integrity.demo.constants import DEMO_PASSPHRASE
from integrity.demo.people import PEOPLE
from integrity.demo.users import DEMO_USERS
from integrity.models import IntegrityPact, Official
from integrity.services.access import official_link_account
from integrity.services.officials import official_certificate_subject, official_identity_enrol
from integrity.services.signing import pact_sign
from signatures import ca, keystore

logger = logging.getLogger(__name__)

# Colleagues of the demo logins who sign in Pakta too. Their accounts have no password (nobody signs in
# as them); their identities are opened with DEMO_PASSPHRASE, like the logins'.
SIGNERS = ("ikhsan", "nanda", "rizky", "fauzan", "kasi_mski")


@dataclass(frozen=True)
class PaktaSignature:
    """A pact signed through Pakta at the end of the story: its first party (the declarant), its second
    party, and whether both sign (then the pact is sealed, B-LTA, SIGNED) or only the first."""

    first: str
    second: str
    both: bool


PAKTA_SIGNATURES: tuple[PaktaSignature, ...] = (
    PaktaSignature("kasi_pd", "kepala", both=True),  # kasi.pd -> kepala.kppn
    PaktaSignature("ikhsan", "kasi_pd", both=True),
    PaktaSignature("nanda", "kasi_pd", both=True),
    PaktaSignature("fauzan", "kasi_pd", both=True),  # superseded afterwards by FINAL_DECREE
    PaktaSignature("rizky", "kasi_pd", both=False),  # kasi.pd signs next
    PaktaSignature("kasi_mski", "kepala", both=False),  # kepala.kppn signs next
)


def _ensure_ca() -> None:
    """`make run` sets up the embedded CA (`ca_init`) before seeding; a bare `seed_demo` does it here."""
    if ca.ca_exists():
        return
    if not keystore.ca_key_file_exists():
        path = keystore.ca_key_file_create()
        logger.warning("CA key file created at %s (mode 0600): back it up, the CA's keys need it", path)
    ca.ca_initialize(organisation=settings.PAKTA_INSTITUTION_NAME)


def _signing_accounts(users: dict[str, Any], actor: Any) -> dict[str, Any]:
    """person key -> account, for everyone who signs in Pakta in the demo: the demo logins' officials and
    SIGNERS (accounts without a password, named like their e-mail)."""
    accounts = {spec.person: users[spec.username] for spec in DEMO_USERS if spec.person is not None}
    for key in SIGNERS:
        person = PEOPLE[key]
        official = Official.objects.get(nip=person.nip)
        username = person.email.split("@")[0]
        accounts[key] = official_link_account(official=official, username=username, password=None, actor=actor)
    return accounts


def _enrol(accounts: dict[str, Any]) -> None:
    """A signing identity from the embedded CA for every account, its key under DEMO_PASSPHRASE."""
    for key, user in accounts.items():
        subject = official_certificate_subject(Official.objects.get(nip=PEOPLE[key].nip))
        official_identity_enrol(user=user, passphrase=DEMO_PASSPHRASE, subject=subject, actor=user)


def _sign_in_pakta(accounts: dict[str, Any]) -> None:
    """Sign PAKTA_SIGNATURES through `pact_sign`, as a party would: certified by the KPPN's seal, signed in
    order, and sealed for the long term (B-LTA) after the last party."""
    for spec in PAKTA_SIGNATURES:
        first = Official.objects.get(nip=PEOPLE[spec.first].nip)
        second = Official.objects.get(nip=PEOPLE[spec.second].nip)
        pact = (
            IntegrityPact.objects.filter(status=IntegrityPact.Status.PENDING, parties__official=first, parties__order=1)
            .filter(parties__official=second)
            .get()
        )
        for key in (spec.first, spec.second) if spec.both else (spec.first,):
            pact_sign(pact=pact, user=accounts[key], passphrase=DEMO_PASSPHRASE)
