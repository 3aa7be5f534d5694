"""Creating a checkpoint: the journal's Merkle root in a canonical statement, signed by the system seal with
a signature timestamp, and stored by the audit app."""

from __future__ import annotations

from typing import Any

from asn1crypto import cms
from django.utils import timezone
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

from audit.models import AuditCheckpoint
from audit.selectors import journal_root
from audit.services import audit_checkpoint_store
from signatures.checkpoints.cms_data import _embedded_token, _run
from signatures.checkpoints.seal import _subject_text, _system_seal
from signatures.signers import in_process_timestamper

DIGEST_ALGORITHM = "sha256"


def checkpoint_create(*, actor: Any = None) -> AuditCheckpoint:
    """Sign and keep a checkpoint of the whole audit journal as it is now (signatures issue §4).

    The journal's Merkle root goes into the canonical statement (`AuditCheckpoint.statement_for`), which
    the system seal signs as a detached CMS with a signature timestamp from the embedded TSA; the store
    recomputes the root before keeping it and records `audit.checkpoint.created` (that event and any
    appended meanwhile fall into the next checkpoint). The system seal is issued on first use (recorded
    as `signatures.seal.issued`) and renewed a month before it expires.

    :returns: the stored checkpoint.
    :raises signatures.ca.CaNotInitialized: the embedded CA has not been initialised.
    :raises signatures.keystore.KeystoreError: the CA key file is missing or does not open the seal key.
    :raises signatures.signers.KeyHolderError: the system seal certificate cannot sign (not yet valid).
    :raises audit.errors.ApplicationError: the journal has a gap (`audit.selectors.JOURNAL_BROKEN`).
    :raises audit.services.CheckpointRefused: the journal no longer matches the latest checkpoint.
    """
    seal = _system_seal()
    timestamper = in_process_timestamper()
    tree = journal_root()
    now = timezone.now().replace(microsecond=0)
    statement = AuditCheckpoint.statement_for(size=tree.size, root_hex=tree.root_hex, time=now)
    content_info: cms.ContentInfo = _run(
        seal.signer_for().async_sign_general_data(
            statement.encode("utf-8"),
            DIGEST_ALGORITHM,
            detached=True,
            timestamper=timestamper,
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=now),
        )
    )
    token = _embedded_token(content_info["content"])
    return audit_checkpoint_store(
        size=tree.size,
        root_hex=tree.root_hex,
        statement=statement,
        signature=content_info.dump(),
        timestamp_token=token.dump(),
        signer_subject=_subject_text(seal.certificate),
        actor=actor,
    )
