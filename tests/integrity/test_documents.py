"""Pact documents (issue §7): PDF/A-3b from versioned Typst templates, with attached data and empty
signature fields in signing order; and the PDF plumbing of `signatures.pdf` they rely on.

What is checked, and how:
- PDF/A: structurally only (XMP `pdfaid` part 3 / conformance B, every font embedded, the data as an
  associated file). No conformance validator (veraPDF) is available here.
- Text: extracted from the page content streams through each font's /ToUnicode map
  (`signatures.pdf.extract_text`) and compared with whitespace removed, so line breaks do not matter.
"""

import copy
import json
import re
import shutil

import pytest

from audit.models import AuditEvent
from integrity import documents
from integrity.documents import PactDocumentError, pact_template_current, render_pact_pdf
from integrity.models import PactTemplate
from integrity.services.templates import PactTemplateError, pact_template_publish
from signatures import pdf as sigpdf
from signatures.pdf import PdfError, SignatureFieldSpec, add_signature_fields

pytestmark = pytest.mark.django_db

A4 = (0.0, 0.0, 595.2756, 841.8898)
KPPN = "Kantor Pelayanan Perbendaharaan Negara Banda Aceh"

# PermenPAN-RB 49/2011 (DOMAIN.md §1.2) as worded in the employee and individual templates; point 6
# carries the institution.
COMMITMENTS = [
    "berperan secara pro aktif dalam upaya pencegahan dan pemberantasan korupsi, kolusi, dan nepotisme (KKN) "
    "serta tidak melibatkan diri dalam perbuatan tercela;",
    "tidak meminta atau menerima pemberian secara langsung atau tidak langsung berupa suap, hadiah, bantuan, "
    "atau bentuk lainnya yang tidak sesuai dengan ketentuan yang berlaku;",
    "bersikap transparan, jujur, objektif, dan akuntabel dalam melaksanakan tugas;",
    "menghindari pertentangan kepentingan (conflict of interest) dalam pelaksanaan tugas;",
    "memberi contoh dalam kepatuhan terhadap peraturan perundang-undangan dalam melaksanakan tugas, terutama "
    "kepada pegawai yang berada di bawah pengawasan saya dan sesama pegawai di lingkungan kerja saya secara "
    "konsisten;",
    "akan menyampaikan informasi penyimpangan integritas di {institution} serta turut menjaga kerahasiaan saksi "
    "atas pelanggaran peraturan yang dilaporkannya;",
    "bila saya melanggar hal-hal tersebut di atas, saya siap menghadapi konsekuensinya.",
]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def party(order, role, label, field, name, nip, nip_display, rank, position, unit=KPPN):
    return {
        "order": order,
        "role": role,
        "role_label": label,
        "field_name": field,
        "name": name,
        "nip": nip,
        "nip_display": nip_display,
        "rank": rank,
        "position": position,
        "unit": unit,
    }


def base_data(kind: str, parties: list[dict], spending_unit: dict | None = None) -> dict:
    return {
        "number": "PI-2026-000123",
        "kind": kind,
        "letterhead": [
            "KEMENTERIAN KEUANGAN REPUBLIK INDONESIA",
            "DIREKTORAT JENDERAL PERBENDAHARAAN",
            "KANTOR WILAYAH DIREKTORAT JENDERAL PERBENDAHARAAN PROVINSI ACEH",
            "KANTOR PELAYANAN PERBENDAHARAAN NEGARA BANDA ACEH",
        ],
        "address_lines": [
            "Gedung A Lt. 1 Komplek GKN Banda Aceh Jl. Tgk. Chik Ditiro Banda Aceh 23241",
            "Telepon (0651) 29804",
        ],
        "institution": "Direktorat Jenderal Perbendaharaan",
        "place": "Banda Aceh",
        "date": "2026-11-02",
        "date_text": "2 November 2026",
        "spending_unit": spending_unit,
        "parties": parties,
    }


