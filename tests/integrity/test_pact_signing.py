"""The signing plan of a pact (signatures issue §2, `integrity.services.signing`): issue → certified by the
office seal → declarant signs → superior signs → sealed (B-LTA), SIGNED; and every way it must refuse.

Each stage is checked with the strict verifier (`signatures.verify.verify_pdf_bytes`) and with pyHanko's
validator, trusting only our root, with revocation data made in-process; the final file must pass AdES-LTA
validation from its own embedded data (LOCAL_ONLY).
"""

import datetime
import hashlib
import logging
import re
import threading
import time
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from audit.models import AuditEvent
from integrity.models import IntegrityPact, PactRevision
from integrity.selectors.signing import pact_latest_revision, pact_revision_bytes, pact_verification_url
from integrity.services import org
from integrity.services.pacts import pacts_reconcile
from integrity.services.signing import (
    SEAL_FIELD,
    AlreadySigned,
    DocumentNotOurs,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    KeyHolderNotYours,
    NoSigningIdentity,
    NotAParty,
    NotReadyToSeal,
    NotYourTurn,
    PactNotSignable,
    PassphraseRequired,
    pact_issue_for_signing,
    pact_seal,
    pact_sign,
    pacts_retimestamp_due,
    pacts_seal_pending,
)
from integrity.services.signing import files as signing_files
from integrity.services.signing import seal as signing_seal
from integrity.services.signing import sign as signing_sign
from integrity.tasks import render_pact_documents
from signatures import ca, keystore
from signatures import pdf as sigpdf
from signatures.keystore import WrongPassphrase
from signatures.lockout import SigningLocked
from signatures.models import CaKey, SigningLockout
from signatures.signers import EmbeddedKeyHolder, in_process_timestamper
from signatures.signing import signature_certificates
from signatures.verify import Verdict, verify_pdf_bytes
from tests.factories import make_office, make_official, make_position
from tests.signatures.ades import ades_lta

D0 = datetime.date(2026, 2, 2)
ORGANISATION = "Direktorat Jenderal Perbendaharaan"
PASS_PEGAWAI = "kopi-aceh-gayo-2026"
PASS_ATASAN = "mie-aceh-pedas-2026"
KPPN = "KPPN-BNA"
URL_ELSEWHERE = "http://pakta.test/v/00000000000000000000000000000000"


# ---- Fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _signing_settings(settings, tmp_path: Path) -> None:
    settings.PAKTA_CA_KEY_FILE = tmp_path / "secrets" / "ca.key"
    settings.PAKTA_BASE_URL = "http://pakta.test"
    settings.PAKTA_SIGNING_SCRYPT_LOG2_N = 10  # production 2**15; this keeps each derivation ~1 ms
    settings.PAKTA_TSA_URL = ""
    settings.PAKTA_SIGNING_MAX_FAILURES = 5
    settings.PAKTA_SIGNING_LOCK_MINUTES = 15


def _user(username: str):
    return get_user_model().objects.create_user(username=username)  # no password: hashing costs ~1 s


def _build_office() -> dict:
    """GIVEN KPPN Banda Aceh with its head, the head of Seksi Pencairan Dana, one of his staff, and the
    embedded CA (no office seal yet); the reconciler has made their pacts. The staff member (pegawai) and
    the section head (atasan) have accounts and passphrase identities."""
    units = make_office()
    kppn_head = make_position("KAKPPN", units["kppn"], head=True)
    kasi = make_position("KASI-PD", units["section"], reports_to=kppn_head, head=True)
    staff = make_position("PD-1", units["section"], reports_to=kasi)
    people = {
        "kepala": make_official("Kepala Kantor"),
        "atasan": make_official("Cut Nyak Aisyah"),
        "pegawai": make_official("Teuku Muhammad Rizki"),
    }
    org.assignment_start(official=people["kepala"], position=kppn_head, effective_date=D0)
    org.assignment_start(official=people["atasan"], position=kasi, effective_date=D0)
    org.assignment_start(official=people["pegawai"], position=staff, effective_date=D0)
    keystore.ca_key_file_create()
    ca.ca_initialize(organisation=ORGANISATION)
    users = {}
    for role, passphrase in (("pegawai", PASS_PEGAWAI), ("atasan", PASS_ATASAN)):
        user = _user(role)
        people[role].user = user
        people[role].save(update_fields=["user"])
        ca.identity_enrol(
            user=user,
            passphrase=passphrase,
            name=people[role].full_name,
            nip=people[role].nip,
            unit_name="Seksi Pencairan Dana",
            organisation=ORGANISATION,
            actor=user,
        )
        users[role] = user
    users["orang_luar"] = _user("orang.luar")
    pacts_reconcile(as_of=D0)
    pact = IntegrityPact.objects.get(parties__official=people["pegawai"], kind="employee_superior")
    return {"units": units, "people": people, "users": users, "pact": pact}


