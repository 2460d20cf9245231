"""The timeline of a case: every step with its actor, start, due time, finish, outcome and how
late it was, in working time. Withdrawal and reopening show as the notes of the steps they
closed or opened, so nothing done to a case is missing from it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QWidget

from desktop_perizinan.services.app import Services
from desktop_perizinan.services.queries import TimelineRow
from desktop_perizinan.ui.common.countdown import (
    countdown_text,
    late_text,
    remaining_minutes,
    urgency_color,
)
from desktop_perizinan.ui.theme import color
from desktop_perizinan.ui.widgets.formatting import short_datetime
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView
from desktop_perizinan.workflow.definition import OUTCOME_LABELS


@dataclass(frozen=True)
class TimelineItem:
    order: int
    row: TimelineRow


def outcome_label(code: str | None) -> str:
    if not code:
        return ""
    return OUTCOME_LABELS.get(code, code.replace("_", " ").capitalize())


class TimelineTable(RowsView):
    """Read-only table of a case's step records, in the order they happened."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        self._services = services
        model: RowsModel[TimelineItem] = RowsModel(self._columns())
        super().__init__(model, parent)
        model.setParent(self)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def set_rows(self, rows: tuple[TimelineRow, ...]) -> None:
        self.source.set_rows([TimelineItem(i, r) for i, r in enumerate(rows)])

    def _punctuality(self, item: TimelineItem) -> str:
        r = item.row
        calendar = self._services.calendar
        if r.done_at is not None:
            return late_text(calendar, r.late_minutes)
        minutes = remaining_minutes(calendar, self._services.now(), r.due_at)
        return countdown_text(calendar, minutes)

    def _punctuality_color(self, item: TimelineItem) -> QColor | None:
        r = item.row
        if r.done_at is not None:
            return color("error") if (r.late_minutes or 0) > 0 else None
        return urgency_color(
            remaining_minutes(self._services.calendar, self._services.now(), r.due_at)
        )

    def _columns(self) -> list[Column[TimelineItem]]:
        return [
            Column(
                "No.", lambda i: str(i.row.step_no), sort_key=lambda i: i.order, align_right=True
            ),
            Column("Langkah", lambda i: i.row.name),
            Column("Pelaksana", lambda i: i.row.role),
            Column("Waktu baku", lambda i: i.row.standard),
            Column("Mulai", lambda i: short_datetime(i.row.started_at), lambda i: i.row.started_at),
            Column("Tenggat", lambda i: short_datetime(i.row.due_at), lambda i: i.row.due_at),
            Column(
                "Selesai",
                lambda i: short_datetime(i.row.done_at) if i.row.done_at else "sedang berjalan",
                lambda i: i.row.done_at,
            ),
            Column("Oleh", lambda i: i.row.done_by or ""),
            Column("Hasil", lambda i: outcome_label(i.row.outcome)),
            Column(
                "Ketepatan",
                self._punctuality,
                lambda i: i.row.late_minutes,
                color=self._punctuality_color,
            ),
            Column("Catatan", lambda i: i.row.note or "", tooltip=lambda i: i.row.note or ""),
        ]
