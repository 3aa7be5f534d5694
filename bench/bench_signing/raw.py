"""Raw pyHanko, the other side of every ratio: pyHanko's own hex reader when asked, and signing, sealing
(DSS + document timestamp) and validating the same bytes as the services, with no database.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from bench.bench_signing.world import World, _latest_bytes, _parties


@contextlib.contextmanager
def _stock_pyhanko(stock: bool) -> Iterator[None]:
    """pyHanko's own hex string reader (as shipped) while `stock`; Pakta's otherwise."""
    from pyhanko.pdf_utils import generic

    from signatures import library_fixes

    if not stock:
        yield
        return
    patched = generic.read_hex_string_from_stream
    generic.read_hex_string_from_stream = library_fixes.PYHANKO_READ_HEX
    try:
        yield
    finally:
        generic.read_hex_string_from_stream = patched


def _raw_signer_class() -> type:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class RawSigner(signers.Signer):
        """measurements.md §3: a Signer subclass that keeps the loaded (EC) key."""

        def __init__(self, key: Any, cert: Any, chain: Sequence[Any]) -> None:
            super().__init__(signing_cert=cert, cert_registry=SimpleCertificateStore.from_certs([cert, *chain]))
            self._key = key

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            return bytes(self._key.sign(data, ec.ECDSA(hashes.SHA256())))

    return RawSigner


@dataclass
class RawSignJob:
    data: bytes
    field_name: str
    cert: Any
    text_params: dict[str, str]
    reason: str
    location: str


def _raw_sign_job(world: World, pact: Any) -> RawSignJob:
    """What raw pyHanko needs to sign the first party's field of the pact's certified revision as the service
    does: the certified bytes, the field, the signer's certificate, the same stamp text and metadata."""
    from asn1crypto import x509 as asn1_x509
    from django.utils import timezone

    from integrity.selectors.signing import pact_verification_url
    from signatures.stamp import SignatureStamp, stamp_text_params

    party = _parties(pact)[0]
    signer = world.signers[party.official_id]
    pact.refresh_from_db(fields=["verification_id"])  # set by the issue: the QR must encode the same URL
    assert pact.verification_id, "issue the pact for signing first"
    stamp = SignatureStamp(
        name=str(party.snapshot.get("name") or party.official.full_name),
        nip=str(party.snapshot.get("nip_display") or party.snapshot.get("nip") or party.official.nip_display),
        position=str(party.snapshot.get("position", "")),
        verification_url=pact_verification_url(pact),
    )
    return RawSignJob(
        data=_latest_bytes(pact),
        field_name=party.field_name,
        cert=asn1_x509.Certificate.load(bytes(signer.identity.certificate)),
        text_params=stamp_text_params(stamp, timezone.now()),
        reason=f"Pembuat Pernyataan Pakta Integritas {pact.number}",
        location=world.office.city,
    )


def _raw_sign(world: World, job: RawSignJob) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    raw = world.raw
    signer = raw["signer_class"](world.key, job.cert, raw["chain"])
    meta = signers.PdfSignatureMetadata(
        field_name=job.field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=job.reason,
        location=job.location,
    )
    pdf_signer = signers.PdfSigner(meta, signer, timestamper=raw["tsa"], stamp_style=raw["stamp_style"])
    out = BytesIO()
    pdf_signer.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(job.data)),
        existing_fields_only=True,
        bytes_reserved=raw["sign_reserve"],
        appearance_text_params=dict(job.text_params),
        output=out,
    )
    return out.getvalue()


def _revocation(certs: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """CRLs and OCSP responses for `certs`, made by the embedded CA in-process (ahead of any timing)."""
    from signatures import ca

    crls: dict[bytes, Any] = {}
    ocsps: list[Any] = []
    for cert in certs:
        cert_crls, cert_ocsps = ca.revocation_material_for(cert)
        for crl in cert_crls:
            crls.setdefault(crl.dump(), crl)
        ocsps.extend(cert_ocsps)
    return list(crls.values()), ocsps


def _certificates_in(pdf: bytes, tsa_cert: Any) -> list[Any]:
    from signatures.signing import signature_certificates

    return [*signature_certificates(pdf), tsa_cert]


def _raw_seal(world: World, data: bytes, revocation: tuple[list[Any], list[Any]]) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info
    from pyhanko_certvalidator import ValidationContext

    raw = world.raw
    crls, ocsps = revocation
    context = ValidationContext(
        trust_roots=raw["roots"], crls=crls, ocsps=ocsps, allow_fetching=False, revocation_mode="hard-fail"
    )
    writer = IncrementalPdfFileWriter(BytesIO(data))

    async def paths() -> list[Any]:
        found: list[Any] = []
        for embedded in writer.prev.embedded_signatures:
            found.extend(await collect_validation_info(embedded, context))
        return found

    DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=asyncio.run(paths()), validation_context=context)
    out = BytesIO()
    signers.PdfTimeStamper(raw["tsa"], field_name=f"Archive_{uuid.uuid4().hex[:12]}").timestamp_pdf(
        writer, "sha256", validation_context=context, bytes_reserved=raw["tst_reserve"], output=out
    )
    return out.getvalue()


def _raw_verify(world: World, data: bytes, revocation: tuple[list[Any], list[Any]]) -> int:
    """Classic pyHanko validation of every signature and document timestamp; returns how many passed."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    crls, ocsps = revocation
    context = ValidationContext(
        trust_roots=world.raw["roots"], crls=crls, ocsps=ocsps, allow_fetching=False, revocation_mode="hard-fail"
    )
    passed = 0
    for embedded in PdfFileReader(BytesIO(data)).embedded_signatures:
        if embedded.sig_object_type == "/DocTimeStamp":
            ts_status = validate_pdf_timestamp(embedded, validation_context=context)
            passed += bool(ts_status.valid and ts_status.intact and ts_status.trusted)
        else:
            status = validate_pdf_signature(embedded, signer_validation_context=context, ts_validation_context=context)
            passed += bool(status.bottom_line)
    return passed
