"""The visible appearance of a signature: a QR code to the document's verification page beside a text block
(DOMAIN.md §4.3). Bytes and text only; it knows nothing about pacts.

The text block says who signed and when, in the official form Indonesian offices use::

    Ditandatangani secara elektronik
    NUR ABDULLAH, S.E.
    NIP 19850314 201001 1 001
    Pelaksana pada Seksi Pencairan Dana
    14 Maret 2026 10:15 WIB
    TTE tidak tersertifikasi (CA internal Pakta)

The QR code is only a link to the verification page, never the signature itself (DOMAIN.md §4.3).

**PDF/A stays intact.** pyHanko's default stamp uses Courier, a standard font it does not embed, which
breaks PDF/A (measurements.md §2–3). Here every glyph comes from an embedded, subset TrueType font, and
the QR code is drawn as vector paths. Two pyHanko details matter (measurements.md §3):

- pyHanko writes a CIDFont's `/W` widths in font units without scaling them to 1000 per em, so a font
  with 2048 units per em (DejaVu, most TrueType fonts) renders with double letter spacing. The font in
  `signatures/fonts/` is therefore rescaled to 1000 units per em (`build_stamp_font`).
- The glyph accumulator's font size must equal the text box's (pyHanko issue #733), or lines drift.

The font is DejaVu Sans (Bitstream Vera licence, which allows redistribution of modified copies under a
name without "Bitstream" or "Vera"; `signatures/fonts/LICENSE-DejaVu.txt`), cut to Latin, Latin-1,
Latin Extended-A and common punctuation: 36 KB instead of 760 KB, which also makes stamping faster
(143.7 → 90.3 ms per signature in measurements.md §3). Characters outside it are replaced by "?"
rather than drawn as empty boxes.
"""

from __future__ import annotations

import datetime
import functools
import logging
import textwrap
import unicodedata
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import QRPosition, QRStampStyle

# pyHanko subsets the font with fontTools for every signature, and fontTools logs each glyph list it handles
# at INFO. Unless the logging configuration says otherwise, keep it to warnings.
if logging.getLogger("fontTools").level == logging.NOTSET:
    logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "DejaVuSans-Stamp.ttf"
"""The stamp font shipped with Pakta (built once with `build_stamp_font` from Debian's fonts-dejavu-core)."""

DEBIAN_DEJAVU_SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# Code points kept in the stamp font: ASCII, Latin-1, Latin Extended-A, and the punctuation that names,
# positions and dates use (dashes, quotes, bullet, ellipsis).
STAMP_CODEPOINTS: tuple[int, ...] = (
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    0x2013,
    0x2014,
    0x2018,
    0x2019,
    0x201C,
    0x201D,
    0x2022,
    0x2026,
)

FONT_SIZE = 7  # pt; the same number goes to the glyph accumulator and the text box (pyHanko #733)
LEADING = 9
LINE_CHARACTERS = 44  # a 225 pt signature box less the QR code holds about this many at 7 pt
POSITION_LINES = 2

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip

HEADING = _("Ditandatangani secara elektronik")
LABEL_CERTIFIED = _("TTE tersertifikasi (PSrE)")
LABEL_UNCERTIFIED = _("TTE tidak tersertifikasi (CA internal Pakta)")
NIP_PREFIX = _("NIP")


@dataclass(frozen=True)
class SignatureStamp:
    """What the visible signature shows.

    `nip` is shown as given (use the display form, `19850314 201001 1 001`). `certified` says whether the
    signing certificate comes from an Indonesian PSrE (*tersertifikasi*, PP 71/2019 Pasal 60); the
    embedded CA's are not. `verification_url` is what the QR code encodes.
    """

    name: str
    nip: str
    position: str
    verification_url: str
    certified: bool = False


def format_signing_time(moment: datetime.datetime) -> str:
    """`14 Maret 2026 10:15 WIB`: the moment in Asia/Jakarta, with Indonesian month names.

    :raises ValueError: `moment` is naive.
    """
    if moment.tzinfo is None:
        raise ValueError("the signing time must be timezone-aware")
    local = moment.astimezone(_jakarta())
    return f"{local.day} {MONTHS_ID[local.month - 1]} {local.year} {local:%H:%M} WIB"


