"""Reading the cells of an old Excel ledger: numbers, dates written every way a clerk writes
them ("5-1-24", "05 Jan. 2024", a real Excel date), the book's numbering pattern as a regular
expression, and a first guess of which column is which. Pure functions, apart from the import
service (``ledger_import``) so each can be read and tested on its own."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

_MONTHS_ID = {
    "januari": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2,
    "maret": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12,
}  # fmt: skip
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_WORDED_DATE = re.compile(r"^(\d{1,2})[\s\-/.]+([A-Za-z]+)\.?[\s\-/.,]+(\d{2}|\d{4})$")

#: Words in a header that suggest which column is which (lower case, first match wins).
HEADER_HINTS: dict[str, tuple[str, ...]] = {
    "number": ("nomor surat", "no. surat", "no surat", "nomor", "no."),
    "date": ("tanggal", "tgl"),
    "subject": ("perihal", "hal", "isi ringkas", "uraian"),
    "addressee": ("kepada", "tujuan", "dikirim", "pemohon", "alamat"),
    "seq": ("urut", "no. agenda", "agenda"),
}


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A regular expression that reads a number written with a book's pattern.

    ``503/{urut:03}/DPMPTSPK/{tahun}`` reads ``503/012/DPMPTSPK/2019`` and ``503/12/...`` alike
    (an old ledger is not always padded); the year must have four digits.
    """
    parts: list[str] = []
    seen: set[str] = set()
    groups = {
        "urut": r"\d+",
        "tahun": r"\d{4}",
        "bulan": r"\d{1,2}",
        "bulan_romawi": "|".join(sorted(_ROMAN, key=len, reverse=True)),
    }
    for literal, name, _spec, _conversion in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if name is None:
            continue
        if name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            parts.append(f"(?P<{name}>{groups.get(name, '.+?')})")
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE)


def normalise_number(value: Any) -> str:
    """The number as text: spaces around "/" dropped, runs of spaces made one, a whole float
    from Excel (12.0) written as 12."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return re.sub(r"\s*/\s*", "/", text)


def parse_ledger_date(value: Any) -> date | None:
    """A date as ledgers write it; ``None`` for an empty cell, ``ValueError`` when unreadable.

    Real Excel dates, Excel serial numbers, ``15-03-2019``, ``15/3/19``, ``2019-03-15`` and
    ``15 Maret 2019`` (or ``15 Mar 2019``) are read; day first, as Indonesian offices write.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's range of serial dates
            from openpyxl.utils.datetime import from_excel

            converted = from_excel(value)
            if isinstance(converted, datetime):
                return converted.date()
            if isinstance(converted, date):
                return converted
        raise ValueError(str(value))
    text = " ".join(str(value).split())
    if not text:
        return None
    match = _ISO_DATE.match(text)
    if match:
        return _real_date(int(match[1]), int(match[2]), int(match[3]), text)
    match = _NUMERIC_DATE.match(text)
    if match:
        return _real_date(_full_year(match[3]), int(match[2]), int(match[1]), text)
    match = _WORDED_DATE.match(text)
    if match:
        month = _MONTHS_ID.get(match[2].lower())
        if month is None:
            raise ValueError(text)
        return _real_date(_full_year(match[3]), month, int(match[1]), text)
    raise ValueError(text)


class NotOnTheCalendar(ValueError):
    """A date written in a known way that does not exist (31-02-2025, 15-13-2025)."""


def _real_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise NotOnTheCalendar(text) from None


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def cell_text(value: Any) -> str:
    """A cell as the clerk sees it in the preview (dates day-first, 12.0 as 12)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float) and value.is_integer():
        return int(value) if value > 0 else None
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() and int(text) > 0 else None


def guess_mapping(headers: Sequence[str]) -> dict[str, int | None]:
    """A first guess of the mapping from the header texts (the clerk corrects it)."""
    lowered = [h.lower().strip() for h in headers]
    taken: set[int] = set()
    guess: dict[str, int | None] = {}
    # The sequence first: "No. Urut" must not be taken for the number column.
    for key in ("seq", "date", "subject", "addressee", "number"):
        guess[key] = None
        for hint in HEADER_HINTS[key]:
            found = next((i for i, h in enumerate(lowered) if hint in h and i not in taken), None)
            if found is not None:
                guess[key] = found
                taken.add(found)
                break
    return guess
