"""The demo's decrees: every change after January 2024 (`HISTORY`), the sample rotation the user imports
(`SAMPLE_ROTATION`, not applied), and `FINAL_DECREE`, each written out in the decree file format."""

import csv
import datetime
import io
from dataclasses import dataclass, field

from integrity.decree_files import COLUMNS
from integrity.demo.constants import d
from integrity.demo.organisation import _SATKER_BY_CODE, seat
from integrity.demo.people import PEOPLE


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
