"""The signing pages through Django's test client (signatures issue §5): the signing identity page, the
sign page with its errors, the signature display on the pact detail, and the CA status page.

GIVEN the office of conftest.py (`pegawai` signs the overdue pact first, `kasi.pd` second; `kepala.kppn`
sees it but is not a party; `orang_luar` sees nothing) and the embedded CA initialised per test with fast
scrypt (the autouse `_signing_settings` and `ca_root` of tests/signatures/conftest.py).
"""

from __future__ import annotations

import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from integrity.models import IntegrityPact, PactRevision
from integrity.services.signing_identities import signing_identity_enrol
from signatures.models import SigningIdentity
from tests.frontend.conftest import Office
from tests.frontend.test_views import login, text_of
from tests.signatures.conftest import _signing_settings, ca_root  # noqa: F401 - fixtures: the CA per test

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ca_root")]

ENROL = "/tanda-tangan/identitas/"
PASS_PEGAWAI = "kopi-aceh-gayo-2026"
PASS_KASI = "mie-aceh-pedas-2026"
UNCERTIFIED = "TTE tidak tersertifikasi (CA internal Pakta)"


def enrolled(office: Office, *usernames: str) -> None:
    passphrases = {"pegawai": PASS_PEGAWAI, "kasi.pd": PASS_KASI}
    for username in usernames:
        signing_identity_enrol(user=office.users[username], passphrase=passphrases[username])


def sign_url(pact: IntegrityPact) -> str:
    return reverse("frontend:pact-sign", args=[pact.pk])


def idempotency_key(html: str) -> str:
    match = re.search(r'<input type="hidden" name="idempotency_key" value="([0-9a-f-]{36})"', html)
    assert match, "the sign form carries an Idempotency-Key"
    return match[1]


def nav_of(html: str) -> str:
    return html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]


# ---- Signing identity ----------------------------------------------------------------------------------------


def test_enrol_page_sets_a_passphrase_and_shows_the_certificate(client: Client, office: Office) -> None:
    login(client, "pegawai")
    page = client.get(ENROL)
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("frontend:enrol") == ENROL
    assert f'<a href="{ENROL}" aria-current="page">Identitas tanda tangan</a>' in nav_of(html)
    assert "Yusnidar" in text_of(page) and office.officials["pegawai"].nip in text_of(page)
    assert html.count('autocomplete="new-password"') == 2 and 'type="password"' in html
    assert 'method="post"' in html and UNCERTIFIED in text_of(page)

    differ = client.post(ENROL, {"passphrase": PASS_PEGAWAI, "passphrase_confirm": PASS_PEGAWAI + "!"})
    assert differ.status_code == 400
    assert "Kedua passphrase tidak sama" in text_of(differ)
    short = client.post(ENROL, {"passphrase": "kopi-9x", "passphrase_confirm": "kopi-9x"})
    assert short.status_code == 400
    assert 'role="alert"' in short.content.decode()
    assert "Passphrase terlalu pendek: paling sedikit 10 karakter." in text_of(short)
    for response in (differ, short):
        assert PASS_PEGAWAI.encode() not in response.content and b"kopi-9x" not in response.content
    assert not SigningIdentity.objects.exists()

    done = client.post(ENROL, {"passphrase": PASS_PEGAWAI, "passphrase_confirm": PASS_PEGAWAI}, follow=True)
    assert done.redirect_chain == [(ENROL, 302)]
    text = text_of(done)
    identity = SigningIdentity.objects.get(user=office.users["pegawai"])
    assert f"Sertifikat nomor seri {identity.serial}" in text
    assert "Sertifikat Anda" in text and identity.serial in text and UNCERTIFIED in text
    assert "PP 71/2019 Pasal 60" in text
    assert PASS_PEGAWAI.encode() not in done.content
    assert not AuditEvent.objects.filter(payload__contains=PASS_PEGAWAI).exists()

    # Change the passphrase: a wrong old one is refused (and counted), the right one works.
    change = {"old_passphrase": "bukan-yang-lama", "new_passphrase": "teh-tarik-2027", "new_passphrase_confirm": ""}
    mismatch = client.post(ENROL, change)
    assert mismatch.status_code == 400 and "Kedua passphrase tidak sama" in text_of(mismatch)
    wrong = client.post(ENROL, change | {"new_passphrase_confirm": "teh-tarik-2027"})
    assert wrong.status_code == 403 and "Passphrase salah. Sisa percobaan" in text_of(wrong)
    changed = client.post(ENROL, change | {"old_passphrase": PASS_PEGAWAI, "new_passphrase_confirm": "teh-tarik-2027"})
    assert changed.status_code == 302
    assert "Passphrase tanda tangan Anda telah diganti." in text_of(client.get(ENROL))
    for response in (mismatch, wrong, changed):
        assert b"teh-tarik" not in response.content and b"bukan-yang-lama" not in response.content


