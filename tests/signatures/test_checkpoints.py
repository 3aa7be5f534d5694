"""Audit checkpoints, signatures side (signatures issue §4): the system seal signs the journal's Merkle root
with a timestamp; the signature verifies, and stops verifying when anything stored is changed; an exported
file verifies offline with the CA root (and with OpenSSL) and fails when modified; the commands and the
nightly task work; `audit_verify` fails after the tail is deleted even when the head was reset."""

import base64
import datetime
import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms, pem
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.models import AuditCheckpoint, AuditEvent, AuditHead
from audit.selectors import journal_root
from audit.services import audit_checkpoint_store, audit_record
from signatures import ca, checkpoints
from signatures.checkpoints import (
    EXPORT_UNREADABLE,
    SIGNATURE_INVALID,
    SIGNATURE_UNREADABLE,
    SIGNER_NOT_SYSTEM_SEAL,
    STATEMENT_INVALID,
    STORED_FIELDS_MISMATCH,
    SYSTEM_SEAL_CODE,
    TIMESTAMP_MISSING,
    TIMESTAMP_TOKEN_MISMATCH,
    CheckpointSignatureError,
    checkpoint_create,
    checkpoint_export,
    checkpoint_verify_exported,
    verify_checkpoint_signature,
)
from signatures.models import CaKey, SigningIdentity
from signatures.signers import EmbeddedKeyHolder, in_process_timestamper
from signatures.tasks import checkpoint_audit_journal
from tests.signatures.conftest import PASSPHRASE
from tests.signatures.pki import make_pki

pytestmark = pytest.mark.django_db

TRIGGERS = (
    ("audit_auditevent", "audit_auditevent_append_only"),
    ("audit_auditcheckpoint", "audit_auditcheckpoint_append_only"),
)


