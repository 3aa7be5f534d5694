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
"""

import csv
import datetime
import hashlib
import io
import logging
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from integrity import workdays
from integrity.decree_files import COLUMNS, parse_decree_file
from integrity.models import Decree, IntegrityPact, Official, PactRevision, Position, RoleGrant, SpendingUnit, Unit
from integrity.services import org
from integrity.services.access import account_create, official_link_account, role_grant
from integrity.services.decrees import decree_import
from integrity.services.officials import official_certificate_subject, official_identity_enrol
from integrity.services.pacts import pact_record_external_signature, pacts_reconcile
from integrity.services.signing import pact_sign
from signatures import ca, keystore

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "pakta-demo-2026"  # noqa: S105 - demo only; printed by `manage.py demo_logins`
# The signing passphrase of every demo identity. Demo only: a real passphrase is chosen by the official,
# differs from the password, and nobody else knows it (PP 71/2019 Pasal 59(3) b).
DEMO_PASSPHRASE = DEMO_PASSWORD
# The demo's "now": the last day on which external signatures are recorded. The story of the
# data (and the TMT of the sample decree, 23 Nov 2026) is told up to this date.
DEMO_DATE = datetime.date(2026, 11, 27)
BASE_DATE = datetime.date(2024, 1, 15)  # the organisation as first registered in Pakta
EMAIL_DOMAIN = "kemenkeu.example"


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


# --- people -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """An official. The NIP is built from its parts (DOMAIN.md §5.1): birth date, TMT CPNS month,
    gender (1 male, 2 female) and sequence."""

    name: str
    prefix: str
    suffix: str
    rank: str
    gender: int
    birth: str  # YYYY-MM-DD
    cpns: str  # YYYY-MM
    seq: int = 1
    djpb: bool = True  # DJPb staff get a (reserved-domain) office e-mail

    @property
    def nip(self) -> str:
        return f"{self.birth.replace('-', '')}{self.cpns.replace('-', '')}{self.gender}{self.seq:03d}"

    @property
    def email(self) -> str:
        if not self.djpb:
            return ""
        slug = re.sub(r"[^a-z]+", ".", self.name.lower()).strip(".")
        return f"{slug}@{EMAIL_DOMAIN}"


def P(name: str, prefix: str, suffix: str, rank: str, gender: int, birth: str, cpns: str, **kw: Any) -> Person:
    return Person(name, prefix, suffix, rank, gender, birth, cpns, **kw)


def S(name: str, prefix: str, suffix: str, rank: str, gender: int, birth: str, cpns: str) -> Person:
    """A satker head: an official of another ministry, without a DJPb e-mail."""
    return Person(name, prefix, suffix, rank, gender, birth, cpns, djpb=False)


PEOPLE: dict[str, Person] = {
    # Kanwil DJPb Provinsi Aceh
    "kakanwil": P("Teuku Fadhlullah", "Dr.", "S.E., M.Si.", "IV/c", 1, "1970-05-17", "1993-03"),
    "kabid_skki": P("Rina Marlina", "", "S.E., M.Ak.", "IV/a", 2, "1976-09-02", "1998-03"),
    "kasi_supervisi": P("Dedi Kurniawan", "", "S.ST., M.M.", "III/d", 1, "1982-02-11", "2003-10"),
    "kasi_ki": P("Nurhasanah", "", "S.E., M.Ak.", "III/d", 2, "1981-03-23", "2003-10"),
    "kabid_ppa1": P("Muhammad Yusuf", "", "S.E., M.M.", "IV/b", 1, "1968-08-20", "1990-03"),
    # KPPN Banda Aceh: heads, earlier and current
    "kepala_2024": P("Ahmad Zulfikar", "", "S.E., M.Si.", "IV/a", 1, "1973-11-21", "1995-03"),
    "kepala": P("Hendra Gunawan", "", "S.E., M.Ak.", "IV/a", 1, "1977-06-14", "1998-03"),
    "kasubbag_2024": P("Zainal Abidin", "", "S.Sos.", "III/d", 1, "1966-12-03", "1988-03"),
    "kasubbag": P("Cut Yuliana", "", "S.E.", "III/d", 2, "1981-07-30", "2002-03"),
    "kasi_pd_2024": P("Agus Setiawan", "", "S.ST., M.Ak.", "III/d", 1, "1980-10-07", "2001-10"),
    "kasi_pd": P("Rahmi Fitriani", "", "S.ST., M.Ak.", "III/d", 2, "1984-04-19", "2005-10"),
    "kasi_bank": P("Irwansyah", "", "S.E.", "III/d", 1, "1979-12-12", "2000-10"),
    "kasi_vera": P("Muhammad Rizal", "", "S.E., M.Si.", "III/d", 1, "1978-02-26", "1999-11"),
    "kasi_mski_2024": P("Syahrul Ramadhan", "", "S.ST.", "III/c", 1, "1983-11-15", "2004-10"),
    "kasi_mski": P("Khairul Fahmi", "", "S.E., M.E.", "III/d", 1, "1982-06-01", "2005-03"),
    # KPPN Banda Aceh: pelaksana and fungsional
    "yusnidar": P("Yusnidar", "", "A.Md.", "II/d", 2, "1988-03-14", "2010-01"),
    "siti": P("Siti Rahmah", "", "S.E.", "III/b", 2, "1990-10-01", "2014-01"),
    "marzuki": P("Marzuki", "", "", "II/b", 1, "1980-07-22", "2006-01"),
    "fadhli": P("Fadhli Rahman", "", "S.Kom.", "III/b", 1, "1993-02-17", "2019-02"),
    "dewi": P("Dewi Anggraini", "", "A.Md.", "II/c", 2, "1996-06-09", "2018-10"),
    "ikhsan": P("Ikhsan Maulana", "", "A.Md.", "III/a", 1, "1991-05-03", "2013-10"),
    "nanda": P("Nanda Safitri", "", "A.Md.", "II/d", 2, "1995-09-21", "2017-10"),
    "rizky": P("Rizky Maulana", "", "S.Tr.Ak.", "III/b", 1, "1996-12-30", "2019-10"),
    "ayu": P("Ayu Lestari", "", "A.Md.", "II/c", 2, "1998-04-11", "2020-10"),
    "husaini": P("Husaini", "", "S.E.", "III/a", 1, "1987-01-19", "2011-01"),
    "zulkifli": P("Zulkifli", "", "A.Md.", "III/a", 1, "1989-11-02", "2011-10"),
    "rahmawati": P("Rahmawati", "", "S.E.", "III/a", 2, "1992-02-14", "2015-10"),
    "aulia": P("Teuku Aulia Rahman", "", "A.Md.", "II/d", 1, "1994-07-07", "2016-10"),
    "mawaddah": P("Mawaddah", "", "A.Md.", "II/c", 2, "1997-03-25", "2019-10"),
    "agung": P("Agung Pratama", "", "A.Md.", "II/c", 1, "1999-08-08", "2021-10"),
    "ridwan": P("Ridwan Saputra", "", "S.Tr.Ak.", "III/b", 1, "1995-10-10", "2018-10"),
    "ernawati": P("Ernawati", "", "S.E.", "III/c", 2, "1984-12-05", "2007-01"),
    "mukhlis": P("Mukhlis", "", "A.Md.", "II/d", 1, "1990-06-16", "2012-10"),
    "putri": P("Putri Handayani", "", "A.Md.Ak.", "II/c", 2, "1999-01-28", "2021-10"),
    "fajar": P("Fajar Nugroho", "", "S.E.", "III/a", 1, "1991-04-04", "2014-10"),
    "nurul": P("Nurul Hidayah", "", "A.Md.", "II/d", 2, "1993-09-12", "2015-10"),
    "bambang": P("Bambang Supriyadi", "", "S.E., M.Ak.", "III/d", 1, "1983-05-29", "2006-01"),
    "cut_rahmi": P("Cut Rahmi Aulia", "", "S.Tr.Ak.", "III/a", 2, "1998-11-11", "2021-10"),
    "safrizal": P("Safrizal", "", "A.Md.", "II/d", 1, "1992-08-24", "2014-10"),
    "andi": P("Andi Pratama", "", "A.Md.", "II/d", 1, "1993-01-06", "2015-10"),
    # joined later through decrees (registered by the importer)
    "salsabila": P("Salsabila Putri", "", "S.Tr.Ak.", "III/a", 2, "2001-05-17", "2024-06"),
    "fauzan": P("Muhammad Fauzan", "", "S.Tr.Ak.", "III/a", 1, "2000-12-01", "2024-06"),
    "aditya": P("Aditya Rahman", "", "A.Md.", "II/d", 1, "1996-02-20", "2018-10"),
    "maulidia": P("Maulidia Rahma", "", "S.Tr.Ak.", "III/a", 2, "1999-07-15", "2022-10"),
    # arrive with the sample decree (samples/demo_decree_rotation.csv)
    "kepala_baru": P("Teuku Reza Mahendra", "", "S.E., M.Sc.", "IV/a", 1, "1979-01-25", "2000-03"),
    "kasi_bank_baru": P("Dian Puspitasari", "", "S.ST.", "III/d", 2, "1985-05-05", "2006-10"),
    "kasi_vera_baru": P("Nurlaila Hanum", "", "S.E., Ak., M.Ak.", "III/d", 2, "1986-08-08", "2008-10"),
    # satker heads: the first heads on record ...
    "s_djp": S("Ahmad Djamaluddin", "Dr.", "S.E., M.Sc.", "IV/c", 1, "1971-04-12", "1993-03"),
    "s_kpp": S("Yusrizal", "", "S.E., M.M.", "IV/a", 1, "1975-08-30", "1997-03"),
    "s_djkn": S("Rudy Hermawan", "", "S.H., M.H.", "IV/b", 1, "1972-01-09", "1994-03"),
    "s_kpknl": S("Siti Maryam", "", "S.E., M.Si.", "IV/a", 2, "1978-10-18", "2000-03"),
    "s_djbc": S("Safuan Harahap", "", "S.E., M.P.P.", "IV/c", 1, "1970-12-24", "1992-03"),
    "s_kppbc": S("Eko Prasetyo", "", "S.ST., M.B.A.", "IV/a", 1, "1979-06-03", "2000-10"),
    "s_pt": S("Mahyuddin", "Drs. H.", "M.H.", "IV/c", 1, "1968-02-14", "1991-03"),
    "s_pn": S("Nurhayati", "Hj.", "S.H.", "IV/a", 2, "1969-09-09", "1993-03"),
    "s_msa": S("Abdul Hamid", "Drs.", "M.H.", "IV/b", 1, "1967-07-01", "1992-03"),
    "s_msb": S("Zuhra Wati", "", "S.Ag., M.H.", "IV/a", 2, "1974-03-27", "1999-03"),
    "s_ptun": S("Syarifah Fatimah", "", "S.H., M.H.", "IV/a", 2, "1976-11-05", "2001-03"),
    "s_kejati": S("Joko Santoso", "Dr.", "S.H., M.H.", "IV/c", 1, "1969-05-21", "1994-03"),
    "s_kejari": S("Hendra Saputra", "", "S.H., M.H.", "IV/a", 1, "1977-02-02", "2001-03"),
    "s_kejari_ab": S("Arifin Nasution", "", "S.H.", "IV/a", 1, "1975-12-15", "2000-03"),
    "s_kemenag_prov": S("Azhari", "Drs. H.", "M.Si.", "IV/c", 1, "1967-01-20", "1990-03"),
    "s_kemenag_kota": S("Mahdi Ismail", "H.", "S.Ag., M.Pd.", "IV/a", 1, "1970-08-17", "1996-03"),
    "s_kemenag_ab": S("Yusri", "", "S.Ag., M.A.", "IV/a", 1, "1972-04-28", "1998-03"),
    "s_uin": S("Marzuki Abubakar", "Prof. Dr.", "M.A.", "IV/e", 1, "1966-06-06", "1991-03"),
    "s_man1": S("Rosmawati", "Dra.", "M.Pd.", "IV/a", 2, "1971-10-30", "1997-03"),
    "s_mtsn1": S("Faisal Abdullah", "", "S.Pd.I., M.Pd.", "III/d", 1, "1980-01-11", "2005-03"),
    "s_usk": S("Taufiq Hidayat", "Prof. Dr. Ir.", "M.Sc.", "IV/e", 1, "1965-03-03", "1990-03"),
    "s_bpmp": S("Asnawi", "Dr.", "M.Pd.", "IV/b", 1, "1973-07-19", "1998-03"),
    "s_poltekkes": S("Erlina Sari", "Dr.", "S.K.M., M.Kes.", "IV/b", 2, "1974-02-25", "1999-03"),
    "s_bbpom": S("Surya Darma", "Drs.", "Apt., M.Si.", "IV/b", 1, "1970-09-14", "1996-03"),
    "s_bps_prov": S("Bambang Heru", "Ir.", "M.Si.", "IV/c", 1, "1967-11-08", "1992-03"),
    "s_bps_kota": S("Rahmad Hidayat", "", "S.ST., M.Si.", "III/d", 1, "1982-05-12", "2004-10"),
    "s_bps_ab": S("Nurul Izza", "", "S.Si., M.Stat.", "III/d", 2, "1984-08-27", "2008-03"),
    "s_bpn_prov": S("Agus Salim Siregar", "Ir.", "M.M.", "IV/c", 1, "1968-04-04", "1993-03"),
    "s_kantah_kota": S("Taufik Akbar", "", "S.T., M.Eng.", "IV/a", 1, "1978-12-01", "2003-03"),
    "s_kantah_ab": S("Maimun", "", "S.H., M.Kn.", "IV/a", 1, "1976-06-25", "2002-03"),
    "s_stamet": S("Muhammad Nasrullah", "", "S.T., M.T.", "III/d", 1, "1979-10-10", "2002-10"),
    "s_stageof": S("Andi Azhar Rusdin", "", "S.Si., M.Sc.", "III/d", 1, "1980-03-16", "2005-03"),
    "s_kumham": S("Meurah Budiman", "Dr.", "S.H., M.H.", "IV/c", 1, "1972-09-29", "1997-03"),
    "s_bpjn": S("Yudha Pratama", "Ir.", "M.T.", "IV/b", 1, "1974-11-11", "1999-03"),
    "s_bws": S("Gusmi Putra", "Ir.", "M.T.", "IV/b", 1, "1971-01-31", "1996-03"),
    "s_bppw": S("Rahmat Hidayatullah", "", "S.T., M.Sc.", "IV/a", 1, "1981-07-07", "2005-03"),
    "s_bpvp": S("Dadang Suherman", "Ir.", "M.M.", "IV/a", 1, "1969-12-12", "1995-03"),
    "s_bkkbn": S("Safrina Salim", "Dr.", "S.K.M., M.Kes.", "IV/b", 2, "1975-05-18", "2000-03"),
    "s_bpk": S("Gunawan Wibisono", "Dr.", "S.E., M.Acc., Ak., CA.", "IV/c", 1, "1973-02-08", "1997-03"),
    "s_kip": S("Muhammad Iqbal Syah", "", "S.E., M.Si.", "IV/a", 1, "1979-09-03", "2003-03"),
    "s_pps": S("Aiyub", "", "S.Pi., M.Si.", "IV/a", 1, "1976-04-22", "2001-03"),
    "s_bksda": S("Agus Irianto", "", "S.Hut., M.Si.", "IV/a", 1, "1975-10-06", "2000-03"),
    "s_bsip": S("Idawati", "Dr. Ir.", "M.P.", "IV/b", 2, "1970-06-30", "1995-03"),
    # ... and their successors (registered by the importer from the decree rows)
    "s_kemenag_prov_2": S("Salman Alfarisi", "Dr. H.", "M.Ag.", "IV/c", 1, "1971-02-18", "1997-03"),
    "s_pn_2": S("Teuku Muhammad Nasir", "", "S.H., M.H.", "IV/a", 1, "1975-03-09", "2000-03"),
    "s_kejari_2": S("Ilham Wahyudi", "", "S.H., M.H.", "IV/a", 1, "1978-08-14", "2003-03"),
    "s_bps_prov_2": S("Wahyu Hidayat", "Dr.", "S.ST., M.Si.", "IV/b", 1, "1976-12-20", "1998-10"),
    "s_kpp_2": S("Nur Aini Pohan", "", "S.E., M.Ak.", "IV/a", 2, "1980-04-01", "2002-10"),
    "s_msb_2": S("Muhammad Amin", "", "S.H.I., M.H.", "IV/a", 1, "1977-05-05", "2003-03"),
    "s_bpjn_2": S("Rika Anggraini", "Ir.", "M.Eng.", "IV/b", 2, "1976-07-23", "2001-03"),
    "s_bpn_prov_2": S("Ratna Dewi", "Dr.", "S.H., M.Kn.", "IV/c", 2, "1972-10-10", "1998-03"),
    "s_uin_2": S("Syarifah Rahmah", "Prof. Dr. Hj.", "M.Ag.", "IV/d", 2, "1970-01-15", "1996-03"),
    "s_bws_2": S("Syahrial Lubis", "Ir.", "M.T.", "IV/b", 1, "1973-03-13", "1998-03"),
    "s_kemenag_kota_2": S("Nurliana", "Dr.", "M.Pd.", "IV/a", 2, "1976-09-19", "2002-03"),
    "s_kantah_kota_2": S("Hasanuddin", "", "S.SiT., M.H.", "IV/a", 1, "1979-11-27", "2004-03"),
    "s_stamet_2": S("Desi Kurniawati", "", "S.Si., M.Sc.", "III/d", 2, "1983-06-06", "2006-10"),
}

# --- organisation ---------------------------------------------------------------------------------

KPPN = "KPPN-BNA"
KANWIL = "KANWIL-ACEH"

# code, name, kind, parent, city, address, phone, website
UNITS: list[tuple[str, str, str, str | None, str, str, str, str]] = [
    ("KEMENKEU", "Kementerian Keuangan Republik Indonesia", "ministry", None, "Jakarta", "", "", ""),
    ("DJPB", "Direktorat Jenderal Perbendaharaan", "dg", "KEMENKEU", "Jakarta", "", "", ""),
    (
        KANWIL,
        "Kantor Wilayah Direktorat Jenderal Perbendaharaan Provinsi Aceh",
        "kanwil",
        "DJPB",
        "Banda Aceh",
        "GKN Banda Aceh Gedung A Lantai 2 dan 3, Jalan Tengku Chik Di Tiro, Banda Aceh",
        "",
        "",
    ),
    ("KANWIL-ACEH-SKKI", "Bidang Supervisi KPPN dan Kepatuhan Internal", "section", KANWIL, "Banda Aceh", "", "", ""),
    ("KANWIL-ACEH-SKKI-SUPV", "Seksi Supervisi KPPN", "section", "KANWIL-ACEH-SKKI", "Banda Aceh", "", "", ""),
    ("KANWIL-ACEH-SKKI-KI", "Seksi Kepatuhan Internal", "section", "KANWIL-ACEH-SKKI", "Banda Aceh", "", "", ""),
    ("KANWIL-ACEH-PPA1", "Bidang Pembinaan Pelaksanaan Anggaran I", "section", KANWIL, "Banda Aceh", "", "", ""),
    # Letterhead of the 2018 report S-1685/WPB.01/KP.0110/2018 (the report prints the host as
    # "djpbk", a typo for djpb).
    (
        KPPN,
        "Kantor Pelayanan Perbendaharaan Negara Banda Aceh",
        "kppn",
        KANWIL,
        "Banda Aceh",
        "Gedung A Lt. 1 Komplek GKN Banda Aceh, Jl. Tgk. Chik Ditiro, Banda Aceh 23241",
        "(0651) 29804, 636861; faksimile (0651) 22460",
        "www.djpb.kemenkeu.go.id/kppn/bandaaceh/id/",
    ),
    # The five sections of a KPPN Tipe A1 (DOMAIN.md §5.3).
    ("KPPN-BNA-UMUM", "Subbagian Umum", "section", KPPN, "Banda Aceh", "", "", ""),
    ("KPPN-BNA-PD", "Seksi Pencairan Dana", "section", KPPN, "Banda Aceh", "", "", ""),
    ("KPPN-BNA-BANK", "Seksi Bank", "section", KPPN, "Banda Aceh", "", "", ""),
    ("KPPN-BNA-VERA", "Seksi Verifikasi dan Akuntansi", "section", KPPN, "Banda Aceh", "", "", ""),
    ("KPPN-BNA-MSKI", "Seksi Manajemen Satker dan Kepatuhan Internal", "section", KPPN, "Banda Aceh", "", "", ""),
]
KPPN_SECTIONS = ("KPPN-BNA-UMUM", "KPPN-BNA-PD", "KPPN-BNA-BANK", "KPPN-BNA-VERA", "KPPN-BNA-MSKI")

# code, title, unit, reports to, kind ("head" = structural unit head)
HEADS: list[tuple[str, str, str, str | None]] = [
    ("KANWIL-ACEH-KEPALA", "Kepala Kantor Wilayah Direktorat Jenderal Perbendaharaan Provinsi Aceh", KANWIL, None),
    (
        "KANWIL-ACEH-SKKI-KEPALA",
        "Kepala Bidang Supervisi KPPN dan Kepatuhan Internal",
        "KANWIL-ACEH-SKKI",
        "KANWIL-ACEH-KEPALA",
    ),
    ("KANWIL-ACEH-SKKI-SUPV-KEPALA", "Kepala Seksi Supervisi KPPN", "KANWIL-ACEH-SKKI-SUPV", "KANWIL-ACEH-SKKI-KEPALA"),
    ("KANWIL-ACEH-SKKI-KI-KEPALA", "Kepala Seksi Kepatuhan Internal", "KANWIL-ACEH-SKKI-KI", "KANWIL-ACEH-SKKI-KEPALA"),
    (
        "KANWIL-ACEH-PPA1-KEPALA",
        "Kepala Bidang Pembinaan Pelaksanaan Anggaran I",
        "KANWIL-ACEH-PPA1",
        "KANWIL-ACEH-KEPALA",
    ),
    ("KPPN-BNA-KEPALA", "Kepala Kantor Pelayanan Perbendaharaan Negara Banda Aceh", KPPN, "KANWIL-ACEH-KEPALA"),
    ("KPPN-BNA-UMUM-KEPALA", "Kepala Subbagian Umum", "KPPN-BNA-UMUM", "KPPN-BNA-KEPALA"),
    ("KPPN-BNA-PD-KEPALA", "Kepala Seksi Pencairan Dana", "KPPN-BNA-PD", "KPPN-BNA-KEPALA"),
    ("KPPN-BNA-BANK-KEPALA", "Kepala Seksi Bank", "KPPN-BNA-BANK", "KPPN-BNA-KEPALA"),
    ("KPPN-BNA-VERA-KEPALA", "Kepala Seksi Verifikasi dan Akuntansi", "KPPN-BNA-VERA", "KPPN-BNA-KEPALA"),
    (
        "KPPN-BNA-MSKI-KEPALA",
        "Kepala Seksi Manajemen Satker dan Kepatuhan Internal",
        "KPPN-BNA-MSKI",
        "KPPN-BNA-KEPALA",
    ),
]

_FUNCTIONAL = ("Pranata", "Analis")
# Staff seats per section: (number, title). A seat is a position `KPPN-BNA-<SECTION>-<nn>`
# reporting to the section head; some are vacant at times (rotations fill them).
SEATS: dict[str, list[tuple[int, str]]] = {
    "KPPN-BNA-UMUM": [
        (1, "Bendahara Pengeluaran"),
        (2, "Pengadministrasi Kepegawaian"),
        (3, "Pengelola Barang Milik Negara"),
        (4, "Pranata Komputer Ahli Pertama"),
        (5, "Pengadministrasi Umum"),
    ],
    "KPPN-BNA-PD": [
        (1, "Pranata Keuangan APBN Mahir"),
        (2, "Pranata Keuangan APBN Terampil"),
        (3, "Analis Perbendaharaan Negara Ahli Pertama"),
        (4, "Petugas Front Office Pencairan Dana"),
        (5, "Petugas Middle Office Pencairan Dana"),
        (6, "Petugas Front Office Pencairan Dana"),
        (7, "Pengolah Data Kontrak dan Supplier"),
    ],
    "KPPN-BNA-BANK": [
        (1, "Pranata Keuangan APBN Mahir"),
        (2, "Pengolah Data Rekonsiliasi Bank"),
        (3, "Pengolah Data Penerimaan Negara"),
        (4, "Pengolah Data Pengeluaran Negara"),
        (5, "Petugas Front Office Seksi Bank"),
    ],
    "KPPN-BNA-VERA": [
        (1, "Analis Perbendaharaan Negara Ahli Pertama"),
        (2, "Pranata Keuangan APBN Penyelia"),
        (3, "Penyusun Laporan Keuangan"),
        (4, "Verifikator Laporan Pertanggungjawaban Bendahara"),
        (5, "Pengolah Data Akuntansi"),
        (6, "Pengolah Data Akuntansi"),
    ],
    "KPPN-BNA-MSKI": [
        (1, "Customer Service Officer"),
        (2, "Analis Perbendaharaan Negara Ahli Muda"),
        (3, "Pengolah Data Kinerja Pelaksanaan Anggaran Satker"),
        (4, "Pelaksana Kepatuhan Internal"),
        (5, "Customer Service Officer"),
        (6, "Customer Service Officer"),
    ],
}


def seat(section: str, number: int) -> str:
    return f"{section}-{number:02d}"


# The organisation as first registered (person, position, TMT, SK number, SK date). These SKs
# predate Pakta, so they are recorded as numbers on the assignments, not imported as decrees.
_HEADS_SK = ("KEP-14/PB/2024", d("2024-01-03"))
_STAFF_SK = ("KEP-9/WPB.01/2024", d("2024-01-10"))
BASE_ASSIGNMENTS: list[tuple[str, str, datetime.date, tuple[str, datetime.date]]] = [
    ("kakanwil", "KANWIL-ACEH-KEPALA", d("2024-01-08"), ("KEP-1287/KM.1/2023", d("2023-12-22"))),
    ("kabid_skki", "KANWIL-ACEH-SKKI-KEPALA", d("2024-01-08"), _HEADS_SK),
    ("kasi_supervisi", "KANWIL-ACEH-SKKI-SUPV-KEPALA", d("2024-01-08"), _HEADS_SK),
    ("kasi_ki", "KANWIL-ACEH-SKKI-KI-KEPALA", d("2024-01-08"), _HEADS_SK),
    ("kabid_ppa1", "KANWIL-ACEH-PPA1-KEPALA", d("2024-01-08"), _HEADS_SK),
    ("kepala_2024", "KPPN-BNA-KEPALA", d("2024-01-08"), _HEADS_SK),
    ("kasubbag_2024", "KPPN-BNA-UMUM-KEPALA", d("2024-01-08"), _HEADS_SK),
    ("kasi_pd_2024", "KPPN-BNA-PD-KEPALA", d("2024-01-08"), _HEADS_SK),
    ("kasi_bank", "KPPN-BNA-BANK-KEPALA", d("2024-01-08"), _HEADS_SK),
    ("kasi_vera", "KPPN-BNA-VERA-KEPALA", d("2024-01-08"), _HEADS_SK),
    ("kasi_mski_2024", "KPPN-BNA-MSKI-KEPALA", d("2024-01-08"), _HEADS_SK),
    *(
        (key, seat(section, number), BASE_DATE, _STAFF_SK)
        for key, section, number in [
            ("yusnidar", "KPPN-BNA-UMUM", 1),
            ("siti", "KPPN-BNA-UMUM", 2),
            ("marzuki", "KPPN-BNA-UMUM", 3),
            ("fadhli", "KPPN-BNA-UMUM", 4),
            ("dewi", "KPPN-BNA-UMUM", 5),
            ("ikhsan", "KPPN-BNA-PD", 1),
            ("nanda", "KPPN-BNA-PD", 2),
            ("rizky", "KPPN-BNA-PD", 3),
            ("ayu", "KPPN-BNA-PD", 4),
            ("husaini", "KPPN-BNA-PD", 5),
            ("zulkifli", "KPPN-BNA-BANK", 1),
            ("rahmawati", "KPPN-BNA-BANK", 2),
            ("aulia", "KPPN-BNA-BANK", 3),
            ("mawaddah", "KPPN-BNA-BANK", 4),
            ("agung", "KPPN-BNA-BANK", 5),
            ("ridwan", "KPPN-BNA-VERA", 1),
            ("ernawati", "KPPN-BNA-VERA", 2),
            ("mukhlis", "KPPN-BNA-VERA", 3),
            ("putri", "KPPN-BNA-VERA", 4),
            ("fajar", "KPPN-BNA-VERA", 5),
            ("nurul", "KPPN-BNA-MSKI", 1),
            ("bambang", "KPPN-BNA-MSKI", 2),
            ("cut_rahmi", "KPPN-BNA-MSKI", 3),
            ("safrizal", "KPPN-BNA-MSKI", 4),
            ("andi", "KPPN-BNA-MSKI", 5),
        ]
    ),
]

# Satker served by KPPN Banda Aceh (DOMAIN.md §5.4): code, ministry (BA) code, name, head's title,
# first head on record, since when (and by which SK of the satker's own ministry).
SATKER_TABLE = """
645123|015|Kantor Wilayah Direktorat Jenderal Perbendaharaan Provinsi Aceh|Kepala Kantor Wilayah|kakanwil|2024-01-08
645131|015|Kantor Wilayah Direktorat Jenderal Pajak Aceh|Kepala Kantor Wilayah|s_djp|2023-05-22
645140|015|Kantor Pelayanan Pajak Pratama Banda Aceh|Kepala Kantor|s_kpp|2022-11-14
645158|015|Kantor Wilayah Direktorat Jenderal Kekayaan Negara Aceh|Kepala Kantor Wilayah|s_djkn|2023-02-06
645166|015|Kantor Pelayanan Kekayaan Negara dan Lelang Banda Aceh|Kepala Kantor|s_kpknl|2023-08-07
645174|015|Kantor Wilayah Direktorat Jenderal Bea dan Cukai Aceh|Kepala Kantor Wilayah|s_djbc|2022-09-19
645182|015|Kantor Pengawasan dan Pelayanan Bea dan Cukai Tipe Madya Pabean C Banda Aceh|Kepala Kantor|s_kppbc|2023-10-02
005201|005|Pengadilan Tinggi Banda Aceh|Sekretaris (KPA)|s_pt|2021-06-14
005219|005|Pengadilan Negeri Banda Aceh|Sekretaris (KPA)|s_pn|2022-03-07
005227|005|Mahkamah Syar'iyah Aceh|Sekretaris (KPA)|s_msa|2021-11-22
005235|005|Mahkamah Syar'iyah Banda Aceh|Sekretaris (KPA)|s_msb|2022-07-04
005243|005|Pengadilan Tata Usaha Negara Banda Aceh|Sekretaris (KPA)|s_ptun|2023-01-16
006310|006|Kejaksaan Tinggi Aceh|Kepala Kejaksaan Tinggi|s_kejati|2023-06-12
006328|006|Kejaksaan Negeri Banda Aceh|Kepala Kejaksaan Negeri|s_kejari|2022-10-10
006336|006|Kejaksaan Negeri Aceh Besar|Kepala Kejaksaan Negeri|s_kejari_ab|2023-04-03
025401|025|Kantor Wilayah Kementerian Agama Provinsi Aceh|Kepala Kantor Wilayah|s_kemenag_prov|2021-03-15
025419|025|Kantor Kementerian Agama Kota Banda Aceh|Kepala Kantor|s_kemenag_kota|2022-05-23
025427|025|Kantor Kementerian Agama Kabupaten Aceh Besar|Kepala Kantor|s_kemenag_ab|2023-07-17
025435|025|Universitas Islam Negeri Ar-Raniry Banda Aceh|Rektor|s_uin|2022-10-31
025443|025|Madrasah Aliyah Negeri 1 Banda Aceh|Kepala Madrasah|s_man1|2021-08-02
025451|025|Madrasah Tsanawiyah Negeri 1 Banda Aceh|Kepala Madrasah|s_mtsn1|2023-09-04
023501|023|Universitas Syiah Kuala|Rektor|s_usk|2022-06-27
023519|023|Balai Penjaminan Mutu Pendidikan Provinsi Aceh|Kepala Balai|s_bpmp|2022-12-05
024601|024|Politeknik Kesehatan Kementerian Kesehatan Aceh|Direktur|s_poltekkes|2021-12-20
063611|063|Balai Besar Pengawas Obat dan Makanan di Banda Aceh|Kepala Balai Besar|s_bbpom|2022-02-21
054701|054|Badan Pusat Statistik Provinsi Aceh|Kepala BPS Provinsi|s_bps_prov|2021-07-12
054719|054|Badan Pusat Statistik Kota Banda Aceh|Kepala BPS Kota|s_bps_kota|2023-03-13
054727|054|Badan Pusat Statistik Kabupaten Aceh Besar|Kepala BPS Kabupaten|s_bps_ab|2022-08-15
056801|056|Kantor Wilayah Badan Pertanahan Nasional Provinsi Aceh|Kepala Kantor Wilayah|s_bpn_prov|2022-01-10
056819|056|Kantor Pertanahan Kota Banda Aceh|Kepala Kantor|s_kantah_kota|2023-05-08
056827|056|Kantor Pertanahan Kabupaten Aceh Besar|Kepala Kantor|s_kantah_ab|2022-11-28
075901|075|Stasiun Meteorologi Kelas I Sultan Iskandar Muda|Kepala Stasiun|s_stamet|2021-10-04
075919|075|Stasiun Geofisika Aceh Besar|Kepala Stasiun|s_stageof|2023-02-20
013111|013|Kantor Wilayah Kementerian Hukum Aceh|Kepala Kantor Wilayah|s_kumham|2023-11-06
033121|033|Balai Pelaksanaan Jalan Nasional Aceh|Kepala Balai|s_bpjn|2022-04-18
033139|033|Balai Wilayah Sungai Sumatera I|Kepala Balai|s_bws|2021-09-06
033147|033|Balai Prasarana Permukiman Wilayah Aceh|Kepala Balai|s_bppw|2023-06-26
026151|026|Balai Pelatihan Vokasi dan Produktivitas Banda Aceh|Kepala Balai|s_bpvp|2022-08-29
068161|068|Perwakilan BKKBN Provinsi Aceh|Kepala Perwakilan|s_bkkbn|2023-01-30
004171|004|Badan Pemeriksa Keuangan Perwakilan Provinsi Aceh|Kepala Perwakilan|s_bpk|2022-09-12
076181|076|Sekretariat Komisi Independen Pemilihan Aceh|Sekretaris|s_kip|2023-03-27
032191|032|Pelabuhan Perikanan Samudera Kutaraja|Kepala Pelabuhan|s_pps|2022-06-06
029201|029|Balai Konservasi Sumber Daya Alam Aceh|Kepala Balai|s_bksda|2021-12-06
018211|018|Balai Penerapan Standar Instrumen Pertanian Aceh|Kepala Balai|s_bsip|2023-08-21
"""
SATKER: list[tuple[str, str, str, str, str, str]] = [
    (code, ministry, name, title, head, since)
    for code, ministry, name, title, head, since in (line.split("|") for line in SATKER_TABLE.strip().splitlines())
]
_SATKER_BY_CODE = {row[0]: row for row in SATKER}

# --- decrees ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One row of a decree file: `target` is a position code, or a satker code for kepala_satker."""

    kind: str
    person: str
    target: str
    tmt: datetime.date
    inauguration: datetime.date | None = None