PEGAWAI = party(
    1,
    "declarant",
    "Pembuat Pernyataan",
    "Sig1",
    "Teuku Muhammad Rizki",
    "198609262015051001",
    "19860926 201505 1 001",
    "Penata Muda (III/a)",
    "Pelaksana pada Seksi Pencairan Dana",
)
ATASAN = party(
    2,
    "witness",
    "Menyaksikan",
    "Sig2",
    "Cut Nyak Aisyah, S.E., M.Ak.",
    "197805122000122001",
    "19780512 200012 2 001",
    "Penata Tingkat I (III/d)",
    "Kepala Seksi Pencairan Dana",
)


@pytest.fixture
def data() -> dict:
    """GIVEN an employee ↔ direct superior pact of KPPN Banda Aceh."""
    return base_data("employee_superior", [copy.deepcopy(PEGAWAI), copy.deepcopy(ATASAN)])


@pytest.fixture
def satker_data() -> dict:
    """GIVEN a KPPN ↔ satker pact: the satker head signs first, then the head of the KPPN."""
    kasatker = party(
        1,
        "party",
        "Pihak",
        "Sig1",
        "Ir. Zulkifli Hasan, M.T.",
        "197001011995031002",
        "19700101 199503 1 002",
        "Pembina Tingkat I (IV/b)",
        "Kepala Dinas Pendidikan Provinsi Aceh",
        "Dinas Pendidikan Provinsi Aceh",
    )
    kepala_kppn = party(
        2,
        "party",
        "Pihak",
        "Sig2",
        "Darmawan, S.E., M.M.",
        "197503152000031001",
        "19750315 200003 1 001",
        "Pembina (IV/a)",
        "Kepala Kantor Pelayanan Perbendaharaan Negara Banda Aceh",
    )
    return base_data(
        "unit_head_satker",
        [kasatker, kepala_kppn],
        spending_unit={"code": "006817", "name": "Dinas Pendidikan Provinsi Aceh"},
    )


@pytest.fixture
def individual_data() -> dict:
    return base_data("individual", [copy.deepcopy(PEGAWAI)])


@pytest.fixture
def template() -> PactTemplate:
    return pact_template_current("employee_superior")


@pytest.fixture
def pdf(data, template) -> bytes:
    return render_pact_pdf(data, template=template)


# ---- The document ------------------------------------------------------------------------------------------


def test_renders_a_pdf_a3b_with_template_hash_and_number_in_xmp(pdf, template):
    assert pdf.startswith(b"%PDF-1.7") and pdf.rstrip().endswith(b"%%EOF")
    xmp = sigpdf.xmp_metadata(pdf)
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert f"templat-sha256:{template.sha256}" in xmp
    assert "templat:employee_superior v1" in xmp
    assert "nomor:PI-2026-000123" in xmp
    # The document date is the pact's date (00:00 UTC), not the time of rendering.
    assert "<xmp:CreateDate>2026-11-02T00:00:00+00:00</xmp:CreateDate>" in xmp


def test_rendering_is_deterministic(data, template, monkeypatch):
    first = render_pact_pdf(data, template=template)
    assert render_pact_pdf(data, template=template) == first
    # ... also when the signature boxes are looked up afresh (a new process), and whatever the key order.
    monkeypatch.setattr(documents, "_boxes_cache", {})
    reordered = dict(reversed(list(copy.deepcopy(data).items())))
    assert render_pact_pdf(reordered, template=template) == first


def test_attached_json_equals_the_data(pdf, data):
    files = sigpdf.embedded_files(pdf)
    assert list(files) == ["pakta.json"]
    assert json.loads(files["pakta.json"]) == data
    # PDF/A-3 associated file of the document, relationship Data.
    assert sigpdf.associated_files(pdf) == {"pakta.json": "Data"}


def test_every_font_is_embedded(pdf):
    fonts = sigpdf.fonts(pdf)
    assert fonts, "the page uses fonts"
    assert [f.base_font for f in fonts if not f.embedded] == []


def test_signature_fields_follow_signing_order_inside_their_blocks(pdf):
    fields = sigpdf.signature_fields(pdf)
    assert [f.name for f in fields] == ["Sig1", "Sig2"] == sigpdf.signature_field_names(pdf)
    declarant, superior = fields
    for field in fields:
        x1, y1, x2, y2 = field.box
        assert field.page == 0
        assert A4[0] <= x1 < x2 <= A4[2] and A4[1] <= y1 < y2 <= A4[3]
        assert (round(x2 - x1), round(y2 - y1)) == (225, 72)  # the box the template reserves
        assert y2 < A4[3] / 3  # in the signature area at the bottom of the page, below the text
    # Pembuat Pernyataan on the right, the superior ("Menyaksikan") on the left, side by side.
    assert superior.box[2] < declarant.box[0]
    assert superior.box[1] == declarant.box[1]


