"""Pacts signed outside Pakta through Nadine (`pact_record_external_signature`, DOMAIN.md §10.4.3): which
pacts and on which day, from a per-pact seed, recorded as the story reaches that day."""

import datetime
import hashlib
import random
from typing import Any

from integrity.demo.constants import d
from integrity.demo.pakta_signing import PAKTA_SIGNATURES
from integrity.demo.people import PEOPLE
from integrity.models import IntegrityPact
from integrity.services.pacts import pact_record_external_signature

# Officials whose newest pacts stay unsigned, so that their logins have something to sign.
_KEEP_PENDING = ("agung", "s_kemenag_kota_2")


class _Signatures:
    """Decides, per pact, whether and when it was signed through Nadine, and records it when the
    story reaches that day (before the next decree, which may supersede it)."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.planned: dict[int, datetime.date] = {}
        self.keep_pending = {PEOPLE[key].nip for key in _KEEP_PENDING}
        # Left for Pakta itself to sign at the end (PAKTA_SIGNATURES).
        self.in_pakta = {frozenset({PEOPLE[s.first].nip, PEOPLE[s.second].nip}) for s in PAKTA_SIGNATURES}

    @staticmethod
    def _share(effective: datetime.date) -> float:
        if effective < d("2026-07-01"):
            return 0.96
        return 0.5 if effective < d("2026-11-01") else 0.6

    def plan(self, pact_ids: list[int] | tuple[int, ...]) -> None:
        pacts = IntegrityPact.objects.filter(pk__in=pact_ids).prefetch_related("parties__official", "spending_unit")
        for pact in pacts:
            nips = sorted(party.official.nip for party in pact.parties.all())
            if pact.effective_date >= d("2026-11-01") and self.keep_pending.intersection(nips):
                continue
            if frozenset(nips) in self.in_pakta:
                continue
            # A per-pact seed from stable facts (not database ids), so every database agrees.
            satker = pact.spending_unit.code if pact.spending_unit else ""
            seed = f"{pact.kind}|{pact.effective_date}|{'|'.join(nips)}|{satker}"
            rng = random.Random(hashlib.sha256(seed.encode()).hexdigest())  # noqa: S311 - demo data, not security
            if rng.random() >= self._share(pact.effective_date):
                continue
            day = pact.effective_date + datetime.timedelta(days=rng.randint(1, 15))
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            self.planned[pact.pk] = day

    def record_until(self, day: datetime.date) -> None:
        """Record every planned signature dated before `day`."""
        due = sorted((signed_on, pk) for pk, signed_on in self.planned.items() if signed_on < day)
        for signed_on, pk in due:
            del self.planned[pk]
            pact = IntegrityPact.objects.get(pk=pk)
            if pact.status != IntegrityPact.Status.PENDING:
                continue
            # A Nadine-style document reference (DOMAIN.md §10.4.3: "TTE Eksternal").
            serial = int(hashlib.sha256(pact.number.encode()).hexdigest()[:8], 16) % 10**7
            reference = f"NADINE/TTE-EKS/{signed_on:%Y}/{serial:07d}"
            pact_record_external_signature(pact=pact, reference=reference, signed_on=signed_on, actor=self.actor)