@dataclass(frozen=True)
class DemoDecree:
    number: str
    date: datetime.date
    title: str
    moves: tuple[Move, ...] = field(default=())

    @property
    def effective_date(self) -> datetime.date:
        return max(move.tmt for move in self.moves)

    def rows(self) -> list[dict[str, str]]:
        """The decree as rows of the decree file format (integrity.decree_files.COLUMNS). Every
        row names the person, as a printed SK does; the importer uses the name, titles and rank
        only to register an official whose NIP it does not know yet."""
        rows = []
        for move in self.moves:
            person = PEOPLE[move.person]
            satker = move.kind == "kepala_satker"
            rows.append(
                {
                    "nomor_sk": self.number,
                    "tanggal_sk": self.date.isoformat(),
                    "perihal": self.title,
                    "jenis": move.kind,
                    "nip": person.nip,
                    "jenis_pegawai": "pns",
                    "nama": person.name,
                    "gelar_depan": person.prefix,
                    "gelar_belakang": person.suffix,
                    "pangkat_golongan": person.rank,
                    "email": person.email,
                    "kode_jabatan": "" if satker else move.target,
                    "kode_satker": move.target if satker else "",
                    "jabatan_satker": _SATKER_BY_CODE[move.target][3] if satker else "",
                    "tmt": move.tmt.isoformat(),
                    "tanggal_pelantikan": move.inauguration.isoformat() if move.inauguration else "",
                }
            )
        return rows

    def csv_bytes(self) -> bytes:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows())
        return out.getvalue().encode("utf-8")


