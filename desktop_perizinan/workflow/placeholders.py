"""The ``{placeholders}`` of permit wording and of numbering patterns.

The loader checks every placeholder against what will exist when the letter is printed or the
number is taken, so that a typo such as ``{nama_lembga}`` is caught when the file is loaded and
not on the day a permit is printed with a hole in it. The documents and the numbering code use
the same lists, so what passes the check is exactly what can be filled in.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping

#: Always available in the permit and rejection wording (filled from the case and the office).
BUILTIN_PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "nama_pemohon",
        "nik_pemohon",
        "alamat_pemohon",
        "telepon_pemohon",
        "nomor",
        "nomor_registrasi",
        "tanggal",
        "tanggal_permohonan",
        "jenis_izin",
        "nama_kantor",
        "kabupaten",
    }
)

#: Only in the rejection letter: the reason typed by whoever chose the rejecting outcome.
REJECTION_ONLY_PLACEHOLDERS: frozenset[str] = frozenset({"alasan"})

#: What a numbering pattern may contain; ``urut`` (the counter) is mandatory.
NUMBERING_PLACEHOLDERS: frozenset[str] = frozenset({"urut", "tahun", "bulan", "bulan_romawi"})

#: The longest number a pattern may give: ``permohonan.reg_number`` is VARCHAR(80) (agenda
#: and permit numbers are 120), and any book may be chosen as the registration book.
MAX_NUMBER_LENGTH = 80
#: The counter a pattern is tried with: room for five-digit counters.
_SAMPLE_SEQUENCE = 99_999

_ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_FORMATTER = string.Formatter()
#: The format-spec mini-language: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_FORMAT_SPEC = re.compile(
    r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d+))?[a-zA-Z%]?",
    re.DOTALL,
)


def placeholder_names(text: str) -> list[tuple[str, str]]:
    """The ``(name, format_spec)`` pairs in ``text``, in order; ``{{`` and ``}}`` are literal.

    Raises ``ValueError`` with an Indonesian message when braces do not pair up, because
    ``str.format`` would fail on the same text at print time.
    """
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise ValueError(
            "kurung kurawal { } tidak berpasangan; tulis {{ atau }} untuk kurung kurawal biasa"
        ) from exc
    names: list[tuple[str, str]] = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name == "" or not name.isidentifier() or conversion:
            shown = name + (f"!{conversion}" if conversion else "")
            raise ValueError(
                f'isian "{{{shown}}}" tidak sah; nama isian hanya huruf kecil, angka dan '
                "garis bawah"
            )
        names.append((name, spec or ""))
    return names


def number_values(sequence: int, when: dt.date) -> dict[str, object]:
    """The values a numbering pattern is filled with for counter ``sequence`` on ``when``."""
    return {
        "urut": sequence,
        "tahun": when.year,
        "bulan": when.month,
        "bulan_romawi": _ROMAN_MONTHS[when.month - 1],
    }


def format_number(pattern: str, sequence: int, when: dt.date) -> str:
    """Fill a book pattern such as ``503/{urut:03}/DPMPTSPK/{tahun}`` for one number."""
    return pattern.format_map(number_values(sequence, when))


def check_number_pattern(pattern: str) -> str | None:
    """Why ``pattern`` cannot number documents, in Indonesian; ``None`` when it is fine.

    Besides the placeholders, its numbers must fit the database column
    (:data:`MAX_NUMBER_LENGTH`): a longer one loads fine and then fails, raw, at the desk that
    takes the number (PostgreSQL) or is written whole into the agenda book (SQLite).
    """
    try:
        names = placeholder_names(pattern)
    except ValueError as exc:
        return str(exc)
    unknown = sorted({name for name, _spec in names} - NUMBERING_PLACEHOLDERS)
    if unknown:
        listed = ", ".join("{" + name + "}" for name in unknown)
        return f"pola nomor memuat isian yang tidak dikenal: {listed}"
    if not any(name == "urut" for name, _spec in names):
        return "pola nomor tidak memuat {urut} (nomor urut)"
    invalid = "format isian pada pola nomor tidak sah (contoh yang benar: {urut:04})"
    too_long = (
        f"nomor yang dihasilkan pola ini bisa lebih dari {MAX_NUMBER_LENGTH} karakter (batas "
        "panjang nomor); pendekkan pola atau lebar isiannya"
    )
    # Widths and precisions first, without formatting: '{urut:>100000000}' would build a
    # 100 MB string just to be measured (and a huge digit string cannot even be an int).
    for _name, spec in names:
        match = _FORMAT_SPEC.fullmatch(spec)
        if match is None:
            return invalid
        for digits in (match["width"], match["precision"]):
            significant = (digits or "").lstrip("0")
            if len(significant) > 3 or int(significant or 0) > MAX_NUMBER_LENGTH:
                return too_long
    try:
        longest = max(
            len(format_number(pattern, _SAMPLE_SEQUENCE, dt.date(2024, month, 1)))
            for month in (8, 12)  # the longest month in Roman numerals (VIII) and in digits
        )
    except (ValueError, TypeError, KeyError, IndexError):
        return invalid
    if longest > MAX_NUMBER_LENGTH:
        return f"{too_long} (contoh: {longest} karakter)"
    return None


def fill(text: str, values: Mapping[str, object]) -> str:
    """Fill wording placeholders; a missing value is left visible as ``{name}``, never a crash.

    Printing must not fail on a case whose optional field was left empty, and a visible
    ``{name}`` on a draft is easy to spot at paraf time.
    """

    class _Keep(dict[str, object]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return _FORMATTER.vformat(text, (), _Keep(values))