@pytest.fixture
def office(db) -> dict:
    return _build_office()


@pytest.fixture
def pact(office) -> IntegrityPact:
    return office["pact"]


@pytest.fixture
def pegawai(office):
    return office["users"]["pegawai"]


@pytest.fixture
def atasan(office):
    return office["users"]["atasan"]


@pytest.fixture
def orang_luar(office):
    return office["users"]["orang_luar"]


def revisions(pact: IntegrityPact) -> list[PactRevision]:
    return list(PactRevision.objects.filter(pact=pact).order_by("sequence"))


def revocation_data(pdf: bytes) -> tuple[list, list]:
    crls: dict[bytes, object] = {}
    ocsps: list = []
    for cert in [*signature_certificates(pdf), in_process_timestamper().tsa_cert]:
        cert_crls, cert_ocsps = ca.revocation_material_for(cert)
        for crl in cert_crls:
            crls.setdefault(crl.dump(), crl)
        ocsps.extend(cert_ocsps)
    return list(crls.values()), ocsps


def assert_valid(pdf: bytes) -> None:
    """The strict verifier and pyHanko's own validator both accept every signature, trusting only our root,
    with revocation checked hard-fail against in-process data."""
    crls, ocsps = revocation_data(pdf)
    report = verify_pdf_bytes(
        pdf, trust_roots=ca.trust_roots(), crls=crls, ocsps=ocsps, require_revocation=True, allowed_embedded_files=1
    )
    assert report.verdict == Verdict.VALID, report.reasons
    context = ValidationContext(trust_roots=ca.trust_roots(), crls=crls, ocsps=ocsps, revocation_mode="hard-fail")
    reader = PdfFileReader(BytesIO(pdf))
    for embedded in reader.embedded_regular_signatures:
        status = validate_pdf_signature(embedded, signer_validation_context=context, ts_validation_context=context)
        assert status.bottom_line, (embedded.field_name, status.summary())
        assert status.intact and status.trusted and status.timestamp_validity is not None


def nothing_written(pact: IntegrityPact, events_before: int) -> None:
    assert not PactRevision.objects.filter(pact=pact).exists()
    assert AuditEvent.objects.count() == events_before
    assert not pact.parties.filter(signed_at__isnull=False).exists()


# ---- The whole plan ------------------------------------------------------------------------------------------


def test_issue_certify_sign_in_order_and_seal(pact, pegawai, atasan):
    """GIVEN a PENDING employee–superior pact WHEN it is issued, the employee signs, then the superior
    signs THEN each revision extends the one before, validates, and the last is sealed B-LTA: SIGNED."""
    first = pact_issue_for_signing(pact=pact, actor=pegawai)
    pact.refresh_from_db()
    certified = pact_revision_bytes(first)
    assert (first.sequence, first.kind, first.party) == (1, "certified", None)
    assert pact.verification_id == first.sha256[:32]
    assert CaKey.objects.filter(role=CaKey.Role.SEAL, label=KPPN, retired_at__isnull=True).exists()
    assert certified.startswith(Path(pact.document.path).read_bytes())
    assert sigpdf.signature_field_names(certified) == ["Sig1_Declarant", "Sig2_Witness", SEAL_FIELD]
    assert_valid(certified)

    declarant = pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    after_declarant = pact_revision_bytes(declarant)
    assert (declarant.sequence, declarant.kind, declarant.party.field_name) == (2, "signature", "Sig1_Declarant")
    assert after_declarant.startswith(certified)
    assert_valid(after_declarant)
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.PENDING

    witness = pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    assert (witness.sequence, witness.party.field_name) == (3, "Sig2_Witness")
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.SIGNED
    assert pact.signed_at == witness.signed_at
    chain = revisions(pact)
    assert [r.kind for r in chain] == ["certified", "signature", "signature", "lta"]
    final = pact_revision_bytes(chain[-1])
    assert final.startswith(pact_revision_bytes(witness))
    assert chain[-1].timestamp_valid_until is not None
    assert_valid(final)
    assert set(ades_lta(final).values()) == {AdESPassed.OK}
    for revision in chain:  # content-addressed: the name is the digest of the bytes
        assert revision.file.name == f"pacts/revisions/{revision.sha256}.pdf"
        assert hashlib.sha256(Path(revision.file.path).read_bytes()).hexdigest() == revision.sha256

    actions = list(AuditEvent.objects.filter(subject_id=str(pact.pk)).values_list("action", flat=True))
    assert actions[-4:] == [
        "integrity.pact.certified",
        "integrity.pact.signed_by_party",
        "integrity.pact.signed_by_party",
        "integrity.pact.sealed",
    ]


