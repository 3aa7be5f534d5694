"""Finding codes: what each one means for the verdict and the reason shown to people.

The child process reports findings as plain data (a code, its parameters and the signature field concerned,
see `failure`); the parent turns them into `Finding` objects, whose messages are translated in the active
language only when read. The messages are gettext strings: change one and its translations no longer match.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from signatures.verify.report import Verdict


@dataclass(frozen=True)
class Finding:
    """One reason behind the verdict: a stable code, its parameters and the signature field it concerns."""

    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    field: str | None = None

    @property
    def verdict(self) -> Verdict | None:
        """The verdict this finding implies on its own, or None for a note that does not affect it."""
        return MESSAGES[self.code][0]

    @property
    def message(self) -> str:
        """The human reason in the active language (Indonesian by default)."""
        template = MESSAGES[self.code][1]
        return str(template) % _Params({"field": self.field or "", **self.params})


class _Params(dict[str, Any]):
    """Message parameters; a missing one reads as "-" instead of failing the whole report."""

    def __missing__(self, key: str) -> str:
        return "-"


V = Verdict
# code -> (the verdict it implies, or None for a note; the reason, formatted with the field and parameters)
MESSAGES: dict[str, tuple[Verdict | None, Any]] = {
    # Refused or not checkable
    "not_pdf": (V.CANNOT_VALIDATE, _("Berkas ini bukan PDF.")),
    "too_large": (
        V.CANNOT_VALIDATE,
        _("Berkas berukuran %(size)s bait melebihi batas %(limit)s bait; tidak diperiksa."),
    ),
    "encrypted": (
        V.CANNOT_VALIDATE,
        _("PDF terenkripsi tidak dapat diperiksa; dokumen pakta tidak pernah dienkripsi."),
    ),
    "unreadable": (V.CANNOT_VALIDATE, _("Struktur PDF tidak dapat dibaca (%(detail)s).")),
    "library_error": (V.CANNOT_VALIDATE, _("Tanda tangan %(field)s tidak dapat diperiksa (%(detail)s).")),
    "too_complex": (V.CANNOT_VALIDATE, _("Struktur objek PDF terlalu besar atau terlalu dalam untuk diperiksa.")),
    "timeout": (V.CANNOT_VALIDATE, _("Pemeriksaan melebihi batas waktu %(seconds)s detik.")),
    "memory": (V.CANNOT_VALIDATE, _("Pemeriksaan melebihi batas memori.")),
    "crashed": (V.CANNOT_VALIDATE, _("Proses pemeriksaan berhenti tanpa hasil (%(detail)s).")),
    # Broken
    "no_signatures": (V.INVALID, _("Dokumen tidak memuat tanda tangan elektronik.")),
    "too_many_revisions": (V.INVALID, _("Dokumen memiliki %(count)s revisi, melebihi batas %(limit)s.")),
    "structure_broken": (V.INVALID, _("Struktur revisi %(revision)s PDF rusak: %(detail)s.")),
    "active_content": (V.INVALID, _("Dokumen memuat konten aktif (%(kind)s), yang tidak pernah ada dalam pakta.")),
    "embedded_files": (
        V.INVALID,
        _(
            "Dokumen melampirkan %(count)s berkas; yang diizinkan hanya %(allowed)s berkas data "
            "(/AFRelationship /Data)."
        ),
    ),
    "signature_type_unsupported": (
        V.INVALID,
        _("Kolom %(field)s memuat jenis tanda tangan %(type)s yang tidak dikenal."),
    ),
    "subfilter_unsupported": (V.INVALID, _("Tanda tangan %(field)s memakai format %(subfilter)s yang tidak didukung.")),
    "byte_range_malformed": (V.INVALID, _("/ByteRange tanda tangan %(field)s tidak sah (%(detail)s).")),
    "contents_malformed": (V.INVALID, _("/Contents tanda tangan %(field)s tidak sah (%(detail)s).")),
    "weak_algorithm": (V.INVALID, _("Tanda tangan %(field)s memakai algoritme lemah %(algorithm)s.")),
    "signature_invalid": (
        V.INVALID,
        _("Nilai tanda tangan %(field)s tidak dapat diverifikasi dengan kunci penanda tangan."),
    ),
    "not_intact": (
        V.INVALID,
        _("Tanda tangan %(field)s rusak: bagian yang ditandatangani tidak cocok dengan tanda tangan."),
    ),
    "coverage_partial": (V.INVALID, _("Tanda tangan %(field)s tidak mencakup satu revisi dokumen secara utuh.")),
    "timestamp_invalid": (V.INVALID, _("Stempel waktu pada tanda tangan %(field)s rusak.")),
    "signature_unaccounted": (V.INVALID, _("Kolom tanda tangan %(field)s tidak dapat dihitung dengan pasti.")),
    "expected_unsigned": (V.INVALID, _("Kolom tanda tangan %(field)s belum ditandatangani.")),
    "unexpected_signature": (V.INVALID, _("Tanda tangan pada kolom %(field)s tidak direncanakan untuk dokumen ini.")),
    # Changed after signing
    "modified": (V.MODIFIED, _("Dokumen diubah setelah tanda tangan %(field)s dengan cara yang tidak diizinkan.")),
    "modified_unreadable": (
        V.MODIFIED,
        _("Dokumen diubah setelah tanda tangan %(field)s: revisi sesudahnya tidak dapat dibaca (%(detail)s)."),
    ),
    "modified_beyond_docmdp": (
        V.MODIFIED,
        _("Perubahan setelah tanda tangan sertifikasi %(field)s melampaui izin DocMDP P=%(level)s."),
    ),
    "modified_after_last": (
        V.MODIFIED,
        _(
            "Tanda tangan terakhir (%(field)s) tidak mencakup seluruh berkas: sesudahnya ada perubahan selain "
            "data validasi."
        ),
    ),
    "modified_fields": (
        V.MODIFIED,
        _(
            "Setelah tanda tangan %(field)s, kolom %(fields)s diubah, padahal bukan kolom tanda tangan yang "
            "direncanakan."
        ),
    ),
    "trailing_data": (V.MODIFIED, _("Ada %(count)s bait tambahan setelah akhir revisi terakhir dokumen.")),
    # Not trusted
    "untrusted": (V.UNTRUSTED, _("Penanda tangan %(field)s tidak terhubung ke akar sertifikat tepercaya.")),
    "revoked": (V.UNTRUSTED, _("Sertifikat penanda tangan %(field)s telah dicabut.")),
    "expired": (
        V.UNTRUSTED,
        _("Sertifikat penanda tangan %(field)s tidak berlaku pada waktu penandatanganan (%(problem)s)."),
    ),
    "trust_problem": (V.UNTRUSTED, _("Sertifikat penanda tangan %(field)s tidak dapat dipercaya (%(problem)s).")),
    "timestamp_untrusted": (V.UNTRUSTED, _("Stempel waktu pada %(field)s tidak berasal dari otoritas tepercaya.")),
    # Notes
    "object_unreadable": (None, _("Sebagian objek PDF tidak dapat dibaca (%(detail)s).")),
    "certification_not_first": (None, _("Tanda tangan sertifikasi %(field)s bukan tanda tangan pertama di dokumen.")),
    "not_a_signature": (None, _("Kolom %(field)s berisi nilai yang bukan tanda tangan.")),
    "duplicate_reference": (
        None,
        _("Tanda tangan yang sama dirujuk oleh beberapa kolom (%(fields)s); dihitung sekali."),
    ),
    "validated_at_timestamp": (
        None,
        _("Sertifikat penanda tangan %(field)s diperiksa pada waktu stempel waktu (%(moment)s)."),
    ),
}
del V


def failure(code: str, **params: Any) -> dict[str, Any]:
    """The plain-data result of an analysis that stopped at one finding, before any signature."""
    return {"findings": [{"code": code, "params": params, "field": None}], "signatures": [], "unsigned_fields": []}


def describe(exc: BaseException) -> str:
    """An exception as a finding's `detail`: its type and text, at most 300 characters."""
    text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    return text[:300]
