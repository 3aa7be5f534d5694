"""Verification of pacts signed here (signatures issue §3): sign -> verify -> tamper -> the verdict changes.

The documents are minimal pact-shaped PDFs (tests/signatures/pki.py): certified by the employee with DocMDP
P=2 and a signature timestamp, then approved by the superior in the prepared second field. Each tampering
the issue lists is one incremental update made with pyHanko's writer, the way an attacker would.
"""

from __future__ import annotations

import json
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from signatures.verify import (
    Changes,
    Coverage,
    RevocationStatus,
    SignatureKind,
    Verdict,
    VerificationReport,
    verify_pdf_bytes,
)
from tests.signatures import pki as test_pki
from tests.signatures.pki import ATASAN_NIP, FIELDS, PEGAWAI_NIP, Pki


@pytest.fixture(scope="module")
def pki() -> Pki:
    return test_pki.make_pki()


@pytest.fixture(scope="module")
def signed(pki: Pki) -> bytes:
    return test_pki.signed_pact(pki)


def verify(pdf: bytes, pki: Pki, **kwargs) -> VerificationReport:
    kwargs.setdefault("trust_roots", [pki.root.cert])
    kwargs.setdefault("allowed_embedded_files", 1)
    return verify_pdf_bytes(pdf, **kwargs)


def codes(report: VerificationReport) -> set[str]:
    return {finding.code for finding in report.findings}


# --------------------------------------------------------------------------------------------------------
# Honest documents
# --------------------------------------------------------------------------------------------------------


def test_certified_and_countersigned_pact_is_valid_with_its_root_trusted(pki, signed):
    report = verify(signed, pki)

    assert report.verdict is Verdict.VALID, report.reasons
    assert report.reasons == []
    pegawai, atasan = report.signatures
    assert (pegawai.field_name, pegawai.kind, pegawai.docmdp_level) == (FIELDS[0], SignatureKind.CERTIFICATION, 2)
    assert (atasan.field_name, atasan.kind, atasan.docmdp_level) == (FIELDS[1], SignatureKind.APPROVAL, None)
    assert (pegawai.signer_name, pegawai.signer_nip) == ("Nur Abdullah", PEGAWAI_NIP)
    assert (atasan.signer_name, atasan.signer_nip) == ("Siti Rahmawati", ATASAN_NIP)
    assert "Pakta Test Root CA" in (pegawai.signer_issuer or "")
    for signature in report.signatures:
        assert signature.intact and signature.trusted
        assert signature.timestamp_time is not None and signature.timestamp_trusted
        assert signature.timestamp_authority == "Pakta Test TSA"
        assert signature.signing_time is not None
        assert signature.pades_level == "B-T"
        assert signature.digest_algorithm == "sha256"
        assert signature.certified is False  # our own CA is not a certified provider: tidak tersertifikasi
        assert signature.revocation is RevocationStatus.UNKNOWN
    # The certification signature saw exactly the next planned signature; the last one covers the file.
    assert (pegawai.coverage, pegawai.changes_after, pegawai.changed_fields) == (
        Coverage.ENTIRE_REVISION,
        Changes.SIGNATURES,
        (FIELDS[1],),
    )
    assert (atasan.coverage, atasan.changes_after) == (Coverage.ENTIRE_FILE, Changes.NONE)


@pytest.mark.django_db
def test_rendered_typst_pact_signed_twice_is_valid(pki):
    """GIVEN a real pact (Typst PDF/A-3b with XMP, /Info and the data attached as JSON) WHEN the employee
    certifies it and the superior approves it THEN it verifies VALID: pyHanko restamping /ModDate and the
    XMP in each signature's revision is part of signing, and the JSON attachment is the allowed one."""
    from integrity.documents import pact_template_current, render_pact_pdf
    from tests.integrity.test_documents import ATASAN, PEGAWAI, base_data

    data = base_data("employee_superior", [dict(PEGAWAI), dict(ATASAN)])
    pdf = render_pact_pdf(data, template=pact_template_current("employee_superior"))
    fields = [PEGAWAI["field_name"], ATASAN["field_name"]]
    pdf = test_pki.sign(pdf, fields[0], pki.signer(pki.pegawai), certify=True, timestamper=pki.timestamper())
    pdf = test_pki.sign(pdf, fields[1], pki.signer(pki.atasan), timestamper=pki.timestamper())

    report = verify(pdf, pki, expected_fields=fields)

    assert report.verdict is Verdict.VALID, report.reasons
    assert [s.changes_after for s in report.signatures] == [Changes.SIGNATURES, Changes.NONE]
    assert verify(pdf, pki, allowed_embedded_files=0).verdict is Verdict.INVALID


