"""Enter a year's holiday decree from a CSV file (DOMAIN.md §10.1): a thin shell over
`integrity.services.calendar.holiday_decree_record`.

    manage.py holidays_import skb-2027.csv --reference "SKB 1234/2026; 1/2026; 2/2026" \\
        --year 2027 --kind skb --signed-on 2026-09-20

The file is UTF-8 CSV with a header row and the columns `date,kind,name` (date as YYYY-MM-DD,
kind `national` or `cuti_bersama`). Errors name the line of the file; nothing is written then.
"""

import csv
import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from audit.errors import ApplicationError
from integrity.models import HolidayDecree
from integrity.services.calendar import holiday_decree_record

COLUMNS = ("date", "kind", "name")


def _parse_date(value: str) -> datetime.date:
    # fromisoformat also takes "20270101"; the file format is YYYY-MM-DD only.
    return datetime.datetime.strptime(value.strip(), "%Y-%m-%d").date()


class Command(BaseCommand):
    help = "Catat keputusan hari libur (SKB/Keppres/perubahan) dari berkas CSV berkolom date,kind,name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="berkas CSV (UTF-8) berkolom date,kind,name")
        parser.add_argument("--reference", required=True, help='nomor keputusan, mis. "SKB 1017/2024; 2/2024; 2/2024"')
        parser.add_argument("--year", required=True, type=int, help="tahun yang diatur")
        parser.add_argument("--kind", required=True, choices=HolidayDecree.Kind.values, help="jenis keputusan")
        parser.add_argument("--signed-on", help="tanggal penetapan, YYYY-MM-DD")
        parser.add_argument("--amends", help="nomor keputusan yang diubah (untuk --kind amendment)")

    def handle(self, *args: Any, **options: Any) -> None:
        signed_on = None
        if options["signed_on"]:
            try:
                signed_on = _parse_date(options["signed_on"])
            except ValueError:
                raise CommandError(
                    _("--signed-on %(value)s bukan tanggal YYYY-MM-DD.") % {"value": options["signed_on"]}
                ) from None
        holidays, lines = self._read(options["file"])
        try:
            decree = holiday_decree_record(
                reference=options["reference"],
                year=options["year"],
                kind=options["kind"],
                signed_on=signed_on,
                holidays=holidays,
                amends=options["amends"],
                actor=None,
            )
        except ApplicationError as exc:
            index = exc.extra.get("index")
            if index is not None:
                raise CommandError(
                    _("%(file)s baris %(line)s: %(message)s")
                    % {"file": options["file"], "line": lines[index], "message": exc.message}
                ) from None
            raise CommandError(str(exc.message)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Keputusan %(reference)s (%(year)s) tercatat dengan %(count)s hari libur/cuti bersama.")
                % {"reference": decree.reference, "year": decree.year, "count": len(holidays)}
            )
        )

    def _read(self, path: Path) -> tuple[list[tuple[datetime.date, str, str]], list[int]]:
        """The rows as (date, kind, name) and, for each, its line number in the file."""
        holidays: list[tuple[datetime.date, str, str]] = []
        lines: list[int] = []
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                header = [name.strip() for name in reader.fieldnames or []]
                if sorted(header) != sorted(COLUMNS):
                    raise CommandError(
                        _("%(file)s baris 1: kolom harus %(expected)s, ditemukan %(found)s.")
                        % {"file": path, "expected": ",".join(COLUMNS), "found": ",".join(header) or "-"}
                    )
                reader.fieldnames = header
                for row in reader:
                    line = reader.line_num
                    if None in row or None in row.values():
                        raise CommandError(
                            _("%(file)s baris %(line)s: jumlah kolom tidak sama dengan judul kolom.")
                            % {"file": path, "line": line}
                        )
                    try:
                        day = _parse_date(row["date"])
                    except ValueError:
                        raise CommandError(
                            _("%(file)s baris %(line)s: tanggal %(value)s bukan tanggal YYYY-MM-DD.")
                            % {"file": path, "line": line, "value": row["date"]}
                        ) from None
                    holidays.append((day, row["kind"].strip(), row["name"]))
                    lines.append(line)
        except OSError as exc:
            raise CommandError(
                _("Berkas %(file)s tidak dapat dibaca: %(error)s") % {"file": path, "error": exc}
            ) from None
        except UnicodeDecodeError:
            raise CommandError(_("Berkas %(file)s bukan teks UTF-8.") % {"file": path}) from None
        except csv.Error as exc:
            raise CommandError(_("%(file)s: CSV tidak valid: %(error)s") % {"file": path, "error": exc}) from None
        return holidays, lines
