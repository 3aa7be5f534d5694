"""Fixtures for signing tests: a CA key file and a CA per test, fast scrypt, a small PDF."""

from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from pyhanko.pdf_utils import generic, writer

from signatures import ca, keystore
from signatures.models import CaKey, SigningIdentity

ORGANISATION = "Direktorat Jenderal Perbendaharaan"
PASSPHRASE = "kopi-aceh-gayo-2026"


@pytest.fixture(autouse=True)
def _signing_settings(settings, tmp_path: Path) -> None:
    settings.PAKTA_CA_KEY_FILE = tmp_path / "secrets" / "ca.key"
    settings.PAKTA_BASE_URL = "http://pakta.test"
    # Production uses n = 2**15; 2**10 keeps each derivation around a millisecond.
    settings.PAKTA_SIGNING_SCRYPT_LOG2_N = 10


@pytest.fixture
def ca_root(db) -> CaKey:
    keystore.ca_key_file_create()
    return ca.ca_initialize(organisation=ORGANISATION, unit_seals=[("KPPN-BNA", "KPPN Banda Aceh")])


@pytest.fixture
def pegawai(db):
    return get_user_model().objects.create_user(username="nur.abdullah")  # no password: hashing costs ~1 s


@pytest.fixture
def orang_lain(db):
    return get_user_model().objects.create_user(username="orang.lain")


@pytest.fixture
def identity(ca_root: CaKey, pegawai) -> SigningIdentity:
    return ca.identity_enrol(
        user=pegawai,
        passphrase=PASSPHRASE,
        name="Nur Abdullah",
        nip="198503142010011001",
        unit_name="Seksi Pencairan Dana",
        organisation=ORGANISATION,
        email="nur.abdullah@example.go.id",
        actor=pegawai,
    )


@pytest.fixture(scope="session")
def small_pdf() -> bytes:
    """A one-page PDF with a line of text."""
    w = writer.PdfFileWriter()
    font = w.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Font"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
                generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
            }
        )
    )
    content = w.add_object(generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 760 Td (PAKTA INTEGRITAS) Tj ET"))
    resources = generic.DictionaryObject(
        {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font})}
    )
    w.insert_page(writer.PageObject(contents=content, media_box=[0, 0, 595, 842], resources=resources))
    out = BytesIO()
    w.write(out)
    return out.getvalue()
