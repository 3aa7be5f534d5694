"""Write services for the working-day calendar: holiday decrees and deadline policies.

Holidays and cuti bersama are fixed each year by an SKB of three ministers, sometimes completed
by a Keppres or amended by a later SKB (DOMAIN.md §5.5, §10.1.1). Until a year's SKB is entered,
deadlines that cross it are provisional (`integrity.workdays`); entering it recomputes them.
"""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError
from audit.services import audit_record
from integrity import workdays
from integrity.models import DeadlinePolicy, Holiday, HolidayDecree, IntegrityPact

logger = logging.getLogger(__name__)

PACT_POLICY = "pact_signing"
NAME_MAX_LENGTH = Holiday._meta.get_field("name").max_length or 200
REFERENCE_MAX_LENGTH = HolidayDecree._meta.get_field("reference").max_length or 200
# A sanity bound against typos (2207 for 2027), not a domain rule.
YEAR_MIN, YEAR_MAX = 2000, 2100

DECREE_REFERENCE_REQUIRED = _("Nomor keputusan wajib diisi.")
DECREE_REFERENCE_TOO_LONG = _("Nomor keputusan terlalu panjang (paling banyak %(max)s karakter).")
DECREE_REFERENCE_TAKEN = _("Keputusan %(reference)s sudah tercatat.")
DECREE_YEAR_INVALID = _("Tahun %(year)s tidak valid (harus antara %(min)s dan %(max)s).")
DECREE_KIND_INVALID = _("Jenis keputusan %(kind)s tidak valid; pilih salah satu dari: %(choices)s.")
DECREE_SIGNED_AFTER_YEAR = _("Tanggal penetapan %(signed_on)s jatuh setelah tahun %(year)s yang diatur.")
DECREE_AMENDS_REQUIRED = _("Perubahan SKB harus menyebut nomor keputusan yang diubah.")
DECREE_AMENDS_ONLY_FOR_AMENDMENT = _("Hanya keputusan berjenis perubahan SKB yang dapat mengubah keputusan lain.")
DECREE_AMENDS_NOT_FOUND = _("Keputusan yang diubah (%(reference)s) tidak ditemukan.")
DECREE_AMENDS_OTHER_YEAR = _("Keputusan yang diubah (%(reference)s) mengatur tahun %(other)s, bukan %(year)s.")
DECREE_NO_HOLIDAYS = _("Keputusan harus memuat sekurang-kurangnya satu hari libur atau cuti bersama.")
HOLIDAY_DATE_INVALID = _("Tanggal hari libur ke-%(position)s tidak valid.")
HOLIDAY_OUTSIDE_YEAR = _("Tanggal %(date)s tidak berada pada tahun %(year)s.")
HOLIDAY_DUPLICATE = _("Tanggal %(date)s tercantum lebih dari sekali.")
HOLIDAY_KIND_INVALID = _(
    "Jenis hari libur %(kind)s pada tanggal %(date)s tidak valid; pilih salah satu dari: %(choices)s."
)
HOLIDAY_NAME_REQUIRED = _("Nama hari libur pada tanggal %(date)s wajib diisi.")
HOLIDAY_NAME_TOO_LONG = _("Nama hari libur pada tanggal %(date)s terlalu panjang (paling banyak %(max)s karakter).")


class HolidayDecreeInvalid(ApplicationError):
    """The decree or one of its holidays is invalid. `extra["index"]` (0-based) names the
    offending holiday where there is one, so an import can point at its row."""


def _refuse(message: Any, *, index: int | None = None, **extra: Any) -> HolidayDecreeInvalid:
    if index is not None:
        extra["index"] = index
    return HolidayDecreeInvalid(message, extra=extra)


