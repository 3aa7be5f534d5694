"""A pact signed and sealed through Pakta, as a standard PDF reader shows it (signatures issue, "done when":
the downloaded pact verifies VALID and shows the signatures in a standard PDF reader).

Poppler is the engine of Evince and Okular; its command-line tools read the file the way those readers do.
`pdfsig` validates the signatures with NSS (a database made in tmp, our root imported as a trusted CA),
`pdftoppm` renders the page, `pdftotext` reads the text Poppler draws. The files are written to tmp and the
tools run on them.

What Poppler 22.12 (Debian 12) genuinely reports, and these tests assert:

- the three CMS signatures (office seal, employee, superior): "Signature is Valid." and "Certificate is
  Trusted.", their signer common names, SHA-256;
- the B-LTA archival document timestamp is listed (its field, the TSA as signer) but "Signature has not yet
  been verified.": this Poppler does not validate RFC 3161 document timestamps (pyHanko does, elsewhere);
- "Total document signed" only when a signature's byte range reaches the end of the file. pyHanko's B-LTA
  adds the timestamp's own validation data (DSS) in an incremental update after the archival timestamp, so
  the sealed file says "Not total document signed" for every signature; each signature's range ends exactly
  where its revision ends, and the file cut there says "Total document signed" for it;
- certificate status is checked online at the certificates' OCSP URL (`PAKTA_BASE_URL/ca/ocsp`); the DSS in
  the file is not read. With no responder answering: "Unknown issue with Certificate or corrupted data.";
  with Pakta's (live server): trusted, or "Certificate has been Revoked." once the signer's identity is
  revoked. The other tests pass `-no-ocsp`.

Skipped with a reason when poppler-utils or libnss3-tools is missing (`make browser-deps` installs them).
"""

import re
import shutil
import subprocess
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from integrity.models import IntegrityPact, PactRevision
from integrity.selectors.signing import pact_revision_bytes, pact_verification_url
from integrity.services.signing import SEAL_FIELD, pact_sign
from signatures import ca
from signatures.models import RevocationReason
from tests.integrity.test_pact_signing import PASS_ATASAN, PASS_PEGAWAI, _build_office

TOOLS = ("pdfsig", "pdftoppm", "pdftotext", "certutil")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]

