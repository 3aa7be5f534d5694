"""`python manage.py verify_pdf FILE [--json] [--trust CERT]... [--certified-root CERT]...`

Verifies a signed PDF with `signatures.verify.verify_pdf_bytes` and prints the report: in Indonesian by
default, or as JSON with a top-level "verdict" and a "signatures" list. The exit status is 0 only for
VALID; see `EXIT_CODES` for the others (1 is a usage error, e.g. an unreadable file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from signatures.verify import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIME_LIMIT,
    Changes,
    Coverage,
    RevocationStatus,
    SignatureKind,
    SignatureReport,
    Verdict,
    VerificationReport,
    verify_pdf_bytes,
)

EXIT_CODES = {
    Verdict.VALID: 0,
    Verdict.UNTRUSTED: 2,
    Verdict.MODIFIED: 3,
    Verdict.INVALID: 4,
    Verdict.CANNOT_VALIDATE: 5,
}


def default_trust_roots() -> list[asn1_x509.Certificate]:
    """Roots trusted without `--trust`. None yet: a later part adds Pakta's embedded CA root from the database."""
    return []


def default_certified_roots() -> list[asn1_x509.Certificate]:
    """Certified-provider roots (e.g. BSrE) trusted without `--certified-root`. Empty by default."""
    return []


def _load_certificates(path: str) -> list[asn1_x509.Certificate]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(
            _("Sertifikat %(path)s tidak dapat dibaca: %(error)s") % {"path": path, "error": exc}
        ) from exc
    blobs = [der for _type, _headers, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
    certs = []
    for blob in blobs:
        try:
            cert = asn1_x509.Certificate.load(blob)
            cert.native  # noqa: B018 (parses fully, raising on garbage)
        except Exception as exc:
            raise CommandError(_("%(path)s bukan sertifikat X.509 (PEM atau DER).") % {"path": path}) from exc
        certs.append(cert)
    return certs


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
            default=0,
            metavar="N",
            help="jumlah lampiran data (/AFRelationship /Data) yang diterima; pakta Pakta membawa 1",
        )
        parser.add_argument(
            "--expected-field",
            action="append",
            default=None,
            metavar="NAME",
            help="kolom tanda tangan yang harus ditandatangani (boleh berulang)",
        )
        parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="batas waktu (detik)")
        parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="ukuran berkas maksimum")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            size = path.stat().st_size
            with path.open("rb") as handle:
                # One byte more than allowed is enough for the size check to refuse a larger file.
                data = handle.read(options["max_bytes"] + 1)
        except OSError as exc:
            raise CommandError(
                _("Berkas %(path)s tidak dapat dibaca: %(error)s") % {"path": path, "error": exc}
            ) from exc
        certified = default_certified_roots() + [c for p in options["certified_root"] for c in _load_certificates(p)]
        trusted = default_trust_roots() + [c for p in options["trust"] for c in _load_certificates(p)] + certified
        report = verify_pdf_bytes(
            data,
            trust_roots=trusted,
            certified_roots=certified,
            allowed_embedded_files=options["allow_data_attachments"],
            expected_fields=options["expected_field"],
            time_limit=options["time_limit"],
            max_bytes=options["max_bytes"],
        )
        if options["json"]:
            payload = report.to_dict()
            if size > options["max_bytes"]:
                payload["size"], payload["sha256"] = size, None
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_text(report, str(path), size=size))
        code = EXIT_CODES[report.verdict]
        if code:
            raise SystemExit(code)


_KIND = {
    SignatureKind.APPROVAL: gettext_lazy("persetujuan"),
    SignatureKind.CERTIFICATION: gettext_lazy("sertifikasi"),
    SignatureKind.DOC_TIMESTAMP: gettext_lazy("stempel waktu dokumen"),
}
_COVERAGE = {
    Coverage.ENTIRE_FILE: gettext_lazy("seluruh berkas"),
    Coverage.ENTIRE_REVISION: gettext_lazy("seluruh revisinya"),
    Coverage.PARTIAL: gettext_lazy("sebagian"),
}
_REVOCATION = {
    RevocationStatus.GOOD: gettext_lazy("tidak dicabut (diperiksa)"),
    RevocationStatus.REVOKED: gettext_lazy("DICABUT"),
    RevocationStatus.UNKNOWN: gettext_lazy("tidak diketahui (tanpa data pencabutan wajib)"),
    RevocationStatus.NOT_CHECKED: gettext_lazy("tidak diperiksa"),
}
_CHANGES = {
    Changes.NONE: gettext_lazy("tidak ada"),
    Changes.LTV: gettext_lazy("hanya data validasi (LTV)"),
    Changes.SIGNATURES: gettext_lazy("tanda tangan berikutnya"),
    Changes.FORBIDDEN: gettext_lazy("PERUBAHAN TIDAK DIIZINKAN"),
    Changes.UNKNOWN: gettext_lazy("tidak dapat ditentukan"),
}


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
    kind = str(_KIND[s.kind])
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
        % {"intact": _yes_no(s.intact), "trusted": _yes_no(s.trusted), "revocation": _REVOCATION[s.revocation]}
    )
    lines.append(
        "  "
        + _("Cakupan: %(coverage)s; tingkat PAdES: %(level)s")
        % {"coverage": _COVERAGE[s.coverage], "level": s.pades_level or "-"}
    )
    changes = str(_CHANGES[s.changes_after])
    if s.changed_fields:
        changes += f" ({', '.join(s.changed_fields)})"
    lines.append("  " + _("Perubahan sesudahnya: %(changes)s") % {"changes": changes})
    return lines