@pytest.fixture
def tamperable() -> Iterator[None]:
    """On PostgreSQL the journal and the checkpoints refuse UPDATE/DELETE; an attacker with table rights
    disables the triggers first (rolled back with the test's transaction)."""

    def alter(verb: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, trigger in TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER {trigger}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    if connection.vendor != "postgresql":
        yield
        return
    alter("DISABLE")
    yield
    alter("ENABLE")


def flip_last_byte(data: bytes) -> bytes:
    """Always a different value (setting the byte to a constant is no change when it already was that)."""
    return data[:-1] + bytes([data[-1] ^ 0xFF])


def record_events(count: int) -> None:
    for i in range(count):
        audit_record(action="integrity.pact.signed", subject_type="integrity.pact", subject_id=i, payload={"n": i})


@pytest.fixture
def checkpoint(ca_root: CaKey) -> AuditCheckpoint:
    record_events(4)
    return checkpoint_create()


def reload(checkpoint: AuditCheckpoint) -> AuditCheckpoint:
    return AuditCheckpoint.objects.get(pk=checkpoint.pk)


def assert_rejected(checkpoint: AuditCheckpoint, message: Any) -> None:
    with pytest.raises(CheckpointSignatureError) as excinfo:
        verify_checkpoint_signature(reload(checkpoint))
    assert excinfo.value.message == message


def ca_root_sha256() -> str:
    return hashlib.sha256(ca.ca_certificate_der(CaKey.Role.ROOT)).hexdigest()


def ca_root_pem() -> bytes:
    return pem.armor("CERTIFICATE", ca.ca_certificate_der(CaKey.Role.ROOT))


def delete_tail_and_fix_head(first_deleted: int) -> None:
    AuditEvent.objects.filter(seq__gte=first_deleted).delete()
    last = AuditEvent.objects.get(seq=first_deleted - 1)
    AuditHead.objects.filter(pk=1).update(seq=last.seq, hash=last.hash)


# --- creating -----------------------------------------------------------------------------------------


def test_create_signs_the_journal_root_with_the_system_seal(ca_root: CaKey) -> None:
    record_events(4)
    size_before = AuditEvent.objects.count()
    checkpoint = checkpoint_create()
    seal = CaKey.objects.get(role=CaKey.Role.SEAL, label=SYSTEM_SEAL_CODE)
    # the seal was issued first (one more event), then the journal was read and signed
    assert checkpoint.size == size_before + 1
    assert checkpoint.root_hex == journal_root(checkpoint.size).root_hex
    assert AuditCheckpoint.parse_statement(checkpoint.statement).root_hex == checkpoint.root_hex
    assert checkpoint.signer_subject == seal.subject
    assert "CN=Sistem Pakta" in checkpoint.signer_subject
    assert list(AuditEvent.objects.order_by("-seq").values_list("action", flat=True)[:2]) == [
        "audit.checkpoint.created",
        "signatures.seal.issued",
    ]
    signed_data = cms.ContentInfo.load(bytes(checkpoint.signature))["content"]
    assert signed_data["encap_content_info"]["content"].native is None  # detached
    assert signed_data["signer_infos"][0]["digest_algorithm"]["algorithm"].native == "sha256"
    verify_checkpoint_signature(checkpoint)


def test_later_checkpoints_reuse_the_seal_and_cover_more(checkpoint: AuditCheckpoint) -> None:
    record_events(2)
    second = checkpoint_create()
    assert second.size == checkpoint.size + 3  # its own event, then two more
    assert CaKey.objects.filter(role=CaKey.Role.SEAL, label=SYSTEM_SEAL_CODE).count() == 1
    verify_checkpoint_signature(second)
    verify_checkpoint_signature(reload(checkpoint))


def test_the_seal_is_renewed_before_it_expires_and_old_checkpoints_still_verify(
    checkpoint: AuditCheckpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints.seal, "SEAL_RENEW_BEFORE", datetime.timedelta(days=365 * 5))
    second = checkpoint_create()
    seals = CaKey.objects.filter(role=CaKey.Role.SEAL, label=SYSTEM_SEAL_CODE)
    assert seals.count() == 2
    assert seals.filter(retired_at__isnull=True).count() == 1
    verify_checkpoint_signature(second)
    verify_checkpoint_signature(reload(checkpoint))  # the retired seal is still the system seal


def test_create_needs_the_ca(db: Any) -> None:
    record_events(1)
    with pytest.raises(ca.CaNotInitialized):
        checkpoint_create()
    assert not AuditCheckpoint.objects.exists()


# --- verifying what is stored -------------------------------------------------------------------------


@pytest.mark.usefixtures("tamperable")
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: {"statement": c.statement.replace(c.root_hex, "0" * 64)}, SIGNATURE_INVALID),
        (
            lambda c: {"statement": c.statement.replace(c.root_hex, "0" * 64), "root_hex": "0" * 64},
            SIGNATURE_INVALID,
        ),
        (lambda c: {"statement": c.statement.replace('"size":', '"size": ')}, STATEMENT_INVALID),
        (lambda c: {"root_hex": "0" * 64}, STORED_FIELDS_MISMATCH),
        (lambda c: {"size": c.size - 1}, STORED_FIELDS_MISMATCH),
        (lambda c: {"created_at": c.created_at - datetime.timedelta(days=1)}, STORED_FIELDS_MISMATCH),
        (lambda c: {"signer_subject": "CN=Orang Lain"}, STORED_FIELDS_MISMATCH),
        (lambda c: {"timestamp_token": flip_last_byte(bytes(c.timestamp_token))}, TIMESTAMP_TOKEN_MISMATCH),
    ],
    ids=[
        "statement",
        "statement-and-root",
        "statement-not-canonical",
        "root",
        "size",
        "time",
        "signer",
        "timestamp-token",
    ],
)
def test_tampering_with_a_stored_checkpoint_is_detected(checkpoint: AuditCheckpoint, change: Any, message: Any) -> None:
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(**change(checkpoint))
    assert_rejected(checkpoint, message)


@pytest.mark.usefixtures("tamperable")
def test_a_flipped_byte_in_the_signature_is_detected(checkpoint: AuditCheckpoint) -> None:
    der = bytearray(checkpoint.signature)
    value = cms.ContentInfo.load(bytes(der))["content"]["signer_infos"][0]["signature"].native
    der[bytes(der).rindex(value) + len(value) - 1] ^= 1  # the last byte of the ECDSA signature value
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(signature=bytes(der))
    assert_rejected(checkpoint, SIGNATURE_INVALID)


def _sign_as(holder: Any, statement: str, *, timestamp: bool = True) -> bytes:
    """A detached CMS over `statement` by another key holder, as checkpoint_create makes it."""
    return checkpoints._run(
        holder.signer_for().async_sign_general_data(
            statement.encode(), "sha256", detached=True, timestamper=in_process_timestamper() if timestamp else None
        )
    ).dump()


