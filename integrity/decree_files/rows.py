"""Checking one move row without the database: required values, lengths, kinds, NIP, e-mail,
satker code, dates, columns that do not belong to the kind, and the decree-wide columns (number,
date, subject) that every row must repeat."""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from audit.errors import ApplicationError
from integrity.decree_files.cells import _CellError, _date, _is_blank, _nip_text, _satker_text, _text
from integrity.decree_files.columns import (
    DEFAULT_SATKER_TITLE,
    EMPLOYEE_TYPES,
    KIND_SATKER_HEAD,
    KINDS,
    MAX_LENGTHS,
    ONLY_FOR,
    POSITION_KINDS,
)
from integrity.decree_files.messages import (
    EMAIL_INVALID,
    EMPLOYEE_TYPE_UNKNOWN,
    KIND_UNKNOWN,
    SATKER_CODE_INVALID,
    VALUE_NOT_FOR_KIND,
    VALUE_NOT_SAME,
    VALUE_REQUIRED,
    VALUE_TOO_LONG,
)
from integrity.decree_files.model import DecreeRow, RowError
from integrity.nip import validate_nip

_KODE_SATKER = re.compile(r"^\d{6}$")


@dataclass
class _DecreeFields:
    """The decree-wide columns as first seen, to check that every row repeats them."""

    number: tuple[int, str] | None = None
    decree_date: tuple[int, datetime.date] | None = None
    title: tuple[int, str] | None = None


def _build_row(number: int, values: dict[str, Any], fields: _DecreeFields, errors: list[RowError]) -> DecreeRow | None:
    row_errors: list[RowError] = []

    def fail(column: str, message: Any) -> None:
        row_errors.append(RowError(number, column, str(message)))

    def text(column: str, *, required: bool = False) -> str:
        value = _text(values.get(column))
        if required and not value:
            fail(column, VALUE_REQUIRED)
        limit = MAX_LENGTHS.get(column)
        if limit is not None and len(value) > limit:
            fail(column, VALUE_TOO_LONG % {"length": len(value), "max": limit})
        return value

    def date(column: str, *, required: bool = False) -> datetime.date | None:
        if _is_blank(values.get(column)):
            if required:
                fail(column, VALUE_REQUIRED)
            return None
        try:
            return _date(values[column])
        except _CellError as exc:
            fail(column, exc.message)
            return None

    # Decree-wide fields: required (except perihal) and the same on every row.
    decree_number = text("nomor_sk", required=True)
    if decree_number:
        if fields.number is None:
            fields.number = (number, decree_number)
        elif decree_number != fields.number[1]:
            fail(
                "nomor_sk",
                VALUE_NOT_SAME % {"value": decree_number, "first_row": fields.number[0], "first": fields.number[1]},
            )
    decree_date = date("tanggal_sk", required=True)
    if decree_date is not None:
        if fields.decree_date is None:
            fields.decree_date = (number, decree_date)
        elif decree_date != fields.decree_date[1]:
            first_row, first = fields.decree_date
            fail(
                "tanggal_sk",
                VALUE_NOT_SAME % {"value": decree_date.isoformat(), "first_row": first_row, "first": first.isoformat()},
            )
    title = text("perihal")
    if fields.title is None:
        fields.title = (number, title)
    elif title != fields.title[1]:
        fail(
            "perihal",
            VALUE_NOT_SAME % {"value": title or "-", "first_row": fields.title[0], "first": fields.title[1] or "-"},
        )

    kind = text("jenis", required=True).lower()
    if kind and kind not in KINDS:
        fail("jenis", KIND_UNKNOWN % {"value": kind, "kinds": ", ".join(KINDS)})
    employee_type = text("jenis_pegawai").lower() or "pns"
    if employee_type not in EMPLOYEE_TYPES:
        fail("jenis_pegawai", EMPLOYEE_TYPE_UNKNOWN % {"value": employee_type, "types": ", ".join(EMPLOYEE_TYPES)})

    nip = ""
    try:
        raw_nip = _nip_text(values.get("nip"))
    except _CellError as exc:
        fail("nip", exc.message)
    else:
        if not raw_nip:
            fail("nip", VALUE_REQUIRED)
        else:
            try:
                nip = validate_nip(raw_nip, employee_type="pppk" if employee_type == "pppk" else "pns")
            except ApplicationError as exc:
                fail("nip", exc.message)

    name = text("nama")
    title_prefix = text("gelar_depan")
    title_suffix = text("gelar_belakang")
    rank_code = text("pangkat_golongan")
    email = text("email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            fail("email", EMAIL_INVALID % {"value": email})

    position_code = text("kode_jabatan", required=kind in POSITION_KINDS)
    try:
        satker_code = _satker_text(values.get("kode_satker"))
    except _CellError as exc:  # pragma: no cover - _satker_text does not raise today
        fail("kode_satker", exc.message)
        satker_code = ""
    if kind == KIND_SATKER_HEAD and not satker_code:
        fail("kode_satker", VALUE_REQUIRED)
    elif satker_code and not _KODE_SATKER.match(satker_code):
        fail("kode_satker", SATKER_CODE_INVALID % {"value": satker_code})
    satker_title = text("jabatan_satker")
    effective_date = date("tmt", required=True)
    inauguration_date = date("tanggal_pelantikan")

    if kind in KINDS:
        for column, kinds in ONLY_FOR.items():
            if kind not in kinds and not _is_blank(values.get(column)):
                fail(column, VALUE_NOT_FOR_KIND % {"kind": kind})

    if row_errors:
        errors.extend(row_errors)
        return None
    assert effective_date is not None
    return DecreeRow(
        row=number,
        kind=kind,
        nip=nip,
        employee_type=employee_type,
        name=name,
        title_prefix=title_prefix,
        title_suffix=title_suffix,
        rank_code=rank_code,
        email=email,
        position_code=position_code,
        satker_code=satker_code,
        satker_title=(satker_title or DEFAULT_SATKER_TITLE) if kind == KIND_SATKER_HEAD else "",
        effective_date=effective_date,
        inauguration_date=inauguration_date,
    )