def _appoint(person: str, position: str, tmt: str) -> Move:
    return Move("angkat", person, position, d(tmt), d(tmt))


def _end(person: str, position: str, tmt: str) -> Move:
    return Move("berhenti", person, position, d(tmt))


# Satker heads replaced since 2024, each by an SK of the satker's own ministry or institution:
# SK number | SK date | new head | satker code | TMT.
SATKER_HEAD_CHANGES = """
KMA 176 Tahun 2024|2024-02-26|s_kemenag_prov_2|025401|2024-03-04
1021/SEK/SK.KP4.1.3/V/2024|2024-05-13|s_pn_2|005219|2024-05-20
KEP-IV-311/C/09/2024|2024-09-30|s_kejari_2|006328|2024-10-07
KEP-BPS/58/2025|2025-01-27|s_bps_prov_2|054701|2025-02-03
KEP-417/PJ/2025|2025-04-07|s_kpp_2|645140|2025-04-14
2210/SEK/SK.KP4.1.3/VIII/2025|2025-08-25|s_msb_2|005235|2025-09-01
145/KPTS/M/2026|2026-01-26|s_bpjn_2|033121|2026-02-02
388/SK-KP.02.01/IV/2026|2026-04-27|s_bpn_prov_2|056801|2026-05-04
KMA 1102 Tahun 2026|2026-10-05|s_uin_2|025435|2026-10-12
612/KPTS/M/2026|2026-10-12|s_bws_2|033139|2026-10-19
B-4417/Kw.01/KP.07.6/11/2026|2026-11-09|s_kemenag_kota_2|025419|2026-11-16
451/SK-KP.02.01/XI/2026|2026-11-09|s_kantah_kota_2|056819|2026-11-16
KEP.1203/KP.02.01/BMKG/2026|2026-11-11|s_stamet_2|075901|2026-11-18
"""


