"""The detached CMS SignedData of a checkpoint read from bytes that may be hostile (any library failure is a
failed verification, never a crash), its embedded signature timestamp token, and pyHanko's async calls run
to completion."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterator
from typing import Any

from asn1crypto import cms
from pyhanko.sign.general import extract_signer_info, find_unique_cms_attribute

from audit.errors import ApplicationError
from signatures.checkpoints.errors import SIGNATURE_UNREADABLE, TIMESTAMP_MISSING, CheckpointSignatureError


def _run[T](coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


@contextlib.contextmanager
def _reading_untrusted_bytes() -> Iterator[None]:
    """Turn any failure of the ASN.1/CMS libraries on hostile bytes into a failed verification, never a crash.

    asn1crypto parses lazily, so a malformed structure can fail at any later access; parsing all of it up
    front (`.native`) costs seconds on a CMS with certificates, so the accesses are guarded instead."""
    try:
        yield
    except ApplicationError:
        raise
    except Exception as exc:
        raise CheckpointSignatureError(SIGNATURE_UNREADABLE % {"detail": type(exc).__name__}) from None


def _signed_data(cms_der: bytes) -> cms.SignedData:
    with _reading_untrusted_bytes():
        info = cms.ContentInfo.load(cms_der)
        if info["content_type"].native != "signed_data":
            raise CheckpointSignatureError(SIGNATURE_UNREADABLE % {"detail": "bukan CMS SignedData"})
        signed_data: cms.SignedData = info["content"]
        if signed_data["encap_content_info"]["content"].native is not None:
            raise CheckpointSignatureError(SIGNATURE_UNREADABLE % {"detail": "tanda tangan tidak terpisah"})
        extract_signer_info(signed_data)  # exactly one signer
    return signed_data


def _embedded_token(signed_data: cms.SignedData) -> cms.ContentInfo:
    try:
        token: cms.ContentInfo = find_unique_cms_attribute(
            extract_signer_info(signed_data)["unsigned_attrs"], "signature_time_stamp_token"
        )
    except Exception:  # pyHanko: NonexistentAttributeError, MultivaluedAttributeError; asn1crypto errors
        raise CheckpointSignatureError(TIMESTAMP_MISSING) from None
    return token
