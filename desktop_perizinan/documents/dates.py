"""Indonesian dates as letters print them: "22 November 2026", "Minggu, 22 November 2026".

Written out by hand rather than through ``locale``: the id_ID locale is often missing on the
office PCs, and ``setlocale`` is process-wide, which a Qt app with worker threads cannot afford.
"""

from __future__ import annotations

from datetime import date, datetime

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

#: Monday first, as ``date.weekday()`` counts.
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def month_name(month: int) -> str:
    """``month_name(11) == "November"``."""
    return MONTHS[month - 1]


def roman_month(month: int) -> str:
    """The month in Roman numerals, as used in letter numbers: ``roman_month(11) == "XI"``."""
    return ROMAN_MONTHS[month - 1]


def day_name(d: date) -> str:
    """``day_name(date(2026, 11, 22)) == "Minggu"``."""
    return DAYS[d.weekday()]


def format_date(d: date, *, with_day: bool = False) -> str:
    """ "22 November 2026", or "Minggu, 22 November 2026" with ``with_day``.

    A ``datetime`` is accepted and its time ignored.
    """
    text = f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    return f"{day_name(d)}, {text}" if with_day else text


def format_date_numeric(d: date) -> str:
    """ "22-11-2026": for narrow columns (thermal receipts, tables)."""
    return f"{d.day:02d}-{d.month:02d}-{d.year}"


def format_time(dt: datetime) -> str:
    """ "10.42": Indonesian writes the hour and minute with a dot."""
    return f"{dt.hour:02d}.{dt.minute:02d}"


def format_datetime(dt: datetime, *, with_day: bool = False, zone: str = "WIB") -> str:
    """ "22 November 2026 pukul 10.42 WIB"; ``zone=""`` leaves the time-zone label out."""
    text = f"{format_date(dt, with_day=with_day)} pukul {format_time(dt)}"
    return f"{text} {zone}" if zone else text
