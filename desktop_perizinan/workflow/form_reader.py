"""Reading a form file: typed access to parsed TOML that records an Indonesian problem
(with the line) instead of raising, and TOML syntax errors explained.

Shared by the office file, the permit-type sections and the steps.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from desktop_perizinan.workflow.form_problems import FormFileError, FormProblem
from desktop_perizinan.workflow.toml_lines import LineIndex
from desktop_perizinan.workflow.toml_lines import Path as KeyPath

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def describe(value: object) -> str:
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


def join_choices(values: Iterable[str]) -> str:
    return ", ".join(values)


class Reader:
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

    def wrong(self, path: KeyPath, key: str, value: object, expected: str, example: str) -> None:
        self.problem(
            path,
            f'"{key}" harus berupa {expected}, bukan {describe(value)}',
            f"tulis misalnya {example}",
        )

    def missing(self, where: KeyPath, key: str, example: str, what: str = "") -> None:
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
                self.missing(where, key, f'tambahkan baris {key} = "..."', what)
                return None
            return default
        value = table[key]
        if not isinstance(value, str):
            self.wrong(path, key, value, "teks dalam tanda kutip", f'{key} = "..."')
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
                self.missing(where, key, f"tambahkan baris {key} = 1", what)
                return None
            return default
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.wrong(path, key, value, "bilangan bulat tanpa tanda kutip", f"{key} = 1")
            return None
        return value

    def flag(
        self, table: Mapping[str, Any], where: KeyPath, key: str, *, default: bool
    ) -> bool | None:
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, bool):
            self.wrong((*where, key), key, value, "true atau false", f"{key} = true")
            return None
        return value

    def text_list(
        self, table: Mapping[str, Any], where: KeyPath, key: str, *, required: bool = False
    ) -> list[str] | None:
        path = (*where, key)
        if key not in table:
            if required:
                self.missing(where, key, f'tambahkan baris {key} = ["...", "..."]')
                return None
            return []
        value = table[key]
        if not isinstance(value, list):
            self.wrong(path, key, value, "daftar teks", f'{key} = ["...", "..."]')
            return None
        result: list[str] = []
        ok = True
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.problem(
                    (*path, index),
                    f'isi ke-{index + 1} dari "{key}" harus teks, bukan {describe(item)}',
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
                self.missing(where, key, example or f"tambahkan bagian [{key}]")
            return None
        value = table[key]
        if not isinstance(value, dict):
            self.wrong(path, key, value, "tabel", example or f"[{key}]")
            return None
        return value

    def table_list(
        self, table: Mapping[str, Any], where: KeyPath, key: str, *, required: bool
    ) -> list[dict[str, Any]] | None:
        """An array of tables (``[[key]]``); elements of the wrong kind are reported."""
        path = (*where, key)
        if key not in table:
            if required:
                self.missing(where, key, f"tambahkan bagian [[{key}]]")
                return None
            return []
        value = table[key]
        if not isinstance(value, list):
            self.wrong(path, key, value, f"daftar bagian [[{key}]]", f"[[{key}]]")
            return None
        result: list[dict[str, Any]] = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self.wrong((*path, index), key, item, f"bagian [[{key}]]", f"[[{key}]]")
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
                    f"hapus atau perbaiki ejaannya; kunci yang dikenal: {join_choices(allowed)}",
                )


def parse_toml(text: str, file_name: str) -> dict[str, Any]:
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


def read_text(path: Path) -> str:
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