def test_a_checkpoint_signed_by_an_official_is_not_a_system_checkpoint(
    checkpoint: AuditCheckpoint, identity: SigningIdentity
) -> None:
    """Two signers under the same CA: an official's certificate chains to the root too, but is not the seal."""
    holder = EmbeddedKeyHolder(identity, PASSPHRASE)
    size = AuditEvent.objects.count()
    root_hex = journal_root(size).root_hex
    statement = AuditCheckpoint.statement_for(size=size, root_hex=root_hex, time=checkpoint.created_at)
    signature = _sign_as(holder, statement)
    forged = audit_checkpoint_store(
        size=size,
        root_hex=root_hex,
        statement=statement,
        signature=signature,
        timestamp_token=bytes(checkpoint.timestamp_token),
        signer_subject=checkpoint.signer_subject,
    )
    assert_rejected(forged, SIGNER_NOT_SYSTEM_SEAL)


def test_a_checkpoint_without_a_timestamp_is_rejected(checkpoint: AuditCheckpoint) -> None:
    size = AuditEvent.objects.count()
    root_hex = journal_root(size).root_hex
    statement = AuditCheckpoint.statement_for(size=size, root_hex=root_hex, time=checkpoint.created_at)
    untimed = audit_checkpoint_store(
        size=size,
        root_hex=root_hex,
        statement=statement,
        signature=_sign_as(checkpoints._system_seal(), statement, timestamp=False),
        timestamp_token=b"-",
        signer_subject=checkpoint.signer_subject,
    )
    assert_rejected(untimed, TIMESTAMP_MISSING)


def test_a_timestamp_earlier_than_the_statement_is_rejected(checkpoint: AuditCheckpoint) -> None:
    """The statement's time comes from the signer's clock, the timestamp from the TSA: a statement dated
    after its own timestamp (beyond clock tolerance) claims a time nobody vouches for."""
    verified = checkpoints._Verified(signer=None, timestamp=checkpoint.created_at, token_der=b"")
    checkpoints._check_times(checkpoint.created_at + checkpoints.CLOCK_TOLERANCE, verified)
    with pytest.raises(CheckpointSignatureError) as excinfo:
        later = checkpoint.created_at + checkpoints.CLOCK_TOLERANCE + datetime.timedelta(seconds=1)
        checkpoints._check_times(later, verified)
    assert excinfo.value.message == checkpoints.TIMESTAMP_BEFORE_STATEMENT


# --- export and offline verification ------------------------------------------------------------------


def test_an_export_verifies_offline_with_the_ca_root(checkpoint: AuditCheckpoint) -> None:
    data = checkpoint_export(checkpoint)
    document = json.loads(data)
    assert document["statement"] == checkpoint.statement
    assert base64.b64decode(document["signature"]) == bytes(checkpoint.signature)
    assert base64.b64decode(document["timestamp_token"]) == bytes(checkpoint.timestamp_token)
    assert document["certificate_chain"].count("BEGIN CERTIFICATE") == 3  # seal, issuing CA, root
    assert document["root_certificate_sha256"] == ca_root_sha256()
    assert any("openssl cms -verify" in step for step in document["how_to_verify"])

    result = checkpoint_verify_exported(data, ca.trust_roots())
    assert (result["checkpoint_id"], result["size"], result["root"]) == (
        checkpoint.pk,
        checkpoint.size,
        checkpoint.root_hex,
    )
    assert result["time"] == checkpoint.created_at
    assert result["time"] <= result["timestamp"] <= result["time"] + datetime.timedelta(minutes=1)
    assert result["signer"] == checkpoint.signer_subject
    seals = [ca.ca_certificate(CaKey.Role.SEAL, SYSTEM_SEAL_CODE)]
    assert checkpoint_verify_exported(data, ca.trust_roots(), seal_certificates=seals)["size"] == checkpoint.size


def test_an_export_does_not_verify_under_another_root(checkpoint: AuditCheckpoint) -> None:
    with pytest.raises(CheckpointSignatureError, match="tidak berantai ke CA induk"):
        checkpoint_verify_exported(checkpoint_export(checkpoint), [make_pki().other_root.asn1])


def test_an_export_of_another_seal_is_refused_when_the_seals_are_known(checkpoint: AuditCheckpoint) -> None:
    other_seal = ca.ca_certificate(CaKey.Role.SEAL, "KPPN-BNA")
    with pytest.raises(CheckpointSignatureError) as excinfo:
        checkpoint_verify_exported(checkpoint_export(checkpoint), ca.trust_roots(), seal_certificates=[other_seal])
    assert excinfo.value.message == SIGNER_NOT_SYSTEM_SEAL


