"""Permit-type files in ``forms/`` → validated :class:`PermitType` definitions.

An office edits these files by hand, without a programmer nearby. So the loader's job is less
"parse TOML" than "explain every mistake": it keeps going after the first problem and reports
them all, each with the file, the line and the fix, in Bahasa Indonesia. A broken file never
stops the other permit types from loading.

:func:`parse_permit_type` depends only on its arguments: a running case keeps the text of the
definition it started under (``source_text`` in the database) and re-parses it with this same
function, whatever the folder holds today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from desktop_perizinan.errors import UserError
from desktop_perizinan.workflow.definition import (
    APPLICANT_ROLE,
    DOCUMENT_ACTIONS,
    SPECIAL_TARGETS,
    TARGET_ISSUED,
    TARGET_REJECTED,
    Action,
    Book,
    DocumentKind,
    FieldType,
    FormField,
    Numbering,
    OfficeConfig,
    Outcome,
    PermitType,
    Requirement,
    Role,
    Step,
    Wording,
)
from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.paths import (
    FlowGraph,
    format_duration,
    path_totals,
    service_total,
)
from desktop_perizinan.workflow.placeholders import (
    BUILTIN_PLACEHOLDERS,
    REJECTION_ONLY_PLACEHOLDERS,
    check_number_pattern,
    placeholder_names,
)
from desktop_perizinan.workflow.toml_lines import LineIndex
from desktop_perizinan.workflow.toml_lines import Path as KeyPath

__all__ = [
    "OFFICE_FILE",
    "FormFileError",
    "FormProblem",
    "FormSet",
    "load_forms",
    "load_office",
    "parse_office",
    "parse_permit_type",
    "path_totals",
    "service_total",
]

#: The office configuration inside a forms folder; every other ``_*.toml`` is ignored too.
OFFICE_FILE = "_kantor.toml"

CHANNELS = ("loket", "daring")
#: Initials on one document, drafter included when their role has a rank: more is a queue.
MAX_INITIALS = 3

_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_HOURS = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


# ====================================================================== problems


@dataclass(frozen=True)
class FormProblem:
    """One mistake in one file: where it is, what is wrong, how to fix it (all in Indonesian).

    ``line`` is 1-based; 0 means the file as a whole (a key that is missing, a file that
    cannot be read).
    """

    file: str
    line: int
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.file} baris {self.line}" if self.line > 0 else self.file
        text = f"{where}: {self.message}"
        return f"{text}. Perbaikan: {self.fix}" if self.fix else text


class FormFileError(UserError):
    """A form file that cannot be used; ``problems`` lists every mistake found in it."""

    def __init__(self, problems: Sequence[FormProblem]) -> None:
        self.problems: list[FormProblem] = list(problems)
        if not self.problems:
            summary = "berkas formulir tidak dapat dipakai"
        elif len(self.problems) == 1:
            summary = str(self.problems[0])
        else:
            summary = f"{self.problems[0]} (dan {len(self.problems) - 1} masalah lain)"
        super().__init__(summary)


@dataclass
class FormSet:
    """Everything a forms folder yields: the office, the permit types that are usable, and
    the problems of the files that are not (or not entirely)."""

    office: OfficeConfig | None
    types: dict[str, PermitType] = field(default_factory=dict)
    problems: list[FormProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# ====================================================================== reading helpers


def _describe(value: object) -> str:
    """The TOML kind of a parsed value, as an office editor would call it."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "bilangan bulat"
    if isinstance(value, float):
        return "bilangan desimal"
    if isinstance(value, str):
        return "teks"
    if isinstance(value, list):
        return "daftar [...]"
    if isinstance(value, dict):
        return "tabel"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return "tanggal/waktu"
    return type(value).__name__


def _choices(values: Iterable[str]) -> str:
    return ", ".join(values)


