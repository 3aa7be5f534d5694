"""The demo's organisation as first registered (January 2024): units, head positions, staff seats, the
first assignments, and the satker served by KPPN Banda Aceh with their first heads on record."""

import datetime

from integrity.demo.constants import BASE_DATE, d

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
