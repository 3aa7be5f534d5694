"""The demo's people: every official, DJPb staff and satker heads, first on record and successors, by
key. Names and NIPs are invented; e-mail addresses use the reserved `.example` domain."""

import re
from dataclasses import dataclass
from typing import Any

from integrity.demo.constants import EMAIL_DOMAIN


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