class _Reader:
    """Typed access to a parsed TOML document that records a problem instead of raising."""

    def __init__(self, file_name: str, text: str) -> None:
        self.file = file_name
        self.source = text
        self.lines = LineIndex(text)
        self.problems: list[FormProblem] = []
        self.warnings: list[str] = []
        self._raw_lines = text.splitlines()

    # ---------------------------------------------------------------- reporting

    def line(self, path: KeyPath) -> int:
        return self.lines.line_of(path)

    def problem(self, path: KeyPath | int, message: str, fix: str = "") -> None:
        line = path if isinstance(path, int) else self.line(path)
        self.problems.append(FormProblem(self.file, line, message, fix))

    def warn(self, path: KeyPath, message: str) -> None:
        line = self.line(path)
        where = f"{self.file} baris {line}" if line else self.file
        self.warnings.append(f"{where}: {message}")

    def line_containing(self, path: KeyPath, needle: str) -> int:
        """The line inside the value of ``path`` where ``needle`` is written.

        Long wording spans many lines; pointing at the line of ``{typo}`` itself saves the
        editor a search. Falls back to the key's own line.
        """
        start = self.lines.exact_line(path) or self.line(path)
        if start <= 0:
            return 0
        end = self.lines.next_line_after(start) or len(self._raw_lines) + 1
        for number in range(start, min(end, len(self._raw_lines) + 1)):
            if needle in self._raw_lines[number - 1]:
                return number
        return start

    # ---------------------------------------------------------------- typed getters

    def _wrong(self, path: KeyPath, key: str, value: object, expected: str, example: str) -> None:
        self.problem(
            path,
            f'"{key}" harus berupa {expected}, bukan {_describe(value)}',
            f"tulis misalnya {example}",
        )

    def _missing(self, where: KeyPath, key: str, example: str, what: str = "") -> None:
        label = f" pada {what}" if what else ""
        self.problem(where, f'kunci "{key}" wajib ada{label} tetapi tidak ditemukan', example)

    def text(
        self,
        table: Mapping[str, Any],
        where: KeyPath,
        key: str,
        *,
        required: bool = True,
        default: str = "",
        what: str = "",
        nonempty: bool = True,
    ) -> str | None:
        """A string value; ``None`` when it is missing (and required) or has the wrong type."""
        path = (*where, key)
        if key not in table:
            if required:
                self._missing(where, key, f'tambahkan baris {key} = "..."', what)
                return None
            return default
        value = table[key]
        if not isinstance(value, str):
            self._wrong(path, key, value, "teks dalam tanda kutip", f'{key} = "..."')
            return None
        if nonempty and required and not value.strip():
            self.problem(path, f'"{key}" tidak boleh kosong', f'isi {key} = "..."')
            return None
        return value

    def integer(
        self,
        table: Mapping[str, Any],
        where: KeyPath,
        key: str,
        *,
        required: bool = True,
        default: int = 0,
        what: str = "",
    ) -> int | None:
        path = (*where, key)
        if key not in table:
            if required:
                self._missing(where, key, f"tambahkan baris {key} = 1", what)
                return None
            return default
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong(path, key, value, "bilangan bulat tanpa tanda kutip", f"{key} = 1")
            return None
        return value

    def flag(
        self, table: Mapping[str, Any], where: KeyPath, key: str, *, default: bool
    ) -> bool | None:
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, bool):
            self._wrong((*where, key), key, value, "true atau false", f"{key} = true")
            return None
        return value

    def text_list(
        self, table: Mapping[str, Any], where: KeyPath, key: str, *, required: bool = False
    ) -> list[str] | None:
        path = (*where, key)
        if key not in table:
            if required:
                self._missing(where, key, f'tambahkan baris {key} = ["...", "..."]')
                return None
            return []
        value = table[key]
        if not isinstance(value, list):
            self._wrong(path, key, value, "daftar teks", f'{key} = ["...", "..."]')
            return None
        result: list[str] = []
        ok = True
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.problem(
                    (*path, index),
                    f'isi ke-{index + 1} dari "{key}" harus teks, bukan {_describe(item)}',
                    "apit setiap isi dengan tanda kutip",
                )
                ok = False
            else:
                result.append(item)
        return result if ok else None

    def table(
        self,
        table: Mapping[str, Any],
        where: KeyPath,
        key: str,
        *,
        required: bool = True,
        example: str = "",
    ) -> dict[str, Any] | None:
        path = (*where, key)
        if key not in table:
            if required:
                self._missing(where, key, example or f"tambahkan bagian [{key}]")
            return None
        value = table[key]
        if not isinstance(value, dict):
            self._wrong(path, key, value, "tabel", example or f"[{key}]")
            return None
        return value

    def table_list(
        self, table: Mapping[str, Any], where: KeyPath, key: str, *, required: bool
    ) -> list[dict[str, Any]] | None:
        """An array of tables (``[[key]]``); elements of the wrong kind are reported."""
        path = (*where, key)
        if key not in table:
            if required:
                self._missing(where, key, f"tambahkan bagian [[{key}]]")
                return None
            return []
        value = table[key]
        if not isinstance(value, list):
            self._wrong(path, key, value, f"daftar bagian [[{key}]]", f"[[{key}]]")
            return None
        result: list[dict[str, Any]] = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self._wrong((*path, index), key, item, f"bagian [[{key}]]", f"[[{key}]]")
            else:
                result.append(item)
        # Indexes must stay those of the file, or later problems would point at wrong lines.
        return result if len(result) == len(value) else None

    def unknown_keys(
        self, table: Mapping[str, Any], where: KeyPath, allowed: Sequence[str], what: str
    ) -> None:
        """A misspelt key would otherwise be silently ignored (and its default used)."""
        for key in table:
            if key not in allowed:
                self.problem(
                    (*where, key),
                    f'kunci "{key}" tidak dikenal pada {what}',
                    f"hapus atau perbaiki ejaannya; kunci yang dikenal: {_choices(allowed)}",
                )


def _parse_toml(text: str, file_name: str) -> dict[str, Any]:
    """``tomllib.loads`` with its error turned into an Indonesian problem with a line.

    ``tomllib`` parses nested arrays and inline tables recursively, so a value nested a few
    hundred levels deep (``[[[[...``) raises ``RecursionError`` instead of a TOML error; it is
    one bad file like any other, never a crash of ``forms check`` or of the app's start.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FormFileError([_syntax_problem(str(exc), text, file_name)]) from None
    except RecursionError:
        raise FormFileError(
            [
                FormProblem(
                    file_name,
                    0,
                    "berkas terlalu bertingkat: daftar [ ] atau tabel { } bersarang terlalu dalam",
                    "tulis daftar dan tabel paling banyak beberapa tingkat",
                )
            ]
        ) from None


_SYNTAX_HINTS: tuple[tuple[str, str, str], ...] = (
    (
        "Expected '=' after a key",
        'tanda "=" tidak ditemukan setelah nama kunci',
        'tulis kunci = nilai, misalnya name = "..."',
    ),
    (
        "Invalid value",
        "nilai tidak sah",
        'apit teks dengan tanda kutip ("..."), angka tanpa tanda kutip, true/false huruf kecil',
    ),
    (
        "Unterminated string",
        "teks tidak ditutup dengan tanda kutip",
        'tutup teks dengan tanda kutip yang sama; teks beberapa baris diapit """',
    ),
    (
        "Unclosed array",
        "daftar [ ... ] tidak ditutup",
        "tutup daftar dengan ] dan pisahkan isinya dengan koma",
    ),
    (
        "Unclosed inline table",
        "tabel { ... } tidak ditutup",
        "tulis seluruh tabel { ... } dalam satu baris dan tutup dengan }",
    ),
    (
        "Cannot overwrite a value",
        "kunci yang sama ditulis dua kali",
        "hapus salah satunya",
    ),
    (
        "Cannot declare",
        "bagian yang sama ditulis dua kali",
        "gabungkan kedua bagian itu; untuk daftar bagian gunakan [[...]]",
    ),
    (
        "Duplicate inline table key",
        "kunci yang sama ditulis dua kali di dalam { ... }",
        "hapus salah satunya",
    ),
    (
        "Expected newline or end of document",
        "setelah nilai masih ada tulisan lain pada baris yang sama",
        "satu kunci satu baris; awali catatan dengan #",
    ),
    (
        "Unescaped '\\'",
        "garis miring terbalik (\\) tidak sah di dalam teks",
        "tulis \\\\ atau apit teks dengan tanda kutip tunggal '...'",
    ),
    (
        "Illegal character '\\n'",
        "teks tidak ditutup dengan tanda kutip sebelum akhir baris",
        'tutup teks dengan tanda kutip; teks beberapa baris diapit """ ... """',
    ),
    (
        "Illegal character",
        "ada karakter yang tidak boleh dipakai di dalam teks",
        'teks beberapa baris harus diapit """ ... """',
    ),
    (
        "Invalid date or datetime",
        "tanggal tidak sah",
        'tulis tanggal sebagai teks "TTTT-BB-HH"',
    ),
)


