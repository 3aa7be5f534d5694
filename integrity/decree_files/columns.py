"""The decree file format: the columns, their length limits, the kinds of move and which columns
each kind uses (documented for users in `samples/README.md`)."""

MAX_ROWS = 5000

KIND_APPOINT = "angkat"
KIND_PLT = "plt"
KIND_PLH = "plh"
KIND_END = "berhenti"
KIND_SATKER_HEAD = "kepala_satker"
KINDS = (KIND_APPOINT, KIND_PLT, KIND_PLH, KIND_END, KIND_SATKER_HEAD)
POSITION_KINDS = (KIND_APPOINT, KIND_PLT, KIND_PLH)
EMPLOYEE_TYPES = ("pns", "cpns", "pppk")
DEFAULT_SATKER_TITLE = "Kepala Satker"

COLUMNS = (
    "nomor_sk",
    "tanggal_sk",
    "perihal",
    "jenis",
    "nip",
    "jenis_pegawai",
    "nama",
    "gelar_depan",
    "gelar_belakang",
    "pangkat_golongan",
    "email",
    "kode_jabatan",
    "kode_satker",
    "jabatan_satker",
    "tmt",
    "tanggal_pelantikan",
)
REQUIRED_COLUMNS = ("nomor_sk", "tanggal_sk", "jenis", "nip", "tmt")
# Column -> longest value the database takes (integrity.models).
MAX_LENGTHS = {
    "nomor_sk": 100,
    "perihal": 300,
    "nama": 150,
    "gelar_depan": 40,
    "gelar_belakang": 60,
    "pangkat_golongan": 10,
    "email": 254,
    "kode_jabatan": 40,
    "jabatan_satker": 200,
}
# Columns that mean something only for some kinds of move; a value elsewhere is refused rather
# than silently dropped.
ONLY_FOR = {
    "kode_satker": (KIND_SATKER_HEAD,),
    "jabatan_satker": (KIND_SATKER_HEAD,),
    "kode_jabatan": (*POSITION_KINDS, KIND_END),
    "tanggal_pelantikan": POSITION_KINDS,
}