def test_signatures_chaining_to_a_certified_provider_root_are_certified(pki, signed):
    report = verify(signed, pki, trust_roots=[], certified_roots=[pki.root.cert])
    assert report.verdict is Verdict.UNTRUSTED  # certified roots must also be trusted to count

    report = verify(signed, pki, certified_roots=[pki.root.der])
    assert report.verdict is Verdict.VALID
    assert all(signature.certified for signature in report.signatures)


@pytest.mark.parametrize("roots", [[], "other"], ids=["no-trust-root", "wrong-trust-root"])
def test_intact_pact_without_its_root_is_untrusted_not_modified(pki, signed, roots):
    trust = [pki.other_root.cert] if roots == "other" else []
    report = verify(signed, pki, trust_roots=trust)

    assert report.verdict is Verdict.UNTRUSTED
    assert {"untrusted", "timestamp_untrusted"} <= codes(report)
    assert all(s.intact and not s.trusted for s in report.signatures)
    assert all(s.changes_after is not Changes.FORBIDDEN for s in report.signatures)
    assert any("tidak terhubung ke akar sertifikat tepercaya" in reason for reason in report.reasons)


def test_same_name_and_nip_from_another_ca_is_untrusted(pki):
    pdf = test_pki.sign(test_pki.pact_with_fields(), FIELDS[0], pki.signer(pki.impostor))
    report = verify(pdf, pki)
    assert report.verdict is Verdict.UNTRUSTED
    assert report.signatures[0].signer_nip == PEGAWAI_NIP


def test_revoked_signer_is_untrusted(pki, signed):
    report = verify(signed, pki, crls=[pki.crl_revoking(pki.atasan)])

    assert report.verdict is Verdict.UNTRUSTED
    pegawai, atasan = report.signatures
    assert atasan.revocation is RevocationStatus.REVOKED and not atasan.trusted
    assert pegawai.trusted


def test_required_revocation_data_is_checked(pki, signed):
    report = verify(signed, pki, crls=[pki.crl_revoking()], require_revocation=True)
    assert report.verdict is Verdict.VALID
    assert {s.revocation for s in report.signatures} == {RevocationStatus.GOOD}

    report = verify(signed, pki, require_revocation=True)  # no CRL handed in, nothing fetched
    assert report.verdict is Verdict.UNTRUSTED


def test_certificate_expired_at_signing_time_is_untrusted(pki):
    pdf = test_pki.sign(test_pki.pact_with_fields(), FIELDS[0], pki.signer(pki.expired), timestamper=pki.timestamper())
    report = verify(pdf, pki)
    assert report.verdict is Verdict.UNTRUSTED
    assert "expired" in codes(report)


def test_b_lta_pact_is_valid_and_reports_the_document_timestamp(pki):
    pdf = test_pki.sign(
        test_pki.pact_with_fields(), FIELDS[0], pki.signer(pki.pegawai), certify=True, timestamper=pki.timestamper()
    )
    pdf = test_pki.sign_lta(pdf, FIELDS[1], pki, pki.atasan)

    report = verify(pdf, pki)

    assert report.verdict is Verdict.VALID, report.reasons
    kinds = [s.kind for s in report.signatures]
    assert kinds == [SignatureKind.CERTIFICATION, SignatureKind.APPROVAL, SignatureKind.DOC_TIMESTAMP]
    assert [s.pades_level for s in report.signatures] == ["B-LTA", "B-LTA", None]
    assert report.signatures[1].changes_after is Changes.LTV  # DSS and the document timestamp only


def test_partially_signed_pact_is_valid_unless_fields_are_expected(pki):
    pdf = test_pki.sign(
        test_pki.pact_with_fields(), FIELDS[0], pki.signer(pki.pegawai), certify=True, timestamper=pki.timestamper()
    )
    report = verify(pdf, pki)
    assert report.verdict is Verdict.VALID
    assert report.unsigned_fields == (FIELDS[1],)

    report = verify(pdf, pki, expected_fields=FIELDS)
    assert report.verdict is Verdict.INVALID
    assert [(f.code, f.field) for f in report.findings] == [("expected_unsigned", FIELDS[1])]