def _syntax_problem(error: str, text: str, file_name: str) -> FormProblem:
    match = _TOML_POSITION.search(error)
    detail = error[: match.start()] if match else error
    if match and match.group(1):
        line, column = int(match.group(1)), int(match.group(2))
        where = f" (kolom {column})"
    else:
        # "At end of document": point at the last written line, not at the empty one after it.
        line, where = text.rstrip().count("\n") + 1, " (di akhir berkas)"
    for needle, message, fix in _SYNTAX_HINTS:
        if needle in detail:
            return FormProblem(file_name, line, f"penulisan TOML salah{where}: {message}", fix)
    return FormProblem(
        file_name,
        line,
        f"penulisan TOML salah{where}: {detail}",
        "periksa tanda kutip, tanda = dan kurung pada baris ini",
    )


# ====================================================================== office


def load_office(path: Path) -> OfficeConfig:
    """Read ``forms/_kantor.toml``: roles, working hours, days off and numbering books."""
    return parse_office(_read_text(path), path.name)


def _read_text(path: Path) -> str:
    """The file as text; a byte-order mark (Windows Notepad) is dropped."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise FormFileError(
            [FormProblem(path.name, 0, "berkas tidak ditemukan", f"buat berkas {path}")]
        ) from None
    except UnicodeDecodeError:
        raise FormFileError(
            [
                FormProblem(
                    path.name,
                    0,
                    "berkas bukan teks UTF-8",
                    "simpan ulang berkas dengan pengodean UTF-8",
                )
            ]
        ) from None
    except OSError as exc:
        raise FormFileError(
            [FormProblem(path.name, 0, f"berkas tidak dapat dibaca ({exc.strerror})", "")]
        ) from None


_OFFICE_KEYS = (
    "registration_book",
    "applicant_recorded_by",
    "roles",
    "hours",
    "days_off",
    "extra_workdays",
    "books",
)


def parse_office(text: str, file_name: str = OFFICE_FILE) -> OfficeConfig:
    """Parse and validate the office configuration; raise :class:`FormFileError`."""
    data = _parse_toml(text, file_name)
    r = _Reader(file_name, text)
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
            f"{_choices(books) or '(belum ada buku)'}",
        )
    recorder = r.text(data, (), "applicant_recorded_by", required=False, default="front_office")
    if recorder is not None and roles is not None:
        if recorder not in roles:
            r.problem(
                ("applicant_recorded_by",),
                f'peran "{recorder}" tidak dikenal',
                f"gunakan salah satu dari {_choices(roles)}",
            )
        elif recorder == APPLICANT_ROLE:
            r.problem(
                ("applicant_recorded_by",),
                "langkah pemohon harus dicatat oleh petugas, bukan oleh pemohon sendiri",
                'gunakan peran loket, misalnya "front_office"',
            )

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
    )


def _office_roles(r: _Reader, data: Mapping[str, Any]) -> dict[str, Role] | None:
    table = r.table(data, (), "roles", example='[roles] lalu kabid = { name = "Kabid", rank = 2 }')
    if table is None:
        return None
    roles: dict[str, Role] = {}
    ok = True
    for code, value in table.items():
        where: KeyPath = ("roles", code)
        if not _IDENT.match(code):
            r.problem(
                where,
                f'kode peran "{code}" tidak sah',
                "gunakan huruf kecil, angka dan garis bawah, diawali huruf",
            )
            ok = False
            continue
        if not isinstance(value, dict):
            r._wrong(where, code, value, "tabel", f'{code} = {{ name = "..." }}')
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


def _office_hours(r: _Reader, data: Mapping[str, Any]) -> dict[int, tuple[int, int] | None] | None:
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
    r: _Reader, data: Mapping[str, Any], key: str = "days_off"
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
        r._wrong(where, key, value, "daftar tanggal", 'days_off = ["2025-01-02"]')
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


def _office_books(r: _Reader, data: Mapping[str, Any]) -> dict[str, Book] | None:
    table = r.table(data, (), "books", example="[books.registrasi]")
    if table is None:
        return None
    books: dict[str, Book] = {}
    ok = True
    for code, value in table.items():
        where: KeyPath = ("books", code)
        if not _IDENT.match(code):
            r.problem(
                where,
                f'kode buku "{code}" tidak sah',
                "gunakan huruf kecil, angka dan garis bawah, diawali huruf",
            )
            ok = False
            continue
        if not isinstance(value, dict):
            r._wrong(where, code, value, "bagian [books.kode]", f"[books.{code}]")
            ok = False
            continue
        book = _read_book(r, value, where, code, f"[books.{code}]")
        if book is None:
            ok = False
            continue
        books[code] = Book(book.book, book.title, book.pattern, book.yearly)
    return books if ok else None


def _read_book(
    r: _Reader,
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


# ====================================================================== permit type

_TOP_KEYS = (
    "code",
    "name",
    "sop_number",
    "product",
    "fee",
    "channels",
    "legal_basis",
    "qualifications",
    "related",
    "equipment",
    "warnings",
    "records",
    "total",
    "numbering",
    "requirements",
    "fields",
    "wording",
    "steps",
)
_STEP_KEYS = (
    "id",
    "no",
    "name",
    "actor",
    "actor_label",
    "action",
    "document",
    "book",
    "inputs",
    "time",
    "output",
    "outcomes",
)
_FIELD_KEYS = ("key", "label", "type", "required", "choices", "help")
_REQUIREMENT_KEYS = ("code", "name", "mandatory", "renewal_only")
_WORDING_KEYS = ("permit_title", "permit_body", "rejection_subject", "rejection_body")
#: The SOP's identity block (key in the file -> PermitType field); all optional lists of text.
#: "warnings" in the file is the SOP's Peringatan; ``PermitType.warnings`` holds the loader's.
_HEADER_KEYS = {
    "qualifications": "qualifications",
    "related": "related",
    "equipment": "equipment",
    "warnings": "warnings_text",
    "records": "records",
}


def parse_permit_type(text: str, file_name: str, office: OfficeConfig) -> PermitType:
    """Parse and validate one permit-type file; raise :class:`FormFileError` with every problem.

    Depends only on its arguments, so a definition snapshot stored with a case re-parses to
    the same result years later.
    """
    data = _parse_toml(text, file_name)
    r = _Reader(file_name, text)
    r.unknown_keys(data, (), _TOP_KEYS, "jenis izin")

    code = r.text(data, (), "code")
    if code is not None and not _CODE.match(code):
        r.problem(
            ("code",),
            f'kode jenis izin "{code}" tidak sah',
            "gunakan huruf, angka, titik, garis bawah atau tanda minus, tanpa spasi; "
            'misalnya "PASURUAN-NIK-KESENIAN"',
        )
    name = r.text(data, (), "name")
    sop_number = r.text(data, (), "sop_number", required=False)
    product = r.text(data, (), "product")
    legal_basis = r.text_list(data, (), "legal_basis")
    header = _read_header(r, data)
    fee = _read_fee(r, data)
    channels = _read_channels(r, data)
    declared_total = _read_duration(r, data, (), "total", required=False)

    numbering_table = r.table(
        data, (), "numbering", example="tambahkan bagian [numbering] dengan book, title, pattern"
    )
    numbering: Numbering | None = None
    if numbering_table is not None:
        book_code = r.text(numbering_table, ("numbering",), "book", what="[numbering]")
        if book_code is not None and not _IDENT.match(book_code):
            r.problem(
                ("numbering", "book"),
                f'kode buku "{book_code}" tidak sah',
                "gunakan huruf kecil, angka dan garis bawah, diawali huruf",
            )
            book_code = None
        numbering = _read_book(
            r,
            numbering_table,
            ("numbering",),
            book_code or "",
            "[numbering]",
            ("book", "title", "pattern", "yearly"),
        )
        if book_code is None:
            numbering = None
        if numbering is not None:
            _check_numbering_against_office(r, numbering, office)

    requirements = _read_requirements(r, data)
    fields = _read_fields(r, data)
    wording = _read_wording(r, data, fields)
    read = _read_steps(r, data, office)
    steps = read.steps

    if read.shaped:
        _check_flow(r, steps)
    if read.shaped and read.complete:
        # Documents, ranks and times mean something only when every step is fully known.
        _check_documents(r, steps, office, numbering)
        if declared_total is not None:
            _check_declared_total(r, steps, declared_total)
        if fee is not None and fee > 0 and not any(s.action is Action.PAYMENT for s in steps):
            r.problem(
                ("fee",),
                f"biaya Rp {fee:,} ditetapkan tetapi tidak ada langkah pembayaran".replace(
                    ",", "."
                ),
                'tambahkan langkah dengan action = "pembayaran" (SKRD), atau tulis fee = 0',
            )

    if r.problems:
        raise FormFileError(r.problems)

    assert code is not None and name is not None and product is not None
    assert sop_number is not None and legal_basis is not None and fee is not None
    assert channels is not None and numbering is not None and wording is not None
    assert requirements is not None and fields is not None and steps
    steps = [_with_default_book(s, numbering) for s in steps]
    pt = PermitType(
        code=code,
        name=name.strip(),
        sop_number=sop_number.strip(),
        product=product.strip(),
        legal_basis=tuple(legal_basis),
        fee=fee,
        requirements=tuple(requirements),
        fields=tuple(fields),
        steps=tuple(steps),
        numbering=numbering,
        wording=wording,
        declared_total=declared_total,
        channels=tuple(channels),
        source_file=file_name,
        source_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source_text=text,
        warnings=tuple(r.warnings),
        qualifications=header["qualifications"],
        related=header["related"],
        equipment=header["equipment"],
        warnings_text=header["warnings_text"],
        records=header["records"],
    )
    return pt


def _check_declared_total(r: _Reader, steps: Sequence[Step], declared: Duration) -> None:
    """The SOP's stated total ("Jangka Waktu Pelayanan") must equal the sum of its steps."""
    computed = FlowGraph.from_steps(steps).longest_to_terminals().get(TARGET_ISSUED)
    if computed is None or computed == declared:
        return  # no way to "@terbit" is reported by the flow check
    r.problem(
        ("total",),
        f"jumlah waktu yang tertulis ({declared}) berbeda dengan jumlah waktu langkah-langkah "
        f'menuju "{TARGET_ISSUED}" ({computed}, yaitu {format_duration(computed)})',
        f'periksa waktu tiap langkah, atau ubah menjadi total = "{computed}"',
    )