def _clean_holidays(year: int, holidays: list[tuple[datetime.date, str, str]]) -> list[tuple[datetime.date, str, str]]:
    if not holidays:
        raise _refuse(DECREE_NO_HOLIDAYS)
    kinds = Holiday.Kind.values
    seen: set[datetime.date] = set()
    cleaned: list[tuple[datetime.date, str, str]] = []
    for index, (day, kind, name) in enumerate(holidays):
        if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
            raise _refuse(HOLIDAY_DATE_INVALID % {"position": index + 1}, index=index)
        iso = day.isoformat()
        if day.year != year:
            raise _refuse(HOLIDAY_OUTSIDE_YEAR % {"date": iso, "year": year}, index=index, date=iso)
        if day in seen:
            raise _refuse(HOLIDAY_DUPLICATE % {"date": iso}, index=index, date=iso)
        if kind not in kinds:
            raise _refuse(
                HOLIDAY_KIND_INVALID % {"kind": kind, "date": iso, "choices": ", ".join(kinds)}, index=index, date=iso
            )
        name = (name or "").strip()
        if not name:
            raise _refuse(HOLIDAY_NAME_REQUIRED % {"date": iso}, index=index, date=iso)
        if len(name) > NAME_MAX_LENGTH:
            raise _refuse(HOLIDAY_NAME_TOO_LONG % {"date": iso, "max": NAME_MAX_LENGTH}, index=index, date=iso)
        seen.add(day)
        cleaned.append((day, kind, name))
    return sorted(cleaned)


def _check_decree(*, reference: str, year: int, kind: str, signed_on: datetime.date | None, amends: str | None) -> None:
    if not reference:
        raise _refuse(DECREE_REFERENCE_REQUIRED)
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise _refuse(DECREE_REFERENCE_TOO_LONG % {"max": REFERENCE_MAX_LENGTH})
    if not isinstance(year, int) or isinstance(year, bool) or not YEAR_MIN <= year <= YEAR_MAX:
        raise _refuse(DECREE_YEAR_INVALID % {"year": year, "min": YEAR_MIN, "max": YEAR_MAX})
    kinds = HolidayDecree.Kind.values
    if kind not in kinds:
        raise _refuse(DECREE_KIND_INVALID % {"kind": kind, "choices": ", ".join(kinds)})
    if signed_on is not None and signed_on.year > year:
        raise _refuse(DECREE_SIGNED_AFTER_YEAR % {"signed_on": signed_on.isoformat(), "year": year})
    if kind == HolidayDecree.Kind.AMENDMENT and not amends:
        raise _refuse(DECREE_AMENDS_REQUIRED)
    if amends and kind != HolidayDecree.Kind.AMENDMENT:
        raise _refuse(DECREE_AMENDS_ONLY_FOR_AMENDMENT)


def holiday_decree_record(
    *,
    reference: str,
    year: int,
    kind: str,
    signed_on: datetime.date | None,
    holidays: list[tuple[datetime.date, str, str]],
    amends: str | None = None,
    actor: Any,
) -> HolidayDecree:
    """Record a holiday decree (SKB, Keppres or amending SKB) with its holidays, `(date, kind,
    name)` with kind `national` or `cuti_bersama` (DOMAIN.md §10.1.1).

    Every date must fall in `year` and appear once; an amendment names the decree of the same
    year it amends (`amends`, its reference). Bad input raises `HolidayDecreeInvalid` and writes
    nothing. After commit, the provisional due dates of pending pacts whose count crosses `year`
    are recomputed (`pact_due_dates_recompute`).
    """
    reference = (reference or "").strip()
    amends = (amends or "").strip() or None
    _check_decree(reference=reference, year=year, kind=kind, signed_on=signed_on, amends=amends)
    cleaned = _clean_holidays(year, holidays)
    if HolidayDecree.objects.filter(reference=reference).exists():
        raise _refuse(DECREE_REFERENCE_TAKEN % {"reference": reference})
    with transaction.atomic():
        amended: HolidayDecree | None = None
        if amends:
            amended = HolidayDecree.objects.select_for_update().filter(reference=amends).first()
            if amended is None:
                raise _refuse(DECREE_AMENDS_NOT_FOUND % {"reference": amends})
            if amended.year != year:
                raise _refuse(DECREE_AMENDS_OTHER_YEAR % {"reference": amends, "other": amended.year, "year": year})
        try:
            with transaction.atomic():  # a concurrent insert of the same reference lands here
                decree = HolidayDecree.objects.create(
                    reference=reference, year=year, kind=kind, signed_on=signed_on, supersedes=amended
                )
        except IntegrityError:
            raise _refuse(DECREE_REFERENCE_TAKEN % {"reference": reference}) from None
        Holiday.objects.bulk_create(
            [Holiday(date=day, kind=hkind, name=name, decree=decree) for day, hkind, name in cleaned]
        )
        workdays.clear_cache()  # bulk_create sends no signals
        audit_record(
            action="integrity.holiday_decree.recorded",
            actor=actor,
            subject=decree,
            payload={
                "reference": reference,
                "year": year,
                "kind": kind,
                "signed_on": signed_on,
                "amends": amends,
                "holidays": [{"date": day, "kind": hkind, "name": name} for day, hkind, name in cleaned],
            },
        )

        def after_commit() -> None:
            workdays.clear_cache()
            pact_due_dates_recompute(year=year, actor=actor, reason=reference)

        # robust: the decree is committed whatever happens here; a failure is logged and the
        # recomputation can be run again (it is idempotent).
        transaction.on_commit(after_commit, robust=True)
    return decree