def test_seal_is_a_certification_with_p2_and_parties_only_fill_fields(pact, pegawai, atasan):
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    final = pact_revision_bytes(revisions(pact)[-1])
    crls, ocsps = revocation_data(final)
    context = ValidationContext(trust_roots=ca.trust_roots(), crls=crls, ocsps=ocsps, revocation_mode="hard-fail")
    seal, declarant, witness = PdfFileReader(BytesIO(final)).embedded_regular_signatures
    assert seal.field_name == SEAL_FIELD and seal.docmdp_level == MDPPerm.FILL_FORMS
    assert declarant.docmdp_level is None and witness.docmdp_level is None
    status = validate_pdf_signature(seal, signer_validation_context=context, ts_validation_context=context)
    assert status.docmdp_ok and status.modification_level == ModificationLevel.FORM_FILLING
    assert status.signer_reported_dt is not None


def test_final_pdf_has_only_embedded_fonts_and_keeps_pdf_a(pact, pegawai, atasan):
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    final = pact_revision_bytes(revisions(pact)[-1])
    fonts = sigpdf.fonts(final)
    assert fonts and all(font.embedded for font in fonts), fonts
    assert sum(1 for font in fonts if "DejaVuSans" in font.base_font) == 2  # one stamp font per signature
    assert not any("Courier" in font.base_font or "Helvetica" in font.base_font for font in fonts)
    # pyHanko rewrites the XMP packet on each update (modification date, producer); the PDF/A claim stays.
    xmp = sigpdf.xmp_metadata(final)
    assert re.search(r'pdfaid:part(="3"|>3<)', xmp) and re.search(r'pdfaid:conformance(="B"|>B<)', xmp)


def test_verification_url_goes_into_every_stamp(pact, pegawai):
    revision = pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    pact.refresh_from_db()
    assert pact_verification_url(pact) == f"http://pakta.test/v/{pact.verification_id}"
    from tests.signatures.test_signing import qr_urls

    url = f"http://pakta.test/v/{pact.verification_id}"
    assert qr_urls(pact_revision_bytes(revision), [url, URL_ELSEWHERE]) == {"Sig1_Declarant": url}


def test_issuing_is_idempotent(pact, pegawai):
    first = pact_issue_for_signing(pact=pact, actor=pegawai)
    events = AuditEvent.objects.count()
    assert pact_issue_for_signing(pact=pact, actor=pegawai) == first
    assert AuditEvent.objects.count() == events
    assert PactRevision.objects.filter(pact=pact).count() == 1


def test_the_render_task_issues_pacts_ahead_of_their_signers(office, pact, pegawai):
    """GIVEN a pact made by the reconciler WHEN the render task runs THEN its document is rendered and
    certified by the office seal (revision 1), so the first signature only signs; running it again
    changes nothing."""
    others = list(IntegrityPact.objects.exclude(pk=pact.pk).values_list("pk", flat=True))
    assert render_pact_documents.call([pact.pk, *others]) == 1 + len(others)
    first = revisions(pact)
    assert [(r.sequence, r.kind) for r in first] == [(1, "certified")]
    events = AuditEvent.objects.count()
    assert render_pact_documents.call([pact.pk]) == 0
    assert revisions(pact) == first and AuditEvent.objects.count() == events
    revision = pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    assert revision.sequence == 2