def _with_default_book(step: Step, numbering: Numbering) -> Step:
    """A penomoran step without ``book`` numbers in the permit's own book: say so explicitly."""
    if step.action is Action.NUMBER and step.book is None:
        return replace(step, book=numbering.book)
    return step


def _read_header(r: _Reader, data: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """The optional lists of the SOP's identity block (kualifikasi pelaksana, keterkaitan,
    peralatan, peringatan, pencatatan), for the printed SOP matrix.

    Each is an array of strings; a blank entry is refused because it would print as an empty
    numbered line. A missing key is an empty list (an SOP that leaves the cell as "-").
    """
    header: dict[str, tuple[str, ...]] = {}
    for key, attribute in _HEADER_KEYS.items():
        items = r.text_list(data, (), key)
        if items is None:
            continue
        for index, item in enumerate(items):
            if not item.strip():
                r.problem(
                    (key, index),
                    f'isi ke-{index + 1} dari "{key}" kosong',
                    'hapus isi yang kosong; tulis [] bila SOP mengisi bagian ini dengan "-"',
                )
        header[attribute] = tuple(" ".join(item.split()) for item in items if item.strip())
    return header


def _read_fee(r: _Reader, data: Mapping[str, Any]) -> int | None:
    fee = r.integer(data, (), "fee")
    if fee is not None and fee < 0:
        r.problem(("fee",), f"biaya tidak boleh negatif ({fee})", "tulis fee = 0 bila gratis")
        return None
    return fee


def _read_channels(r: _Reader, data: Mapping[str, Any]) -> list[str] | None:
    channels = r.text_list(data, (), "channels")
    if channels is None:
        return None
    if "channels" not in data:
        return ["loket"]
    ok = True
    for index, channel in enumerate(channels):
        if channel not in CHANNELS:
            r.problem(
                ("channels", index),
                f'jalur pengajuan "{channel}" tidak dikenal',
                'gunakan "loket" dan/atau "daring", misalnya channels = ["daring", "loket"]',
            )
            ok = False
    if ok and not channels:
        r.problem(("channels",), "jalur pengajuan kosong", 'tulis channels = ["loket"]')
        ok = False
    if ok and len(set(channels)) != len(channels):
        r.problem(("channels",), "jalur pengajuan ditulis dua kali", "hapus yang ganda")
        ok = False
    return list(dict.fromkeys(channels)) if ok else None


def _read_duration(
    r: _Reader, table: Mapping[str, Any], where: KeyPath, key: str, *, required: bool
) -> Duration | None:
    text = r.text(table, where, key, required=required, default="")
    if not text:
        return None
    try:
        return Duration.parse(text)
    except ValueError as exc:
        r.problem((*where, key), str(exc), f'tulis {key} = "2 Jam" atau "3 Hari"')
        return None


def _check_numbering_against_office(r: _Reader, numbering: Numbering, office: OfficeConfig) -> None:
    """A permit's own book may reuse an office book's code only if it means the same book."""
    book = office.books.get(numbering.book)
    if book is not None and (book.pattern, book.yearly) != (numbering.pattern, numbering.yearly):
        r.problem(
            ("numbering", "book"),
            f'kode buku "{numbering.book}" sudah dipakai di {OFFICE_FILE} dengan pola '
            f'"{book.pattern}"',
            "pilih kode buku lain untuk izin ini, atau samakan pola dan yearly-nya",
        )


def _read_requirements(r: _Reader, data: Mapping[str, Any]) -> list[Requirement] | None:
    tables = r.table_list(data, (), "requirements", required=False)
    if tables is None:
        return None
    seen: set[str] = set()
    result: list[Requirement] = []
    ok = True
    for index, table in enumerate(tables):
        where: KeyPath = ("requirements", index)
        what = f"persyaratan ke-{index + 1}"
        r.unknown_keys(table, where, _REQUIREMENT_KEYS, what)
        code = r.text(table, where, "code", what=what)
        name = r.text(table, where, "name", what=what)
        mandatory = r.flag(table, where, "mandatory", default=True)
        renewal_only = r.flag(table, where, "renewal_only", default=False)
        if code is not None:
            if not _IDENT.match(code):
                r.problem(
                    (*where, "code"),
                    f'kode persyaratan "{code}" tidak sah',
                    "gunakan huruf kecil, angka dan garis bawah, diawali huruf",
                )
                code = None
            elif code in seen:
                r.problem(
                    (*where, "code"),
                    f'kode persyaratan "{code}" dipakai dua kali',
                    "beri setiap persyaratan kode yang berbeda",
                )
                code = None
            else:
                seen.add(code)
        if code is None or name is None or mandatory is None or renewal_only is None:
            ok = False
            continue
        result.append(Requirement(code, name.strip(), mandatory, renewal_only))
    return result if ok else None


def _read_fields(r: _Reader, data: Mapping[str, Any]) -> list[FormField] | None:
    tables = r.table_list(data, (), "fields", required=False)
    if tables is None:
        return None
    seen: set[str] = set()
    result: list[FormField] = []
    ok = True
    types = [t.value for t in FieldType]
    for index, table in enumerate(tables):
        where: KeyPath = ("fields", index)
        what = f"isian ke-{index + 1}"
        r.unknown_keys(table, where, _FIELD_KEYS, what)
        key = r.text(table, where, "key", what=what)
        label = r.text(table, where, "label", what=what)
        type_text = r.text(table, where, "type", what=what)
        required = r.flag(table, where, "required", default=True)
        choices = r.text_list(table, where, "choices")
        help_text = r.text(table, where, "help", required=False)
        if key is not None:
            if not _IDENT.match(key):
                r.problem(
                    (*where, "key"),
                    f'kunci isian "{key}" tidak sah',
                    "gunakan huruf kecil, angka dan garis bawah, diawali huruf "
                    "(kunci ini dipakai sebagai {isian} pada teks surat)",
                )
                key = None
            elif key in BUILTIN_PLACEHOLDERS or key in REJECTION_ONLY_PLACEHOLDERS:
                r.problem(
                    (*where, "key"),
                    f'kunci isian "{key}" sudah dipakai aplikasi (isian bawaan)',
                    "pilih nama lain, misalnya dengan akhiran jenis izin",
                )
                key = None
            elif key in seen:
                r.problem(
                    (*where, "key"),
                    f'kunci isian "{key}" dipakai dua kali',
                    "beri setiap isian kunci yang berbeda",
                )
                key = None
            else:
                seen.add(key)
        field_type: FieldType | None = None
        if type_text is not None:
            try:
                field_type = FieldType(type_text)
            except ValueError:
                r.problem(
                    (*where, "type"),
                    f'jenis isian "{type_text}" tidak dikenal',
                    f"gunakan salah satu dari {_choices(types)}",
                )
        if field_type is FieldType.CHOICE and choices is not None and not choices:
            r.problem(
                (*where, "choices") if "choices" in table else (*where, "type"),
                "isian pilihan (choice) tidak punya daftar pilihan",
                'tambahkan choices = ["Pilihan 1", "Pilihan 2"]',
            )
            choices = None
        elif choices and field_type is not None and field_type is not FieldType.CHOICE:
            r.warn((*where, "choices"), f'choices diabaikan karena jenis isian "{field_type}"')
        if choices is not None and len(set(choices)) != len(choices):
            r.problem((*where, "choices"), "ada pilihan yang ditulis dua kali", "hapus yang ganda")
            choices = None
        if None in (key, label, field_type, required, choices, help_text):
            ok = False
            continue
        assert key is not None and label is not None and field_type is not None
        assert required is not None and choices is not None and help_text is not None
        result.append(FormField(key, label, field_type, required, tuple(choices), help_text))
    return result if ok else None


def _read_wording(
    r: _Reader, data: Mapping[str, Any], fields: Sequence[FormField] | None
) -> Wording | None:
    table = r.table(
        data, (), "wording", example="tambahkan bagian [wording] dengan " + ", ".join(_WORDING_KEYS)
    )
    if table is None:
        return None
    r.unknown_keys(table, ("wording",), _WORDING_KEYS, "[wording]")
    texts: dict[str, str] = {}
    for key in _WORDING_KEYS:
        value = r.text(table, ("wording",), key, what="[wording]")
        if value is not None:
            texts[key] = value
    if fields is not None:
        provided = BUILTIN_PLACEHOLDERS | {f.key for f in fields}
        for key, value in texts.items():
            allowed = provided | REJECTION_ONLY_PLACEHOLDERS if "rejection" in key else provided
            _check_placeholders(r, ("wording", key), value, allowed, fields)
    if len(texts) != len(_WORDING_KEYS):
        return None
    return Wording(**texts)


def _check_placeholders(
    r: _Reader,
    path: KeyPath,
    text: str,
    allowed: frozenset[str] | set[str],
    fields: Sequence[FormField],
) -> None:
    try:
        names = placeholder_names(text)
    except ValueError as exc:
        r.problem(path, str(exc), "periksa kurung kurawal pada teks ini")
        return
    optional = {f.key for f in fields if not f.required}
    for name, spec in names:
        line = r.line_containing(path, "{" + name)
        if spec:
            # The letters are filled with plain text; a format spec would fail at print time.
            r.problem(
                line,
                f'isian "{{{name}:{spec}}}" pada {path[-1]} memakai format',
                f'tulis {{{name}}} saja, tanpa ":{spec}"',
            )
            continue
        if name in optional:
            r.warn(
                path,
                f'{path[-1]} memakai isian "{{{name}}}" yang tidak wajib diisi; surat tidak dapat '
                "dicetak bila isian itu kosong",
            )
        if name in allowed:
            continue
        if name in REJECTION_ONLY_PLACEHOLDERS:
            r.problem(
                line,
                f'isian "{{{name}}}" hanya tersedia pada surat penolakan',
                f'hapus "{{{name}}}" dari {path[-1]}',
            )
            continue
        keys = [f.key for f in fields] + sorted(BUILTIN_PLACEHOLDERS)
        r.problem(
            line,
            f'isian "{{{name}}}" pada {path[-1]} tidak disediakan oleh isian mana pun',
            f'tambahkan [[fields]] dengan key = "{name}", atau gunakan salah satu dari '
            f"{_choices(keys)}",
        )


@dataclass
class _Steps:
    """The steps as far as they could be read.

    ``steps`` holds every step that has an id and outcomes, with stand-ins for fields that
    were wrong, so that the flow can still be checked (and its problems reported in the same
    run) while, say, one actor is misspelt. ``complete`` says no stand-in was needed.
    """

    steps: list[Step]
    shaped: bool  # every step has an id and outcomes: the graph is the file's graph
    complete: bool  # every field of every step is valid


def _read_steps(r: _Reader, data: Mapping[str, Any], office: OfficeConfig) -> _Steps:
    tables = r.table_list(data, (), "steps", required=True)
    if tables is None:
        return _Steps([], shaped=False, complete=False)
    if not tables:
        r.problem(("steps",), "belum ada langkah", "tambahkan bagian [[steps]]")
        return _Steps([], shaped=False, complete=False)
    result = _Steps([], shaped=True, complete=True)
    seen_ids: set[str] = set()
    seen_numbers: dict[int, str] = {}
    for index, table in enumerate(tables):
        step, complete = _read_step(r, table, index, office, seen_ids)
        if step is None:
            result.shaped = result.complete = False
            continue
        result.complete = result.complete and complete
        if complete and step.no in seen_numbers:
            r.warn(
                ("steps", index, "no"),
                f'nomor langkah {step.no} juga dipakai langkah "{seen_numbers[step.no]}"',
            )
        seen_numbers.setdefault(step.no, step.id)
        result.steps.append(step)
    if result.shaped:
        _check_targets(r, result.steps)
    return result


def _read_step(
    r: _Reader, table: Mapping[str, Any], index: int, office: OfficeConfig, seen_ids: set[str]
) -> tuple[Step | None, bool]:
    """One step and whether all of it was valid; ``None`` without a usable id or outcomes."""
    where: KeyPath = ("steps", index)
    what = f"langkah ke-{index + 1}"
    r.unknown_keys(table, where, _STEP_KEYS, what)
    step_id = r.text(table, where, "id", what=what)
    if step_id is not None:
        if not _IDENT.match(step_id):
            r.problem(
                (*where, "id"),
                f'id langkah "{step_id}" tidak sah',
                "gunakan huruf kecil, angka dan garis bawah, diawali huruf",
            )
            step_id = None
        elif step_id in seen_ids:
            r.problem(
                (*where, "id"),
                f'id langkah "{step_id}" dipakai dua kali',
                "beri setiap langkah id yang berbeda",
            )
            step_id = None
        else:
            seen_ids.add(step_id)
        what = f'langkah "{step_id}"' if step_id else what
    no = r.integer(table, where, "no", what=what)
    name = r.text(table, where, "name", what=what)
    actor = r.text(table, where, "actor", what=what)
    if actor is not None and actor not in office.roles:
        r.problem(
            (*where, "actor"),
            f'peran "{actor}" tidak dikenal',
            f"gunakan salah satu dari {_choices(office.roles)} (lihat {OFFICE_FILE})",
        )
        actor = None
    actor_label = r.text(table, where, "actor_label", required=False)
    action_text = r.text(table, where, "action", what=what)
    action: Action | None = None
    if action_text is not None:
        try:
            action = Action(action_text)
        except ValueError:
            r.problem(
                (*where, "action"),
                f'jenis kegiatan "{action_text}" tidak dikenal',
                f"gunakan salah satu dari {_choices(a.value for a in Action)}",
            )
    time_text = r.text(table, where, "time", what=what)
    time: Duration | None = None
    if time_text is not None:
        try:
            time = Duration.parse(time_text)
        except ValueError as exc:
            r.problem((*where, "time"), str(exc), 'tulis misalnya time = "2 Jam"')
    inputs = r.text(table, where, "inputs", required=False)
    output = r.text(table, where, "output", required=False)
    document = _read_document(r, table, where, action)
    book = r.text(table, where, "book", required=False, default="") or None
    if book is not None and action is not None and action is not Action.NUMBER:
        r.warn((*where, "book"), 'book diabaikan karena langkah ini bukan "penomoran"')
        book = None
    outcomes = _read_outcomes(r, table, where, what)

    values = (step_id, no, name, actor, actor_label, action, time, time_text, inputs, output)
    complete = all(v is not None for v in values) and document is not False
    if step_id is None or outcomes is None:
        return None, False
    return (
        Step(
            id=step_id,
            no=no if no is not None else index + 1,
            name=(name or "").strip(),
            actor=actor or "",
            action=action or Action.PROCESS,
            time=time or Duration(),
            time_text=(time_text or "").strip(),
            outcomes=tuple(outcomes),
            inputs=(inputs or "").strip(),
            output=(output or "").strip(),
            actor_label=(actor_label or "").strip(),
            document=document if isinstance(document, DocumentKind) else None,
            book=book,
            line=r.line(where),
        ),
        complete,
    )


def _read_document(
    r: _Reader, table: Mapping[str, Any], where: KeyPath, action: Action | None
) -> DocumentKind | bool | None:
    """The document a step works on; ``False`` when that is a problem (already reported)."""
    kinds = _choices(f'"{k.value}"' for k in DocumentKind)
    text = r.text(table, where, "document", required=False, default="")
    if text is None:
        return False
    if not text:
        if action in DOCUMENT_ACTIONS:
            r.problem(
                (*where, "action"),
                f'langkah "{action}" harus menyebut dokumen yang dikerjakan',
                f"tambahkan document = {kinds}",
            )
            return False
        return None
    try:
        kind = DocumentKind(text)
    except ValueError:
        r.problem((*where, "document"), f'dokumen "{text}" tidak dikenal', f"gunakan {kinds}")
        return False
    if action is not None and action not in DOCUMENT_ACTIONS:
        r.warn((*where, "document"), f'document diabaikan pada langkah "{action}"')
        return None
    return kind


def _read_outcomes(
    r: _Reader, table: Mapping[str, Any], where: KeyPath, what: str
) -> list[Outcome] | None:
    example = 'outcomes = { selesai = "id_langkah_berikut" }'
    if "outcomes" not in table:
        r.problem(where, f"{what} tidak punya hasil (outcomes)", f"tambahkan {example}")
        return None
    value = table["outcomes"]
    path = (*where, "outcomes")
    if not isinstance(value, dict):
        r._wrong(path, "outcomes", value, "tabel { hasil = tujuan }", example)
        return None
    if not value:
        r.problem(path, f"{what} tidak punya hasil (outcomes kosong)", f"tulis {example}")
        return None
    outcomes: list[Outcome] = []
    ok = True
    for code, target in value.items():
        here = (*path, code)
        if not _IDENT.match(code):
            r.problem(
                here,
                f'nama hasil "{code}" tidak sah',
                "gunakan huruf kecil, angka dan garis bawah, misalnya setuju, tidak_lengkap",
            )
            ok = False
        elif not isinstance(target, str):
            r._wrong(here, code, target, "teks (id langkah tujuan)", f'{code} = "id_langkah"')
            ok = False
        else:
            outcomes.append(Outcome(code, target.strip(), r.line(here)))
    return outcomes if ok else None


# ---------------------------------------------------------------------- flow checks


def _step_path(steps: Sequence[Step], step_id: str, *rest: str) -> KeyPath:
    index = next(i for i, s in enumerate(steps) if s.id == step_id)
    return ("steps", index, *rest)


def _check_targets(r: _Reader, steps: Sequence[Step]) -> None:
    ids = [s.id for s in steps]
    known = set(ids)
    for index, step in enumerate(steps):
        for outcome in step.outcomes:
            if outcome.target in known or outcome.target in SPECIAL_TARGETS:
                continue
            sample = ", ".join(f'"{i}"' for i in ids[:4])
            r.problem(
                ("steps", index, "outcomes", outcome.code),
                f'hasil "{outcome.code}" menuju "{outcome.target}" yang tidak ada '
                "(tidak menuju ke mana pun)",
                f"gunakan id langkah yang ada (misalnya {sample}) atau "
                f'"{TARGET_ISSUED}", "{TARGET_REJECTED}", "@pemohon"',
            )


def _check_flow(r: _Reader, steps: Sequence[Step]) -> None:
    """Every step reachable, no dead end, and a way to "@terbit"."""
    graph = FlowGraph.from_steps(steps)
    reachable = graph.reachable_from_start()
    finishing = graph.can_finish()
    first = steps[0]
    for index, step in enumerate(steps):
        if step.id not in reachable:
            r.problem(
                ("steps", index),
                f'langkah "{step.id}" (no {step.no}) tidak dapat dicapai dari langkah pertama '
                f'"{first.id}"',
                f'arahkan salah satu hasil (outcomes) langkah lain ke "{step.id}", '
                "atau hapus langkah ini",
            )
        elif step.id not in finishing:
            r.problem(
                ("steps", index),
                f'dari langkah "{step.id}" (no {step.no}) berkas tidak pernah sampai ke '
                f'"{TARGET_ISSUED}" atau "{TARGET_REJECTED}" (buntu)',
                "arahkan salah satu hasilnya ke langkah berikut, ke "
                f'"{TARGET_ISSUED}" atau ke "{TARGET_REJECTED}"',
            )
    if TARGET_ISSUED not in graph.longest_to_terminals():
        r.problem(
            ("steps", 0),
            f'tidak ada jalur dari langkah pertama "{first.id}" menuju "{TARGET_ISSUED}": '
            "izin tidak akan pernah terbit",
            f'arahkan hasil langkah terakhir cabang izin ke "{TARGET_ISSUED}"',
        )


def _check_documents(
    r: _Reader, steps: Sequence[Step], office: OfficeConfig, numbering: Numbering | None
) -> None:
    """Drafts exist before they are initialled, signed and numbered; books exist; initials
    go up the ranks; the permit cannot be issued without a number."""
    drafted = {s.document for s in steps if s.action is Action.DRAFT}
    reported: set[DocumentKind] = set()
    for index, step in enumerate(steps):
        doc = step.document
        if doc is None or step.action is Action.DRAFT or doc in drafted or doc in reported:
            continue
        reported.add(doc)
        r.problem(
            ("steps", index, "document"),
            f'dokumen "{doc}" dipakai langkah "{step.id}" tetapi tidak ada langkah draf untuk '
            "dokumen itu",
            f'tambahkan langkah action = "draf" dengan document = "{doc}" sebelum langkah ini',
        )
    for doc in sorted(drafted - {None}, key=str):
        if not any(s.action is Action.SIGN and s.document == doc for s in steps):
            r.warn(
                _step_path(
                    steps,
                    next(s.id for s in steps if s.document == doc and s.action is Action.DRAFT),
                ),
                f'dokumen "{doc}" dibuat drafnya tetapi tidak ada langkah tanda_tangan',
            )

    allowed_books = set(office.books) | ({numbering.book} if numbering else set())
    for index, step in enumerate(steps):
        if step.action is not Action.NUMBER or step.book is None:
            continue
        if step.book not in allowed_books:
            r.problem(
                ("steps", index, "book"),
                f'buku "{step.book}" tidak dikenal',
                f"gunakan buku izin ini ({numbering.book if numbering else '-'}) atau buku kantor: "
                f"{_choices(office.books)}",
            )
    for index, step in enumerate(steps):
        if (
            step.action is Action.NUMBER
            and step.document is DocumentKind.REJECTION
            and (step.book is None or (numbering is not None and step.book == numbering.book))
        ):
            r.warn(
                ("steps", index),
                "surat penolakan akan dinomori di buku izin; biasanya memakai buku surat keluar "
                f"kantor (tambahkan book = salah satu dari {_choices(office.books)})",
            )

    _check_numbered_before_issue(r, steps)
    _check_paraf_chains(r, steps, office)


def _check_numbered_before_issue(r: _Reader, steps: Sequence[Step]) -> None:
    """Every way to "@terbit" passes a penomoran of the permit: no permit without a number."""
    by_id = {s.id: s for s in steps}

    def numbers_permit(step: Step) -> bool:
        return step.action is Action.NUMBER and step.document is DocumentKind.PERMIT

    start = steps[0]
    if numbers_permit(start):
        return
    seen = {start.id}
    stack = [start]
    while stack:
        step = stack.pop()
        for outcome in step.outcomes:
            if outcome.target == TARGET_ISSUED:
                index = steps.index(step)
                r.problem(
                    ("steps", index, "outcomes", outcome.code),
                    f'hasil "{outcome.code}" langkah "{step.id}" menerbitkan izin yang belum '
                    "diberi nomor",
                    'tambahkan langkah action = "penomoran" dengan document = "izin" '
                    f'sebelum "{TARGET_ISSUED}"',
                )
                continue
            nxt = by_id.get(outcome.target)
            if nxt is not None and nxt.id not in seen and not numbers_permit(nxt):
                seen.add(nxt.id)
                stack.append(nxt)


def _check_paraf_chains(r: _Reader, steps: Sequence[Step], office: OfficeConfig) -> None:
    """Initials on a document go strictly up the ranks, at most three of them on any path.

    The drafter counts as the first initial when their role has a rank (a Kasi who drafts
    also initials). Only forward edges are followed: a "kembalikan" loop starts the same
    chain again, it does not lengthen it.
    """
    graph = FlowGraph.from_steps(steps)
    by_id = {s.id: s for s in steps}
    index_of = {s.id: i for i, s in enumerate(steps)}

    def rank(step: Step) -> int:
        role = office.roles.get(step.actor)
        return role.rank if role else 0

    for index, step in enumerate(steps):
        if step.action is Action.PARAF and rank(step) <= 0:
            r.problem(
                ("steps", index, "actor"),
                f'peran "{step.actor}" tidak punya rank sehingga tidak dapat memaraf',
                f"beri peran ini rank di {OFFICE_FILE}, atau pilih peran pemaraf lain",
            )

    def is_initial(step: Step, doc: DocumentKind) -> bool:
        if step.document is not doc:
            return False
        if step.action is Action.PARAF:
            return True
        return step.action is Action.DRAFT and rank(step) > 0

    order = graph.topological()
    for doc in DocumentKind:
        initials = [s for s in steps if is_initial(s, doc)]
        if not initials:
            continue
        # The last initial before each step, and the longest chain of initials so far.
        last: dict[str, list[Step]] = {sid: [] for sid in order}
        count: dict[str, int] = {sid: 0 for sid in order}
        reported: set[str] = set()
        for sid in order:
            step = by_id[sid]
            if is_initial(step, doc):
                for before in last[sid]:
                    if rank(before) >= rank(step) and sid not in reported:
                        reported.add(sid)
                        r.problem(
                            ("steps", index_of[sid], "actor"),
                            f'urutan paraf "{doc}" salah: "{step.actor}" (rank {rank(step)}) '
                            f'memaraf setelah "{before.actor}" (rank {rank(before)})',
                            "urutkan paraf dari rank kecil ke rank besar (lihat rank di "
                            f"{OFFICE_FILE})",
                        )
                count[sid] += 1
                if count[sid] > MAX_INITIALS and sid not in reported:
                    reported.add(sid)
                    r.problem(
                        ("steps", index_of[sid], "actor"),
                        f'terlalu banyak paraf pada dokumen "{doc}": langkah "{sid}" adalah '
                        f"paraf ke-{count[sid]} (paling banyak {MAX_INITIALS}, termasuk "
                        "pembuat draf yang punya rank)",
                        "kurangi langkah paraf",
                    )
                carried = [step]
            else:
                carried = last[sid]
            for nxt in graph.forward(sid):
                if nxt not in count:
                    continue
                count[nxt] = max(count[nxt], count[sid])
                for item in carried:
                    if item not in last[nxt]:
                        last[nxt].append(item)


# ====================================================================== folder


def load_forms(directory: Path) -> FormSet:
    """Load the office configuration and every permit type in ``directory``.

    A broken file contributes its problems and is skipped; the others still load. Without a
    usable ``_kantor.toml`` no permit type can be validated (roles and books live there), so
    each of them gets a problem saying so.
    """
    result = FormSet(office=None)
    if not directory.is_dir():
        result.problems.append(
            FormProblem(
                str(directory),
                0,
                "folder formulir tidak ditemukan",
                "periksa lokasi folder forms/ pada pengaturan",
            )
        )
        return result
    try:
        result.office = load_office(directory / OFFICE_FILE)
    except FormFileError as exc:
        result.problems.extend(exc.problems)

    files = sorted(
        (p for p in directory.glob("*.toml") if p.is_file() and not p.name.startswith("_")),
        key=lambda p: p.name,
    )
    books: dict[str, tuple[Numbering, str]] = {}
    for path in files:
        if result.office is None:
            result.problems.append(
                FormProblem(
                    path.name,
                    0,
                    f"jenis izin ini tidak dapat diperiksa karena {OFFICE_FILE} tidak ada atau "
                    "rusak",
                    f"perbaiki {OFFICE_FILE} terlebih dahulu",
                )
            )
            continue
        try:
            text = _read_text(path)
            pt = parse_permit_type(text, path.name, result.office)
        except FormFileError as exc:
            result.problems.extend(exc.problems)
            continue
        lines = LineIndex(text)
        other = result.types.get(pt.code)
        if other is not None:
            result.problems.append(
                FormProblem(
                    path.name,
                    lines.line_of(("code",)),
                    f'kode jenis izin "{pt.code}" sudah dipakai oleh {other.source_file}',
                    "beri setiap jenis izin kode yang berbeda",
                )
            )
            continue
        shared = books.get(pt.numbering.book)
        if shared is not None and (shared[0].pattern, shared[0].yearly) != (
            pt.numbering.pattern,
            pt.numbering.yearly,
        ):
            result.problems.append(
                FormProblem(
                    path.name,
                    lines.line_of(("numbering", "book")),
                    f'buku "{pt.numbering.book}" juga dipakai {shared[1]} dengan pola '
                    f'"{shared[0].pattern}"',
                    "pilih kode buku lain, atau samakan pola dan yearly-nya",
                )
            )
            continue
        books.setdefault(pt.numbering.book, (pt.numbering, path.name))
        result.types[pt.code] = pt
    return result
