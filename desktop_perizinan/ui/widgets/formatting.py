"""Short texts for tables and labels: dates, working time left, sizes."""

from __future__ import annotations

from datetime import date, datetime

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def short_date(value: date | None) -> str:
    if value is None:
        return ""
    return f"{value.day:02d} {_MONTHS[value.month - 1]} {value.year}"


def short_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{short_date(value)} {value:%H:%M}"


def duration_text(minutes: int) -> str:
    """Working minutes as "2 j 30 m" (hours of the office's day, not of the clock)."""
    minutes = abs(minutes)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} j {rest} m"
    if hours:
        return f"{hours} j"
    return f"{rest} m"


def remaining_text(minutes: int) -> str:
    """Working time left on a step, or how late it is."""
    if minutes < 0:
        return f"terlambat {duration_text(minutes)}"
    return f"sisa {duration_text(minutes)}"


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1048576:.1f} MB".replace(".", ",")
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"
