"""Working time left on a step, as text and colour, and a label that keeps it current.

Counted in *working* minutes (office hours, weekends and holidays left out) by the office's
calendar, the same way the due time was computed, so "sisa 2 jam" on Friday at 15:00 for a
step due Monday at 09:00 is right. The colours come from ``ui.theme`` and are chosen for the
palette in use, so the red of an overdue step stays readable in a dark scheme.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from desktop_perizinan.services.app import Services
from desktop_perizinan.ui.theme import color, set_role
from desktop_perizinan.workflow.calendar import WorkCalendar

#: How often countdowns on screen are recomputed.
TICK_MS = 30_000
#: Under this many working minutes left a step is shown as "almost due".
SOON_MINUTES = 60


def remaining_minutes(calendar: WorkCalendar, now: datetime, due: datetime) -> int:
    """Working minutes left until ``due`` (negative: how late, at least one minute)."""
    if due >= now:
        return calendar.working_minutes_between(now, due)
    return -max(1, calendar.working_minutes_between(due, now))


def countdown_text(calendar: WorkCalendar, minutes: int) -> str:
    if minutes < 0:
        return f"Terlambat {calendar.format_working_minutes(-minutes)}"
    return f"Sisa {calendar.format_working_minutes(minutes)}"


def late_text(calendar: WorkCalendar, minutes: int | None) -> str:
    """For a finished step: "tepat waktu" or how late it was, in working time."""
    if minutes is None:
        return ""
    if minutes <= 0:
        return "Tepat waktu"
    return f"Terlambat {calendar.format_working_minutes(minutes)}"


def urgency(minutes: int) -> str:
    """ "error" (overdue), "warning" (due within the hour) or "" (plenty of time)."""
    if minutes < 0:
        return "error"
    if minutes < SOON_MINUTES:
        return "warning"
    return ""


def urgency_color(minutes: int) -> QColor | None:
    kind = urgency(minutes)
    return color(kind) if kind else None


class CountdownLabel(QLabel):
    """ "Sisa 1 hari 2 jam" / "Terlambat 35 menit", coloured, refreshed every half minute."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._due: datetime | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.update_text)

    def set_due(self, due: datetime | None) -> None:
        self._due = due
        self.update_text()
        if due is None:
            self._timer.stop()
        else:
            self._timer.start()

    def update_text(self) -> None:
        if self._due is None:
            self.clear()
            return
        calendar = self._services.calendar
        minutes = remaining_minutes(calendar, self._services.now(), self._due)
        self.setText(countdown_text(calendar, minutes))
        set_role(self, urgency(minutes) or "hint")