def test_the_render_task_only_renders_before_the_ca_exists(db):
    """Without the embedded CA the render task renders and leaves certification to the first signature."""
    units = make_office()
    head = make_position("KASI-X", units["section"], head=True)
    staff = make_position("X-1", units["section"], reports_to=head)
    org.assignment_start(official=make_official("Kepala Seksi"), position=head, effective_date=D0)
    org.assignment_start(official=make_official("Staf Seksi"), position=staff, effective_date=D0)
    pacts_reconcile(as_of=D0)
    ids = list(IntegrityPact.objects.values_list("pk", flat=True))
    assert ids and render_pact_documents.call(ids) == len(ids)
    assert not IntegrityPact.objects.filter(document="").exists()
    assert not PactRevision.objects.exists()


def test_key_holder_of_the_signer_signs(office, pact, pegawai):
    identity = pegawai.signing_identities.get()
    revision = pact_sign(pact=pact, user=pegawai, key_holder=EmbeddedKeyHolder(identity, PASS_PEGAWAI))
    assert revision.signer_serial == identity.serial


# ---- Refusals: nothing written --------------------------------------------------------------------------------


def test_superior_cannot_sign_before_the_employee(pact, atasan):
    events = AuditEvent.objects.count()
    with pytest.raises(NotYourTurn) as caught:
        pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    assert caught.value.status_code == 409
    assert "Teuku Muhammad Rizki" in caught.value.message
    nothing_written(pact, events)


def test_non_party_is_refused(pact, orang_luar):
    events = AuditEvent.objects.count()
    with pytest.raises(NotAParty) as caught:
        pact_sign(pact=pact, user=orang_luar, passphrase=PASS_PEGAWAI)
    assert caught.value.status_code == 403
    nothing_written(pact, events)


def test_superseded_pact_is_refused(pact, pegawai):
    """GIVEN a pact the reconciler superseded (the relationship behind it ended)."""
    IntegrityPact.objects.filter(pk=pact.pk).update(status=IntegrityPact.Status.SUPERSEDED)
    events = AuditEvent.objects.count()
    with pytest.raises(PactNotSignable):
        pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    with pytest.raises(PactNotSignable):
        pact_issue_for_signing(pact=pact, actor=pegawai)
    nothing_written(pact, events)


def test_superseded_between_signatures_stops_the_superior(pact, pegawai, atasan):
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    IntegrityPact.objects.filter(pk=pact.pk).update(status=IntegrityPact.Status.SUPERSEDED)
    count = PactRevision.objects.filter(pact=pact).count()
    with pytest.raises(PactNotSignable):
        pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    assert PactRevision.objects.filter(pact=pact).count() == count


def test_signing_twice_is_refused(pact, pegawai):
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    with pytest.raises(AlreadySigned):
        pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    assert PactRevision.objects.filter(pact=pact, kind="signature").count() == 1


def test_signed_pact_cannot_be_signed_again(pact, pegawai, atasan):
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    with pytest.raises(PactNotSignable):
        pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)


def test_someone_elses_key_holder_is_refused(office, pact, pegawai, atasan):
    their_key = EmbeddedKeyHolder(atasan.signing_identities.get(), PASS_ATASAN)
    events = AuditEvent.objects.count()
    with pytest.raises(KeyHolderNotYours):
        pact_sign(pact=pact, user=pegawai, key_holder=their_key)
    nothing_written(pact, events)


def test_passphrase_and_identity_are_required(pact, pegawai, office):
    with pytest.raises(PassphraseRequired):
        pact_sign(pact=pact, user=pegawai)
    pegawai.signing_identities.update(status="revoked", revoked_at=timezone.now(), revocation_reason="unspecified")
    with pytest.raises(NoSigningIdentity):
        pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    assert not PactRevision.objects.filter(pact=pact).exists()


def test_sealing_before_all_parties_signed_is_refused(pact, pegawai):
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    with pytest.raises(NotReadyToSeal):
        pact_seal(pact=pact)


# ---- Wrong passphrases and the lock ----------------------------------------------------------------------------


def test_wrong_passphrase_is_counted_and_writes_no_revision(pact, pegawai):
    events = AuditEvent.objects.count()
    with pytest.raises(WrongPassphrase) as caught:
        pact_sign(pact=pact, user=pegawai, passphrase="salah-sekali-2026")
    assert caught.value.status_code == 403
    assert caught.value.extra == {"remaining_attempts": 4}
    assert SigningLockout.objects.get(identity__user=pegawai).failed_count == 1
    nothing_written(pact, events)