def test_signature_boxes_do_not_move_with_the_data(data, template, pdf):
    longer = copy.deepcopy(data)
    longer["parties"][0]["name"] = "Teuku Muhammad Rizki Alfarisi Syahputra, S.E., M.Ak."
    longer["parties"][1]["position"] = "Kepala Seksi Pencairan Dana dan Manajemen Satker"
    assert sigpdf.signature_fields(render_pact_pdf(longer, template=template)) == sigpdf.signature_fields(pdf)


def test_text_has_the_seven_commitments_identity_place_and_date(pdf, data):
    text = squash(sigpdf.extract_text(pdf))
    for point in COMMITMENTS:
        assert squash(point.format(institution="Direktorat Jenderal Perbendaharaan")) in text
    for line in data["letterhead"]:
        assert squash(line) in text
    assert squash("PAKTA INTEGRITAS") in text and squash("Nomor: PI-2026-000123") in text
    for value in ("Teuku Muhammad Rizki", "19860926 201505 1 001", "Penata Muda (III/a)", KPPN):
        assert squash(value) in text
    assert squash("Banda Aceh, 2 November 2026") in text
    assert squash("Pembuat Pernyataan,") in text and squash("Menyaksikan,") in text
    # name and NIP under each signature block
    assert squash("Cut Nyak Aisyah, S.E., M.Ak.NIP 19780512 200012 2 001") in text


def test_point_6_names_the_institution_of_the_data(data, template):
    data["institution"] = "Direktorat Jenderal Pajak"
    text = squash(sigpdf.extract_text(render_pact_pdf(data, template=template)))
    assert squash(COMMITMENTS[5].format(institution="Direktorat Jenderal Pajak")) in text
    assert "Perbendaharaanserta" not in text


def test_user_data_is_never_markup(data, template):
    data["parties"][0]["name"] = '#panic("x") *bold* $x$ <label> "quoted" \\ //'
    text = squash(sigpdf.extract_text(render_pact_pdf(data, template=template)))
    assert squash('#panic("x") *bold* $x$ <label> "quoted" \\ //') in text


def test_satker_pact_is_bilateral(satker_data):
    template = pact_template_current("unit_head_satker")
    pdf = render_pact_pdf(satker_data, template=template)
    assert sigpdf.signature_field_names(pdf) == ["Sig1", "Sig2"]
    kasatker, kepala_kppn = sigpdf.signature_fields(pdf)
    assert kepala_kppn.box[2] < kasatker.box[0]  # first signer on the right, as in the employee pact
    text = squash(sigpdf.extract_text(pdf))
    for expected in (
        "Kami yang bertanda tangan di bawah ini:",
        "selanjutnya disebut PIHAK PERTAMA;",
        "selanjutnya disebut PIHAK KEDUA,",
        "006817 – Dinas Pendidikan Provinsi Aceh",
        "tanpa dipungut biaya serta bebas dari gratifikasi, suap, dan pungutan liar.",
        "penyimpangan integritas di Direktorat Jenderal Perbendaharaan maupun di satuan kerja PIHAK PERTAMA",
        "kedua belah pihak siap menghadapi konsekuensinya",
        "Darmawan, S.E., M.M.NIP 19750315 200003 1 001",
    ):
        assert squash(expected) in text
    assert json.loads(sigpdf.embedded_files(pdf)["pakta.json"]) == satker_data
    assert "<pdfaid:part>3</pdfaid:part>" in sigpdf.xmp_metadata(pdf)


def test_individual_pact_has_one_signature_field(individual_data):
    pdf = render_pact_pdf(individual_data, template=pact_template_current("individual"))
    [field] = sigpdf.signature_fields(pdf)
    assert field.name == "Sig1" and field.box[0] > A4[2] / 2
    text = squash(sigpdf.extract_text(pdf))
    for point in COMMITMENTS:
        assert squash(point.format(institution="Direktorat Jenderal Perbendaharaan")) in text
    assert "Menyaksikan" not in text