def _satker_head_decrees() -> list[DemoDecree]:
    decrees = []
    for line in SATKER_HEAD_CHANGES.strip().splitlines():
        number, date, person, code, tmt = line.split("|")
        name = _SATKER_BY_CODE[code][2]
        move = Move("kepala_satker", person, code, d(tmt))
        decrees.append(DemoDecree(number, d(date), f"Penetapan Kepala Satker/KPA {name}", (move,)))
    return decrees


# Every change after January 2024, as the decrees that made it. Applied in TMT order.
HISTORY: list[DemoDecree] = [
    *_satker_head_decrees(),
    DemoDecree(
        "KEP-215/WPB.01/2024",
        d("2024-06-24"),
        "Mutasi dan Penempatan Pelaksana di Lingkungan KPPN Banda Aceh",
        (
            _end("andi", seat("KPPN-BNA-MSKI", 5), "2024-07-01"),  # mutasi ke KPPN Medan II (di luar Pakta)
            _appoint("salsabila", seat("KPPN-BNA-MSKI", 5), "2024-07-01"),  # CPNS lulusan PKN STAN
            _appoint("fauzan", seat("KPPN-BNA-PD", 7), "2024-07-01"),  # CPNS lulusan PKN STAN
            _appoint("husaini", seat("KPPN-BNA-VERA", 6), "2024-07-01"),
        ),
    ),
    DemoDecree(
        "KEP-1302/KM.1/2024",
        d("2024-11-20"),
        "Pemberhentian dengan Hormat karena Mencapai Batas Usia Pensiun",
        (_end("kasubbag_2024", "KPPN-BNA-UMUM-KEPALA", "2025-01-01"),),
    ),
    DemoDecree(
        "KEP-27/PB/2025",
        d("2024-12-27"),
        "Mutasi Jabatan Administrator dan Pengawas di Lingkungan Direktorat Jenderal Perbendaharaan",
        (
            _end("kepala_2024", "KPPN-BNA-KEPALA", "2025-01-06"),  # ke Kanwil DJPb Sumatera Utara
            _appoint("kepala", "KPPN-BNA-KEPALA", "2025-01-06"),
            _appoint("kasubbag", "KPPN-BNA-UMUM-KEPALA", "2025-01-06"),
        ),
    ),
    DemoDecree(
        "KEP-498/PB/2025",
        d("2025-06-27"),
        "Mutasi Jabatan Pengawas di Lingkungan Direktorat Jenderal Perbendaharaan",
        (
            _end("kasi_pd_2024", "KPPN-BNA-PD-KEPALA", "2025-07-07"),  # ke KPPN Jakarta II
            _appoint("kasi_pd", "KPPN-BNA-PD-KEPALA", "2025-07-07"),
        ),
    ),
    DemoDecree(
        "KEP-301/WPB.01/2025",
        d("2025-07-08"),
        "Mutasi Pelaksana di Lingkungan KPPN Banda Aceh",
        (
            _appoint("zulkifli", seat("KPPN-BNA-PD", 5), "2025-07-14"),
            _appoint("aditya", seat("KPPN-BNA-BANK", 1), "2025-07-14"),  # dari KPPN Lhokseumawe
        ),
    ),
    DemoDecree(
        "KEP-12/PB/2026",
        d("2025-12-22"),
        "Mutasi Jabatan Pengawas di Lingkungan Direktorat Jenderal Perbendaharaan",
        (
            _end("kasi_mski_2024", "KPPN-BNA-MSKI-KEPALA", "2026-01-05"),  # ke Direktorat Sistem Perbendaharaan
            _appoint("kasi_mski", "KPPN-BNA-MSKI-KEPALA", "2026-01-05"),
        ),
    ),
    DemoDecree(
        "KEP-1188/KM.1/2026",
        d("2026-07-15"),
        "Pemberhentian dengan Hormat karena Mencapai Batas Usia Pensiun",
        (_end("kabid_ppa1", "KANWIL-ACEH-PPA1-KEPALA", "2026-09-01"),),
    ),
    DemoDecree(
        "KEP-702/PB/2026",
        d("2026-09-22"),
        "Mutasi Jabatan Pengawas di Lingkungan Direktorat Jenderal Perbendaharaan",
        (
            _end("kasi_supervisi", "KANWIL-ACEH-SKKI-SUPV-KEPALA", "2026-10-01"),  # ke Kantor Pusat DJPb
        ),
    ),
    DemoDecree(
        "KEP-355/WPB.01/2026",
        d("2026-09-28"),
        "Mutasi Pelaksana di Lingkungan KPPN Banda Aceh",
        (
            _appoint("mukhlis", seat("KPPN-BNA-MSKI", 6), "2026-10-05"),
            _appoint("rahmawati", seat("KPPN-BNA-VERA", 3), "2026-10-05"),
            _appoint("maulidia", seat("KPPN-BNA-BANK", 2), "2026-10-05"),  # dari KPPN Takengon
        ),
    ),
    DemoDecree(
        "KEP-402/WPB.01/2026",
        d("2026-11-09"),
        "Mutasi Pelaksana di Lingkungan KPPN Banda Aceh",
        (_appoint("agung", seat("KPPN-BNA-PD", 6), "2026-11-16"),),
    ),
]