def test_five_wrong_passphrases_lock_signing_for_fifteen_minutes(pact, pegawai):
    for attempt in range(1, 6):
        with pytest.raises(WrongPassphrase) as caught:
            pact_sign(pact=pact, user=pegawai, passphrase=f"salah-{attempt}-passphrase")
        assert caught.value.extra["remaining_attempts"] == 5 - attempt
    locked = AuditEvent.objects.filter(action="signatures.identity.locked").get()
    assert locked.actor_id == pegawai.pk
    lockout = SigningLockout.objects.get(identity__user=pegawai)
    assert lockout.failed_count == 5
    remaining = lockout.locked_until - timezone.now()
    assert datetime.timedelta(minutes=14) < remaining <= datetime.timedelta(minutes=15)

    # Even the right passphrase is refused while locked, and not tried.
    with pytest.raises(SigningLocked) as caught:
        pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    assert caught.value.status_code == 429
    assert "locked_until" in caught.value.extra
    assert not PactRevision.objects.filter(pact=pact).exists()

    # WHEN the 15 minutes have passed THEN signing works again and the count starts afresh.
    SigningLockout.objects.filter(pk=lockout.pk).update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    revision = pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    assert revision.kind == "signature"
    lockout.refresh_from_db()
    assert (lockout.failed_count, lockout.locked_until) == (0, None)


def test_right_passphrase_resets_the_count(pact, pegawai):
    for _ in range(4):
        with pytest.raises(WrongPassphrase):
            pact_sign(pact=pact, user=pegawai, passphrase="bukan-passphrase-nya")
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    assert SigningLockout.objects.get(identity__user=pegawai).failed_count == 0
    assert not AuditEvent.objects.filter(action="signatures.identity.locked").exists()


def test_lock_also_stops_a_key_holder_of_the_same_identity(pact, pegawai, settings):
    settings.PAKTA_SIGNING_MAX_FAILURES = 1
    with pytest.raises(WrongPassphrase):
        pact_sign(pact=pact, user=pegawai, passphrase="bukan-passphrase-nya")
    holder = EmbeddedKeyHolder(pegawai.signing_identities.get(), PASS_PEGAWAI)
    with pytest.raises(SigningLocked):
        pact_sign(pact=pact, user=pegawai, key_holder=holder)


# ---- Idempotency --------------------------------------------------------------------------------------------


def test_same_idempotency_key_twice_gives_one_revision(pact, pegawai):
    first = pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI, idempotency_key="req-7f3a")
    events = AuditEvent.objects.count()
    again = pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI, idempotency_key="req-7f3a")
    assert again == first
    assert PactRevision.objects.filter(pact=pact, kind="signature").count() == 1
    assert AuditEvent.objects.count() == events


def test_idempotent_replay_needs_no_passphrase_check_but_the_same_account(pact, pegawai, atasan):
    first = pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI, idempotency_key="req-1")
    # The replay returns the committed result; it signs nothing, so the passphrase is not tried again.
    assert pact_sign(pact=pact, user=pegawai, passphrase="sudah-diganti-2026", idempotency_key="req-1") == first
    with pytest.raises(IdempotencyKeyReused) as caught:
        pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN, idempotency_key="req-1")
    assert caught.value.status_code == 409


@pytest.mark.parametrize("key", ["", " spasi ", "x" * 201, "kunci\n"])
def test_malformed_idempotency_key_is_refused(pact, pegawai, key):
    with pytest.raises(IdempotencyKeyInvalid):
        pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI, idempotency_key=key)
    assert not PactRevision.objects.filter(pact=pact).exists()


# ---- Only documents Pakta rendered -------------------------------------------------------------------------


def test_a_different_byte_string_as_latest_revision_is_refused(pact, pegawai, atasan):
    """GIVEN the stored file of the latest revision replaced on disk by other bytes."""
    revision = pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    Path(revision.file.path).write_bytes(b"%PDF-1.7\n% not the signed revision\n")
    events = AuditEvent.objects.count()
    with pytest.raises(DocumentNotOurs) as caught:
        pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    assert caught.value.status_code == 409
    assert PactRevision.objects.filter(pact=pact).count() == 2
    assert AuditEvent.objects.count() == events
    assert pact.parties.get(order=2).signed_at is None


