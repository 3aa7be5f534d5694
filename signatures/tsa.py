"""The timestamping authority's own certificates, known before a document timestamp is asked for.

Sealing (PAdES B-LTA, `signatures.signing.seal_lta`) puts the validation data of the document timestamp's
TSA into the file with everything else, and checks it hard-fail without fetching, so that data must be
gathered first (`signatures.revocation`), for a certificate the TSA has not shown yet in this document:

- the embedded TSA (`signatures.signers.InProcessTimeStamper`): its certificate, no request;
- an external TSA (`settings.PAKTA_TSA_URL`, `signatures.signing.pakta_timestamper`): the certificates of
  one probe timestamp, for a dummy digest, asked once per process. It is pyHanko's own "dummy response"
  (`TimeStamper.async_dummy_response`), which pyHanko also uses to validate the TSA when it adds the
  document timestamp, so the probe is one request, not two.

When the TSA renews its certificate, a seal reveals it: the document timestamp it just added is signed by a
certificate the probe did not show. `tsa_refresh_if_changed` then forgets the probe (ours and pyHanko's),
and the caller seals again with the new certificate's validation data.
"""

from __future__ import annotations

import asyncio
import threading
from io import BytesIO

import aiohttp
from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.misc import PdfError as PyHankoPdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import DEFAULT_MD
from pyhanko.sign.general import extract_certificate_info
from pyhanko.sign.timestamps import TimeStamper

from signatures.signers import InProcessTimeStamper
from signatures.signing import PDF_UNREADABLE, TIMESTAMP_FAILED, PdfSigningError, TimestampError

TSA_CERTIFICATE_UNSTABLE = _(
    "Otoritas stempel waktu berganti sertifikat di tengah penyegelan, sehingga segel jangka panjang tidak "
    "dapat dilengkapi dengan data validasinya; coba lagi nanti."
)
TSA_TOKEN_UNREADABLE = _("Jawaban otoritas stempel waktu tidak dapat dibaca: %(detail)s")

_probe_lock = threading.Lock()


def tsa_certificates(timestamper: TimeStamper) -> list[asn1_x509.Certificate]:
    """The certificates a timestamp from `timestamper` carries, its signing certificate first, then the rest
    of the chain the token embeds (external TSA), so their validation data can go into a seal before the
    document timestamp is asked for. The embedded TSA gives its certificate without a request; any other
    timestamper is probed once per process (and again after `tsa_refresh_if_changed`).

    :raises signatures.signing.TimestampError: the TSA did not answer the probe with a usable timestamp
        (unreachable, an error status, a malformed answer).
    """
    if isinstance(timestamper, InProcessTimeStamper):
        return [timestamper.tsa_cert]
    try:
        with _probe_lock:  # one probe at a time: the others then read pyHanko's cached answer
            token = asyncio.run(timestamper.async_dummy_response(DEFAULT_MD))
        info = extract_certificate_info(token["content"])
    except (aiohttp.ClientError, OSError) as exc:  # TimestampRequestError and timeouts are OSErrors
        raise TimestampError(TIMESTAMP_FAILED % {"detail": exc}, extra={"detail": str(exc)}) from exc
    except (KeyError, TypeError, ValueError) as exc:
        _forget_probe(timestamper)
        raise TimestampError(TSA_TOKEN_UNREADABLE % {"detail": exc}, extra={"detail": str(exc)}) from exc
    signer = info.signer_cert
    return [signer, *(cert for cert in info.other_certs if cert.sha256 != signer.sha256)]


def tsa_refresh_if_changed(timestamper: TimeStamper, pdf: bytes) -> bool:
    """Whether the last document timestamp of `pdf` (a seal just made with `timestamper`) is signed by a
    certificate other than the one `tsa_certificates` gave: the TSA renewed its certificate. If so, the
    probe is forgotten, so the next `tsa_certificates` (and pyHanko's own validation of the TSA) asks the
    TSA again; the seal should then be made again. Always False for the embedded TSA.

    :raises signatures.signing.PdfSigningError: `pdf` cannot be read or has no document timestamp.
    :raises signatures.signing.TimestampError: the probe itself fails (see `tsa_certificates`).
    """
    if isinstance(timestamper, InProcessTimeStamper):
        return False
    try:
        timestamps = PdfFileReader(BytesIO(pdf), strict=False).embedded_timestamp_signatures
        used = timestamps[-1].signer_cert
    except (PyHankoPdfError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise PdfSigningError(PDF_UNREADABLE % {"detail": exc}, extra={"detail": str(exc)}) from exc
    if used.sha256 == tsa_certificates(timestamper)[0].sha256:
        return False
    _forget_probe(timestamper)
    return True


def _forget_probe(timestamper: TimeStamper) -> None:
    """Drop the probe pyHanko keeps on the timestamper: its cached dummy responses and the TSA certificates
    found in them, which it validates before each document timestamp. pyHanko has no public way to do this
    (0.38); both are plain dicts filled again by the next `async_dummy_response`."""
    for attribute in ("_dummy_response_cache", "_certs"):
        cached = getattr(timestamper, attribute, None)
        if isinstance(cached, dict):
            cached.clear()
