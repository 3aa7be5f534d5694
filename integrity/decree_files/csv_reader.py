"""Reading a CSV decree file: UTF-8 (a BOM is fine), separator `,` or `;` sniffed from the
header; a non-UTF-8, binary or malformed file rejects the file as a whole."""

import codecs
import csv
import io
from collections.abc import Iterator

from integrity.decree_files.messages import FILE_BINARY, FILE_CSV_BROKEN, FILE_NOT_UTF8
from integrity.decree_files.model import RawRow, _file_error


def _read_csv(content: bytes) -> Iterator[RawRow]:
    offset = 0
    if content.startswith(codecs.BOM_UTF8):
        content, offset = content[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise _file_error(
            FILE_NOT_UTF8 % {"byte": content[exc.start], "offset": exc.start + offset, "line": line}
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise _file_error(FILE_BINARY % {"offset": len(text[:nul].encode("utf-8")) + offset})
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, list(cells)
    except csv.Error as exc:
        raise _file_error(FILE_CSV_BROKEN % {"row": number + 1, "error": exc}, row=number + 1) from None