def _modified(data: bytes, **changes: Any) -> bytes:
    document = json.loads(data)
    document.update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: {"statement": d["statement"].replace(d["root"], "0" * 64)}, SIGNATURE_INVALID),
        (lambda d: {"root": "0" * 64}, STORED_FIELDS_MISMATCH),
        (lambda d: {"size": d["size"] + 100}, STORED_FIELDS_MISMATCH),
        (lambda d: {"timestamp_token": base64.b64encode(b"\x30\x00").decode()}, TIMESTAMP_TOKEN_MISMATCH),
        (lambda d: {"statement": d["statement"] + " "}, STATEMENT_INVALID),
        (lambda d: {"signature": "bukan base64!"}, None),
        (lambda d: {"signature": d["signature"][: len(d["signature"]) // 2]}, None),
        (lambda d: {"signature": base64.b64encode(b"\x30\x80" + b"\x00" * 40).decode()}, None),
        (lambda d: {"format": "lain/1"}, None),
    ],
    ids=[
        "statement",
        "root",
        "size",
        "timestamp-token",
        "statement-not-canonical",
        "signature-not-base64",
        "signature-truncated",
        "signature-not-cms",
        "format",
    ],
)
def test_a_modified_export_fails(checkpoint: AuditCheckpoint, change: Any, message: Any) -> None:
    data = checkpoint_export(checkpoint)
    with pytest.raises(CheckpointSignatureError) as excinfo:
        checkpoint_verify_exported(_modified(data, **change(json.loads(data))), ca.trust_roots())
    if message is None:  # unreadable: the file or the signature in it
        assert str(excinfo.value.message).split(":")[0] in {
            str(EXPORT_UNREADABLE).split(":")[0],
            str(SIGNATURE_UNREADABLE).split(":")[0],
        }
    else:
        assert excinfo.value.message == message


@pytest.mark.parametrize("data", [b"", b"\xff\xfe", b"[]", b"{}", b"x" * (checkpoints.EXPORT_MAX_BYTES + 1)])
def test_garbage_is_refused_as_unreadable(data: bytes) -> None:
    with pytest.raises(CheckpointSignatureError):
        checkpoint_verify_exported(data, [])


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_the_export_verifies_with_openssl_as_documented(checkpoint: AuditCheckpoint, tmp_path: Path) -> None:
    """Steps 1-6 of HOW_TO_VERIFY, with Python doing what `jq` and `base64 -d` do."""
    document = json.loads(checkpoint_export(checkpoint))
    (tmp_path / "statement.json").write_text(document["statement"], encoding="utf-8")
    (tmp_path / "checkpoint.p7s").write_bytes(base64.b64decode(document["signature"]))
    (tmp_path / "checkpoint.tst").write_bytes(base64.b64decode(document["timestamp_token"]))
    (tmp_path / "chain.pem").write_text(document["certificate_chain"], encoding="ascii")
    (tmp_path / "root.crt").write_bytes(ca.ca_certificate_der(CaKey.Role.ROOT))

    def openssl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["openssl", *args], cwd=tmp_path, capture_output=True, text=True, check=False)

    assert openssl("x509", "-inform", "DER", "-in", "root.crt", "-out", "root.pem").returncode == 0
    cms_args = ["cms", "-verify", "-binary", "-inform", "DER", "-in", "checkpoint.p7s", "-content", "statement.json"]
    cms_args += ["-certfile", "chain.pem", "-CAfile", "root.pem", "-out", "/dev/null"]
    result = openssl(*cms_args)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr
    ts_args = ["ts", "-verify", "-token_in", "-in", "checkpoint.tst", "-digest", document["signature_value_sha256"]]
    result = openssl(*ts_args, "-CAfile", "root.pem")
    assert result.returncode == 0, result.stderr
    assert "Verification: OK" in result.stdout

    (tmp_path / "statement.json").write_text(document["statement"].replace('"size":', '"size":1'), encoding="utf-8")
    assert openssl(*cms_args).returncode != 0


# --- commands and the task ----------------------------------------------------------------------------


