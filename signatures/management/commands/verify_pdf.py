"""`python manage.py verify_pdf FILE [--json] [--trust CERT]... [--certified-root CERT]...`

Verifies a signed PDF through `signatures.verification_service.verify_document`, the same entry point as
`POST /api/v1/verify/` and the public page `/verifikasi/`, so all three give the same report: the embedded
CA's roots and the certified providers' roots (`PAKTA_CERTIFIED_ROOTS_DIR`) are trusted, revocation is
checked against the embedded CA's CRLs, and the pact's one JSON data attachment is accepted. The report is
printed in Indonesian by default, or as JSON with a top-level "verdict" and a "signatures" list. The exit
status is 0 only for VALID; see `EXIT_CODES` for the others (1 is a usage error, e.g. an unreadable file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from signatures import verification_service
from signatures.verification_service import (
    CHANGES_LABELS,
    COVERAGE_LABELS,
    KIND_LABELS,
    PACT_DATA_ATTACHMENTS,
    REVOCATION_LABELS,
    verify_document,
)
from signatures.verify import DEFAULT_TIME_LIMIT, SignatureReport, Verdict, VerificationReport

EXIT_CODES = {
    Verdict.VALID: 0,
    Verdict.UNTRUSTED: 2,
    Verdict.MODIFIED: 3,
    Verdict.INVALID: 4,
    Verdict.CANNOT_VALIDATE: 5,
}


def _load_certificates(path: str) -> list[asn1_x509.Certificate]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(
            _("Sertifikat %(path)s tidak dapat dibaca: %(error)s") % {"path": path, "error": exc}
        ) from exc
    try:
        return verification_service.certificates_from_bytes(data)
    except ValueError as exc:
        raise CommandError(_("%(path)s bukan sertifikat X.509 (PEM atau DER).") % {"path": path}) from exc


class Command(BaseCommand):
    help = (
        "Memeriksa tanda tangan elektronik pada berkas PDF. Kode keluar: 0 sah, 2 tidak tepercaya, "
        "3 diubah setelah ditandatangani, 4 tidak sah, 5 tidak dapat diperiksa, 1 kesalahan pemakaian."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="berkas PDF yang diperiksa")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")
        parser.add_argument(
            "--trust", action="append", default=[], metavar="CERT", help="sertifikat akar tepercaya (PEM/DER)"
        )
        parser.add_argument(
            "--certified-root",
            action="append",
            default=[],
            metavar="CERT",
            help="akar penyelenggara sertifikasi elektronik tersertifikasi, misalnya BSrE (juga dipercaya)",
        )
        parser.add_argument(
            "--allow-data-attachments",
            type=int,
            default=PACT_DATA_ATTACHMENTS,
            metavar="N",
            help="jumlah lampiran data JSON (/AFRelationship /Data) yang diterima; bawaan 1, seperti pakta Pakta",
        )
        parser.add_argument(
            "--expected-field",
            action="append",
            default=None,
            metavar="NAME",
            help="kolom tanda tangan yang harus ditandatangani (boleh berulang)",
        )
        parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="batas waktu (detik)")
        parser.add_argument(
            "--max-bytes", type=int, default=None, help="ukuran berkas maksimum (bawaan PAKTA_VERIFY_MAX_BYTES)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        limit = verification_service.max_bytes() if options["max_bytes"] is None else options["max_bytes"]
        try:
            size = path.stat().st_size
            with path.open("rb") as handle:
                # One byte more than allowed is enough for the size check to refuse a larger file.
                data = handle.read(max(limit, 0) + 1)
        except OSError as exc:
            raise CommandError(
                _("Berkas %(path)s tidak dapat dibaca: %(error)s") % {"path": path, "error": exc}
            ) from exc
        certified = [c for p in options["certified_root"] for c in _load_certificates(p)]
        trusted = [c for p in options["trust"] for c in _load_certificates(p)]
        try:
            report = verify_document(
                data,
                extra_trust=trusted,
                extra_certified=certified,
                allowed_embedded_files=options["allow_data_attachments"],
                expected_fields=options["expected_field"],
                time_limit=options["time_limit"],
                max_size=limit,
            )
        except ValueError as exc:  # a non-positive limit
            raise CommandError(str(exc)) from exc
        if options["json"]:
            payload = report.to_dict()
            payload["verdict_title"] = verification_service.verdict_title(report.verdict)
            payload["summary"] = verification_service.verdict_explanation(report.verdict)
            if size > limit:
                payload["size"], payload["sha256"] = size, None
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_text(report, str(path), size=size))
        code = EXIT_CODES[report.verdict]
        if code:
            raise SystemExit(code)


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "-"
    return str(_("ya") if value else _("tidak"))


def render_text(report: VerificationReport, name: str, *, size: int | None = None) -> str:
    """The report as plain text in the active language (Indonesian by default)."""
    size = report.size if size is None else size
    digest = report.sha256 if size == report.size else "-"
    lines = [
        _("Berkas: %(name)s (%(size)s bait, SHA-256 %(sha)s)") % {"name": name, "size": size, "sha": digest},
        _("Hasil: %(verdict)s — %(label)s") % {"verdict": report.verdict.value, "label": report.verdict.label},
        verification_service.verdict_explanation(report.verdict),
    ]
    for number, signature in enumerate(report.signatures, start=1):
        lines.append("")
        lines.extend(_signature_lines(number, signature))
    if report.unsigned_fields:
        lines.append("")
        lines.append(_("Kolom tanda tangan kosong: %(fields)s") % {"fields": ", ".join(report.unsigned_fields)})
    if report.reasons:
        lines.append("")
        lines.append(_("Alasan:"))
        lines.extend(f"  - {reason}" for reason in report.reasons)
    return "\n".join(str(line) for line in lines)


def _signature_lines(number: int, s: SignatureReport) -> list[str]:
    kind = str(KIND_LABELS[s.kind])
    if s.docmdp_level is not None:
        kind += f", DocMDP P={s.docmdp_level}"
    lines = [_("Tanda tangan %(n)s: kolom %(field)s (%(kind)s)") % {"n": number, "field": s.field_name, "kind": kind}]
    signer = s.signer_name or "-"
    if s.signer_nip:
        signer += f", NIP {s.signer_nip}"
    lines.append("  " + _("Penanda tangan: %(signer)s") % {"signer": signer})
    lines.append("  " + _("Penerbit sertifikat: %(issuer)s") % {"issuer": s.signer_issuer or "-"})
    certified = _("tersertifikasi") if s.certified else _("tidak tersertifikasi")
    lines.append("  " + _("Jenis tanda tangan elektronik: %(kind)s") % {"kind": certified})
    if s.signing_time:
        lines.append("  " + _("Waktu menurut penanda tangan: %(time)s") % {"time": s.signing_time.isoformat()})
    if s.timestamp_time:
        lines.append(
            "  "
            + _("Stempel waktu: %(time)s oleh %(tsa)s (tepercaya: %(trusted)s)")
            % {
                "time": s.timestamp_time.isoformat(),
                "tsa": s.timestamp_authority or "-",
                "trusted": _yes_no(s.timestamp_trusted),
            }
        )
    lines.append(
        "  "
        + _("Utuh: %(intact)s; tepercaya: %(trusted)s; pencabutan: %(revocation)s")
        % {"intact": _yes_no(s.intact), "trusted": _yes_no(s.trusted), "revocation": REVOCATION_LABELS[s.revocation]}
    )
    lines.append(
        "  "
        + _("Cakupan: %(coverage)s; tingkat PAdES: %(level)s")
        % {"coverage": COVERAGE_LABELS[s.coverage], "level": s.pades_level or "-"}
    )
    changes = str(CHANGES_LABELS[s.changes_after])
    if s.changed_fields:
        changes += f" ({', '.join(s.changed_fields)})"
    lines.append("  " + _("Perubahan sesudahnya: %(changes)s") % {"changes": changes})
    return lines
