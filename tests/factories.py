"""Small builders for tests: they go through the services, so every fixture is audited like
real data. NIPs are valid by construction (DOMAIN.md §5.1)."""

import datetime
import itertools

from integrity.models import Official, Position, SpendingUnit, Unit
from integrity.services import org

_seq = itertools.count(1)


def make_nip(
    *,
    birth: datetime.date = datetime.date(1985, 3, 14),
    tmt: tuple[int, int] = (2010, 1),
    gender: int = 1,
    seq: int | None = None,
) -> str:
    number = seq if seq is not None else next(_seq) % 999 + 1
    return f"{birth:%Y%m%d}{tmt[0]:04d}{tmt[1]:02d}{gender}{number:03d}"


_nip_birth = itertools.count(0)


def unique_nip() -> str:
    """A valid NIP that no other call in this process returns."""
    n = next(_nip_birth)
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=n % 9000)
    return make_nip(birth=birth, seq=n // 9000 + 1)


def make_official(name: str = "Pegawai", *, nip: str | None = None, rank: str = "III/a") -> Official:
    return org.official_create(nip=nip or unique_nip(), name=name, rank_code=rank)


def make_office() -> dict[str, Unit]:
    ministry = org.unit_create(code="KEMENKEU", name="Kementerian Keuangan Republik Indonesia", kind="ministry")
    dg = org.unit_create(code="DJPB", name="Direktorat Jenderal Perbendaharaan", kind="dg", parent=ministry)
    kanwil = org.unit_create(
        code="KANWIL-ACEH",
        name="Kantor Wilayah Direktorat Jenderal Perbendaharaan Provinsi Aceh",
        kind="kanwil",
        parent=dg,
        city="Banda Aceh",
    )
    kppn = org.unit_create(
        code="KPPN-BNA",
        name="Kantor Pelayanan Perbendaharaan Negara Banda Aceh",
        kind="kppn",
        parent=kanwil,
        city="Banda Aceh",
        address="Gedung A Lt. 1 Komplek GKN Banda Aceh",
    )
    section = org.unit_create(code="KPPN-BNA-PD", name="Seksi Pencairan Dana", kind="section", parent=kppn)
    return {"ministry": ministry, "dg": dg, "kanwil": kanwil, "kppn": kppn, "section": section}


def make_position(code: str, unit: Unit, *, reports_to: Position | None = None, head: bool = False) -> Position:
    return org.position_create(
        code=code,
        title=code.replace("-", " ").title(),
        unit=unit,
        reports_to=reports_to,
        is_unit_head=head,
        kind="structural" if head else "staff",
    )


def make_satker(code: str, kppn: Unit) -> SpendingUnit:
    return org.spending_unit_create(code=code, name=f"Satker {code}", ministry_code="015", serving_unit=kppn)