def test_the_commands_create_export_and_verify(ca_root: CaKey, tmp_path: Path) -> None:
    record_events(3)
    out = StringIO()
    call_command("audit_checkpoint", "create", stdout=out)
    checkpoint = AuditCheckpoint.objects.get()
    assert f"Checkpoint #{checkpoint.pk} dibuat: {checkpoint.size} peristiwa" in out.getvalue()

    stdout = StringIO()
    call_command("audit_checkpoint", "export", stdout=stdout)
    assert json.loads(stdout.getvalue())["checkpoint_id"] == checkpoint.pk
    path = tmp_path / "checkpoint.json"
    call_command("audit_checkpoint", "export", "--id", str(checkpoint.pk), "--out", str(path), stdout=StringIO())
    assert path.read_bytes() == checkpoint_export(checkpoint)

    out = StringIO()
    call_command("audit_checkpoint", "verify", str(path), stdout=out)
    assert "Tanda tangan dan stempel waktu sah" in out.getvalue()
    assert "Jurnal audit cocok dengan checkpoint ini." in out.getvalue()

    root_pem = tmp_path / "root.pem"
    root_pem.write_bytes(ca_root_pem())
    out = StringIO()
    call_command("audit_checkpoint", "verify", str(path), "--root", str(root_pem), "--no-journal", stdout=out)
    assert "Jurnal audit cocok" not in out.getvalue()

    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert f"Cocok dengan checkpoint #{checkpoint.pk}" in out.getvalue()


def test_the_commands_fail_clearly(ca_root: CaKey, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Checkpoint tidak ditemukan"):
        call_command("audit_checkpoint", "export", stdout=StringIO())
    path = tmp_path / "rusak.json"
    path.write_text("{}")
    with pytest.raises(CommandError, match="Berkas checkpoint tidak dapat dibaca"):
        call_command("audit_checkpoint", "verify", str(path), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("audit_checkpoint", "verify", str(tmp_path / "tidak-ada.json"), stdout=StringIO())


def test_the_nightly_task_creates_a_checkpoint(ca_root: CaKey) -> None:
    checkpoint_id = checkpoint_audit_journal.call()
    verify_checkpoint_signature(AuditCheckpoint.objects.get(pk=checkpoint_id))


# --- audit_verify after an attack ---------------------------------------------------------------------


@pytest.mark.usefixtures("tamperable")
def test_audit_verify_fails_after_tail_deletion_even_with_the_head_fixed(
    checkpoint: AuditCheckpoint, tmp_path: Path
) -> None:
    """GIVEN a signed checkpoint over n events, exported AND more events WHEN rows 3.. are deleted and the
    head reset to row 2 THEN audit_verify names row 3, and the exported file no longer matches the journal."""
    path = tmp_path / "checkpoint.json"
    path.write_bytes(checkpoint_export(checkpoint))
    record_events(2)
    call_command("audit_verify", stdout=StringIO())
    delete_tail_and_fix_head(3)
    with pytest.raises(CommandError, match=r"nomor urut 3: baris 3\.\.\d+ hilang setelah checkpoint"):
        call_command("audit_verify", stdout=StringIO())
    with pytest.raises(CommandError, match="Jurnal audit TIDAK cocok dengan checkpoint"):
        call_command("audit_checkpoint", "verify", str(path), stdout=StringIO())


@pytest.mark.usefixtures("tamperable")
def test_audit_verify_fails_when_the_checkpoint_was_deleted_and_the_rest_forged(
    checkpoint: AuditCheckpoint, identity: SigningIdentity
) -> None:
    """GIVEN the attacker also replaces the checkpoint with one over the shortened journal, signed with a key
    they can use THEN the chain matches it, but its signature is not the system seal's."""
    delete_tail_and_fix_head(3)
    AuditCheckpoint.objects.all().delete()
    statement = AuditCheckpoint.statement_for(size=2, root_hex=journal_root(2).root_hex, time=checkpoint.created_at)
    audit_checkpoint_store(
        size=2,
        root_hex=journal_root(2).root_hex,
        statement=statement,
        signature=_sign_as(EmbeddedKeyHolder(identity, PASSPHRASE), statement),
        timestamp_token=bytes(checkpoint.timestamp_token),
        signer_subject=checkpoint.signer_subject,
    )
    with pytest.raises(CommandError, match=re.escape(str(SIGNER_NOT_SYSTEM_SEAL))):
        call_command("audit_verify", stdout=StringIO())


@pytest.mark.usefixtures("tamperable")
def test_audit_verify_fails_when_a_stored_checkpoint_was_altered(checkpoint: AuditCheckpoint) -> None:
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(signer_subject="CN=Orang Lain")
    with pytest.raises(CommandError, match=f"Checkpoint #{checkpoint.pk} tidak sah"):
        call_command("audit_verify", stdout=StringIO())