def test_enrol_page_is_for_officials(client: Client, office: Office) -> None:
    login(client, "orang_luar")
    assert client.get(ENROL).status_code == 403
    assert ENROL not in nav_of(client.get(reverse("frontend:home")).content.decode())


# ---- Sign page ---------------------------------------------------------------------------------------------------


def test_sign_page_shows_the_document_the_order_and_a_fresh_key_per_render(client: Client, office: Office) -> None:
    enrolled(office, "pegawai")
    pact = office.pacts["pegawai"]
    login(client, "pegawai")
    detail = client.get(reverse("frontend:pact-detail", args=[pact.pk]))
    assert "Giliran Anda menandatangani pakta ini." in text_of(detail)
    assert f'href="{sign_url(pact)}">Tandatangani</a>' in detail.content.decode()

    page = client.get(sign_url(pact))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<iframe class="pdf-frame print-hide" src="{reverse("frontend:pact-revision-pdf", args=[pact.pk])}"' in html
    order = html.split('id="signing-order"', 1)[1].split("</ol>", 1)[0]
    assert order.index("Yusnidar") < order.index("Rahmi Fitriani")
    assert "Giliran sekarang" in order and "0 dari 2 pihak telah menandatangani." in text_of(page)
    assert 'name="passphrase"' in html and 'autocomplete="off"' in html and 'type="password"' in html
    assert 'method="post"' in html and "?passphrase" not in html
    assert UNCERTIFIED in text_of(page)
    assert idempotency_key(html) != idempotency_key(client.get(sign_url(pact)).content.decode())

    # The document before it is issued for signing: the rendered PDF.
    pdf = client.get(reverse("frontend:pact-revision-pdf", args=[pact.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]


def test_sign_page_errors_are_clear_and_write_nothing(client: Client, office: Office) -> None:
    pact = office.pacts["pegawai"]
    login(client, "pegawai")
    no_identity = client.get(sign_url(pact))
    assert "Anda belum memiliki identitas penandatangan" in text_of(no_identity)
    assert f'href="{ENROL}?next={sign_url(pact)}"' in no_identity.content.decode()

    enrolled(office, "pegawai", "kasi.pd")
    key = idempotency_key(client.get(sign_url(pact)).content.decode())
    wrong = client.post(sign_url(pact), {"passphrase": "salah-sekali-2026", "idempotency_key": key})
    assert wrong.status_code == 403
    alert = wrong.content.decode().split('id="sign-error"', 1)[1].split("</div>", 1)[0]
    assert "Passphrase salah. Sisa percobaan sebelum penandatanganan dikunci: 4." in alert
    assert b"salah-sekali-2026" not in wrong.content
    assert 'value="salah' not in wrong.content.decode() and idempotency_key(wrong.content.decode()) != key
    empty = client.post(sign_url(pact), {"passphrase": "", "idempotency_key": key})
    assert empty.status_code == 400 and "Masukkan passphrase untuk menandatangani." in text_of(empty)

    client.logout()
    login(client, "kasi.pd")
    waiting = client.get(sign_url(pact))
    assert "Belum giliran Anda: menunggu tanda tangan Yusnidar." in text_of(waiting)
    assert 'name="passphrase"' not in waiting.content.decode()
    early = client.post(sign_url(pact), {"passphrase": PASS_KASI})
    assert early.status_code == 409 and "Belum giliran Anda menandatangani" in text_of(early)

    client.logout()
    login(client, "kepala.kppn")  # sees the pact, is not a party
    assert client.get(sign_url(pact)).status_code == 403
    assert client.post(sign_url(pact), {"passphrase": PASS_KASI}).status_code == 403
    assert "Giliran Anda" not in text_of(client.get(reverse("frontend:pact-detail", args=[pact.pk])))
    client.logout()
    login(client, "orang_luar")
    assert client.get(sign_url(pact)).status_code == 404
    assert client.get(reverse("frontend:pact-revision-pdf", args=[pact.pk])).status_code == 404
    assert not PactRevision.objects.filter(pact=pact, kind=PactRevision.Kind.SIGNATURE).exists()


def test_a_double_submit_signs_once_and_the_detail_shows_the_signature(client: Client, office: Office) -> None:
    enrolled(office, "pegawai")
    pact = office.pacts["pegawai"]
    login(client, "pegawai")
    form = {"passphrase": PASS_PEGAWAI, "idempotency_key": idempotency_key(client.get(sign_url(pact)).content.decode())}
    first = client.post(sign_url(pact), form)
    second = client.post(sign_url(pact), form)  # the same form sent twice
    detail_url = reverse("frontend:pact-detail", args=[pact.pk])
    assert (first.status_code, first["Location"], second.status_code, second["Location"]) == (
        302,
        detail_url,
        302,
        detail_url,
    )
    assert PactRevision.objects.filter(pact=pact, kind=PactRevision.Kind.SIGNATURE).count() == 1

    detail = client.get(detail_url)
    text, html = text_of(detail), detail.content.decode()
    assert f"Anda telah menandatangani pakta {pact.number}. Jenis tanda tangan: {UNCERTIFIED}." in text
    assert "1 dari 2 pihak telah menandatangani." in text
    parties = html.split('id="parties-heading"', 1)[1].split("</table>", 1)[0]
    assert f'<span class="badge badge-superseded" title="{UNCERTIFIED}">tidak tersertifikasi</span>' in parties
    assert "Giliran Anda" not in text
    revision_pdf = reverse("frontend:pact-revision-pdf", args=[pact.pk])
    assert f'href="{revision_pdf}?download=1">Unduh PDF bertanda tangan</a>' in html
    download = client.get(revision_pdf + "?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    latest = PactRevision.objects.filter(pact=pact).order_by("-sequence").first()
    assert latest is not None and latest.kind == PactRevision.Kind.SIGNATURE
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(body).hexdigest() == latest.sha256
    assert f"{pact.number}-revisi-{latest.sequence}.pdf" in download["Content-Disposition"]
    assert "Anda sudah menandatangani pakta ini" in text_of(client.get(sign_url(pact)))


# ---- CA status ---------------------------------------------------------------------------------------------------


def test_ca_admin_page_is_for_superusers_and_auditors(client: Client, office: Office) -> None:
    enrolled(office, "pegawai")
    admin = get_user_model().objects.create_superuser(username="root", password="x" * 12)
    url = reverse("frontend:ca-admin")
    assert url == "/admin-ca/"
    for user in (admin, office.users["auditor"]):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        text = text_of(page)
        assert "Status CA Pakta" in text and "Penanda waktu (TSA)" in text and "TSA internal Pakta" in text
        keys = page.content.decode().split('id="ca-keys"', 1)[1].split("</table>", 1)[0]
        for role in ("CA induk", "CA penerbit", "Penanda waktu (TSA)", "Penjawab OCSP", "Segel elektronik unit"):
            assert role in keys
        issued = page.content.decode().split('id="issued"', 1)[1].split("</table>", 1)[0]
        assert "pegawai" in issued and "Yusnidar" in issued
        assert '<a href="/admin-ca/" aria-current="page">CA Pakta</a>' in nav_of(page.content.decode())
        client.logout()
    for username in ("kepatuhan", "pegawai", "kepala.kppn", "hr", "orang_luar"):
        login(client, username)
        assert client.get(url).status_code == 403, username
        assert "/admin-ca/" not in nav_of(client.get(reverse("frontend:home")).content.decode())
        client.logout()
