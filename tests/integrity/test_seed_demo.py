"""The demo office (issue §11): `seed_demo` builds Kanwil DJPb Aceh with KPPN Banda Aceh and its
history, and the sample decree in samples/ shows renewal."""

import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings

from audit.models import AuditEvent
from audit.verification import verify_chain
from integrity import workdays
from integrity.demo import (
    DEMO_PASSPHRASE,
    DEMO_USERS,
    FINAL_DECREE,
    HISTORY,
    KPPN,
    KPPN_SECTIONS,
    PEOPLE,
    SAMPLE_ROTATION,
    SAMPLE_TMT,
    SIGNERS,
)
from integrity.models import (
    Assignment,
    Decree,
    IntegrityPact,
    Official,
    PactRevision,
    Position,
    RoleGrant,
    SpendingUnit,
    SpendingUnitHead,
    Unit,
)
from integrity.nip import validate_nip
from integrity.pact_rules import position_holders
from integrity.selectors.signing import pact_latest_revision, pact_party_to_sign, pact_revision_bytes
from signatures import ca, keystore
from signatures.models import SigningIdentity
from signatures.verify import Verdict, verify_pdf_bytes

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)  # "today" of the demo story
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "demo_decree_rotation.csv"
SECTION_NAMES = {
    "Subbagian Umum",
    "Seksi Pencairan Dana",
    "Seksi Bank",
    "Seksi Verifikasi dan Akuntansi",
    "Seksi Manajemen Satker dan Kepatuhan Internal",
}
US = IntegrityPact.Kind.UNIT_HEAD_SATKER
ES = IntegrityPact.Kind.EMPLOYEE_SUPERIOR


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory) -> Path:
    """Where the seeded demo keeps its CA key file and its signed PDFs (module-wide)."""
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, seed_dir):
    """GIVEN an empty database on 28 November 2026 and no CA yet, WHEN seed_demo runs: once for the
    module (it takes seconds), inside a transaction rolled back after the last test; each test runs
    in its own savepoint within it, so a test that imports the sample decree changes nothing for the
    others."""
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as patch,
        override_settings(
            # The demo hashes its one password once; a fast hasher keeps the module quick.
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            PAKTA_CA_KEY_FILE=seed_dir / "ca.key",
            PAKTA_SIGNING_SCRYPT_LOG2_N=10,  # production 2**15; the module does not test key derivation
            PAKTA_BASE_URL="http://pakta.test",
            PAKTA_TSA_URL="",
            MEDIA_ROOT=seed_dir / "media",
        ),
        transaction.atomic(),
    ):
        patch.setattr(workdays, "today_jakarta", lambda: TODAY)
        out = io.StringIO()
        call_command("seed_demo", "--if-empty", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo_files(seeded, seed_dir, settings) -> None:
    """The seeded revisions live in the module's media directory, not in this test's."""
    settings.MEDIA_ROOT = seed_dir / "media"


def current(**filters):
    return IntegrityPact.objects.filter(status__in=IntegrityPact.CURRENT_STATUSES, **filters)


def holder(holders, code: str) -> Assignment:
    row = holders[Position.objects.get(code=code).pk]
    return Assignment.objects.select_related("official", "position").get(pk=row.id)


def test_seed_demo_builds_the_office_its_people_and_satker(seeded):
    kppn = Unit.objects.get(code=KPPN)
    assert kppn.city == "Banda Aceh" and "Chik Ditiro" in kppn.address and "23241" in kppn.address
    assert [u.code for u in kppn.ancestors()] == ["KEMENKEU", "DJPB", "KANWIL-ACEH", KPPN]
    sections = Unit.objects.filter(parent=kppn, kind=Unit.Kind.SECTION)
    assert {s.name for s in sections} == SECTION_NAMES

    holders = position_holders(TODAY)
    kepala = holder(holders, "KPPN-BNA-KEPALA")
    assert kepala.position.reports_to is not None and kepala.position.reports_to.code == "KANWIL-ACEH-KEPALA"
    assert "KANWIL-ACEH-KEPALA" in {p.code for p in Position.objects.filter(pk__in=holders)}
    staff = 0
    for section in KPPN_SECTIONS:
        head = holder(holders, f"{section}-KEPALA")
        assert head.position.reports_to_id == kepala.position_id
        for position in Position.objects.filter(unit__code=section, is_unit_head=False):
            assert position.reports_to_id == head.position_id
            staff += position.pk in holders
    assert staff >= 25
    assert Position.objects.filter(unit__parent=kppn, kind=Position.Kind.FUNCTIONAL).exists()

    satker = SpendingUnit.objects.filter(serving_unit=kppn)
    assert satker.count() >= 40
    headed = set(SpendingUnitHead.objects.active_on(TODAY).values_list("spending_unit_id", flat=True))
    assert set(satker.values_list("pk", flat=True)) <= headed
    assert all(len(s.code) == 6 and s.code.isdigit() and len(s.ministry_code) == 3 for s in satker)

    for official in Official.objects.all():
        assert validate_nip(official.nip, employee_type=official.employee_type) == official.nip


def test_seed_demo_applies_history_and_leaves_a_mix_of_pact_states(seeded):
    assert Decree.objects.count() == len(HISTORY) + 1  # and the final decree, after the Pakta signatures
    assert Decree.objects.filter(number=FINAL_DECREE.number).exists()
    assert not Decree.objects.filter(number=SAMPLE_ROTATION.number).exists()  # left for the user
    # Earlier Kepala KPPN and section heads, with their ends on record.
    previous = Assignment.objects.filter(position__code="KPPN-BNA-KEPALA", end_date__isnull=False)
    assert previous.count() == 1
    assert (ended := previous.get().end_date) is not None and ended < TODAY
    assert Assignment.objects.filter(position__code__endswith="-KEPALA", end_date__isnull=False).count() >= 4
    assert SpendingUnitHead.objects.filter(end_date__isnull=False).count() >= 10

    pending = current(status=IntegrityPact.Status.PENDING)
    assert IntegrityPact.objects.filter(status=IntegrityPact.Status.SIGNED).count() >= 50
    assert pending.filter(due_date__lt=TODAY).exists(), "some pacts are overdue"
    assert pending.filter(due_date__gte=TODAY).exists(), "some pacts are pending within their deadline"
    assert IntegrityPact.objects.filter(status=IntegrityPact.Status.SUPERSEDED).exists()
    signed = IntegrityPact.objects.filter(status=IntegrityPact.Status.SIGNED)
    outside = signed.exclude(external_reference="")
    assert all(p.external_reference.startswith("NADINE/") and p.signed_at for p in outside)
    assert not outside.filter(signed_at__date__gt=TODAY).exists()
    # Every other signed pact was signed and sealed in Pakta.
    in_pakta = signed.filter(external_reference="")
    assert in_pakta.exists()
    assert in_pakta.filter(revisions__kind=PactRevision.Kind.LTA).distinct().count() == in_pakta.count()
    # Every served satker with a head has exactly one current pact with the current Kepala KPPN.
    kepala = holder(position_holders(TODAY), "KPPN-BNA-KEPALA")
    assert current(kind=US, counterparty_assignment=kepala).count() == SpendingUnit.objects.count()
    assert "terlambat" in seeded and "ditandatangani" in seeded
    report = verify_chain()
    assert report.ok, report.reason


def test_seed_demo_creates_the_demo_logins(seeded):
    accounts = {u.username: u for u in get_user_model().objects.all()}
    users = {name: user for name, user in accounts.items() if user.has_usable_password()}
    assert set(users) == {spec.username for spec in DEMO_USERS}
    assert users["admin"].is_superuser
    assert all(u.check_password("pakta-demo-2026") for u in users.values())
    # The colleagues who signed in Pakta have accounts nobody can sign in to.
    signers = {user.official.nip for name, user in accounts.items() if name not in users}
    assert signers == {PEOPLE[key].nip for key in SIGNERS}
    grants = set(RoleGrant.objects.values_list("user__username", "role", "unit__code"))
    assert grants == {
        ("hr", "hr_admin", "KANWIL-ACEH"),  # Kanwil HR processes rotations between its offices
        ("kepatuhan", "compliance", "KANWIL-ACEH"),
        ("auditor", "auditor", None),
    }
    holders = position_holders(TODAY)
    assert users["kepala.kppn"].official == holder(holders, "KPPN-BNA-KEPALA").official
    assert users["kasi.pd"].official == holder(holders, "KPPN-BNA-PD-KEPALA").official
    pegawai = users["pegawai"].official
    assert current(kind=ES, parties__official=pegawai, status="pending", due_date__gte=TODAY).exists()
    satker_head = users["satker"].official
    assert SpendingUnitHead.objects.active_on(TODAY).filter(official=satker_head).exists()

    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    for spec in DEMO_USERS:
        assert spec.username in out.getvalue()
    assert "pakta-demo-2026" in out.getvalue() and "passphrase" in out.getvalue().lower()
    for signer in SIGNERS:
        assert PEOPLE[signer].email.split("@")[0] not in out.getvalue()


def _verdict(pact: IntegrityPact) -> Verdict:
    revision = pact_latest_revision(pact)
    assert revision is not None
    report = verify_pdf_bytes(pact_revision_bytes(revision), trust_roots=ca.trust_roots(), allowed_embedded_files=1)
    assert report.verdict == Verdict.VALID, (pact.number, report.reasons)
    return report.verdict


def test_seed_demo_signs_some_pacts_in_pakta_fully_some_half_and_one_is_superseded(seeded, demo_files):
    """signatures issue §6: some pacts signed by both parties and sealed (B-LTA), some by their first party
    only, one signed pact superseded by the final decree; every one verifies VALID against our root."""
    sealed = IntegrityPact.objects.filter(revisions__kind=PactRevision.Kind.LTA).distinct()
    full = sealed.filter(status=IntegrityPact.Status.SIGNED)
    assert full.count() >= 3
    for pact in full:
        assert pact.external_reference == "" and pact.verification_id
        assert not pact.parties.filter(signed_at__isnull=True).exists()
        assert _verdict(pact) == Verdict.VALID

    superseded = sealed.get(status=IntegrityPact.Status.SUPERSEDED)
    assert superseded.superseded_by_decree is not None
    assert superseded.superseded_by_decree.number == FINAL_DECREE.number
    assert _verdict(superseded) == Verdict.VALID

    half = IntegrityPact.objects.filter(
        status=IntegrityPact.Status.PENDING, revisions__kind=PactRevision.Kind.SIGNATURE
    ).distinct()
    assert half.count() >= 2
    for pact in half:
        assert pact.parties.filter(signed_at__isnull=False).count() == 1
        assert _verdict(pact) == Verdict.VALID
    waiting = {pact_party_to_sign(pact).official for pact in half}  # type: ignore[union-attr]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["kasi.pd", "kepala.kppn"])}
    assert {users["kasi.pd"].official, users["kepala.kppn"].official} <= waiting


def test_seed_demo_leaves_something_to_sign_for_the_demo_logins(seeded):
    """A new user signs at once: `pegawai` and `kasi.pd` each have a pending pact where they are next, and
    every demo login with an official has an identity that opens with the demo passphrase."""
    next_signers = {
        party.official.user.username
        for pact in IntegrityPact.objects.filter(status=IntegrityPact.Status.PENDING)
        if (party := pact_party_to_sign(pact)) is not None and party.official.user is not None
    }
    assert {"pegawai", "kasi.pd", "kepala.kppn", "satker"} <= next_signers
    for spec in DEMO_USERS:
        if spec.person is None:
            continue
        identity = SigningIdentity.objects.get(user__username=spec.username, status=SigningIdentity.Status.ACTIVE)
        assert keystore.decrypt_with_passphrase(bytes(identity.encrypted_key), DEMO_PASSPHRASE)


def test_seed_demo_if_empty_is_a_no_op_the_second_time(seeded):
    events, pacts = AuditEvent.objects.count(), IntegrityPact.objects.count()
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "tidak dimuat ulang" in out.getvalue()
    assert (AuditEvent.objects.count(), IntegrityPact.objects.count()) == (events, pacts)
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    assert AuditEvent.objects.count() == events


def test_importing_the_sample_decree_renews_satker_and_section_pacts(seeded):
    """WHEN the user imports samples/demo_decree_rotation.csv (TMT 23 Nov 2026): the new Kepala
    KPPN gets one new pact per served satker, each superseding the old head's pact for that
    satker; the staff of Seksi Bank and Seksi Vera get new pacts with their new heads."""
    before = position_holders(TODAY)
    old_kepala = holder(before, "KPPN-BNA-KEPALA")
    old_satker_pacts = {p.pk: p.spending_unit_id for p in current(kind=US, counterparty_assignment=old_kepala)}
    replaced = ("KPPN-BNA-BANK", "KPPN-BNA-VERA")
    old_heads = {section: holder(before, f"{section}-KEPALA") for section in replaced}
    staff = {
        section: [
            holder(before, p.code)
            for p in Position.objects.filter(unit__code=section, is_unit_head=False)
            if p.pk in before
        ]
        for section in replaced
    }
    pd_staff_pacts = set(
        current(kind=ES, unit__code="KPPN-BNA-PD", declarant_assignment__position__is_unit_head=False).values_list(
            "pk", flat=True
        )
    )

    call_command("import_decree", str(SAMPLE), stdout=io.StringIO())

    decree = Decree.objects.get(number=SAMPLE_ROTATION.number)
    after = position_holders(TODAY)
    new_kepala = holder(after, "KPPN-BNA-KEPALA")
    assert new_kepala.official != old_kepala.official and new_kepala.effective_date == SAMPLE_TMT

    superseded_satker = IntegrityPact.objects.filter(kind=US, superseded_by_decree=decree)
    assert set(superseded_satker.values_list("pk", flat=True)) == set(old_satker_pacts)
    assert not current(pk__in=old_satker_pacts).exists()
    served_with_head = SpendingUnitHead.objects.active_on(TODAY).exclude(official=new_kepala.official)
    new_satker_pacts = current(kind=US, counterparty_assignment=new_kepala)
    assert new_satker_pacts.count() == served_with_head.count() == len(old_satker_pacts)
    for pact in new_satker_pacts:
        assert pact.supersedes_id in old_satker_pacts
        assert old_satker_pacts[pact.supersedes_id] == pact.spending_unit_id
        assert pact.trigger_decree == decree and pact.effective_date == SAMPLE_TMT

    for section in replaced:
        new_head = holder(after, f"{section}-KEPALA")
        assert new_head.official != old_heads[section].official
        for member in staff[section]:
            pact = current(kind=ES, declarant_assignment=member).get()
            assert pact.counterparty_assignment == new_head
            assert pact.supersedes is not None
            assert pact.supersedes.counterparty_assignment == old_heads[section]
            assert pact.supersedes.status == IntegrityPact.Status.SUPERSEDED
    # A section whose head stayed keeps its staff pacts.
    assert pd_staff_pacts and current(pk__in=pd_staff_pacts).count() == len(pd_staff_pacts)
    assert verify_chain().ok


def test_the_demo_hr_administrator_may_import_the_sample_decree(seeded):
    """GIVEN the demo office WHEN `hr` previews the sample rotation decree THEN no row lies
    outside their scope (the decree moves people between the KPPN and the Kanwil)."""
    from django.contrib.auth import get_user_model

    from integrity.apis.decrees import rows_outside_hr_scope
    from integrity.decree_files import parse_decree_file

    path = Path(__file__).resolve().parents[2] / "samples" / "demo_decree_rotation.csv"
    parsed = parse_decree_file(path.name, path.read_bytes())
    hr = get_user_model().objects.get(username="hr")
    assert rows_outside_hr_scope(parsed, hr) == []