def stamp_text(stamp: SignatureStamp, signing_time: datetime.datetime) -> str:
    """The text block of the stamp, one line per item; a long position wraps onto a second line and is
    shortened with "…" beyond that. Characters the stamp font lacks become "?".

    :raises ValueError: `signing_time` is naive.
    """
    position_lines = textwrap.wrap(
        _clean(stamp.position), width=LINE_CHARACTERS, max_lines=POSITION_LINES, placeholder=" …"
    )
    lines = [
        str(HEADING),
        _shorten(_clean(stamp.name)),
        _shorten(f"{NIP_PREFIX} {_clean(stamp.nip)}"),
        *position_lines,
        format_signing_time(signing_time),
        str(LABEL_CERTIFIED if stamp.certified else LABEL_UNCERTIFIED),
    ]
    return "\n".join(line for line in lines if line)


def stamp_style() -> QRStampStyle:
    """The pyHanko stamp style for signature appearances (one per process): QR code on the left, the text
    on the right in the embedded stamp font, a thin frame, no background.

    :raises FileNotFoundError: the stamp font is missing from the install (`FONT_PATH`).
    """
    return _style()


def stamp_text_params(stamp: SignatureStamp, signing_time: datetime.datetime) -> dict[str, str]:
    """The `appearance_text_params` for `PdfSigner.sign_pdf` with `stamp_style()`.

    :raises ValueError: `signing_time` is naive.
    """
    return {"url": stamp.verification_url, "text": stamp_text(stamp, signing_time)}


def stamp_font_bytes() -> bytes:
    """The stamp font (TrueType, 1000 units per em). Read once per process.

    :raises FileNotFoundError: `signatures/fonts/DejaVuSans-Stamp.ttf` is missing from the install.
    """
    return _font_bytes()


def build_stamp_font(source: Path = DEBIAN_DEJAVU_SANS) -> bytes:
    """Cut a TrueType font down to `STAMP_CODEPOINTS` and rescale it to 1000 units per em, as the stamp
    needs it. This made `signatures/fonts/DejaVuSans-Stamp.ttf` from Debian's fonts-dejavu-core 2.37::

        python -c "from signatures.stamp import *; FONT_PATH.write_bytes(build_stamp_font())"

    Hinting is dropped (it does not survive rescaling, and print and screen rendering do without it), and
    so are the layout tables pyHanko's own subsetting drops anyway.

    :raises FileNotFoundError: `source` does not exist.
    :raises fontTools.ttLib.TTLibError: `source` is not a font.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(str(source), recalcTimestamp=False)
    options = subset.Options()
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM", "MATH"]
    options.layout_features = []
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=STAMP_CODEPOINTS)
    subsetter.subset(font)
    scale_upem(font, 1000)
    out = BytesIO()
    font.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------------------


class _StampFontFactory(FontEngineFactory):
    """pyHanko's `GlyphAccumulatorFactory` opens the font file for every signature and never closes it;
    this one parses the bytes read once. A fresh accumulator per signature is needed anyway: subsetting
    rewrites the parsed font in place."""

    def __init__(self, font: bytes, font_size: int) -> None:
        self._font = font
        self._font_size = font_size

    def create_font_engine(self, writer: BasePdfFileWriter, obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(writer=writer, font_handle=BytesIO(self._font), font_size=self._font_size,
                                obj_stream=obj_stream)  # fmt: skip


@functools.cache
def _font_bytes() -> bytes:
    return FONT_PATH.read_bytes()


@functools.cache
def _covered() -> frozenset[str]:
    return frozenset(chr(code) for code in STAMP_CODEPOINTS)


@functools.cache
def _style() -> QRStampStyle:
    text_style = TextBoxStyle(
        font=_StampFontFactory(_font_bytes(), FONT_SIZE),
        font_size=FONT_SIZE,
        leading=LEADING,
        border_width=0,
    )
    return QRStampStyle(
        text_box_style=text_style,
        stamp_text="%(text)s",
        border_width=1,
        border_color=(0.35, 0.35, 0.35),
        background=None,
        innsep=3,
        qr_position=QRPosition.LEFT_OF_TEXT,
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(3),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


@functools.cache
def _jakarta() -> datetime.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Jakarta")


def _clean(text: str) -> str:
    """One line of printable text the font can draw: NFC, control characters and line breaks removed,
    runs of white space collapsed, unknown characters replaced by "?"."""
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    covered = _covered()
    return " ".join("".join(ch if ch in covered else "?" for ch in text).split())


def _shorten(line: str) -> str:
    return textwrap.shorten(line, width=LINE_CHARACTERS, placeholder=" …") if len(line) > LINE_CHARACTERS else line