# ---- Template versions -------------------------------------------------------------------------------------


def test_changing_the_template_creates_version_2_and_old_pacts_keep_version_1(data, tmp_path, monkeypatch):
    v1 = pact_template_current("employee_superior")
    assert pact_template_current("employee_superior") == v1  # unchanged source: no new version
    pdf_v1 = render_pact_pdf(data, template=v1)

    # WHEN the shipped template changes
    for path in documents.TEMPLATES_DIR.glob("*.typ"):
        shutil.copy(path, tmp_path / path.name)
    changed = tmp_path / "employee_superior.typ"
    changed.write_text(changed.read_text().replace('strong("PAKTA INTEGRITAS")', 'strong("PAKTA INTEGRITAS (REVISI)")'))
    monkeypatch.setattr(documents, "TEMPLATES_DIR", tmp_path)
    v2 = pact_template_current("employee_superior")

    # THEN a version 2 exists, v1 is untouched, and each publication is in the audit journal.
    assert (v2.version, v2.kind) == (2, "employee_superior") and v2.sha256 != v1.sha256
    v1.refresh_from_db()
    assert v1.version == 1 and "(REVISI)" not in v1.source
    events = AuditEvent.objects.filter(action="integrity.pact_template.published")
    assert [json.loads(e.payload)["version"] for e in events] == [1, 2]
    assert {e.actor_label for e in events} == {"system"}
    assert pact_template_current("employee_superior") == v2
    assert AuditEvent.objects.filter(action="integrity.pact_template.published").count() == 2

    # A pact rendered with version 1 still renders with version 1, byte for byte.
    assert render_pact_pdf(data, template=v1) == pdf_v1
    assert "REVISI" not in sigpdf.extract_text(pdf_v1)
    pdf_v2 = render_pact_pdf(data, template=v2)
    assert squash("PAKTA INTEGRITAS (REVISI)") in squash(sigpdf.extract_text(pdf_v2))
    assert f"templat-sha256:{v2.sha256}" in sigpdf.xmp_metadata(pdf_v2)
    assert "templat:employee_superior v2" in sigpdf.xmp_metadata(pdf_v2)


def test_reverting_a_template_returns_the_matching_version():
    v1 = pact_template_publish(kind="individual", source="#let x = 1\nA")
    v2 = pact_template_publish(kind="individual", source="#let x = 2\nB")
    assert pact_template_publish(kind="individual", source="#let x = 1\nA") == v1
    assert PactTemplate.objects.filter(kind="individual").count() == 2 and v2.version == 2


def test_unknown_template_kind_is_refused():
    with pytest.raises(PactTemplateError, match="tidak dikenal"):
        pact_template_publish(kind="rahasia", source="x")
    assert not PactTemplate.objects.exists()


# ---- Bad data: a clear error, never a crash ---------------------------------------------------------------


def test_missing_party_is_a_clear_error(data, template):
    data["parties"] = data["parties"][:1]
    with pytest.raises(PactDocumentError) as raised:
        render_pact_pdf(data, template=template)
    assert "PI-2026-000123" in str(raised.value)
    assert "memerlukan pihak ['declarant', 'witness']" in str(raised.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["parties"][1].pop("name"), "pihak ke-2: kolom 'name' harus berupa teks"),
        (lambda d: d["parties"][0].update(order=2), "harus bernomor urut 1"),
        (lambda d: d["parties"][1].update(field_name="Sig1"), "field_name"),
        (lambda d: d.update(date="2 November 2026"), "bukan tanggal ISO"),
        (lambda d: d.update(kind="individual"), "tidak cocok dengan templat"),
        (lambda d: d.pop("institution"), "'institution' wajib diisi"),
        (lambda d: d.update(parties="Sig1"), "daftar pihak"),
    ],
)
def test_bad_data_is_refused_before_rendering(data, template, change, message):
    change(data)
    with pytest.raises(PactDocumentError, match=re.escape(message)):
        render_pact_pdf(data, template=template)


