"""Import a decree (SK mutasi/pengangkatan) from CSV or XLSX: a thin shell over
`integrity.services.decrees` (format: samples/README.md).

    manage.py import_decree sk-mutasi.xlsx --dry-run            # preview as of today, writes nothing
    manage.py import_decree sk-mutasi.xlsx --dry-run --as-of 2026-07-01
    manage.py import_decree sk-mutasi.xlsx                      # import

A rejected decree prints its per-row report and exits non-zero; nothing is written then.
"""

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from integrity.decree_files import FILE_TOO_LARGE, ParsedDecree, RowError, parse_decree_file
from integrity.services.decrees import DecreePreview, DecreeRejected, decree_import, decree_preview

KIND_LABELS = {
    "angkat": "angkat",
    "plt": "Plt",
    "plh": "Plh",
    "berhenti": "berhenti",
    "kepala_satker": "kepala satker",
}


def _date(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(_("--as-of %(value)s bukan tanggal YYYY-MM-DD.") % {"value": value}) from None


class Command(BaseCommand):
    help = "Impor SK mutasi/pengangkatan dari berkas CSV atau XLSX (lihat samples/README.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="berkas SK (.csv atau .xlsx)")
        parser.add_argument(
            "--dry-run", action="store_true", help="tampilkan perubahan (termasuk pakta) tanpa menyimpan apa pun"
        )
        parser.add_argument("--as-of", help="tanggal keadaan pratinjau, YYYY-MM-DD (hanya dengan --dry-run)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if options["as_of"] and not options["dry_run"]:
            raise CommandError(_("--as-of hanya dipakai bersama --dry-run; impor selalu per hari ini."))
        as_of = _date(options["as_of"]) if options["as_of"] else None
        parsed = parse_decree_file(path.name, self._read(path))
        try:
            if options["dry_run"]:
                self._print_preview(parsed, decree_preview(parsed=parsed, actor=None, as_of=as_of))
                self.stdout.write(self.style.WARNING(_("Uji coba (--dry-run): tidak ada yang disimpan.")))
                return
            result = decree_import(parsed=parsed, actor=None, source_name=path.name)
        except DecreeRejected as exc:
            self._print_errors(parsed, exc)
            raise CommandError(str(exc.message)) from None
        if result.changes is not None:
            self._print_preview(parsed, result.changes)
        self.stdout.write(self.style.SUCCESS(result.message))

    def _read(self, path: Path) -> bytes:
        limit = settings.PAKTA_MAX_UPLOAD_BYTES
        try:
            size = path.stat().st_size
            if size > limit:  # refused before reading, like an upload
                raise CommandError(f"{path.name}: {FILE_TOO_LARGE % {'size': size, 'max': limit}}")
            with path.open("rb") as handle:
                return handle.read(limit + 1)
        except OSError as exc:
            raise CommandError(
                _("Berkas %(file)s tidak dapat dibaca: %(error)s") % {"file": path, "error": exc.strerror or exc}
            ) from None

    def _print_errors(self, parsed: ParsedDecree, exc: DecreeRejected) -> None:
        errors = exc.extra.get("errors", [])
        self.stderr.write(_("Laporan kesalahan (%(count)s):") % {"count": len(errors)})
        for item in errors:
            error = RowError(item["row"], item["column"], item["message"])
            self.stderr.write(f"  {error.describe(parsed.filename)}")

    def _print_preview(self, parsed: ParsedDecree, preview: DecreePreview) -> None:
        out = self.stdout.write
        out(
            _("SK %(number)s tanggal %(date)s %(title)s (berkas %(file)s)")
            % {
                "number": preview.number,
                "date": preview.decree_date.isoformat() if preview.decree_date else "-",
                "title": f"— {preview.title}" if preview.title else "",
                "file": parsed.filename,
            }
        )
        if preview.already_imported:
            out(_("SK ini sudah diimpor dengan isi yang sama; mengimpornya lagi tidak mengubah apa pun."))
            return
        out(_("Keadaan per %(date)s.") % {"date": preview.as_of.isoformat()})
        out(_("Perpindahan (%(count)s):") % {"count": len(preview.moves)})
        for move in preview.moves:
            out(
                _("  baris %(row)s: %(kind)s %(name)s (NIP %(nip)s) %(target)s, TMT %(tmt)s%(new)s")
                % {
                    "row": move.row,
                    "kind": KIND_LABELS.get(move.kind, move.kind),
                    "name": move.name,
                    "nip": move.nip,
                    "target": move.position,
                    "tmt": move.effective_date.isoformat(),
                    "new": _(" — pegawai baru didaftarkan") if move.official_created else "",
                }
            )
        for label, changes in (
            (_("Penugasan dimulai"), preview.assignments_started),
            (_("Penugasan berakhir"), preview.assignments_ended),
        ):
            out(f"{label} ({len(changes)}):")
            for change in changes:
                acting = f"{change.acting.upper()} " if change.acting in ("plt", "plh") else ""
                who = f"{change.name} ({change.nip})"
                out(f"  {change.date.isoformat()}  {who} — {acting}{change.position}, {change.unit}")
        out(_("Pakta baru (%(count)s):") % {"count": len(preview.pacts_created)})
        for pact in preview.pacts_created:
            parties = "; ".join(f"{p.name} ({p.position})" for p in pact.parties)
            provisional = _(" (sementara)") if pact.due_date_provisional else ""
            replaces = _(", menggantikan %(number)s") % {"number": pact.supersedes} if pact.supersedes else ""
            out(
                _("  %(number)s %(kind)s: %(parties)s; berlaku %(start)s, batas tanda tangan %(due)s")
                % {
                    "number": pact.number,
                    "kind": pact.kind_label,
                    "parties": parties,
                    "start": pact.effective_date.isoformat(),
                    "due": pact.due_date.isoformat(),
                }
                + provisional
                + replaces
            )
        out(_("Pakta digantikan (%(count)s):") % {"count": len(preview.pacts_superseded)})
        for superseded in preview.pacts_superseded:
            out(
                _("  %(number)s %(kind)s: %(parties)s — %(reason)s")
                % {
                    "number": superseded.number,
                    "kind": superseded.kind_label,
                    "parties": "; ".join(superseded.parties),
                    "reason": superseded.reason,
                }
            )
        pending = preview.pending_moves
        if pending:
            out(
                _("Berlaku kemudian (TMT setelah %(date)s; pakta menyusul saat rekonsiliasi malam pada TMT-nya):")
                % {"date": preview.as_of.isoformat()}
            )
            for move in pending:
                out(
                    _("  baris %(row)s: %(name)s, TMT %(tmt)s")
                    % {"row": move.row, "name": move.name, "tmt": move.effective_date.isoformat()}
                )