def test_a_revision_that_does_not_extend_our_document_is_refused(pact, pegawai, atasan, tmp_path):
    """GIVEN a revision row whose file and digest agree but which is not an update of the rendered pact."""
    revision = pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    foreign = sigpdf.add_signature_fields(
        _other_pdf(), [sigpdf.SignatureFieldSpec("Sig2_Witness", 0, (50.0, 50.0, 250.0, 120.0))]
    )
    digest, name = signing_files.store_file(foreign)
    PactRevision.objects.filter(pk=revision.pk).update(sha256=digest, file=name)
    with pytest.raises(DocumentNotOurs):
        pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)


def test_a_rendered_document_changed_on_disk_is_refused(pact, pegawai):
    from integrity.services.pact_documents import pact_document_ensure

    pact = pact_document_ensure(pact=pact)
    Path(pact.document.path).write_bytes(_other_pdf())
    events = AuditEvent.objects.count()
    with pytest.raises(DocumentNotOurs):
        pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    nothing_written(pact, events)


def test_a_corpus_pdf_as_the_pact_document_is_refused(pact, pegawai, corpus_dir):
    """GIVEN a PDF prepared elsewhere (a shadow-attack document, stage 3: intact, signed) recorded as the
    pact's document with a matching digest: it has no party fields of ours and is signed already."""
    from integrity.services.pact_documents import pact_document_ensure

    pact = pact_document_ensure(pact=pact)
    foreign = (corpus_dir / "shadow" / "hide-v1_3_signed.pdf").read_bytes()
    Path(pact.document.path).write_bytes(foreign)
    IntegrityPact.objects.filter(pk=pact.pk).update(document_sha256=hashlib.sha256(foreign).hexdigest())
    events = AuditEvent.objects.count()
    with pytest.raises(DocumentNotOurs):
        pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    nothing_written(pact, events)


def _other_pdf() -> bytes:
    from pyhanko.pdf_utils import generic, writer

    w = writer.PdfFileWriter()
    w.insert_page(
        writer.PageObject(contents=w.add_object(generic.StreamObject(stream_data=b"")), media_box=[0, 0, 595, 842])
    )
    out = BytesIO()
    w.write(out)
    return out.getvalue()


# ---- Crashes ------------------------------------------------------------------------------------------------


def test_crash_before_commit_leaves_no_revision_and_a_retry_signs(pact, pegawai, monkeypatch, settings):
    """GIVEN the process dies after the revision file is written but before the row commits."""
    pact_issue_for_signing(pact=pact, actor=pegawai)
    real_audit = signing_sign.audit_record

    def crash(**kwargs):
        if kwargs["action"] == "integrity.pact.signed_by_party":
            raise SystemExit("power cut")
        return real_audit(**kwargs)

    monkeypatch.setattr(signing_sign, "audit_record", crash)
    directory = Path(settings.MEDIA_ROOT) / "pacts" / "revisions"
    files_before = set(directory.iterdir())
    with pytest.raises(SystemExit):
        pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    assert [r.kind for r in revisions(pact)] == ["certified"]
    assert pact.parties.get(order=1).signed_at is None
    orphans = set(directory.iterdir()) - files_before
    assert len(orphans) == 1 and not any(p.name.startswith(".tmp") for p in orphans)  # complete, harmless

    monkeypatch.setattr(signing_sign, "audit_record", real_audit)
    revision = pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    assert_valid(pact_revision_bytes(revision))


