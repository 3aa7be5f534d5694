"""Deactivating an official (signatures issue §1, `integrity.services.officials.official_deactivate`): "an
official who leaves the organisation or is disabled has the certificate revoked and sessions ended at once".
"""

import io
from pathlib import Path

import pytest
from cryptography import x509
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from integrity.models import Invitation, Official
from integrity.services import org
from integrity.services.invitations import invitation_send
from integrity.services.officials import (
    DeactivationRefused,
    OfficialAlreadyInactive,
    official_certificate_subject,
    official_deactivate,
)
from integrity.workdays import today_jakarta
from signatures import ca, keystore
from signatures.models import Revocation, RevocationReason, SigningIdentity
from tests.factories import make_office, make_official, make_position, make_satker

pytestmark = pytest.mark.django_db

PASSWORD = "pakta-test-2026"
PASSPHRASE = "kopi-gayo-aceh-2026"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path: Path) -> None:
    settings.PAKTA_CA_KEY_FILE = tmp_path / "secrets" / "ca.key"
    settings.PAKTA_BASE_URL = "http://pakta.test"
    settings.PAKTA_SIGNING_SCRYPT_LOG2_N = 10  # production 2**15; this keeps each derivation ~1 ms
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def office(db) -> dict:
    """GIVEN a staff member of Seksi Pencairan Dana (`pegawai`) with a login, two open sessions and a
    signing identity from the embedded CA; a satker head without a login; the HR administrator `hr`."""
    units = make_office()
    position = make_position("KPPN-BNA-PD-1", units["section"])
    pegawai = make_official("Teuku Muhammad Rizki")
    org.assignment_start(official=pegawai, position=position, effective_date=today_jakarta())
    satker_head = make_official("Mahdi Ismail", rank="IV/a")
    org.satker_head_appoint(
        spending_unit=make_satker("000001", units["kppn"]), official=satker_head, effective_date=today_jakarta()
    )
    users = get_user_model().objects
    hr = users.create_user(username="hr", password=PASSWORD)
    user = users.create_user(username="pegawai", password=PASSWORD)
    pegawai.user = user
    pegawai.save(update_fields=["user"])
    keystore.ca_key_file_create()
    ca.ca_initialize(organisation="Direktorat Jenderal Perbendaharaan")
    subject = official_certificate_subject(pegawai)
    identity = ca.identity_enrol(
        user=user,
        passphrase=PASSPHRASE,
        name=subject.name,
        nip=subject.nip,
        unit_name=subject.unit_name,
        organisation=subject.organisation,
        actor=user,
    )
    browsers = [Client(), Client()]
    for browser in browsers:
        assert browser.login(username="pegawai", password=PASSWORD)
    other = Client()
    assert other.login(username="hr", password=PASSWORD)
    return {
        "pegawai": pegawai,
        "user": user,
        "identity": identity,
        "browsers": browsers,
        "satker_head": satker_head,
        "hr": hr,
        "hr_browser": other,
    }


def sessions_of(user) -> int:
    return sum(1 for s in Session.objects.all() if str(s.get_decoded().get("_auth_user_id")) == str(user.pk))


def revoked_serials() -> set[int]:
    crl = x509.load_der_x509_crl(ca.crl_der("issuing"))
    return {entry.serial_number for entry in crl}


def test_the_certificate_subject_names_the_unit_or_the_satker(office):
    subject = official_certificate_subject(office["pegawai"])
    assert (subject.unit_name, subject.organisation) == ("Seksi Pencairan Dana", "Direktorat Jenderal Perbendaharaan")
    head = office["satker_head"]
    satker = official_certificate_subject(head, email="m@kemenag.example")
    spending_unit = head.spending_unit_headships.get().spending_unit
    assert (satker.unit_name, satker.organisation) == ("Satker 000001", spending_unit.name)
    assert satker.email == "m@kemenag.example" and satker.nip == head.nip


def test_deactivation_revokes_the_certificate_and_ends_the_sessions_at_once(office):
    pegawai, user, identity = office["pegawai"], office["user"], office["identity"]
    assert sessions_of(user) == 2
    home = reverse("frontend:home")
    assert office["browsers"][0].get(home).status_code == 200

    official_deactivate(official=pegawai, reason="Pensiun per 1 Desember 2026", actor=office["hr"])

    pegawai.refresh_from_db()
    user.refresh_from_db()
    identity.refresh_from_db()
    assert not pegawai.is_active and not user.is_active
    assert identity.status == SigningIdentity.Status.REVOKED
    assert identity.revocation_reason == RevocationReason.AFFILIATION_CHANGED
    assert int(identity.serial, 16) in revoked_serials()
    assert Revocation.objects.filter(serial=identity.serial).exists()
    # Sessions gone: both browsers are signed out on their next request; others are untouched.
    assert sessions_of(user) == 0
    for browser in office["browsers"]:
        response = browser.get(home)
        assert response.status_code == 302 and reverse("frontend:login") in response["Location"]
    assert office["hr_browser"].get(home).status_code == 200
    assert not Client().login(username="pegawai", password=PASSWORD)
    # Audited: the revocation and the deactivation, with who and why.
    event = AuditEvent.objects.get(action="integrity.official.deactivated")
    assert event.actor_id == office["hr"].pk
    assert "Pensiun per 1 Desember 2026" in event.payload and '"identities_revoked":1' in event.payload
    assert AuditEvent.objects.filter(action="signatures.identity.revoked").count() == 1


def test_a_second_deactivation_and_a_missing_reason_write_nothing(office):
    events = AuditEvent.objects.count()
    for reason in ("", "   ", "x" * 301):
        with pytest.raises(DeactivationRefused):
            official_deactivate(official=office["pegawai"], reason=reason, actor=office["hr"])
    with pytest.raises(DeactivationRefused):
        official_deactivate(official=office["pegawai"], reason="Keluar", actor=None, crl_reason="superseded")
    assert AuditEvent.objects.count() == events and sessions_of(office["user"]) == 2
    official_deactivate(official=office["pegawai"], reason="Keluar", actor=None)
    events = AuditEvent.objects.count()
    with pytest.raises(OfficialAlreadyInactive) as refused:
        official_deactivate(official=office["pegawai"], reason="Keluar lagi", actor=None)
    assert refused.value.status_code == 409
    assert AuditEvent.objects.count() == events


def test_deactivating_an_official_without_login_revokes_their_open_invitation(office):
    head = office["satker_head"]
    invitation = invitation_send(official=head, email="mahdi@kemenag.example", actor=office["hr"])

    official_deactivate(
        official=head, reason="Diberhentikan", actor=office["hr"], crl_reason=RevocationReason.PRIVILEGE_WITHDRAWN
    )

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert AuditEvent.objects.filter(action="integrity.invitation.revoked").count() == 1
    assert not Official.objects.get(pk=head.pk).is_active


def test_the_command_deactivates_by_nip(office):
    out = io.StringIO()
    nip = office["pegawai"].nip_display  # spaces as printed are accepted
    call_command("deactivate_official", nip, "--reason", "Mutasi ke luar DJPb", stdout=out)
    assert "dinonaktifkan" in out.getvalue()
    office["identity"].refresh_from_db()
    assert office["identity"].status == SigningIdentity.Status.REVOKED
    assert sessions_of(office["user"]) == 0
    with pytest.raises(CommandError):
        call_command("deactivate_official", office["pegawai"].nip, "--reason", "lagi", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("deactivate_official", "199001012015011999", "--reason", "x", stdout=io.StringIO())
