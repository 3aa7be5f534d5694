"""Signing PDFs: certification, approval signatures with a visible stamp, long-term sealing (PAdES B-LTA) and
archive timestamps. Bytes in, bytes out; it knows nothing about pacts or the database.

The plan a document goes through (signatures issue §2, measurements.md §3–4):

1. `certify_pdf`: a certification signature (DocMDP P=2, "fill in forms and sign") in a new, invisible
   field. The document's signature fields exist before it (they are part of the rendered document), so
   each later signature only fills a prepared field, which P=2 allows; never P=3, which would also allow
   annotations.
2. `sign_pdf_field`: an approval signature in a prepared field (`existing_fields_only`), PAdES B-T (the
   CMS carries a signature timestamp), with the visible stamp of `signatures.stamp`.
3. `seal_lta`: validation data for every signature and timestamp in the file (certificates, CRLs, OCSP
   responses, handed in: nothing is fetched) in the Document Security Store, then a document timestamp:
   PAdES B-LTA, the only level that passes AdES validation from embedded data alone (measurements.md §4).
   Calling it again on a sealed file renews the archive timestamp chain (new validation data for the last
   timestamp, then a new timestamp) before the timestamping certificate expires.

Every step is one incremental update: the input bytes are a prefix of the output.

**Speed.** Keys are loaded once (`signatures.signers`), and the space for the CMS is reserved from the
size of the certificates involved (`bytes_reserved`), which skips pyHanko's dry-run signature (1.8×,
measurements.md §3). If the reservation turns out too small, the signature is made again with pyHanko's
own estimate, so a larger chain than expected costs time, never a failure.

**Reading signatures fast.** pyHanko's hex string reader, which reads every signature's `/Contents` one
byte at a time, is replaced process-wide when `signatures` is imported (`signatures.library_fixes`): it
halves the time of a signature and of a seal.

**One timestamper per process.** `pakta_timestamper()` is the embedded TSA (`signers.in_process_timestamper`)
or, when `settings.PAKTA_TSA_URL` is set, an RFC 3161 client for that URL, built once.

The package, one module per concern: `errors` (domain errors and their messages), `timestamper`
(`pakta_timestamper`), `approval` (certification and approval signatures), `ltv` (sealing, document
timestamps, the certificates a signed PDF carries), `reservation` (the space reserved for a CMS) and
`updates` (reading the input, checking the incremental update). Callers use the names re-exported here.
"""

from signatures.signing.approval import certify_pdf, sign_pdf_field
from signatures.signing.errors import (
    ALREADY_SIGNED,
    FIELD_EXISTS,
    FIELD_FILLED,
    FIELD_MISSING,
    NOT_SIGNED,
    PDF_UNREADABLE,
    SIGNING_FAILED,
    TIMESTAMP_FAILED,
    VALIDATION_DATA_MISSING,
    LongTermValidationError,
    PdfSigningError,
    SignatureFieldError,
    TimestampError,
)
from signatures.signing.ltv import (
    add_document_timestamp,
    certificate_chains_to,
    last_timestamp_valid_until,
    seal_lta,
    signature_certificates,
    signature_certificates_with_chains,
)
from signatures.signing.timestamper import pakta_timestamper
from signatures.signing.updates import DIGEST_ALGORITHM

# isort: split
# Private helpers reached as `signing.<name>` from outside the package, re-exported so they keep working
# (not API): the benchmark reserves space for its raw-pyHanko baseline the way Pakta does
# (bench/bench_signing/). A test that patches `_reserve` patches it where `_sign` looks it up,
# `signatures.signing.approval`.
from signatures.signing.reservation import _reserve as _reserve
from signatures.signing.reservation import _tst_reserve as _tst_reserve

__all__ = [
    "ALREADY_SIGNED",
    "DIGEST_ALGORITHM",
    "FIELD_EXISTS",
    "FIELD_FILLED",
    "FIELD_MISSING",
    "NOT_SIGNED",
    "PDF_UNREADABLE",
    "SIGNING_FAILED",
    "TIMESTAMP_FAILED",
    "VALIDATION_DATA_MISSING",
    "LongTermValidationError",
    "PdfSigningError",
    "SignatureFieldError",
    "TimestampError",
    "add_document_timestamp",
    "certificate_chains_to",
    "certify_pdf",
    "last_timestamp_valid_until",
    "pakta_timestamper",
    "seal_lta",
    "sign_pdf_field",
    "signature_certificates",
    "signature_certificates_with_chains",
]