def test_crash_while_writing_leaves_neither_file_nor_row(pact, pegawai, monkeypatch, settings):
    pact_issue_for_signing(pact=pact, actor=pegawai)
    directory = Path(settings.MEDIA_ROOT) / "pacts" / "revisions"
    files_before = set(directory.iterdir())

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(signing_files.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    assert set(directory.iterdir()) == files_before  # the temporary file is gone too
    assert [r.kind for r in revisions(pact)] == ["certified"]


def test_content_addressed_file_without_row_is_reused(tmp_path):
    data = b"%PDF-1.7\n% revision\n"
    digest, name = signing_files.store_file(data)
    assert signing_files.store_file(data) == (digest, name)
    assert name == f"pacts/revisions/{hashlib.sha256(data).hexdigest()}.pdf"


def test_failed_seal_leaves_pact_pending_until_the_retry(pact, pegawai, atasan, monkeypatch):
    """GIVEN sealing fails after the last signature (e.g. revocation data could not be made)."""
    real_seal = signing_seal._seal_bytes
    monkeypatch.setattr(signing_seal, "_seal_bytes", lambda data: (_ for _ in ()).throw(RuntimeError("OCSP down")))
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    witness = pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.PENDING
    assert revisions(pact)[-1] == witness

    monkeypatch.setattr(signing_seal, "_seal_bytes", real_seal)
    assert pacts_seal_pending() == 1
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.SIGNED
    assert revisions(pact)[-1].kind == "lta"
    assert pacts_seal_pending() == 0


# ---- Archive renewal ----------------------------------------------------------------------------------------


def test_archive_timestamp_is_renewed_before_it_expires(pact, pegawai, atasan):
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    sealed = revisions(pact)[-1]
    # Nothing is due while the timestamp outlives the horizon.
    assert pacts_retimestamp_due(before=timezone.localdate() + datetime.timedelta(days=90)) == 0

    # GIVEN the archive timestamp's certificate ends in 30 days (as if the TSA certificate were older).
    soon = timezone.now() + datetime.timedelta(days=30)
    PactRevision.objects.filter(pk=sealed.pk).update(timestamp_valid_until=soon)
    assert pacts_retimestamp_due(before=timezone.localdate() + datetime.timedelta(days=90)) == 1
    renewed = revisions(pact)[-1]
    assert (renewed.kind, renewed.sequence) == ("retimestamp", sealed.sequence + 1)
    assert renewed.timestamp_valid_until > soon
    data = pact_revision_bytes(renewed)
    assert data.startswith(pact_revision_bytes(sealed))
    reader = PdfFileReader(BytesIO(data))
    assert len(reader.embedded_timestamp_signatures) == 2
    assert set(ades_lta(data).values()) == {AdESPassed.OK}
    assert AuditEvent.objects.filter(action="integrity.pact.retimestamped", subject_id=str(pact.pk)).count() == 1
    # Done: not due again.
    assert pacts_retimestamp_due(before=timezone.localdate() + datetime.timedelta(days=90)) == 0


def test_a_renewal_stored_while_ours_was_made_wins(pact, pegawai, atasan, monkeypatch):
    """GIVEN a renewal that is made outside the pact's lock (it may fetch from an external TSA) WHEN another
    run stores its renewal meanwhile THEN ours is dropped: one renewal revision, one audit event."""
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    sealed = revisions(pact)[-1]
    PactRevision.objects.filter(pk=sealed.pk).update(timestamp_valid_until=timezone.now() + datetime.timedelta(days=30))
    horizon = timezone.localdate() + datetime.timedelta(days=90)
    real_seal = signing_seal._seal_bytes
    calls = 0

    def racing(data: bytes) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 1:  # the other run, while ours is still making its file
            assert pacts_retimestamp_due(before=horizon) == 1
        return real_seal(data)

    monkeypatch.setattr(signing_seal, "_seal_bytes", racing)
    assert pacts_retimestamp_due(before=horizon) == 0
    assert calls == 2
    assert [revision.kind for revision in revisions(pact)].count("retimestamp") == 1
    assert AuditEvent.objects.filter(action="integrity.pact.retimestamped", subject_id=str(pact.pk)).count() == 1


def test_renewal_that_would_not_outlast_the_current_timestamp_is_skipped(pact, pegawai, atasan, caplog):
    """GIVEN the TSA certificate itself ends before the horizon: a new timestamp from it gains nothing."""
    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    sealed = revisions(pact)[-1]
    # The day after the timestamp ends, in the task's own (local) calendar: the pact is due.
    far = timezone.localtime(sealed.timestamp_valid_until).date() + datetime.timedelta(days=1)
    with caplog.at_level(logging.WARNING, logger="integrity.services.signing.archive"):
        assert pacts_retimestamp_due(before=far) == 0
    assert revisions(pact)[-1] == sealed
    assert "no later than the current one" in caplog.text  # tried and skipped, not merely not due


# ---- Concurrency (PostgreSQL) -------------------------------------------------------------------------------


# serialized_rollback: these tests commit for real, and the flush after them would also remove the data
# migrations load (ranks, deadline policies) that the reconciler needs; it is restored afterwards.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_requests_for_the_same_field_give_one_signature():
    """GIVEN an issued pact WHEN the employee's two browser tabs sign at the same moment THEN exactly one
    signature is made; the other request is told the field is signed."""
    office = _build_office()
    pact, pegawai = office["pact"], office["users"]["pegawai"]
    pact_issue_for_signing(pact=pact, actor=pegawai)
    start = threading.Barrier(2)
    results: list[object] = []

    def sign() -> None:
        try:
            start.wait()
            results.append(pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI))
        except Exception as exc:  # collected and checked below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    revisions_made = [r for r in results if isinstance(r, PactRevision)]
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(revisions_made) == 1, results
    assert len(refusals) == 1 and isinstance(refusals[0], AlreadySigned), refusals
    assert PactRevision.objects.filter(pact=pact, kind="signature").count() == 1
    assert AuditEvent.objects.filter(action="integrity.pact.signed_by_party").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_requests_with_one_idempotency_key_return_one_revision():
    office = _build_office()
    pact, pegawai = office["pact"], office["users"]["pegawai"]
    start = threading.Barrier(2)
    results: list[object] = []

    def sign() -> None:
        try:
            start.wait()
            results.append(pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI, idempotency_key="tab-1"))
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(isinstance(r, PactRevision) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert PactRevision.objects.filter(pact=pact, kind="signature").count() == 1
    assert PactRevision.objects.filter(pact=pact, kind="certified").count() == 1


def test_stamp_says_certified_only_under_a_certified_providers_root(pact, pegawai, atasan, settings, tmp_path):
    """GIVEN our own root configured as a certified provider's root (standing in for BSrE's)."""
    from asn1crypto import pem

    from tests.signatures.test_signing import stamp_texts

    first = pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    roots = tmp_path / "certified"
    roots.mkdir()
    (roots / "psre.pem").write_bytes(pem.armor("CERTIFICATE", ca.trust_roots()[0].dump()))
    settings.PAKTA_CERTIFIED_ROOTS_DIR = str(roots)
    second = pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    texts = stamp_texts(pact_revision_bytes(second))
    assert "TTEtersertifikasi(PSrE)" in texts["Sig2_Witness"].replace(" ", "")
    assert "tidaktersertifikasi" in texts["Sig1_Declarant"].replace(" ", "")
    payloads = [e.payload for e in AuditEvent.objects.filter(action="integrity.pact.signed_by_party").order_by("seq")]
    assert ['"certified":false' in p for p in payloads] == [True, False]
    assert first.sequence == 2


def test_a_pact_stays_valid_when_the_signer_is_revoked_after_signing(pact, pegawai, atasan):
    """GIVEN a sealed pact WHEN the employee's certificate is revoked afterwards (they left) THEN the
    public verification still says VALID: the trusted timestamps prove the signatures came first."""
    from signatures.models import SigningIdentity
    from signatures.verification_service import verify_document

    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    final = pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.SIGNED
    latest = pact_latest_revision(pact)
    assert latest is not None and latest.sequence > final.sequence
    time.sleep(1.1)  # CRL revocation times have whole seconds: revoke in a later second than the timestamps
    ca.identity_revoke(
        identity=SigningIdentity.objects.get(user=pegawai, status="active"), reason="affiliation_changed", actor=None
    )
    report = verify_document(pact_revision_bytes(latest))
    assert report.verdict == "VALID", report.reasons


def test_stock_pyhanko_cli_validates_the_sealed_pact_with_the_exported_root(pact, pegawai, atasan, tmp_path):
    """GIVEN a sealed pact and the exported root certificate WHEN stock `pyhanko sign validate` (the
    pyhanko-cli package) checks it offline with revocation data from the file THEN every signature is
    valid: an auditor needs nothing from Pakta but the root."""
    import shutil
    import subprocess
    import sys

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    pact_sign(pact=pact, user=pegawai, passphrase=PASS_PEGAWAI)
    pact_sign(pact=pact, user=atasan, passphrase=PASS_ATASAN)
    pact.refresh_from_db()
    assert pact.status == IntegrityPact.Status.SIGNED
    latest = pact_latest_revision(pact)
    assert latest is not None
    final = tmp_path / "pakta.pdf"
    final.write_bytes(pact_revision_bytes(latest))
    root = tmp_path / "root.pem"
    root.write_bytes(
        x509.load_der_x509_certificate(ca.ca_certificate(CaKey.Role.ROOT).dump()).public_bytes(Encoding.PEM)
    )
    cli = shutil.which("pyhanko", path=str(Path(sys.executable).parent))
    assert cli is not None, "pyhanko-cli is a test requirement"
    result = subprocess.run(
        [cli, "sign", "validate", "--trust", str(root), "--trust-replace", "--soft-revocation-check",
         "--pretty-print", str(final)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VALID" in result.stdout.upper() and "INVALID" not in result.stdout.upper()
