"""NIP (PNS/CPNS) and NI PPPK validation (DOMAIN.md §5.1, Perka BKN 22/2007).

NIP, 18 digits: birth date YYYYMMDD | TMT CPNS YYYYMM | gender 1/2 | sequence 001-999.
NI PPPK, 18 digits: birth date YYYYMMDD | year of first PPPK appointment YYYY | number of work
agreements (2) | gender 1/2 | sequence 001-999. There is no check digit in either.
"""

import datetime
import re

from django.utils.translation import gettext as _

from audit.errors import ApplicationError

_SEPARATORS = re.compile(r"[\s.\-]")


class InvalidNip(ApplicationError):
    pass


def normalize_nip(raw: str) -> str:
    """Strip the display separators (`19860926 201505 1 001`, `19860926.201505.1.001`)."""
    return _SEPARATORS.sub("", (raw or "").strip())


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def validate_nip(raw: str, *, employee_type: str = "pns") -> str:
    """Return the 18-digit NIP or raise `InvalidNip` with a message saying what is wrong.

    `employee_type` is "pns"/"cpns" (the PNS rule) or "pppk" (the NI PPPK rule, without the
    month check on digits 13-14, which count work agreements there)."""
    nip = normalize_nip(raw)
    if not nip.isdigit() or len(nip) != 18:
        raise InvalidNip(
            _("NIP harus 18 digit angka (diterima %(n)d karakter: %(raw)s).") % {"n": len(nip), "raw": raw}
        )
    birth = _date(nip[:8])
    if birth is None:
        raise InvalidNip(_("NIP %(nip)s: digit 1–8 bukan tanggal lahir yang valid.") % {"nip": nip})
    if birth.year < 1900 or birth > datetime.date.today():
        raise InvalidNip(_("NIP %(nip)s: tanggal lahir %(d)s tidak mungkin.") % {"nip": nip, "d": birth.isoformat()})
    if employee_type == "pppk":
        year = int(nip[8:12])
        gender = nip[14]
        if year < birth.year + 15 or year > datetime.date.today().year + 1:
            raise InvalidNip(_("NI PPPK %(nip)s: tahun pengangkatan %(y)d tidak mungkin.") % {"nip": nip, "y": year})
    else:
        year, month = int(nip[8:12]), int(nip[12:14])
        if not 1 <= month <= 12:
            raise InvalidNip(_("NIP %(nip)s: bulan TMT CPNS (digit 13–14) harus 01–12.") % {"nip": nip})
        tmt = datetime.date(year, month, 1)
        if tmt <= birth or year < birth.year + 15 or year > datetime.date.today().year + 1:
            raise InvalidNip(
                _("NIP %(nip)s: TMT CPNS %(y)04d-%(m)02d tidak mungkin.") % {"nip": nip, "y": year, "m": month}
            )
        gender = nip[14]
    if gender not in "12":
        raise InvalidNip(
            _("NIP %(nip)s: digit jenis kelamin (ke-15) harus 1 atau 2, bukan %(g)s.") % {"nip": nip, "g": gender}
        )
    if nip[15:] == "000":
        raise InvalidNip(_("NIP %(nip)s: nomor urut (digit 16–18) harus 001–999.") % {"nip": nip})
    return nip


def first_appointment(nip: str, employee_type: str = "pns") -> datetime.date:
    """The earliest date the person can hold a position: TMT CPNS (PNS) or 1 January of the
    first PPPK appointment year."""
    if employee_type == "pppk":
        return datetime.date(int(nip[8:12]), 1, 1)
    return datetime.date(int(nip[8:12]), int(nip[12:14]), 1)


def gender_from_nip(nip: str) -> str:
    return "L" if nip[14] == "1" else "P"