def test_signature_outside_the_expected_fields_is_invalid(pki, signed):
    assert verify(signed, pki, expected_fields=FIELDS).verdict is Verdict.VALID
    report = verify(signed, pki, expected_fields=[FIELDS[0]])
    assert report.verdict is Verdict.INVALID
    assert "unexpected_signature" in codes(report)


def test_only_data_attachments_are_allowed_and_only_when_asked(pki, signed):
    assert verify(signed, pki, allowed_embedded_files=0).verdict is Verdict.INVALID
    unattached = test_pki.sign(test_pki.pact_with_fields(attachment=False), FIELDS[0], pki.signer(pki.pegawai))
    assert verify(unattached, pki, allowed_embedded_files=0).verdict is Verdict.VALID


# --------------------------------------------------------------------------------------------------------
# Tampering after signing
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tamper",
    [
        test_pki.add_page,
        test_pki.change_text,
        test_pki.add_annotation,
        test_pki.change_field_value,
        test_pki.change_signature_reason,
    ],
    ids=lambda f: f.__name__,
)
def test_change_after_signing_is_modified(pki, signed, tamper):
    """GIVEN a valid pact WHEN an incremental update changes it THEN both signatures report a forbidden change."""
    tampered = tamper(signed)
    assert tampered.startswith(signed)  # the signed bytes are untouched

    report = verify(tampered, pki)

    assert report.verdict is Verdict.MODIFIED, report.reasons
    assert all(s.intact and s.trusted for s in report.signatures)
    assert [s.changes_after for s in report.signatures] == [Changes.FORBIDDEN, Changes.FORBIDDEN]
    assert any("diubah setelah tanda tangan" in reason for reason in report.reasons)


def test_changed_signed_byte_is_invalid(pki, signed):
    report = verify(test_pki.flip_signed_byte(signed), pki)
    assert report.verdict is Verdict.INVALID
    assert "not_intact" in codes(report)


def test_bytes_appended_after_eof_are_a_change(pki, signed):
    report = verify(signed + b"% ditambahkan setelah ditandatangani\n", pki)
    assert report.verdict is Verdict.MODIFIED
    assert "trailing_data" in codes(report)
    assert verify(signed + b"\r\n\n", pki).verdict is Verdict.VALID  # white space is not content


def test_tampered_pact_is_modified_even_when_its_root_is_not_trusted(pki, signed):
    assert verify(test_pki.change_text(signed), pki, trust_roots=[]).verdict is Verdict.MODIFIED


# --------------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------------


def test_not_a_pdf_cannot_be_validated(pki):
    report = verify(b"PK\x03\x04 bukan pdf", pki)
    assert report.verdict is Verdict.CANNOT_VALIDATE
    assert codes(report) == {"not_pdf"}


def test_unsigned_pdf_is_invalid(pki):
    report = verify(test_pki.minimal_pdf(), pki)
    assert report.verdict is Verdict.INVALID
    assert "no_signatures" in codes(report)


def test_encrypted_pdf_cannot_be_validated(pki):
    report = verify(test_pki.encrypted(test_pki.minimal_pdf()), pki)
    assert report.verdict is Verdict.CANNOT_VALIDATE
    assert codes(report) == {"encrypted"}


def test_100_mb_is_refused_before_parsing(pki):
    data = b"%PDF-1.7\n" + b"0" * (100 * 1024 * 1024)
    started = time.monotonic()
    report = verify(data, pki)
    assert report.verdict is Verdict.CANNOT_VALIDATE
    assert codes(report) == {"too_large"}
    assert time.monotonic() - started < 10  # parsing 100 MB would take far longer; a loaded CI runner is slow

    small = verify(test_pki.minimal_pdf(), pki, max_bytes=100)
    assert codes(small) == {"too_large"}


def test_javascript_is_invalid(pki):
    pdf = test_pki.sign(test_pki.pact_with_fields(javascript=True), FIELDS[0], pki.signer(pki.pegawai))
    report = verify(pdf, pki)
    assert report.verdict is Verdict.INVALID
    assert [f.params for f in report.findings if f.code == "active_content"] == [{"kind": "JavaScript"}]