# samples/demo_decree_rotation.csv: NOT applied by the demo. The Kepala KPPN and the heads of
# Seksi Bank and Seksi Verifikasi dan Akuntansi are replaced; the outgoing Kepala KPPN and Kasi
# Bank move to the Kanwil's vacant posts, the outgoing Kasi Vera leaves the region (berhenti).
SAMPLE_TMT = d("2026-11-23")
SAMPLE_ROTATION = DemoDecree(
    "KEP-431/PB/2026",
    d("2026-11-16"),
    "Mutasi Jabatan Administrator dan Pengawas di Lingkungan Kantor Wilayah Direktorat Jenderal "
    "Perbendaharaan Provinsi Aceh",
    (
        _end("kasi_vera", "KPPN-BNA-VERA-KEPALA", "2026-11-23"),
        _appoint("kepala", "KANWIL-ACEH-PPA1-KEPALA", "2026-11-23"),
        _appoint("kepala_baru", "KPPN-BNA-KEPALA", "2026-11-23"),
        _appoint("kasi_bank", "KANWIL-ACEH-SKKI-SUPV-KEPALA", "2026-11-23"),
        _appoint("kasi_bank_baru", "KPPN-BNA-BANK-KEPALA", "2026-11-23"),
        _appoint("kasi_vera_baru", "KPPN-BNA-VERA-KEPALA", "2026-11-23"),
    ),
)