def test_text_too_long_for_the_page_is_a_clear_error(data, template):
    data["letterhead"] = data["letterhead"] * 8
    with pytest.raises(PactDocumentError, match="terlalu panjang untuk satu halaman"):
        render_pact_pdf(data, template=template)


def test_satker_pact_without_satker_is_refused(satker_data):
    satker_data["spending_unit"] = None
    with pytest.raises(PactDocumentError, match="memerlukan data satker"):
        render_pact_pdf(satker_data, template=pact_template_current("unit_head_satker"))


# ---- signatures.pdf ----------------------------------------------------------------------------------------


@pytest.fixture
def bare_pdf(data, template) -> bytes:
    """The Typst output before any field is added."""
    inputs = {
        "doc": json.dumps(data),
        "template": json.dumps({"kind": template.kind, "version": 1, "sha256": template.sha256}),
    }
    pdf = documents._compiler.compile(input=template.source.encode(), sys_inputs=inputs, pdf_standards="a-3b")
    assert isinstance(pdf, bytes)
    return pdf


FIELDS = [
    SignatureFieldSpec("Pegawai", 0, (300.5, 100, 520.25, 170)),
    SignatureFieldSpec("Atasan", 0, (60, 100, 280, 170)),
]


def test_fields_are_an_incremental_update_that_keeps_metadata(bare_pdf):
    out = add_signature_fields(bare_pdf, FIELDS)
    assert out.startswith(bare_pdf)  # the original revision is untouched
    assert sigpdf.xmp_metadata(out) == sigpdf.xmp_metadata(bare_pdf)  # no fresh ModDate/Producer
    assert sigpdf.signature_fields(out) == FIELDS
    assert add_signature_fields(bare_pdf, FIELDS) == out


def test_direct_writer_and_pyhanko_writer_agree(bare_pdf):
    """The direct writer (Typst-shaped files) and pyHanko's (anything else) give the same fields."""
    direct = add_signature_fields(bare_pdf, FIELDS)
    update_id = sigpdf._update_id(bare_pdf, FIELDS)
    via_pyhanko = sigpdf._add_with_pyhanko(bare_pdf, FIELDS, update_id)
    assert via_pyhanko != direct
    assert sigpdf.signature_fields(via_pyhanko) == sigpdf.signature_fields(direct) == FIELDS
    assert sigpdf.xmp_metadata(via_pyhanko) == sigpdf.xmp_metadata(bare_pdf)
    assert sigpdf._add_with_pyhanko(bare_pdf, FIELDS, update_id) == via_pyhanko  # deterministic too


def test_fields_can_be_added_to_an_updated_file_through_pyhanko(bare_pdf):
    once = add_signature_fields(bare_pdf, FIELDS[:1])
    twice = add_signature_fields(once, FIELDS[1:])  # has /Prev and an /AcroForm: the pyHanko path
    assert sigpdf.signature_field_names(twice) == ["Pegawai", "Atasan"]
    with pytest.raises(PdfError, match="sudah ada"):
        add_signature_fields(twice, [SignatureFieldSpec("Atasan", 0, (10, 10, 50, 50))])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([SignatureFieldSpec("A.B", 0, (10, 10, 50, 50))], "tidak valid"),
        ([SignatureFieldSpec("Sig1", 0, (10, 10, 50, 50))] * 2, "lebih dari sekali"),
        ([SignatureFieldSpec("Sig1", 1, (10, 10, 50, 50))], "halaman 2"),
        ([SignatureFieldSpec("Sig1", 0, (500, 10, 700, 50))], "tidak berada di dalam halaman"),
        ([SignatureFieldSpec("Sig1", 0, (50, 10, 10, 50))], "tidak berada di dalam halaman"),
    ],
)
def test_bad_field_specs_are_refused(bare_pdf, fields, message):
    with pytest.raises(PdfError, match=message):
        add_signature_fields(bare_pdf, fields)


def test_not_a_pdf_is_a_pdf_error():
    with pytest.raises(PdfError, match=r"tidak dapat dibaca|tidak dapat ditambahkan"):
        add_signature_fields(b"bukan PDF", FIELDS)
    with pytest.raises(PdfError):
        sigpdf.signature_field_names(b"bukan PDF")
