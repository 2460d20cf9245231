"""The office file ``forms/_kantor.toml``: roles, working hours, days off and numbering books."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from desktop_perizinan.workflow.definition import (
    APPLICANT_ROLE,
    Book,
    Numbering,
    OfficeConfig,
    Role,
)
from desktop_perizinan.workflow.form_problems import FormFileError
from desktop_perizinan.workflow.form_reader import (
    IDENT,
    Reader,
    join_choices,
    parse_toml,
    read_text,
)
from desktop_perizinan.workflow.placeholders import check_number_pattern
from desktop_perizinan.workflow.toml_lines import Path as KeyPath

#: The office configuration inside a forms folder; every other ``_*.toml`` is ignored too.
OFFICE_FILE = "_kantor.toml"

_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_HOURS = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")


def load_office(path: Path) -> OfficeConfig:
    """Read ``forms/_kantor.toml``: roles, working hours, days off and numbering books."""
    return parse_office(read_text(path), path.name)


_OFFICE_KEYS = (
    "registration_book",
    "applicant_recorded_by",
    "roles",
    "hours",
    "days_off",
    "extra_workdays",
    "books",
    "data_pribadi",
)


def parse_office(text: str, file_name: str = OFFICE_FILE) -> OfficeConfig:
    """Parse and validate the office configuration; raise :class:`FormFileError`."""
    data = parse_toml(text, file_name)
    r = Reader(file_name, text)
    r.unknown_keys(data, (), _OFFICE_KEYS, "konfigurasi kantor")

    roles = _office_roles(r, data)
    hours = _office_hours(r, data)
    days_off = _office_dates(r, data, "days_off")
    extra_workdays = _office_dates(r, data, "extra_workdays")
    books = _office_books(r, data)

    registration_book = r.text(data, (), "registration_book", required=False, default="registrasi")
    if registration_book is not None and books is not None and registration_book not in books:
        r.problem(
            ("registration_book",),
            f'buku registrasi "{registration_book}" tidak ada di [books]',
            f"tambahkan [books.{registration_book}] atau gunakan salah satu dari "
            f"{join_choices(books) or '(belum ada buku)'}",
        )
    recorder = r.text(data, (), "applicant_recorded_by", required=False, default="front_office")
    if recorder is not None and roles is not None:
        if recorder not in roles:
            r.problem(
                ("applicant_recorded_by",),
                f'peran "{recorder}" tidak dikenal',
                f"gunakan salah satu dari {join_choices(roles)}",
            )
        elif recorder == APPLICANT_ROLE:
            r.problem(
                ("applicant_recorded_by",),
                "langkah pemohon harus dicatat oleh petugas, bukan oleh pemohon sendiri",
                'gunakan peran loket, misalnya "front_office"',
            )
    retention, full_nik = _office_personal_data(r, data, roles)

    if r.problems:
        raise FormFileError(r.problems)
    assert roles is not None and hours is not None and books is not None
    assert days_off is not None and registration_book is not None and recorder is not None
    assert extra_workdays is not None
    return OfficeConfig(
        roles=roles,
        hours=hours,
        days_off=days_off,
        extra_workdays=extra_workdays,
        books=books,
        registration_book=registration_book,
        applicant_recorded_by=recorder,
        retention_years=retention,
        full_nik_roles=full_nik,
    )


def _office_personal_data(
    r: Reader, data: Mapping[str, Any], roles: Mapping[str, Role] | None
) -> tuple[int | None, tuple[str, ...] | None]:
    """``[data_pribadi]`` (UU PDP): ``retensi_tahun`` and ``nik_lengkap``; (None, None) when
    absent (the services' defaults apply). Problems are recorded on ``r``."""
    table = r.table(data, (), "data_pribadi", required=False)
    if table is None:
        return None, None
    where: KeyPath = ("data_pribadi",)
    r.unknown_keys(table, where, ("retensi_tahun", "nik_lengkap"), "[data_pribadi]")
    years = r.integer(table, where, "retensi_tahun") if "retensi_tahun" in table else None
    if years is not None and not 1 <= years <= 100:
        r.problem(
            (*where, "retensi_tahun"),
            f"retensi_tahun {years} tidak masuk akal",
            "tulis lama penyimpanan data pemohon dalam tahun, 1 sampai 100 (misalnya 5)",
        )
        years = None
    full: tuple[str, ...] | None = None
    if "nik_lengkap" in table:
        listed = r.text_list(table, where, "nik_lengkap")
        if listed is not None and roles is not None:
            unknown = [code for code in listed if code not in roles or code == APPLICANT_ROLE]
            if unknown:
                r.problem(
                    (*where, "nik_lengkap"),
                    f"peran {', '.join(unknown)} tidak dikenal (atau bukan petugas)",
                    f"gunakan peran dari [roles]: {join_choices(c for c in roles if c != APPLICANT_ROLE)}",
                )
            else:
                full = tuple(listed)
    return years, full


def _office_roles(r: Reader, data: Mapping[str, Any]) -> dict[str, Role] | None:
    table = r.table(data, (), "roles", example='[roles] lalu kabid = { name = "Kabid", rank = 2 }')
    if table is None:
        return None
    roles: dict[str, Role] = {}
    ok = True
    for code, value in table.items():
        where: KeyPath = ("roles", code)
        if not IDENT.match(code):
            r.problem(
                where,
                f'kode peran "{code}" tidak sah',
                "gunakan huruf kecil, angka dan garis bawah, diawali huruf",
            )
            ok = False
            continue
        if not isinstance(value, dict):
            r.wrong(where, code, value, "tabel", f'{code} = {{ name = "..." }}')
            ok = False
            continue
        r.unknown_keys(value, where, ("name", "rank"), f'peran "{code}"')
        name = r.text(value, where, "name", what=f'peran "{code}"')
        rank = r.integer(value, where, "rank", required=False, default=0)
        if rank is not None and rank < 0:
            r.problem((*where, "rank"), "rank tidak boleh negatif", "gunakan 0 atau lebih")
            rank = None
        if name is None or rank is None:
            ok = False
            continue
        roles[code] = Role(code, name, rank)
    if not table:
        r.problem(
            ("roles",), "belum ada peran", 'tambahkan misalnya front_office = { name = "..." }'
        )
        return None
    return roles if ok else None


def _office_hours(r: Reader, data: Mapping[str, Any]) -> dict[int, tuple[int, int] | None] | None:
    table = r.table(data, (), "hours", example='[hours] lalu mon = "07:30-16:00"')
    if table is None:
        return None
    r.unknown_keys(table, ("hours",), (*_DAY_KEYS, "days_off"), "[hours]")
    hours: dict[int, tuple[int, int] | None] = {}
    ok = True
    for weekday, key in enumerate(_DAY_KEYS):
        value = r.text(
            table, ("hours",), key, what=f"[hours] ({_DAY_NAMES[weekday]})", nonempty=False
        )
        if value is None:
            ok = False
            continue
        if not value.strip():
            hours[weekday] = None
            continue
        span = _parse_hours(value)
        if span is None:
            r.problem(
                ("hours", key),
                f'jam kerja {_DAY_NAMES[weekday]} "{value}" tidak terbaca',
                'tulis "JJ:MM-JJ:MM" dengan jam buka lebih awal dari jam tutup, '
                'misalnya "07:30-16:00", atau "" bila libur',
            )
            ok = False
            continue
        hours[weekday] = span
    return hours if ok else None


def _parse_hours(value: str) -> tuple[int, int] | None:
    match = _HOURS.match(value)
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        return None
    opening, closing = h1 * 60 + m1, h2 * 60 + m2
    if closing > 24 * 60 or opening >= closing:
        return None
    return opening, closing


def _office_dates(
    r: Reader, data: Mapping[str, Any], key: str = "days_off"
) -> tuple[str, ...] | None:
    """A list of dates: the office's own days off, or its extra working days.

    Also accepted inside ``[hours]``: in TOML a key written below a table header belongs to
    that table, and ``days_off`` right under the weekday hours is the natural place to write
    it. Refusing that would punish an office for a rule nobody reads.
    """
    where: KeyPath = (key,)
    value: object = data.get(key, [])
    hours = data.get("hours")
    if isinstance(hours, dict) and key in hours:
        if key in data:
            r.problem(
                ("hours", key),
                f"{key} ditulis dua kali (di atas dan di dalam [hours])",
                "hapus salah satunya",
            )
            return None
        where, value = ("hours", key), hours[key]
    if not isinstance(value, list):
        r.wrong(where, key, value, "daftar tanggal", 'days_off = ["2025-01-02"]')
        return None
    days: list[str] = []
    ok = True
    for index, item in enumerate(value):
        day: dt.date | None = None
        if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            day = item
        elif isinstance(item, str):
            try:
                day = dt.date.fromisoformat(item.strip())
            except ValueError:
                day = None
        if day is None:
            r.problem(
                (*where, index),
                f"tanggal ke-{index + 1} pada {key} ({item!s}) bukan tanggal yang sah",
                'tulis tanggal sebagai "TTTT-BB-HH", misalnya "2025-01-02"',
            )
            ok = False
        else:
            days.append(day.isoformat())
    return tuple(sorted(set(days))) if ok else None


def _office_books(r: Reader, data: Mapping[str, Any]) -> dict[str, Book] | None:
    table = r.table(data, (), "books", example="[books.registrasi]")
    if table is None:
        return None
    books: dict[str, Book] = {}
    ok = True
    for code, value in table.items():
        where: KeyPath = ("books", code)
        if not IDENT.match(code):
            r.problem(
                where,
                f'kode buku "{code}" tidak sah',
                "gunakan huruf kecil, angka dan garis bawah, diawali huruf",
            )
            ok = False
            continue
        if not isinstance(value, dict):
            r.wrong(where, code, value, "bagian [books.kode]", f"[books.{code}]")
            ok = False
            continue
        book = read_book(r, value, where, code, f"[books.{code}]")
        if book is None:
            ok = False
            continue
        books[code] = Book(book.book, book.title, book.pattern, book.yearly)
    return books if ok else None


def read_book(
    r: Reader,
    table: Mapping[str, Any],
    where: KeyPath,
    code: str,
    what: str,
    keys: Sequence[str] = ("title", "pattern", "yearly"),
) -> Numbering | None:
    """A numbering book (office book or a permit type's own ``[numbering]``)."""
    r.unknown_keys(table, where, keys, what)
    title = r.text(table, where, "title", what=what)
    pattern = r.text(table, where, "pattern", what=what)
    yearly = r.flag(table, where, "yearly", default=True)
    if pattern is not None:
        why = check_number_pattern(pattern)
        if why is not None:
            r.problem(
                (*where, "pattern"),
                why,
                "isian yang boleh dipakai: {urut} (wajib, boleh {urut:04}), {tahun}, {bulan}, "
                "{bulan_romawi}; contoh: 503/{urut:04}/DPMPTSP/{tahun}",
            )
            pattern = None
    if title is None or pattern is None or yearly is None:
        return None
    return Numbering(code, title, pattern, yearly)