# Imported after the demo's signatures in Pakta (demo_build): Muhammad Fauzan, whose pact with the Kasi
# PD was signed and sealed in Pakta, moves to the seat Agung left in Seksi Bank. His signed pact is
# superseded, so the demo shows a pact signed in Pakta and then replaced (it stays verifiable).
FINAL_DECREE = DemoDecree(
    "KEP-433/WPB.01/2026",
    d("2026-11-25"),
    "Mutasi Pelaksana di Lingkungan KPPN Banda Aceh",
    (_appoint("fauzan", seat("KPPN-BNA-BANK", 5), "2026-11-27"),),
)

# --- demo users -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # shown by demo_logins
    person: str | None = None  # the official this login belongs to
    grant: str | None = None  # RoleGrant.Role
    grant_unit: str | None = None  # unit code; None = all units
    superuser: bool = False


DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", "Superuser (admin Django)", superuser=True),
    DemoUser("hr", "Administrator SDM Kanwil DJPb Aceh", "siti", RoleGrant.Role.HR_ADMIN, KANWIL),
    DemoUser("kepatuhan", "Petugas kepatuhan Kanwil DJPb Aceh", "kasi_ki", RoleGrant.Role.COMPLIANCE, KANWIL),
    DemoUser("auditor", "Auditor (semua unit)", None, RoleGrant.Role.AUDITOR, None),
    DemoUser("kepala.kppn", "Kepala KPPN Banda Aceh", "kepala"),
    DemoUser("kasi.pd", "Kepala Seksi Pencairan Dana", "kasi_pd"),
    DemoUser("pegawai", "Pelaksana Seksi Pencairan Dana", "agung"),
    DemoUser("satker", "Kepala Kantor Kemenag Kota Banda Aceh (satker)", "s_kemenag_kota_2"),
]

