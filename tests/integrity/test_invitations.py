"""Invitations of satker heads (signatures issue §1, `integrity.services.invitations`): send -> e-mail with a
one-time link (only its hash stored) -> accept (login + link to the official + signing identity, all or
nothing) -> the link is dead; resend kills the old link; revoke and expiry kill the link; every step is
audited and no secret reaches the journal; the new login sees only the satker head's own pacts. Then the
pages: the HR/compliance list with send/resend/revoke, and the public page behind the link.
"""

import datetime
import hashlib
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from integrity.models import IntegrityPact, Invitation, Official, RoleGrant
from integrity.selectors import pacts_visible_to
from integrity.services import org
from integrity.services.access import official_link_account
from integrity.services.invitations import (
    AccountDataInvalid,
    InvitationAlreadyOpen,
    InvitationClosed,
    InvitationGone,
    InvitationNotFound,
    InvitationRefused,
    OfficialHasAccount,
    invitation_accept,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    invitation_send,
)
from integrity.services.pacts import pacts_reconcile
from integrity.workdays import today_jakarta
from signatures import ca, keystore
from signatures.models import SigningIdentity
from tests.factories import make_office, make_official, make_position, make_satker

pytestmark = pytest.mark.django_db

PASSWORD = "Rencong-Aceh-77"
PASSPHRASE = "kopi-gayo-aceh-2026"
STAFF_PASSWORD = "pakta-test-2026"
LINK = re.compile(r"http://pakta\.test/undangan/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path: Path) -> None:
    settings.PAKTA_CA_KEY_FILE = tmp_path / "secrets" / "ca.key"
    settings.PAKTA_BASE_URL = "http://pakta.test"
    settings.PAKTA_SIGNING_SCRYPT_LOG2_N = 10  # production 2**15; this keeps each derivation ~1 ms
    settings.PAKTA_INVITATION_DAYS = 7
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def office(db) -> dict:
    """GIVEN KPPN Banda Aceh (head, a section head and one staff member) serving satker 000001 and 000002,
    and KPPN Lhokseumawe serving satker 000003; each satker has a head from another ministry without a
    login. `hr` is HR administrator of KPPN Banda Aceh, `kepatuhan` compliance officer of the Kanwil,
    `auditor` auditor of every unit, `orang_luar` has nothing. The embedded CA is set up; the pacts are
    reconciled as of today."""
    today = today_jakarta()
    start = today - datetime.timedelta(days=60)
    units = make_office()
    lhok = org.unit_create(code="KPPN-LSM", name="KPPN Lhokseumawe", kind="kppn", parent=units["kanwil"])
    kepala_pos = make_position("KPPN-BNA-KEPALA", units["kppn"], head=True)
    kasi_pos = make_position("KPPN-BNA-PD-KASI", units["section"], reports_to=kepala_pos, head=True)
    staff_pos = make_position("KPPN-BNA-PD-1", units["section"], reports_to=kasi_pos)
    lhok_head_pos = make_position("KPPN-LSM-KEPALA", lhok, head=True)
    people = {
        "kepala": make_official("Hendra Gunawan"),
        "kasi": make_official("Rahmi Fitriani"),
        "pegawai": make_official("Yusnidar"),
        "kepala_lsm": make_official("Zulfikar"),
        "satker1": make_official("Mahdi Ismail", rank="IV/a"),
        "satker2": make_official("Siti Maryam", rank="IV/a"),
        "satker3": make_official("Abdul Hamid", rank="IV/a"),
    }
    org.assignment_start(official=people["kepala"], position=kepala_pos, effective_date=start)
    org.assignment_start(official=people["kasi"], position=kasi_pos, effective_date=start)
    org.assignment_start(official=people["pegawai"], position=staff_pos, effective_date=start)
    org.assignment_start(official=people["kepala_lsm"], position=lhok_head_pos, effective_date=start)
    satker = {
        "satker1": make_satker("000001", units["kppn"]),
        "satker2": make_satker("000002", units["kppn"]),
        "satker3": make_satker("000003", lhok),
    }
    for key, spending_unit in satker.items():
        org.satker_head_appoint(
            spending_unit=spending_unit, official=people[key], effective_date=start, title="Kepala Kantor"
        )
    pacts_reconcile(as_of=today)
    user_model = get_user_model()
    users = {
        name: user_model.objects.create_user(username=name, password=STAFF_PASSWORD)
        for name in ("hr", "kepatuhan", "auditor", "orang_luar")
    }
    RoleGrant.objects.create(user=users["hr"], role=RoleGrant.Role.HR_ADMIN, unit=units["kppn"])
    RoleGrant.objects.create(user=users["kepatuhan"], role=RoleGrant.Role.COMPLIANCE, unit=units["kanwil"])
    RoleGrant.objects.create(user=users["auditor"], role=RoleGrant.Role.AUDITOR, unit=None)
    keystore.ca_key_file_create()
    ca.ca_initialize(organisation="Direktorat Jenderal Perbendaharaan")
    return {"units": units, "people": people, "satker": satker, "users": users}


@pytest.fixture
def hr(office):
    return office["users"]["hr"]


@pytest.fixture
def kepala_satker(office) -> Official:
    return office["people"]["satker1"]


def send(official: Official, actor, django_capture_on_commit_callbacks, email: str = "mahdi@kemenag.example"):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_send(official=official, email=email, actor=actor)
    return invitation, token_in_last_mail()


def token_in_last_mail() -> str:
    match = LINK.search(str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(1)


def footprint() -> tuple[int, int, int, int, int]:
    """What accepting writes: logins, identities, audit events, accepted invitations, linked officials."""
    return (
        get_user_model().objects.count(),
        SigningIdentity.objects.count(),
        AuditEvent.objects.count(),
        Invitation.objects.filter(accepted_at__isnull=False).count(),
        Official.objects.filter(user__isnull=False).count(),
    )


def actions() -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith="integrity.invitation.").values_list("action", flat=True))


