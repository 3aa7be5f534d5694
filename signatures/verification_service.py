"""Verification for everyone (signatures issue §3): the one entry point behind `manage.py verify_pdf`,
`POST /api/v1/verify/`, `GET /api/v1/verify/<id>/` and the public pages `/verifikasi/` and `/v/<id>/`, so
that all of them give the same report for the same bytes.

`signatures.verify.verify_pdf_bytes` holds the policy; this module supplies the installation's
configuration:

- **Trust.** The embedded CA's roots (current and retired, `signatures.ca.trust_roots`), the roots of
  certified providers (*PSrE* such as BSrE) found in `settings.PAKTA_CERTIFIED_ROOTS_DIR`, and whatever a
  caller adds (`verify_pdf --trust`). Signatures chaining to a certified provider's root are reported as
  *tersertifikasi* (PP 71/2019 Pasal 60); our own CA's are *tidak tersertifikasi*. The roots of an
  external timestamping authority (`settings.PAKTA_TSA_TRUST_ROOTS`, used with `PAKTA_TSA_URL`) are
  trusted for its timestamps, never as certified.
- **Revocation.** The embedded CA's CRLs (issuing CA and root), made in-process: they list every
  certificate our CA revoked, so a revoked official's signature is never VALID, and nothing is fetched
  over the network (a verification request must not make the server call URLs found in an uploaded
  file). When every trusted root is our own, revocation data is required (hard-fail), so the report can
  say "not revoked (checked)"; with other roots configured their signers are checked in soft-fail mode:
  verification fetches nothing, so their revocation data is only what the file carries (a sealed pact
  holds it in its DSS: the seal fetched it from the provider's own URLs, `signatures.revocation`).
- **Attachments.** A pact carries its data as one embedded JSON file (`/AFRelationship /Data`), so one
  such attachment is accepted; anything else attached is INVALID.
- **Size.** Files over `settings.PAKTA_VERIFY_MAX_BYTES` (20 MiB by default) are refused unread.

It also holds the plain-language texts of the result (`VERDICT_TITLES`, `VERDICT_EXPLANATIONS`) and the
labels of the report's values, shared by the command's text output, the API and the pages.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.db import DatabaseError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from signatures import ca
from signatures.models import CaKey
from signatures.verify import (
    DEFAULT_TIME_LIMIT,
    Changes,
    Coverage,
    RevocationStatus,
    SignatureKind,
    Verdict,
    VerificationReport,
    verify_pdf_bytes,
)

logger = logging.getLogger(__name__)

PACT_DATA_ATTACHMENTS = 1
"""Embedded JSON data files a pact carries (`integrity.documents`)."""
CERTIFICATE_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der"})
"""Files read from `PAKTA_CERTIFIED_ROOTS_DIR`; others (a README, a backup) are ignored."""

# --------------------------------------------------------------------------------------------------------
# Plain-language result and labels
# --------------------------------------------------------------------------------------------------------

VERDICT_TITLES: dict[Verdict, Promise] = {
    Verdict.VALID: _("Dokumen sah dan utuh"),
    Verdict.UNTRUSTED: _("Dokumen utuh, tetapi penanda tangannya tidak dapat dipastikan"),
    Verdict.MODIFIED: _("Dokumen diubah setelah ditandatangani"),
    Verdict.INVALID: _("Dokumen tidak sah"),
    Verdict.CANNOT_VALIDATE: _("Dokumen tidak dapat diperiksa"),
}
VERDICT_EXPLANATIONS: dict[Verdict, Promise] = {
    Verdict.VALID: _(
        "Setiap tanda tangan elektronik pada dokumen ini cocok dengan isinya, berasal dari sertifikat yang "
        "dipercaya dan tidak dicabut, dan dokumen tidak diubah setelah ditandatangani."
    ),
    Verdict.UNTRUSTED: _(
        "Isi dokumen tidak berubah sejak ditandatangani, tetapi setidaknya satu sertifikat penanda tangan tidak "
        "berasal dari penerbit yang dipercaya, telah dicabut, atau tidak berlaku saat penandatanganan."
    ),
    Verdict.MODIFIED: _(
        "Dokumen ini diubah setelah ditandatangani dengan cara yang tidak diizinkan; jangan mengandalkan isinya "
        "dan mintalah salinan asli kepada penerbitnya."
    ),
    Verdict.INVALID: _(
        "Tanda tangan pada dokumen ini rusak atau tidak ada, atau dokumen memuat sesuatu yang tidak pernah ada "
        "dalam dokumen yang ditandatangani dengan benar; jangan mengandalkan dokumen ini."
    ),
    Verdict.CANNOT_VALIDATE: _(
        "Berkas ini tidak dapat diperiksa (misalnya bukan PDF, terenkripsi, rusak, atau terlalu besar); hasil "
        "ini tidak menyatakan dokumen sah maupun tidak sah."
    ),
}
KIND_LABELS: dict[SignatureKind, Promise] = {
    SignatureKind.APPROVAL: _("persetujuan"),
    SignatureKind.CERTIFICATION: _("sertifikasi"),
    SignatureKind.DOC_TIMESTAMP: _("stempel waktu dokumen"),
}
COVERAGE_LABELS: dict[Coverage, Promise] = {
    Coverage.ENTIRE_FILE: _("seluruh berkas"),
    Coverage.ENTIRE_REVISION: _("seluruh revisinya"),
    Coverage.PARTIAL: _("sebagian"),
}
REVOCATION_LABELS: dict[RevocationStatus, Promise] = {
    RevocationStatus.GOOD: _("tidak dicabut (diperiksa)"),
    RevocationStatus.REVOKED: _("DICABUT"),
    RevocationStatus.UNKNOWN: _("tidak diketahui (tanpa data pencabutan wajib)"),
    RevocationStatus.NOT_CHECKED: _("tidak diperiksa"),
}
CHANGES_LABELS: dict[Changes, Promise] = {
    Changes.NONE: _("tidak ada"),
    Changes.LTV: _("hanya data validasi (LTV)"),
    Changes.SIGNATURES: _("tanda tangan berikutnya"),
    Changes.FORBIDDEN: _("PERUBAHAN TIDAK DIIZINKAN"),
    Changes.UNKNOWN: _("tidak dapat ditentukan"),
}


# --------------------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------------------


def max_bytes() -> int:
    """The largest file verified (`settings.PAKTA_VERIFY_MAX_BYTES`); larger ones are refused unread."""
    return int(settings.PAKTA_VERIFY_MAX_BYTES)


def certificates_from_bytes(data: bytes) -> list[asn1_x509.Certificate]:
    """The certificates in a PEM file (one or more blocks) or a DER file.

    :raises ValueError: the content is not an X.509 certificate in PEM or DER.
    """
    try:
        blobs = [der for _type, _headers, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
    except ValueError as exc:
        raise ValueError(f"not a PEM file: {exc}") from exc
    certificates = []
    for blob in blobs:
        try:
            certificate = asn1_x509.Certificate.load(blob)
            certificate.native  # noqa: B018 (parses fully, raising on garbage)
        except Exception as exc:
            raise ValueError(f"not an X.509 certificate: {exc}") from exc
        certificates.append(certificate)
    if not certificates:
        raise ValueError("no certificate in the file")
    return certificates


def embedded_roots() -> list[asn1_x509.Certificate]:
    """The embedded CA's roots (current and retired); empty when the CA was never initialised here, or the
    database has no CA tables (a verify-only checkout)."""
    try:
        return ca.trust_roots()
    except DatabaseError as exc:
        logger.warning("The embedded CA's roots cannot be read (%s); verifying without them", exc)
        return []


_certified_lock = threading.Lock()
_certified_cache: dict[tuple[Any, ...], list[asn1_x509.Certificate]] = {}


def certified_roots() -> list[asn1_x509.Certificate]:
    """Roots of certified providers from `settings.PAKTA_CERTIFIED_ROOTS_DIR` (every `.pem`, `.crt`, `.cer`
    and `.der` file in it, PEM or DER), read again only when a file changes. A directory that is set but
    missing, or a file that holds no certificate, is logged as an error and skipped: verification goes on,
    and signatures of that provider read as untrusted until it is fixed."""
    configured = str(settings.PAKTA_CERTIFIED_ROOTS_DIR or "")
    if not configured:
        return []
    directory = Path(configured)
    try:
        files = sorted(p for p in directory.iterdir() if p.suffix.lower() in CERTIFICATE_SUFFIXES and p.is_file())
        key = (str(directory), *((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files))
    except OSError as exc:
        logger.error("PAKTA_CERTIFIED_ROOTS_DIR=%s cannot be read: %s", configured, exc)
        return []
    with _certified_lock:
        cached = _certified_cache.get(key)
    if cached is not None:
        return list(cached)
    roots: list[asn1_x509.Certificate] = []
    for path in files:
        try:
            roots.extend(certificates_from_bytes(path.read_bytes()))
        except (OSError, ValueError) as exc:
            logger.error("Certified root %s skipped: %s", path, exc)
    with _certified_lock:
        _certified_cache.clear()  # only the directory's current state is worth keeping
        _certified_cache[key] = roots
    return list(roots)


_tsa_roots_lock = threading.Lock()
_tsa_roots_cache: dict[tuple[Any, ...], list[asn1_x509.Certificate]] = {}


def tsa_trust_roots() -> list[asn1_x509.Certificate]:
    """Roots of the external timestamping authority (`settings.PAKTA_TSA_TRUST_ROOTS`: one PEM or DER file
    with one or more certificates), read again only when the file changes. They are trusted, never reported
    as certified: a timestamp proves a time, not who signed. A file that is set but missing, or holds no
    certificate, is logged as an error and gives none: verification goes on, timestamps of that TSA read as
    untrusted and sealing refuses them (`signatures.revocation`) until it is fixed."""
    configured = str(getattr(settings, "PAKTA_TSA_TRUST_ROOTS", "") or "")
    if not configured:
        return []
    path = Path(configured)
    try:
        stat = path.stat()
    except OSError as exc:
        logger.error("PAKTA_TSA_TRUST_ROOTS=%s cannot be read: %s", configured, exc)
        return []
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _tsa_roots_lock:
        cached = _tsa_roots_cache.get(key)
    if cached is not None:
        return list(cached)
    try:
        roots = certificates_from_bytes(path.read_bytes())
    except (OSError, ValueError) as exc:
        logger.error("PAKTA_TSA_TRUST_ROOTS=%s skipped: %s", configured, exc)
        return []
    with _tsa_roots_lock:
        _tsa_roots_cache.clear()  # only the file's current state is worth keeping
        _tsa_roots_cache[key] = roots
    return list(roots)


def embedded_crls() -> list[asn1_crl.CertificateList]:
    """The embedded CA's current CRLs (issuing CA, root), signed in-process (cached by `signatures.ca`).
    Empty when the CA is not initialised or its key file cannot be opened (logged): revocation is then
    checked in soft-fail mode only."""
    try:
        if not ca.ca_exists():
            return []
        return [asn1_crl.CertificateList.load(ca.crl_der(role)) for role in (CaKey.Role.ISSUING, CaKey.Role.ROOT)]
    except ca.CaNotInitialized:
        return []
    except DatabaseError as exc:  # no CA tables (a verify-only checkout)
        logger.warning("The embedded CA's CRLs cannot be read (%s); revocation is not checked against them", exc)
        return []
    except Exception:  # a missing CA key file, a damaged key blob: worth the traceback
        logger.exception("The embedded CA's CRLs cannot be made; revocation is not checked against them")
        return []


# --------------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------------


def verify_document(
    pdf: bytes,
    *,
    extra_trust: Sequence[Any] = (),
    extra_certified: Sequence[Any] = (),
    allowed_embedded_files: int = PACT_DATA_ATTACHMENTS,
    expected_fields: Sequence[str] | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    max_size: int | None = None,
) -> VerificationReport:
    """Verify a signed PDF the way Pakta verifies every document, and give the report.

    Trusted: the embedded CA's roots, the certified providers' roots (`PAKTA_CERTIFIED_ROOTS_DIR`), the
    external TSA's roots (`PAKTA_TSA_TRUST_ROOTS`), `extra_trust` and `extra_certified`; certified
    (*tersertifikasi*): the second kind and `extra_certified`. Revocation is checked against the embedded
    CA's CRLs, and required when no other root is trusted. One embedded data
    file is accepted (the pact's JSON). See the module docstring for why.

    :param pdf: the file's bytes; a file over `max_size` (default `PAKTA_VERIFY_MAX_BYTES`) is not parsed
        and gets CANNOT_VALIDATE. Callers reading from a stream read at most `max_size + 1` bytes.
    :param extra_trust: more roots to trust (asn1crypto or `cryptography` certificates, or PEM/DER bytes),
        e.g. `verify_pdf --trust`.
    :param extra_certified: more certified-provider roots, trusted too (`verify_pdf --certified-root`).
    :param allowed_embedded_files: attached JSON data files accepted (a pact has 1).
    :param expected_fields: when given, exactly these signature fields must be signed.
    :return: the report; problems with the document are verdicts and reasons in it, never exceptions.
    :raises ValueError: an extra root is not a certificate, or a limit is not positive (caller errors).
    """
    certified = certified_roots() + list(extra_certified)
    tsa_roots = tsa_trust_roots()
    trusted = embedded_roots() + certified + tsa_roots + list(extra_trust)
    crls = embedded_crls()
    # Our CRLs cover every certificate our CA issued: with only our roots trusted, a signer without
    # revocation data cannot be trusted anyway, so the data is required and the report says it was checked.
    # An external TSA's CRLs are not at hand (nothing is fetched here), so its roots make it soft-fail too.
    only_ours = not certified and not tsa_roots and not extra_trust
    return verify_pdf_bytes(
        pdf,
        trust_roots=trusted,
        certified_roots=certified,
        crls=crls,
        require_revocation=bool(crls) and only_ours,
        allow_fetching=False,
        expected_fields=expected_fields,
        allowed_embedded_files=allowed_embedded_files,
        max_bytes=max_bytes() if max_size is None else max_size,
        time_limit=time_limit,
    )


def verdict_title(verdict: Verdict) -> str:
    """The result in a few words, in the active language ("Dokumen sah dan utuh")."""
    return str(VERDICT_TITLES[verdict])


def verdict_explanation(verdict: Verdict) -> str:
    """One sentence saying what the result means for the reader, in the active language."""
    return str(VERDICT_EXPLANATIONS[verdict])
