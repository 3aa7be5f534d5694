"""The files of a pact's revisions, content-addressed under MEDIA_ROOT (`pacts/revisions/<sha256>.pdf`),
and the rows that point at them.

A file is made durable before its row commits (temporary file in the same directory, fsync, rename,
fsync of the directory): a crash leaves either nothing or a complete file, and a file without a row is
harmless and reused when the same bytes come again. Every read checks the bytes against the SHA-256
recorded for them, and every revision against the rendered document it must extend: Pakta signs only
its own documents.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage

from integrity.models import IntegrityPact, PactRevision
from integrity.services.signing.errors import (
    DETAIL_ALREADY_SIGNED,
    DETAIL_FIELDS_CHANGED,
    DETAIL_FILE_MISSING,
    DETAIL_RENDERED_CHANGED,
    DETAIL_REVISION_CHANGED,
    DETAIL_REVISION_FOREIGN,
    DOCUMENT_NOT_OURS,
    DocumentNotOurs,
)
from signatures import pdf as sigpdf

REVISIONS_DIR = "pacts/revisions"


def store_file(data: bytes) -> tuple[str, str]:
    """Write `data` content-addressed under MEDIA_ROOT (`pacts/revisions/<sha256>.pdf`) and make it
    durable before returning: temporary file in the same directory, fsync, atomic rename, fsync of the
    directory. An existing file with the same content is reused.

    :returns: (sha256 hex, storage name).
    """
    digest = hashlib.sha256(data).hexdigest()
    name = f"{REVISIONS_DIR}/{digest}.pdf"
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if hashlib.sha256(path.read_bytes()).hexdigest() == digest:
            return digest, name
    except FileNotFoundError:
        pass
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".pdf", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return digest, name


def store_revision(
    pact: IntegrityPact,
    previous: PactRevision,
    data: bytes,
    *,
    kind: str,
    now: datetime.datetime,
    timestamp_valid_until: datetime.datetime | None,
) -> PactRevision:
    """`data` stored (`store_file`) as the revision after `previous`, with the end of its last document
    timestamp's validity (`signatures.signing.last_timestamp_valid_until`, read by the caller before it
    locked the pact: parsing the file takes milliseconds): the row of a seal or of an archive renewal. Call
    inside the transaction that locks the pact."""
    digest, name = store_file(data)
    return PactRevision.objects.create(
        pact=pact,
        sequence=previous.sequence + 1,
        kind=kind,
        sha256=digest,
        file=name,
        size=len(data),
        signed_at=now,
        timestamp_valid_until=timestamp_valid_until,
    )


def verified_file(
    name: str | None, sha256: str, pact: IntegrityPact, sequence: int | None, *, rendered: bool = False
) -> bytes:
    """The bytes of a stored file, checked against the SHA-256 recorded for them (`rendered`: the pact's
    rendered document; otherwise its revision `sequence`).

    :raises DocumentNotOurs: the file is missing or its content changed.
    """
    try:
        data = Path(default_storage.path(name)).read_bytes() if name else b""
    except FileNotFoundError:
        data = b""
    if not data:
        raise _not_ours(pact, DETAIL_FILE_MISSING % {"name": name or "-"})
    if not sha256 or hashlib.sha256(data).hexdigest() != sha256:
        detail = DETAIL_RENDERED_CHANGED if rendered else DETAIL_REVISION_CHANGED % {"sequence": sequence}
        raise _not_ours(pact, detail)
    return data


def rendered_bytes(pact: IntegrityPact) -> bytes:
    """The pact's rendered, unsigned document, checked: the SHA-256 recorded at rendering, one empty field
    per party in signing order, no signature.

    :raises DocumentNotOurs: any of these does not hold.
    """
    data = verified_file(pact.document.name, pact.document_sha256, pact, None, rendered=True)
    expected = list(pact.parties.order_by("order").values_list("field_name", flat=True))
    try:
        names = sigpdf.signature_field_names(data)
    except sigpdf.PdfError as exc:
        raise _not_ours(pact, exc.message) from exc
    if names != expected:
        raise _not_ours(pact, DETAIL_FIELDS_CHANGED)
    if b"/ByteRange" in data:
        raise _not_ours(pact, DETAIL_ALREADY_SIGNED)
    return data


def revision_chain_bytes(pact: IntegrityPact, revision: PactRevision) -> bytes:
    """A revision's bytes, checked against its SHA-256 and against the rendered document they must
    extend.

    :raises DocumentNotOurs: either check fails.
    """
    data = verified_file(revision.file.name, revision.sha256, pact, revision.sequence)
    rendered = verified_file(pact.document.name, pact.document_sha256, pact, None, rendered=True)
    if not data.startswith(rendered):
        raise _not_ours(pact, DETAIL_REVISION_FOREIGN % {"sequence": revision.sequence})
    return data


def certificate_subject_name(certificate: Any) -> str:
    """The common name of a signer's certificate, for `PactRevision.signer_name` ("" when it has none)."""
    try:
        return str(certificate.subject.native.get("common_name", ""))[:200]
    except (AttributeError, ValueError):
        return ""


def certificate_serial(certificate: Any) -> str:
    """The serial number of a signer's certificate in hex, for `PactRevision.signer_serial`."""
    try:
        return format(int(certificate.serial_number), "x")[:64]
    except (AttributeError, TypeError, ValueError):
        return ""


def _not_ours(pact: IntegrityPact, detail: Any) -> DocumentNotOurs:
    return DocumentNotOurs(DOCUMENT_NOT_OURS % {"number": pact.number, "detail": detail}, extra={"detail": str(detail)})
