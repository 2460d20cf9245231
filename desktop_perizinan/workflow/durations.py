"""Time standards as the SOPs write them: "15 Menit", "2 Jam", "3 Hari", "8 Hari 90 menit".

Days and minutes are kept apart on purpose: a working day is not a fixed number of minutes
(Friday is longer), and the SOPs state totals as "8 Hari 90 menit", not as 8.2 days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNIT_MINUTES = {"menit": 1, "jam": 60}
_PART = re.compile(r"(\d+)\s*(hari|jam|menit)", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Duration:
    """A time standard: whole working days plus working minutes."""

    days: int = 0
    minutes: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Read "2 Jam", "1 hari", "8 Hari 90 menit"; raise ``ValueError`` in Indonesian."""
        cleaned = text.strip()
        if not cleaned:
            raise ValueError('waktu kosong; tulis misalnya "15 Menit", "2 Jam" atau "3 Hari"')
        days = minutes = 0
        pos = 0
        for match in _PART.finditer(cleaned):
            if cleaned[pos : match.start()].strip(" ,+dan"):
                break
            amount, unit = int(match.group(1)), match.group(2).lower()
            if unit == "hari":
                days += amount
            else:
                minutes += amount * _UNIT_MINUTES[unit]
            pos = match.end()
        if pos == 0 or cleaned[pos:].strip():
            raise ValueError(
                f'waktu "{text}" tidak terbaca; tulis misalnya "15 Menit", "2 Jam", '
                '"3 Hari" atau "8 Hari 90 Menit"'
            )
        return cls(days, minutes)

    def __add__(self, other: Duration) -> Duration:
        return Duration(self.days + other.days, self.minutes + other.minutes)

    def is_zero(self) -> bool:
        """A "0 Hari" step: due within the same working day (see ``WorkCalendar.add``)."""
        return self.days == 0 and self.minutes == 0

    def __str__(self) -> str:
        parts: list[str] = []
        if self.days:
            parts.append(f"{self.days} Hari")
        if self.minutes:
            if not self.days and self.minutes % 60 == 0:
                parts.append(f"{self.minutes // 60} Jam")
            else:
                parts.append(f"{self.minutes} Menit")
        return " ".join(parts) or "0 Menit"