def test_time_and_memory_limits_end_in_cannot_validate(pki, signed):
    report = verify(signed, pki, time_limit=0.001)
    assert report.verdict is Verdict.CANNOT_VALIDATE
    assert codes(report) == {"timeout"}

    report = verify(signed, pki, memory_limit=64 * 1024)
    assert report.verdict is Verdict.CANNOT_VALIDATE
    assert codes(report) & {"memory", "crashed", "unreadable"}


def test_compressed_stream_bomb_after_signing_is_a_change_not_a_crash(pki, signed):
    """GIVEN an update whose metadata stream inflates to 512 MiB WHEN verified THEN MODIFIED, within seconds."""
    bombed = test_pki.metadata_bomb(signed)
    started = time.monotonic()
    report = verify(bombed, pki)
    assert report.verdict is Verdict.MODIFIED and "timeout" not in codes(report)  # not cut off by the limit
    assert time.monotonic() - started < 15


def test_report_is_json_safe(pki, signed):
    data = json.loads(json.dumps(verify(signed, pki).to_dict()))
    assert data["verdict"] == "VALID"
    assert [s["field_name"] for s in data["signatures"]] == list(FIELDS)
    assert data["signatures"][0]["kind"] == "certification"
    assert data["signatures"][0]["signer_nip"] == PEGAWAI_NIP


# --------------------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path, pki: Pki, signed: bytes) -> dict[str, Path]:
    paths = {
        "signed": tmp_path / "pakta.pdf",
        "tampered": tmp_path / "pakta-diubah.pdf",
        "root": tmp_path / "root.pem",
        "junk": tmp_path / "bukan.pdf",
    }
    paths["signed"].write_bytes(signed)
    paths["tampered"].write_bytes(test_pki.change_text(signed))
    paths["root"].write_bytes(pki.root.pem)
    paths["junk"].write_bytes(b"bukan pdf")
    return paths


def run_command(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_pdf", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_command_exits_zero_only_for_valid(files):
    trust = ["--trust", str(files["root"]), "--allow-data-attachments", "1"]
    assert run_command(str(files["signed"]), *trust)[0] == 0
    assert run_command(str(files["signed"]), "--allow-data-attachments", "1")[0] == 2  # UNTRUSTED
    assert run_command(str(files["tampered"]), *trust)[0] == 3  # MODIFIED
    no_attachments = ("--trust", str(files["root"]), "--allow-data-attachments", "0")
    assert run_command(str(files["signed"]), *no_attachments)[0] == 4  # INVALID: attachment
    assert run_command(str(files["junk"]), *trust)[0] == 5  # CANNOT_VALIDATE


@pytest.mark.django_db
def test_command_json_output(files):
    code, out = run_command(
        str(files["signed"]), "--json", "--trust", str(files["root"]), "--allow-data-attachments", "1"
    )
    data = json.loads(out)
    assert code == 0
    assert data["verdict"] == "VALID"
    assert [s["signer_nip"] for s in data["signatures"]] == [PEGAWAI_NIP, ATASAN_NIP]

    code, out = run_command(
        str(files["tampered"]), "--json", "--certified-root", str(files["root"]), "--allow-data-attachments", "0"
    )
    data = json.loads(out)
    assert (code, data["verdict"]) == (4, "INVALID")  # the attachment is not allowed here
    assert {"modified", "embedded_files"} <= {f["code"] for f in data["findings"]}


@pytest.mark.django_db
def test_command_human_output_is_indonesian(files):
    code, out = run_command(str(files["signed"]), "--trust", str(files["root"]), "--allow-data-attachments", "1")
    assert code == 0
    assert "Hasil: VALID — Sah" in out
    assert "Penanda tangan: Nur Abdullah, NIP 198501012010011001" in out
    assert "tidak tersertifikasi" in out
    assert "Perubahan sesudahnya: tanda tangan berikutnya (Sig_Atasan)" in out


@pytest.mark.django_db
def test_command_refuses_unreadable_inputs(files, tmp_path):
    with pytest.raises(CommandError):
        call_command("verify_pdf", str(tmp_path / "tidak-ada.pdf"))
    with pytest.raises(CommandError):
        call_command("verify_pdf", str(files["signed"]), "--trust", str(files["junk"]))
