"""Working days (*hari kerja*) over the holiday table (DOMAIN.md §5.5, §10.1).

Rules:
- Saturday and Sunday are never working days (5-day week of MoF offices, DOMAIN.md §5.5).
- National holidays (*libur nasional*) are never working days.
- Cuti bersama is a working day or not depending on the deadline type: one `DeadlinePolicy` row
  per type, because whether KPK/UPG deadlines skip cuti bersama is unverified (DOMAIN.md §5.5).
- A year whose SKB is not on file yet (2027 at the time of writing) is counted with weekends and
  the fixed-date holidays only (1 Jan, 1 May, 1 Jun, 17 Aug, 25 Dec) and every result that
  looked at a day of that year is marked provisional; `integrity.services.calendar` recomputes
  provisional pact deadlines once an administrator enters the decree (DOMAIN.md §10.1.1).
- Dates are calendar dates in Asia/Jakarta (`today_jakarta`), never UTC dates.

The table is loaded once per process and kept for `CACHE_SECONDS`: a reconcile calls these
functions thousands of times, so they never query per call. Writes through the ORM (the services,
the admin) clear the cache at once in this process; other processes pick the change up within
`CACHE_SECONDS`.
"""

import datetime
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.errors import ApplicationError
from integrity.models import DeadlinePolicy, Holiday, HolidayDecree

JAKARTA = ZoneInfo("Asia/Jakarta")
ONE_DAY = datetime.timedelta(days=1)
# Fixed by date every year (Keppres 8/2024 tentang Hari-Hari Libur, DOMAIN.md §10.1.2 "2027"):
# the only holidays that can be known before a year's SKB is issued.
FIXED_DATE_HOLIDAYS: frozenset[tuple[int, int]] = frozenset({(1, 1), (5, 1), (6, 1), (8, 17), (12, 25)})
# How long a process trusts its copy of the table before reloading it (seconds).
CACHE_SECONDS = 60.0

UNKNOWN_POLICY = _("Jenis tenggat %(code)s tidak dikenal.")


class UnknownDeadlinePolicy(ApplicationError):
    """The deadline type has no `DeadlinePolicy` row."""


@dataclass(frozen=True, slots=True)
class WorkdayResult:
    """A computed deadline. `provisional` is true when the count crossed a year whose holiday
    decree is not on file yet, so the date may move once it is entered."""

    date: datetime.date
    provisional: bool


@dataclass(frozen=True, slots=True)
class _Table:
    decree_years: frozenset[int]
    national: frozenset[datetime.date]
    cuti_bersama: frozenset[datetime.date]
    policies: Mapping[str, bool]
    loaded_at: float


_table_cache: _Table | None = None


def clear_cache(**_: Any) -> None:
    """Forget the cached table; the next call reloads it. Also a signal receiver."""
    global _table_cache
    _table_cache = None


for _model in (Holiday, HolidayDecree, DeadlinePolicy):
    post_save.connect(clear_cache, sender=_model, dispatch_uid=f"workdays-clear-save-{_model.__name__}")
    post_delete.connect(clear_cache, sender=_model, dispatch_uid=f"workdays-clear-delete-{_model.__name__}")


def _load() -> _Table:
    national: set[datetime.date] = set()
    cuti_bersama: set[datetime.date] = set()
    for day, kind in Holiday.objects.values_list("date", "kind"):
        (national if kind == Holiday.Kind.NATIONAL else cuti_bersama).add(day)
    # A year is known once its SKB is on file. A Keppres alone (e.g. an election day decreed
    # before the SKB) or nothing at all leaves the year provisional: the SKB is what fixes the
    # lunar holidays and all cuti bersama (DOMAIN.md §10.1.1).
    years = HolidayDecree.objects.filter(kind=HolidayDecree.Kind.SKB).values_list("year", flat=True)
    return _Table(
        decree_years=frozenset(years),
        national=frozenset(national),
        # A day that is a national holiday under any decree is a national holiday.
        cuti_bersama=frozenset(cuti_bersama - national),
        policies=dict(DeadlinePolicy.objects.values_list("code", "cuti_bersama_is_working_day")),
        loaded_at=time.monotonic(),
    )


def _table() -> _Table:
    global _table_cache
    table = _table_cache
    if table is None or time.monotonic() - table.loaded_at > CACHE_SECONDS:
        table = _table_cache = _load()
    return table


def _cuti_bersama_works(table: _Table, policy: str) -> tuple[_Table, bool]:
    try:
        return table, table.policies[policy]
    except KeyError:
        pass
    # Perhaps created by another process since we loaded: look once more before refusing.
    clear_cache()
    table = _table()
    if policy not in table.policies:
        raise UnknownDeadlinePolicy(UNKNOWN_POLICY % {"code": policy}, extra={"code": policy})
    return table, table.policies[policy]


def _check_date(value: datetime.date) -> None:
    # A datetime is a date subclass; accepting one would silently use its (possibly UTC) date.
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(f"expected a datetime.date, got {type(value).__name__}; use today_jakarta() for today")


def _is_working(table: _Table, day: datetime.date, cuti_bersama_works: bool) -> bool:
    if day.weekday() >= 5 or (day.month, day.day) in FIXED_DATE_HOLIDAYS or day in table.national:
        return False
    return cuti_bersama_works or day not in table.cuti_bersama


def today_jakarta() -> datetime.date:
    """Today's date in Asia/Jakarta (WIB), whatever the server's time zone."""
    return timezone.now().astimezone(JAKARTA).date()


def year_has_decree(year: int) -> bool:
    """Whether the SKB for `year` is on file (otherwise deadlines crossing it are provisional)."""
    return year in _table().decree_years


def is_working_day(day: datetime.date, *, policy: str) -> bool:
    """Whether `day` is a working day for deadlines of type `policy` (a `DeadlinePolicy.code`).

    Raises `UnknownDeadlinePolicy` for a code without a policy row."""
    _check_date(day)
    table, cuti_bersama_works = _cuti_bersama_works(_table(), policy)
    return _is_working(table, day, cuti_bersama_works)


def add_working_days(start: datetime.date, n: int, *, policy: str) -> WorkdayResult:
    """The `n`-th working day after `start` (counting starts the day after `start`; `n == 0`
    gives `start` itself). Provisional when a counted day lies in a year with no SKB on file.

    Example (DOMAIN.md §2.3): 17 Mar 2026 + 10 = 8 Apr 2026 when cuti bersama is a day off,
    1 Apr 2026 when it is a working day. Raises `UnknownDeadlinePolicy` and `ValueError` (n < 0)."""
    _check_date(start)
    if n < 0:
        raise ValueError("n must be >= 0")
    table, cuti_bersama_works = _cuti_bersama_works(_table(), policy)
    day, left, provisional = start, n, False
    while left:
        day += ONE_DAY
        if day.year not in table.decree_years:
            provisional = True
        if _is_working(table, day, cuti_bersama_works):
            left -= 1
    return WorkdayResult(date=day, provisional=provisional)


def count_working_days(start: datetime.date, end: datetime.date, *, policy: str) -> int:
    """Working days in (start, end]: 0 when `end <= start`. The inverse of `add_working_days`:
    `count_working_days(s, add_working_days(s, n).date) == n`. Raises `UnknownDeadlinePolicy`."""
    _check_date(start)
    _check_date(end)
    table, cuti_bersama_works = _cuti_bersama_works(_table(), policy)
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if _is_working(table, day, cuti_bersama_works):
            count += 1
    return count