# ---- send -------------------------------------------------------------------------------------------------


def test_send_emails_a_one_time_link_and_stores_only_its_hash(kepala_satker, hr, django_capture_on_commit_callbacks):
    invitation, token = send(kepala_satker, hr, django_capture_on_commit_callbacks)

    message = mail.outbox[0]
    assert message.to == ["mahdi@kemenag.example"]
    assert "Mahdi Ismail" in message.body and "Satker 000001" in message.body
    assert invitation.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 40  # 32 random bytes
    stored = Invitation.objects.values().get(pk=invitation.pk)
    assert token not in repr(stored)
    assert invitation.created_by == hr and invitation.resent_count == 0
    assert invitation.expires_at - timezone.now() > datetime.timedelta(days=6, hours=23)
    assert invitation.status == Invitation.Status.PENDING
    event = AuditEvent.objects.get(action="integrity.invitation.sent")
    assert event.actor_id == hr.pk and "mahdi@kemenag.example" in event.payload
    assert token not in event.payload and invitation.token_sha256 not in event.payload


def test_no_mail_leaves_before_the_commit(kepala_satker, hr, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation_send(official=kepala_satker, email="mahdi@kemenag.example", actor=hr)
    assert mail.outbox == [] and len(callbacks) == 1


@pytest.mark.parametrize("email", ["", "bukan-email", "a@b", "x" * 300 + "@kemenag.example"])
def test_send_refuses_an_invalid_address_and_writes_nothing(kepala_satker, hr, email):
    events = AuditEvent.objects.count()
    with pytest.raises(InvitationRefused):
        invitation_send(official=kepala_satker, email=email, actor=hr)
    assert not Invitation.objects.exists() and AuditEvent.objects.count() == events


def test_send_refuses_an_official_who_heads_no_satker(office, hr):
    with pytest.raises(InvitationRefused) as refused:
        invitation_send(official=office["people"]["pegawai"], email="y@kemenkeu.example", actor=hr)
    assert refused.value.status_code == 400
    assert not Invitation.objects.exists()


def test_send_refuses_an_official_with_a_login(kepala_satker, hr):
    official_link_account(official=kepala_satker, username="mahdi", password=None)
    events = AuditEvent.objects.count()
    with pytest.raises(OfficialHasAccount) as refused:
        invitation_send(official=kepala_satker, email="mahdi@kemenag.example", actor=hr)
    assert refused.value.status_code == 409
    assert not Invitation.objects.exists() and AuditEvent.objects.count() == events


def test_a_second_open_invitation_is_refused(kepala_satker, hr, django_capture_on_commit_callbacks):
    send(kepala_satker, hr, django_capture_on_commit_callbacks)
    events = AuditEvent.objects.count()
    with pytest.raises(InvitationAlreadyOpen):
        invitation_send(official=kepala_satker, email="lain@kemenag.example", actor=hr)
    assert Invitation.objects.count() == 1 and AuditEvent.objects.count() == events and len(mail.outbox) == 1


# ---- accept -----------------------------------------------------------------------------------------------


def test_accept_creates_login_link_and_identity_and_kills_the_link(
    office, kepala_satker, hr, django_capture_on_commit_callbacks
):
    invitation, token = send(kepala_satker, hr, django_capture_on_commit_callbacks)

    user = invitation_accept(token=token, username="mahdi.ismail", password=PASSWORD, passphrase=PASSPHRASE)

    assert user.check_password(PASSWORD) and user.is_active and not user.is_staff
    assert user.email == "mahdi@kemenag.example"
    kepala_satker.refresh_from_db()
    assert kepala_satker.user == user
    identity = SigningIdentity.objects.get(user=user)
    assert identity.status == SigningIdentity.Status.ACTIVE and identity.backend == SigningIdentity.Backend.EMBEDDED
    assert identity.subject_serial == kepala_satker.nip and identity.subject_name == kepala_satker.full_name
    assert identity.subject_organisation == "Satker 000001" or identity.subject_unit == "Satker 000001"
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.status == Invitation.Status.ACCEPTED
    # The key opens with the passphrase, and only with it.
    assert keystore.decrypt_with_passphrase(bytes(identity.encrypted_key), PASSPHRASE)
    with pytest.raises(keystore.WrongPassphrase):
        keystore.decrypt_with_passphrase(bytes(identity.encrypted_key), PASSWORD)

    before = footprint()
    with pytest.raises(InvitationGone) as gone:
        invitation_accept(token=token, username="orang.lain", password=PASSWORD, passphrase=PASSPHRASE)
    assert gone.value.status_code == 410
    assert footprint() == before


def test_accepting_is_audited_and_no_secret_reaches_the_journal(kepala_satker, hr, django_capture_on_commit_callbacks):
    invitation, token = send(kepala_satker, hr, django_capture_on_commit_callbacks)
    first = AuditEvent.objects.count()
    user = invitation_accept(token=token, username="mahdi.ismail", password=PASSWORD, passphrase=PASSPHRASE)

    events = list(AuditEvent.objects.filter(seq__gt=AuditEvent.objects.order_by("seq")[first - 1].seq))
    assert [e.action for e in events] == [
        "auth.user.created",
        "integrity.official.account_linked",
        "signatures.identity.enrolled",
        "integrity.invitation.accepted",
    ]
    accepted = events[-1]
    assert accepted.actor_id == user.pk and "mahdi.ismail" in accepted.payload
    journal = " ".join(AuditEvent.objects.values_list("payload", flat=True))
    for secret in (PASSWORD, PASSPHRASE, token, invitation.token_sha256):
        assert secret not in journal


def test_an_expired_link_is_refused_and_writes_nothing(kepala_satker, hr, django_capture_on_commit_callbacks):
    invitation, token = send(kepala_satker, hr, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    before = footprint()
    with pytest.raises(InvitationGone) as gone:
        invitation_accept(token=token, username="mahdi.ismail", password=PASSWORD, passphrase=PASSPHRASE)
    assert "kedaluwarsa" in str(gone.value.message)
    assert footprint() == before
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.EXPIRED


def test_a_revoked_link_is_refused_and_writes_nothing(kepala_satker, hr, django_capture_on_commit_callbacks):
    invitation, token = send(kepala_satker, hr, django_capture_on_commit_callbacks)
    invitation_revoke(invitation=invitation, actor=hr)
    assert actions() == ["integrity.invitation.sent", "integrity.invitation.revoked"]
    before = footprint()
    with pytest.raises(InvitationGone) as gone:
        invitation_accept(token=token, username="mahdi.ismail", password=PASSWORD, passphrase=PASSPHRASE)
    assert "dicabut" in str(gone.value.message)
    assert footprint() == before


def test_resending_kills_the_old_link_and_the_new_one_works(kepala_satker, hr, django_capture_on_commit_callbacks):
    invitation, old = send(kepala_satker, hr, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(invitation=invitation, actor=hr)
    new = token_in_last_mail()
    assert new != old and len(mail.outbox) == 2
    invitation.refresh_from_db()
    assert invitation.resent_count == 1 and invitation.token_sha256 == hashlib.sha256(new.encode()).hexdigest()

    before = footprint()
    with pytest.raises(InvitationNotFound) as unknown:
        invitation_accept(token=old, username="mahdi.ismail", password=PASSWORD, passphrase=PASSPHRASE)
    assert unknown.value.status_code == 404
    assert footprint() == before

    invitation_accept(token=new, username="mahdi.ismail", password=PASSWORD, passphrase=PASSPHRASE)
    assert actions() == ["integrity.invitation.sent", "integrity.invitation.resent", "integrity.invitation.accepted"]


def test_an_expired_invitation_can_be_resent(kepala_satker, hr, django_capture_on_commit_callbacks):
    invitation, _token = send(kepala_satker, hr, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        renewed = invitation_resend(invitation=invitation, actor=hr)
    assert renewed.status == Invitation.Status.PENDING
    assert invitation_for_token(token_in_last_mail()).pk == invitation.pk


def test_accepted_or_revoked_invitations_can_be_neither_resent_nor_revoked(
    office, hr, django_capture_on_commit_callbacks
):
    accepted, token = send(office["people"]["satker1"], hr, django_capture_on_commit_callbacks)
    invitation_accept(token=token, username="mahdi.ismail", password=PASSWORD, passphrase=PASSPHRASE)
    revoked, _token = send(office["people"]["satker2"], hr, django_capture_on_commit_callbacks, email="s@x.example")
    invitation_revoke(invitation=revoked, actor=hr)
    events = AuditEvent.objects.count()
    for invitation in (accepted, revoked):
        for change in (invitation_resend, invitation_revoke):
            with pytest.raises(InvitationClosed):
                change(invitation=invitation, actor=hr)
    assert AuditEvent.objects.count() == events


def test_an_unknown_token_is_refused(office):
    before = footprint()
    with pytest.raises(InvitationNotFound):
        invitation_accept(token="x" * 43, username="siapa", password=PASSWORD, passphrase=PASSPHRASE)
    assert footprint() == before


@pytest.mark.parametrize(
    ("username", "password", "passphrase", "error"),
    [
        ("mahdi.ismail", "12345678", PASSPHRASE, AccountDataInvalid),  # numeric, common
        ("mahdi.ismail", "pendek", PASSPHRASE, AccountDataInvalid),  # too short
        ("mahdi.ismail", PASSWORD, PASSWORD, AccountDataInvalid),  # passphrase = password
        ("mahdi ismail!", PASSWORD, PASSPHRASE, AccountDataInvalid),  # not a username
        ("", PASSWORD, PASSPHRASE, AccountDataInvalid),
        ("HR", PASSWORD, PASSPHRASE, AccountDataInvalid),  # taken (case-insensitive)
        ("mahdi.ismail", PASSWORD, "pendek", keystore.PassphraseTooShort),
    ],
)
def test_bad_account_data_is_refused_and_writes_nothing(
    kepala_satker, hr, django_capture_on_commit_callbacks, username, password, passphrase, error
):
    invitation, token = send(kepala_satker, hr, django_capture_on_commit_callbacks)
    before = footprint()
    with pytest.raises(error) as refused:
        invitation_accept(token=token, username=username, password=password, passphrase=passphrase)
    assert 400 <= refused.value.status_code < 500
    assert footprint() == before
    assert invitation_for_token(token).pk == invitation.pk  # still usable


def test_a_failing_enrolment_rolls_the_login_back(kepala_satker, hr, django_capture_on_commit_callbacks, monkeypatch):
    """GIVEN a valid invitation WHEN issuing the certificate fails THEN neither login nor link remains."""
    _invitation, token = send(kepala_satker, hr, django_capture_on_commit_callbacks)
    before = footprint()

    def broken(**kwargs):
        raise ca.CaNotInitialized(ca.CA_NOT_INITIALIZED)

    monkeypatch.setattr(ca, "identity_enrol", broken)
    with pytest.raises(ca.CaNotInitialized):
        invitation_accept(token=token, username="mahdi.ismail", password=PASSWORD, passphrase=PASSPHRASE)
    assert footprint() == before
    assert not get_user_model().objects.filter(username="mahdi.ismail").exists()


def test_the_satker_head_sees_only_the_pacts_they_are_a_party_to(
    office, kepala_satker, hr, django_capture_on_commit_callbacks
):
    _invitation, token = send(kepala_satker, hr, django_capture_on_commit_callbacks)
    user = invitation_accept(token=token, username="mahdi.ismail", password=PASSWORD, passphrase=PASSPHRASE)

    own = IntegrityPact.objects.filter(parties__official=kepala_satker)
    assert own.count() == 1 and own.get().spending_unit == office["satker"]["satker1"]
    assert set(pacts_visible_to(user)) == set(own)
    assert IntegrityPact.objects.count() > 3

    client = Client()
    client.force_login(user)
    others = IntegrityPact.objects.exclude(parties__official=kepala_satker)
    assert client.get(reverse("frontend:pact-detail", args=[own.get().pk])).status_code == 200
    for pact in others:
        assert client.get(reverse("frontend:pact-detail", args=[pact.pk])).status_code == 404
    assert client.get(reverse("frontend:invitations")).status_code == 403
    assert client.get(reverse("frontend:coverage")).status_code == 403


# ---- pages ------------------------------------------------------------------------------------------------


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=STAFF_PASSWORD)
    return client


def test_hr_lists_the_satker_heads_in_scope_and_sends_resends_and_revokes(
    office, kepala_satker, django_capture_on_commit_callbacks
):
    client = login("hr")
    page = client.get(reverse("frontend:invitations"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mahdi Ismail" in html and "Siti Maryam" in html
    assert "Abdul Hamid" not in html  # satker of KPPN Lhokseumawe: outside the HR scope
    assert reverse("frontend:invitations") in html  # the navigation entry

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("frontend:invitation-send"), {"official": kepala_satker.pk, "email": "mahdi@kemenag.example"}
        )
    assert response.status_code == 302 and len(mail.outbox) == 1
    invitation = Invitation.objects.get(official=kepala_satker)
    assert "mahdi@kemenag.example" in client.get(reverse("frontend:invitations")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("frontend:invitation-resend", args=[invitation.pk])).status_code == 302
    assert len(mail.outbox) == 2
    assert client.post(reverse("frontend:invitation-revoke", args=[invitation.pk])).status_code == 302
    again = client.post(reverse("frontend:invitation-revoke", args=[invitation.pk]))
    assert again.status_code == 409
    assert actions() == ["integrity.invitation.sent", "integrity.invitation.resent", "integrity.invitation.revoked"]


def test_pages_refuse_out_of_scope_heads_bad_input_and_other_roles(office, kepala_satker):
    client = login("hr")
    outside = office["people"]["satker3"]
    response = client.post(reverse("frontend:invitation-send"), {"official": outside.pk, "email": "a@b.example"})
    assert response.status_code == 404
    response = client.post(reverse("frontend:invitation-send"), {"official": kepala_satker.pk, "email": "salah"})
    assert response.status_code == 400
    assert client.get(reverse("frontend:invitation-send")).status_code == 405
    assert not Invitation.objects.exists() and mail.outbox == []

    # The compliance officer of the Kanwil sees both KPPNs' satker heads.
    html = login("kepatuhan").get(reverse("frontend:invitations")).content.decode()
    assert "Abdul Hamid" in html and "Mahdi Ismail" in html
    for username in ("auditor", "orang_luar"):
        client = login(username)
        assert client.get(reverse("frontend:invitations")).status_code == 403
        post = client.post(reverse("frontend:invitation-send"), {"official": kepala_satker.pk, "email": "a@b.example"})
        assert post.status_code == 403
    assert not Invitation.objects.exists()


def test_the_public_page_creates_the_account_signs_in_and_the_link_dies(
    kepala_satker, hr, django_capture_on_commit_callbacks
):
    _invitation, token = send(kepala_satker, hr, django_capture_on_commit_callbacks)
    url = reverse("frontend:invitation-accept", args=[token])
    client = Client()

    page = client.get(url)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer" and "no-store" in page["Cache-Control"]
    assert "Mahdi Ismail" in page.content.decode()

    data = {
        "username": "mahdi.ismail",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "passphrase1": PASSPHRASE,
        "passphrase2": "lain-lagi-2026",
    }
    mismatch = client.post(url, data)
    assert mismatch.status_code == 400 and not get_user_model().objects.filter(username="mahdi.ismail").exists()

    data["passphrase2"] = PASSPHRASE
    done = client.post(url, data)
    assert done.status_code == 302 and done["Location"] == reverse("frontend:pacts")
    mine = client.get(reverse("frontend:pacts"))
    assert mine.status_code == 200 and mine.wsgi_request.user.get_username() == "mahdi.ismail"

    dead = Client().get(url)
    assert dead.status_code == 410 and "sudah dipakai" in dead.content.decode()
    assert Client().post(url, data).status_code == 410
    assert Client().get(reverse("frontend:invitation-accept", args=["tidak-ada"])).status_code == 404
