"""A lazy table model over every case: pages on demand, the total counted separately.

At 200,000 cases nothing may load "all rows". The model holds the rows fetched so far; Qt asks
``canFetchMore``/``fetchMore`` as the user scrolls near the end and gets the next page
(``CaseSearch.search_page``, one indexed query). The total for the label is counted off the GUI
thread (``ui.worker``), because a count over a broad filter may take longer than a page and the
table must paint first. While the clerk types, the count waits for a pause; a newer filter
cancels a count waiting or still running for an older one (and results are matched by
generation, so a late one is ignored anyway).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from desktop_perizinan.services.case_search import CaseFilters, CaseRow, CaseSearch, SortKey
from desktop_perizinan.ui.theme import color
from desktop_perizinan.ui.widgets.formatting import short_datetime
from desktop_perizinan.ui.worker import run_in_background

Index = QModelIndex | QPersistentModelIndex
PAGE = 100  # about four screens of rows; more arrive as the user scrolls
#: The background count stops after this many hits: "lebih dari 5.000" is all a clerk needs
#: of a broad search, and counting 200,000 rows per keystroke competed for the cores.
COUNT_CAP = 5000
#: Filters changing less than this many seconds apart: the clerk is typing.
TYPING_GAP = 1.0
#: ...and then the count waits this long after the page for the typing to pause.
COUNT_DELAY_MS = 300

#: (title, text of a row, sort keys (ascending, descending) or None when not sortable)
COLUMNS: tuple[tuple[str, Any, tuple[SortKey, SortKey] | None], ...] = (
    ("No. registrasi", lambda r: r.reference, None),
    ("Pemohon", lambda r: r.applicant_name, None),
    ("NIK", lambda r: r.applicant_nik, None),
    ("Jenis izin", lambda r: r.permit_name, None),
    ("Status", lambda r: r.status.label, None),
    ("Langkah sekarang", lambda r: f"{r.step_no}. {r.step_name}", None),
    ("Diterima", lambda r: short_datetime(r.received_at), ("received_asc", "received_desc")),
    ("Tenggat layanan", lambda r: short_datetime(r.due_at), ("due_asc", "due_desc")),
    ("Nomor izin", lambda r: r.permit_number or "", None),
)
STEP_COLUMN = 5
RECEIVED_COLUMN = 6


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_USER = int(Qt.ItemDataRole.UserRole)


def format_count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class CaseTableModel(QAbstractTableModel):
    """Cases matching ``filters``, newest first by default (see the module docstring)."""

    #: The total for the current filters is known (``None``: being counted).
    count_changed = Signal(object)

    def __init__(
        self, search: CaseSearch, parent: QWidget | None = None, *, page: int = PAGE
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._page = page
        self._rows: list[CaseRow] = []
        #: Display texts per row, made on first paint of the row: a repaint asks for every
        #: cell's data several times, and at 200,000 cases the table must not format twice.
        self._texts: dict[int, tuple[str, ...]] = {}
        self._late_color = color("error")
        self._filters = CaseFilters()
        self._exhausted = True
        self._generation = 0
        self.total: int | None = None
        #: The count stops here; ``total_capped`` says "more than ``total``" (issue 14).
        self.count_cap = COUNT_CAP
        self.total_capped = False
        #: While typing (filters changing less than ``TYPING_GAP`` apart) the count waits
        #: this long for a pause; a newer filter cancels it, waiting or running.
        self.count_delay_ms = COUNT_DELAY_MS
        self._changed_at = -TYPING_GAP
        self._count_stop: threading.Event | None = None
        self._said_counting = False
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.timeout.connect(self._start_count)

    # ---------------------------------------------------------------- filters

    @property
    def filters(self) -> CaseFilters:
        return self._filters

    def set_filters(self, filters: CaseFilters, *, count: bool = True) -> None:
        """Show the first page for ``filters`` at once; count the total in the background.

        The rows are replaced by removing the old ones and inserting the new, not by a model
        reset: a reset makes the header re-create its sections at their default width and the
        columns be fitted again, which cost a second full repaint per keystroke (issue 14).
        The view therefore keeps its scroll position; the screen puts it back to the top."""
        first = self._search.search_page(filters, 0, self._page)
        self._filters = filters
        self._late_color = color("error")  # the palette may have changed (dark scheme)
        self._exhausted = len(first) < self._page
        self._replace_rows(first)
        self._generation += 1
        self._count_timer.stop()
        self._cancel_count()
        typing = time.monotonic() - self._changed_at < TYPING_GAP
        self._changed_at = time.monotonic()
        if self._exhausted:
            self._set_total(self._generation, len(first))
        elif count:
            self.total, self.total_capped = None, False
            if not self._said_counting:  # once per count, not once per letter typed
                self._said_counting = True
                self.count_changed.emit(None)
            # While the clerk types, wait for a pause: a count for every prefix would only
            # compete with the next keystroke's page for the cores (issue 14).
            self._count_timer.start(self.count_delay_ms if typing else 0)

    def _start_count(self) -> None:
        generation, filters, cap = self._generation, self._filters, self.count_cap
        search, stop = self._search, threading.Event()
        self._count_stop = stop
        self.count_task = run_in_background(
            lambda: search.count(filters, cap=cap, cancelled=stop.is_set),
            on_success=lambda n: self._set_total(generation, -1 if n is None else n),
            on_failure=lambda _exc: self._set_total(generation, -1),
        )

    def _cancel_count(self) -> None:
        """Stop a count still running for older filters (its result would be ignored)."""
        if self._count_stop is not None:
            self._count_stop.set()
            self._count_stop = None

    def _replace_rows(self, rows: list[CaseRow]) -> None:
        # Remove and insert rather than emit dataChanged for the rows kept: the signals come
        # from Qt's side, and in PySide6 6.12 every ``signal.emit()`` made from Python drops a
        # reference to ``True`` (which, like None, is not immortal before Python 3.12).
        self._texts = {}
        if self._rows:
            self.beginRemoveRows(QModelIndex(), 0, len(self._rows) - 1)
            self._rows = []
            self.endRemoveRows()
        if rows:
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self._rows = list(rows)
            self.endInsertRows()

    def refresh(self) -> None:
        self.set_filters(self._filters)

    def _set_total(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return  # an older filter's count
        self._said_counting = False
        self.total_capped = total > self.count_cap
        self.total = None if total < 0 else min(total, self.count_cap)
        self.count_changed.emit(self.total)

    def row(self, number: int) -> CaseRow:
        return self._rows[number]

    def text(self, number: int, column: int) -> str:
        """What cell (``number``, ``column``) shows; for the delegate, without a QVariant."""
        texts = self._texts.get(number)
        if texts is None:
            row = self._rows[number]
            texts = self._texts[number] = tuple(text(row) for _t, text, _s in COLUMNS)
        return texts[column]

    def text_color(self, number: int, column: int) -> QColor | None:
        """The cell's own text colour (a late step in red), or None for the palette's."""
        if column == STEP_COLUMN and self._rows[number].overdue:
            return self._late_color
        return None

    # ---------------------------------------------------------------- lazy loading

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        more = self._search.search_page(self._filters, len(self._rows), self._page)
        if len(more) < self._page:
            self._exhausted = True
        if not more:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    # ---------------------------------------------------------------- QAbstractTableModel
    # No ``flags()`` here: QAbstractTableModel's own gives enabled and selectable (and "never
    # has children"), without a call into Python twice per painted cell.

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        # Asked about seven roles per painted cell (~1,500 calls per repaint): the display
        # text comes from the per-row cache and the other roles return as early as they can.
        number, column = index.row(), index.column()
        if not 0 <= number < len(self._rows) or not 0 <= column < len(COLUMNS):
            return None  # an invalid index has row -1
        if role == _DISPLAY:
            return self.text(number, column)
        if column != STEP_COLUMN and role != _USER:
            return None
        row = self._rows[number]
        if role == _FOREGROUND:
            return self._late_color if row.overdue else None
        if role == _TOOLTIP:
            if row.step_due_at is None:
                return None
            late = "terlambat, " if row.overdue else ""
            return f"Langkah ini {late}tenggat {short_datetime(row.step_due_at)}"
        if role == _USER:
            return row.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if 0 <= section < len(COLUMNS):
            return COLUMNS[section][0]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted by the database (only the indexed columns: received, due)."""
        if not 0 <= column < len(COLUMNS) or COLUMNS[column][2] is None:
            return
        ascending, descending = COLUMNS[column][2]
        key = ascending if order == Qt.SortOrder.AscendingOrder else descending
        if key != self._filters.sort:
            from dataclasses import replace

            self.set_filters(replace(self._filters, sort=key))

    @staticmethod
    def sortable(column: int) -> bool:
        return 0 <= column < len(COLUMNS) and COLUMNS[column][2] is not None
