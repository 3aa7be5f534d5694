"""Verification of signed PDFs (signatures issue §3): one strict verdict per file and a report per signature.

pyHanko's own judgement (`bottom_line`) is not enough for pacts, so pyHanko is used for what it is good at
(parsing, CMS cryptography, certificate paths, diffing revisions) and this package decides:

- **Fields are counted here.** Signature values are found by walking `/AcroForm /Fields` ourselves, not
  through pyHanko's enumeration (which silently skips unknown subfilters); a value referenced from several
  fields is counted once, for the first of them, and a filled field pyHanko sees that we did not is INVALID.
- **Formats.** Only `adbe.pkcs7.detached` and `ETSI.CAdES.detached` signatures and `ETSI.RFC3161` document
  timestamps are accepted; SHA-1 and MD5 are rejected. The `/ByteRange` must be `[0 a b c]` with the gap
  holding exactly the `/Contents` string, and the signed bytes must end exactly at the end of a revision.
- **Coverage.** The revision a signature covers is found from its byte range (not from where pyHanko last
  saw the signature dictionary change), so a signature dictionary rewritten later (spoofed `/Reason`) or a
  linearized first revision are judged correctly.
- **Changes after signing.** Each later revision is diffed with a stricter pyHanko policy: only new or
  filled signature fields (the next signatures), DSS/LTV data, document timestamps and the metadata those
  writers restamp are allowed. Filling other form fields, annotations, content or page changes are
  MODIFIED; so is a later revision that cannot even be read (the shadow-attack files). After the last
  signature or document timestamp only revisions carrying DSS data may follow, and bytes after the last
  `%%EOF` other than white space count as a change. A certification signature's DocMDP level caps the
  changes after it; with `expected_fields`, changes between signatures may only touch those fields.
- **Structure.** A revision whose trailer `/Size` does not cover its own objects (as in the incremental
  saving attack files) is INVALID; an unreadable file is CANNOT_VALIDATE, as is an encrypted one (pacts
  never are). JavaScript and other actions, XFA, rich media and attached files (except, when allowed,
  JSON data files with `/AFRelationship /Data`, as our pacts carry) are INVALID.
- **Trust.** The signer must chain to one of `trust_roots` (with key usage non-repudiation or digital
  signature); revoked or expired at the signing time (the signature timestamp when there is a trusted
  one) is UNTRUSTED, as is an untrusted timestamp. "Certified" (*tersertifikasi*, PP 71/2019 art. 60)
  means the chain ends in one of `certified_roots`; other trusted roots are *tidak tersertifikasi*.

Verdicts, strongest first: INVALID > MODIFIED > CANNOT_VALIDATE > UNTRUSTED > VALID. Any exception from
the PDF or crypto libraries is CANNOT_VALIDATE for what it concerns (never VALID, never a crash).

**Isolation.** Parsing and validation run in a child process (`forkserver`, with the analysis preloaded in
the server so a child starts in ~15 ms) under a wall-clock limit, an address-space limit (`RLIMIT_AS`) and
pyHanko's decode limits, which is what makes xref loops and decompression bombs harmless.
`isolation.run_isolated` is the one seam: a long-lived worker pool (children recycled after N jobs, killed
on timeout) can replace the process-per-call there without touching the policy; it is not built yet. A
two-signature pact takes ~90 ms inside the child, half of it pyHanko reading the two reserved `/Contents`
hex strings one character at a time (signing with a tighter `bytes_reserved` shortens that).

The child never touches Django settings or translations: it returns plain data (finding codes with
parameters) and the parent turns that into the report, translating reasons in the active language.

The modules, in the order a verification goes through them:

- `verifier`: the entry point `verify_pdf_bytes`, in the parent; it builds the report from what the child
  returns.
- `isolation`: the child process and its limits.
- `analysis`: what the child runs, calling the checks in order on one `state.Analysis`: `structure`
  (revision boundaries, `/Size`, trailing bytes), `fields` (finding signature values, format checks),
  `trust` (cryptography, certificates, timestamps), `revisions` (changes after each signature, with the
  difference rules of `policy`) and `content` (active content, attachments); `reading` holds the tolerant
  PDF reader they share.
- `findings` (codes, their verdicts and messages) and `report` (the verdict and the report dataclasses).
"""

from signatures.verify.findings import Finding
from signatures.verify.report import (
    Changes,
    Coverage,
    RevocationStatus,
    SignatureKind,
    SignatureReport,
    Verdict,
    VerificationReport,
)
from signatures.verify.verifier import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIME_LIMIT,
    CertificateLike,
    verify_pdf_bytes,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_TIME_LIMIT",
    "CertificateLike",
    "Changes",
    "Coverage",
    "Finding",
    "RevocationStatus",
    "SignatureKind",
    "SignatureReport",
    "Verdict",
    "VerificationReport",
    "verify_pdf_bytes",
]