def pact_due_dates_recompute(*, year: int, actor: Any, reason: str = "") -> list[IntegrityPact]:
    """Recompute the provisional due dates of pending pacts whose working-day count crosses
    `year`: due = effective date + `PAKTA_PACT_DUE_WORKING_DAYS` working days under the
    `pact_signing` policy (DOMAIN.md §10.1.1: provisional until the decree is entered).

    Idempotent: a pact whose due date and provisional flag do not change is left alone. Each
    change is audited as `integrity.pact.due_date_recomputed`. Returns the changed pacts."""
    working_days = settings.PAKTA_PACT_DUE_WORKING_DAYS
    changed: list[IntegrityPact] = []
    with transaction.atomic():
        pacts = IntegrityPact.objects.select_for_update().filter(
            status=IntegrityPact.Status.PENDING,
            due_date_provisional=True,
            # the count runs over (effective_date, due_date]
            effective_date__lt=datetime.date(year, 12, 31),
            due_date__gte=datetime.date(year, 1, 1),
        )
        for pact in pacts.order_by("pk"):
            result = workdays.add_working_days(pact.effective_date, working_days, policy=PACT_POLICY)
            if (result.date, result.provisional) == (pact.due_date, pact.due_date_provisional):
                continue
            old_due, old_provisional = pact.due_date, pact.due_date_provisional
            pact.due_date, pact.due_date_provisional = result.date, result.provisional
            pact.save(update_fields=["due_date", "due_date_provisional"])
            audit_record(
                action="integrity.pact.due_date_recomputed",
                actor=actor,
                subject=pact,
                payload={
                    "number": pact.number,
                    "effective_date": pact.effective_date,
                    "working_days": working_days,
                    "policy": PACT_POLICY,
                    "old_due_date": old_due,
                    "old_provisional": old_provisional,
                    "new_due_date": result.date,
                    "new_provisional": result.provisional,
                    "year": year,
                    "reason": reason,
                },
            )
            changed.append(pact)
    if changed:
        logger.info("recomputed %d provisional pact due dates for %s", len(changed), year)
    return changed


def deadline_policy_update(*, code: str, cuti_bersama_is_working_day: bool, actor: Any) -> DeadlinePolicy:
    """Set whether cuti bersama counts as a working day for one deadline type (DOMAIN.md §5.5:
    unverified, so configurable per type). Deadlines already stored are not moved. Raises
    `workdays.UnknownDeadlinePolicy` for an unknown code; an unchanged value writes nothing."""
    with transaction.atomic():
        policy = DeadlinePolicy.objects.select_for_update().filter(code=code).first()
        if policy is None:
            raise workdays.UnknownDeadlinePolicy(workdays.UNKNOWN_POLICY % {"code": code}, extra={"code": code})
        old = policy.cuti_bersama_is_working_day
        if old == cuti_bersama_is_working_day:
            return policy
        policy.cuti_bersama_is_working_day = cuti_bersama_is_working_day
        policy.save(update_fields=["cuti_bersama_is_working_day"])
        audit_record(
            action="integrity.deadline_policy.updated",
            actor=actor,
            subject=policy,
            payload={"code": code, "old": old, "new": cuti_bersama_is_working_day},
        )
        transaction.on_commit(workdays.clear_cache)
    return policy