# django_db: pytest-django runs these with the database tests, before the transactional ones flush the
# migration data (ranks) that the module's pact is built from; the module fixture does not need it otherwise.
pytestmark = [
    pytest.mark.reader,
    pytest.mark.django_db,
    pytest.mark.skipif(
        bool(MISSING),
        reason=f"{', '.join(MISSING)} not found: apt-get install poppler-utils libnss3-tools (make browser-deps)",
    ),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "signatures"
DPI = 100
QR_DPI = 300  # a module is ~6 px here, ~2 px at 100 dpi
VALID = "Signature is Valid."
TRUSTED = "Certificate is Trusted."
NOT_VERIFIED = "Signature has not yet been verified."
STAMP_HEADING = "Ditandatangani secara elektronik"


@dataclass(frozen=True)
class Party:
    field: str
    name: str
    nip: str  # as the stamp prints it: 19850314 201001 1 001


@dataclass(frozen=True)
class Sealed:
    pdf: bytes  # the SIGNED pact's last revision: what the pact page downloads
    unsigned: bytes  # the rendered pact before certification
    roots: list[bytes]  # DER of `ca.trust_roots()`
    parties: list[Party]  # in signing order
    url: str  # the verification page the stamps' QR codes point to


# ---- Producing the pact ---------------------------------------------------------------------------------------


def _sign_and_seal() -> tuple[Sealed, IntegrityPact]:
    """The office of test_pact_signing: the employee signs, then the superior; the pact is sealed B-LTA."""
    office = _build_office()
    pact = office["pact"]
    pact_sign(pact=pact, user=office["users"]["pegawai"], passphrase=PASS_PEGAWAI)
    pact_sign(pact=pact, user=office["users"]["atasan"], passphrase=PASS_ATASAN)
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.SIGNED
    last = PactRevision.objects.filter(pact=pact).order_by("-sequence").first()
    assert last is not None and last.kind == "lta"
    parties = [
        Party(party.field_name, party.official.full_name, party.official.nip_display)
        for party in pact.parties.select_related("official").order_by("order")
    ]
    sealed = Sealed(
        pdf=pact_revision_bytes(last),
        unsigned=Path(pact.document.path).read_bytes(),
        roots=[root.dump() for root in ca.trust_roots()],
        parties=parties,
        url=pact_verification_url(pact),
    )
    return sealed, pact


@pytest.fixture(scope="module")
def sealed(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Sealed:
    """Once for the module (signing and sealing take a few seconds), inside a transaction rolled back
    before the first test: the tests only read the bytes."""
    tmp = tmp_path_factory.mktemp("reader")
    with (
        django_db_blocker.unblock(),
        override_settings(
            PAKTA_CA_KEY_FILE=tmp / "ca.key",
            PAKTA_SIGNING_SCRYPT_LOG2_N=10,  # production 2**15
            PAKTA_BASE_URL="http://pakta.test",
            PAKTA_TSA_URL="",
            MEDIA_ROOT=tmp / "media",
        ),
        transaction.atomic(),
    ):
        result, _pact = _sign_and_seal()
        transaction.set_rollback(True)
    return result


# ---- Poppler and NSS -----------------------------------------------------------------------------------------


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60, check=False)


def nss_db(directory: Path, roots: list[bytes]) -> str:
    """An NSS database trusting only our root(s) as CA (`CT,C,C`), as a reader's user would set it up."""
    directory.mkdir()
    nssdir = f"sql:{directory}"
    created = run("certutil", "-N", "--empty-password", "-d", nssdir)
    assert created.returncode == 0, created.stderr
    for i, der in enumerate(roots):
        path = directory / f"root{i}.der"  # certutil -i reads DER as well as PEM
        path.write_bytes(der)
        added = run("certutil", "-A", "-n", f"pakta-root-{i}", "-t", "CT,C,C", "-i", path, "-d", nssdir)
        assert added.returncode == 0, added.stderr
    listed = run("certutil", "-L", "-d", nssdir)
    assert "pakta-root-0" in listed.stdout and "CT,C,C" in listed.stdout, listed.stdout
    return nssdir


@pytest.fixture
def nssdir(sealed: Sealed, tmp_path: Path) -> str:
    return nss_db(tmp_path / "nss", sealed.roots)


class PdfsigReport(list[dict[str, Any]]):
    """pdfsig's report, one dict per signature field in its order: field, signed, cn (signer's common name),
    type, hash, ranges, total, validation, certificate (a key is absent when Poppler prints no such line).
    `text` is what pdfsig printed, for failure messages."""

    text: str = ""


def pdfsig(pdf: bytes, nssdir: str, tmp_path: Path, *, ocsp: bool = False, name: str = "pact.pdf") -> PdfsigReport:
    path = tmp_path / name
    path.write_bytes(pdf)
    result = run("pdfsig", "-nssdir", nssdir, *([] if ocsp else ["-no-ocsp"]), path)
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert result.stdout.startswith(f"Digital Signature Info of: {path}"), result.stdout
    report = PdfsigReport()
    report.text = result.stdout + result.stderr
    for line in result.stdout.splitlines()[1:]:
        if re.fullmatch(r"Signature #\d+:", line):
            report.append({"number": len(report) + 1, "signed": True})
            continue
        current = report[-1]
        if line == "  The signature form field is not signed.":  # an empty field: listed too
            current["signed"] = False
            continue
        item = line.removeprefix("  - ")
        key, _sep, value = item.partition(": ")
        if item in ("Total document signed", "Not total document signed"):
            current["total"] = item == "Total document signed"
        elif key in PDFSIG_KEYS:
            current[PDFSIG_KEYS[key]] = value
        elif key == "Signed Ranges":
            current["ranges"] = [(int(a), int(b)) for a, b in re.findall(r"\[(\d+) - (\d+)\]", value)]
        else:
            assert key in ("Signer full Distinguished Name", "Signing Time"), f"unexpected pdfsig line: {line!r}"
    return report


PDFSIG_KEYS = {
    "Signature Field Name": "field",
    "Signer Certificate Common Name": "cn",
    "Signing Hash Algorithm": "hash",
    "Signature Type": "type",
    "Signature Validation": "validation",
    "Certificate Validation": "certificate",
}


def ppm(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of a binary PPM (P6, maxval 255) as pdftoppm writes it."""
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
    assert header, data[:20]
    width, height = int(header[1]), int(header[2])
    pixels = data[header.end() :]
    assert len(pixels) == width * height * 3
    return width, height, pixels


def render(pdf: Path, page: int, dpi: int, crop: tuple[int, int, int, int] | None = None) -> tuple[int, int, bytes]:
    """Page `page` (1-based) rendered by Poppler as RGB; `crop` is (x, y, w, h) in pixels at `dpi`."""
    area = ["-x", str(crop[0]), "-y", str(crop[1]), "-W", str(crop[2]), "-H", str(crop[3])] if crop else []
    result = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), *area, str(pdf)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return ppm(result.stdout)


def dark_share(image: tuple[int, int, bytes], box: tuple[int, int, int, int]) -> float:
    """Share of pixels in `box` (x0, y0, x1, y1; pixels) darker than light grey."""
    width, _height, pixels = image
    x0, y0, x1, y1 = box
    dark = 0
    for y in range(y0, y1):
        row = pixels[(y * width + x0) * 3 : (y * width + x1) * 3]
        dark += sum(1 for i in range(0, len(row), 3) if row[i] + row[i + 1] + row[i + 2] < 3 * 200)
    return dark / ((x1 - x0) * (y1 - y0))


@dataclass(frozen=True)
class FieldOnPage:
    page: int  # 1-based, as Poppler numbers pages
    rect: tuple[float, float, float, float]  # PDF points, x1 < x2, y1 < y2
    mediabox: tuple[float, float, float, float]

    def pixels(self, dpi: int) -> tuple[int, int, int, int]:
        """The rectangle in the rendered page's pixels: origin top left, y downwards."""
        scale = dpi / 72
        mx0, _my0, _mx1, my1 = self.mediabox
        x1, y1, x2, y2 = self.rect
        return (
            round((x1 - mx0) * scale),
            round((my1 - y2) * scale),
            round((x2 - mx0) * scale),
            round((my1 - y1) * scale),
        )


def signature_fields_on_pages(pdf: bytes) -> dict[str, FieldOnPage]:
    """Each signature field's widget rectangle, page and that page's /MediaBox, read with pyHanko."""
    reader = PdfFileReader(BytesIO(pdf))
    pages: list[generic.IndirectObject] = []

    def walk(node: generic.IndirectObject) -> None:
        obj = node.get_object()
        if obj["/Type"] == "/Pages":
            for kid in obj.raw_get("/Kids"):
                walk(kid)
        else:
            pages.append(node)

    walk(reader.root.raw_get("/Pages"))
    numbers = {page.idnum: i + 1 for i, page in enumerate(pages)}
    found = {}
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/FT") != "/Sig":
            continue
        widget = field["/Kids"][0].get_object() if "/Kids" in field else field
        page_ref = widget.raw_get("/P")
        page = page_ref.get_object()
        node = page
        while "/MediaBox" not in node:  # inheritable
            node = node["/Parent"]
        assert int(page.get("/Rotate", 0)) == 0
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        m = [float(v) for v in node["/MediaBox"]]
        found[str(field["/T"])] = FieldOnPage(
            page=numbers[page_ref.idnum],
            rect=(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)),
            mediabox=(min(m[0], m[2]), min(m[1], m[3]), max(m[0], m[2]), max(m[1], m[3])),
        )
    return found


def qr_modules(url: str) -> list[list[bool]]:
    """The QR matrix (dark = True, no quiet zone) pyHanko draws for `url` (error correction M, as
    `pyhanko.pdf_utils.qr` makes it)."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make()
    return [list(row) for row in code.get_matrix()]


def read_qr(image: tuple[int, int, bytes], size: int) -> list[list[bool]]:
    """The `size`×`size` modules of the QR code in `image` (a crop holding the code and white around it):
    the code spans the bounding box of the dark pixels; each module is read at its centre."""
    width, height, pixels = image

    def dark(x: int, y: int) -> bool:
        i = (y * width + x) * 3
        return pixels[i] + pixels[i + 1] + pixels[i + 2] < 3 * 128

    xs = [x for y in range(height) for x in range(width) if dark(x, y)]
    ys = [y for y in range(height) for x in range(width) if dark(x, y)]
    assert xs and ys, "no dark pixels where the QR code should be"
    x0, x1, y0, y1 = min(xs), max(xs) + 1, min(ys), max(ys) + 1
    assert abs((x1 - x0) - (y1 - y0)) <= 2, ("not square", x0, x1, y0, y1)
    step_x, step_y = (x1 - x0) / size, (y1 - y0) / size
    assert step_x >= 3, f"{step_x:.1f} px per module: too small to read"
    return [
        [dark(int(x0 + (c + 0.5) * step_x), int(y0 + (r + 0.5) * step_y)) for c in range(size)] for r in range(size)
    ]


# ---- pdfsig ----------------------------------------------------------------------------------------------------


def test_pdfsig_lists_every_signature_valid_and_trusted_with_the_signers(sealed, nssdir, tmp_path):
    """GIVEN the sealed pact and a reader trusting Pakta's root WHEN pdfsig reads it THEN it lists as many
    signatures as pyHanko finds embedded: the parties' and the office seal's, valid and trusted, signed in
    the parties' names; and the archival document timestamp, by Pakta's TSA, which Poppler does not verify."""
    report = pdfsig(sealed.pdf, nssdir, tmp_path)
    embedded = PdfFileReader(BytesIO(sealed.pdf)).embedded_signatures
    assert len(report) == len(embedded) == len(sealed.parties) + 2, report.text  # + the seal, the timestamp
    assert all(sig["signed"] for sig in report), report.text
    by_field = {sig["field"]: sig for sig in report}
    assert set(by_field) == {e.field_name for e in embedded}

    regular = [sig for sig in report if sig["type"] == "ETSI.CAdES.detached"]
    assert {sig["field"] for sig in regular} == {p.field for p in sealed.parties} | {SEAL_FIELD}, report.text
    for party in sealed.parties:
        assert by_field[party.field]["cn"] == party.name, report.text
    assert by_field[SEAL_FIELD]["cn"] == "Kantor Pelayanan Perbendaharaan Negara Banda Aceh"
    for sig in regular:
        assert (sig["validation"], sig["certificate"], sig["hash"]) == (VALID, TRUSTED, "SHA-256"), report.text

    (archive,) = [sig for sig in report if sig not in regular]
    assert archive["field"].startswith("Archive_") and archive["cn"].startswith("Pakta TSA"), report.text
    assert (archive["type"], archive["validation"]) == ("unknown", NOT_VERIFIED), report.text
    assert "certificate" not in archive


def test_without_paktas_ocsp_responder_a_reader_cannot_tell_the_certificate_status(sealed, nssdir, tmp_path):
    """pdfsig asks the OCSP responder in each certificate (here http://pakta.test/ca/ocsp, which no one
    answers) and does not use the revocation data sealed into the file: the signatures stay valid, the
    certificates' status unknown. Pakta must be reachable at PAKTA_BASE_URL for readers to say "trusted"."""
    report = pdfsig(sealed.pdf, nssdir, tmp_path, ocsp=True)
    regular = [sig for sig in report if sig["type"] == "ETSI.CAdES.detached"]
    assert len(regular) == len(sealed.parties) + 1
    for sig in regular:
        assert sig["validation"] == VALID, report.text
        assert sig["certificate"] == "Unknown issue with Certificate or corrupted data.", report.text


def test_each_signature_covers_its_revision_and_the_dss_update_follows_the_last(sealed, nssdir, tmp_path):
    """Every signed range starts at byte 0 and ends where a revision ends (%%EOF). The sealed file goes on
    after the last one (the DSS with the timestamp's validation data), so pdfsig says "Not total document
    signed" for every signature; the file cut where a signature's range ends is the revision that signature
    made, and pdfsig says "Total document signed" for it (and only for it)."""
    pdf = sealed.pdf
    report = pdfsig(pdf, nssdir, tmp_path)
    assert [sig["total"] for sig in report] == [False] * len(report), report.text
    ends = {}
    for sig in report:
        (start, gap_start), (gap_end, end) = sig["ranges"]
        assert start == 0 and gap_start < gap_end < end < len(pdf), report.text
        assert pdf[end - 7 : end].rstrip(b"\r\n").endswith(b"%%EOF"), (sig["field"], pdf[end - 10 : end])
        ends[sig["field"]] = end
    order = sorted(ends, key=ends.__getitem__)
    assert order == [SEAL_FIELD, *(p.field for p in sealed.parties), report[-1]["field"]]
    tail = pdf[ends[order[-1]] :]
    assert b"/DSS" in tail and b"/ByteRange" not in tail  # validation data only, no further signature

    for field in order:
        cut = pdfsig(pdf[: ends[field]], nssdir, tmp_path, name=f"cut-{field}.pdf")
        signed = {sig["field"]: sig for sig in cut if sig["signed"]}
        assert set(signed) == set(order[: order.index(field) + 1]), cut.text  # the later ones: empty or absent
        assert [f for f, sig in signed.items() if sig["total"]] == [field], cut.text
        if field != order[-1]:
            assert (signed[field]["validation"], signed[field]["certificate"]) == (VALID, TRUSTED), cut.text


def test_an_edit_after_the_seal_is_not_covered_and_a_changed_byte_breaks_every_signature(sealed, nssdir, tmp_path):
    """WHEN an incremental update is appended after the archival timestamp THEN pdfsig no longer says
    "Total document signed" for it; Poppler checks byte ranges, not what an update changes, so the
    signatures themselves stay "Signature is Valid" (pyHanko's difference analysis is what rejects such an
    update). WHEN one byte the signatures cover is changed THEN every CMS signature reports "Digest
    Mismatch." and no certificate verdict."""
    ends = [sig["ranges"][-1][1] for sig in pdfsig(sealed.pdf, nssdir, tmp_path)]
    timestamped = sealed.pdf[: max(ends)]
    assert pdfsig(timestamped, nssdir, tmp_path, name="timestamped.pdf")[-1]["total"] is True

    # An incremental update giving the document information dictionary a new title.
    reader = PdfFileReader(BytesIO(timestamped))
    info = reader.trailer.raw_get("/Info")
    root = reader.trailer.raw_get("/Root")
    body = f"\n{info.idnum} {info.generation} obj\n<< /Title (Pakta Integritas PALSU) >>\nendobj\n".encode()
    offset = len(timestamped) + 1  # of "N G obj", after the newline
    xref = len(timestamped) + len(body)
    update = (
        f"xref\n0 1\n0000000000 65535 f \n{info.idnum} 1\n{offset:010d} {info.generation:05d} n \n"
        f"trailer\n<< /Size {reader.trailer['/Size']} /Root {root.idnum} {root.generation} R "
        f"/Info {info.idnum} {info.generation} R /Prev {reader.last_startxref} >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    edited = timestamped + body + update
    assert PdfFileReader(BytesIO(edited)).trailer["/Info"]["/Title"] == "Pakta Integritas PALSU"
    report = pdfsig(edited, nssdir, tmp_path, name="edited.pdf")
    assert [sig["total"] for sig in report] == [False] * len(report), report.text
    regular = [sig for sig in report if sig["type"] == "ETSI.CAdES.detached"]
    assert [sig["validation"] for sig in regular] == [VALID] * (len(sealed.parties) + 1), report.text

    title = sealed.pdf.index(b"Pakta Integritas PI-")  # in the first revision: covered by every signature
    tampered = bytearray(sealed.pdf)
    tampered[title] = ord("Q")
    report = pdfsig(bytes(tampered), nssdir, tmp_path, name="tampered.pdf")
    regular = [sig for sig in report if sig["type"] == "ETSI.CAdES.detached"]
    assert len(regular) == len(sealed.parties) + 1, report.text
    for sig in regular:
        assert sig["validation"] == "Digest Mismatch." and "certificate" not in sig, report.text


# ---- Rendering ----------------------------------------------------------------------------------------------------


def test_pdftoppm_draws_each_partys_stamp_in_its_field(sealed, tmp_path):
    """GIVEN the sealed pact WHEN Poppler renders it THEN each party's field rectangle, blank in the unsigned
    pact, holds a drawn stamp: pdftotext reads the heading, the party's name and NIP inside it, and the QR
    code drawn there encodes the verification URL. The page is kept as
    test-artifacts/signatures/pdf-reader-page1.png for a human to look at."""
    signed_path, unsigned_path = tmp_path / "signed.pdf", tmp_path / "unsigned.pdf"
    signed_path.write_bytes(sealed.pdf)
    unsigned_path.write_bytes(sealed.unsigned)
    fields = signature_fields_on_pages(sealed.pdf)
    assert fields[SEAL_FIELD].rect[2] == fields[SEAL_FIELD].rect[0]  # the office seal is invisible

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    artifact = ARTIFACTS / "pdf-reader-page1"
    png = run("pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", signed_path, artifact)
    assert png.returncode == 0, png.stderr
    assert artifact.with_suffix(".png").read_bytes().startswith(b"\x89PNG")

    modules = qr_modules(sealed.url)
    for party in sealed.parties:
        field = fields[party.field]
        signed, unsigned = render(signed_path, field.page, DPI), render(unsigned_path, field.page, DPI)
        assert signed[:2] == unsigned[:2]
        x0, y0, x1, y1 = field.pixels(DPI)
        assert 0 <= x0 < x1 <= signed[0] and 0 <= y0 < y1 <= signed[1]
        inner = (x0 + 3, y0 + 3, x1 - 3, y1 - 3)  # inside the stamp's frame
        assert dark_share(unsigned, inner) < 0.005, f"{party.field} is not blank before signing"
        assert dark_share(signed, inner) > 0.08, f"no stamp drawn in {party.field}"

        crop = ["-x", str(x0), "-y", str(y0), "-W", str(x1 - x0), "-H", str(y1 - y0)]
        page = ["-f", str(field.page), "-l", str(field.page)]
        text = run("pdftotext", "-r", str(DPI), *page, *crop, signed_path, "-")
        lines = [line.strip() for line in text.stdout.splitlines() if line.strip()]
        assert lines[:3] == [STAMP_HEADING, party.name, f"NIP {party.nip}"], lines

        # The QR code fills the left third of the stamp; the text starts to its right.
        k = QR_DPI / DPI
        left = (round((x0 + 4) * k), round((y0 + 4) * k), round((x1 - x0) / 3 * k), round((y1 - y0 - 8) * k))
        assert read_qr(render(signed_path, field.page, QR_DPI, left), len(modules)) == modules, party.field


# ---- Certificate status online, from Pakta's own OCSP responder -----------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pdfsig_asks_paktas_ocsp_responder_and_sees_a_revocation(live_server, settings, tmp_path):
    """GIVEN a pact signed and sealed while Pakta runs at its certificates' URLs (the live server) WHEN
    pdfsig checks it with OCSP, as it does by default THEN Pakta's responder answers (NSS asks by GET,
    RFC 6960 A.1) and every certificate is trusted; AFTER the employee's identity
    is revoked, the employee's certificate "has been Revoked" and the others stay trusted."""
    settings.PAKTA_BASE_URL = live_server.url
    settings.PAKTA_TSA_URL = ""
    sealed, pact = _sign_and_seal()
    nssdir = nss_db(tmp_path / "nss", sealed.roots)
    employee, superior = (p.field for p in sealed.parties)

    report = pdfsig(sealed.pdf, nssdir, tmp_path, ocsp=True)
    verdicts = {sig["field"]: (sig["validation"], sig.get("certificate")) for sig in report}
    for field in (employee, superior, SEAL_FIELD):
        assert verdicts[field] == (VALID, TRUSTED), report.text

    user = pact.parties.get(field_name=employee).official.user
    assert user is not None
    ca.identity_revoke(identity=user.signing_identities.get(), reason=RevocationReason.KEY_COMPROMISE, actor=user)
    report = pdfsig(sealed.pdf, nssdir, tmp_path, ocsp=True)
    verdicts = {sig["field"]: (sig["validation"], sig.get("certificate")) for sig in report}
    assert verdicts[employee] == (VALID, "Certificate has been Revoked."), report.text
    assert verdicts[superior] == verdicts[SEAL_FIELD] == (VALID, TRUSTED), report.text