# Officials whose newest pacts stay unsigned, so that their logins have something to sign.
_KEEP_PENDING = ("agung", "s_kemenag_kota_2")

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

# --- building -------------------------------------------------------------------------------------


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


def _create_users() -> dict[str, Any]:
    """The demo logins, all with DEMO_PASSWORD (hashed once: hashing is deliberately slow, ~1 s each)."""
    hashed = make_password(DEMO_PASSWORD)
    users: dict[str, Any] = {}
    for spec in DEMO_USERS:
        user = account_create(
            username=spec.username, password=None, is_superuser=spec.superuser, actor=users.get("admin")
        )
        user.password = hashed
        user.save(update_fields=["password"])
        users[spec.username] = user
    return users


def _grant_roles(users: dict[str, Any], units: dict[str, Unit]) -> None:
    for spec in DEMO_USERS:
        if spec.grant is not None:
            unit = units[spec.grant_unit] if spec.grant_unit else None
            role_grant(user=users[spec.username], role=spec.grant, unit=unit, actor=users["admin"])


def _link_users(users: dict[str, Any]) -> None:
    for spec in DEMO_USERS:
        if spec.person is not None:
            official = Official.objects.get(nip=PEOPLE[spec.person].nip)
            official_link_account(official=official, username=spec.username, password=None, actor=users["admin"])


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
