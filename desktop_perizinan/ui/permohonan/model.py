"""A lazy table model over every case: pages on demand, the total counted separately.

At 200,000 cases nothing may load "all rows". The model holds the rows fetched so far; Qt asks
``canFetchMore``/``fetchMore`` as the user scrolls near the end and gets the next page
(``CaseSearch.search_page``, one indexed query). The total for the label is counted off the GUI
thread (``ui.worker``), because a count over a broad filter may take longer than a page and the
table must paint first. A newer filter makes any count still running for an older one moot
(results are matched by generation).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
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

    # ---------------------------------------------------------------- filters

    @property
    def filters(self) -> CaseFilters:
        return self._filters

    def set_filters(self, filters: CaseFilters, *, count: bool = True) -> None:
        """Show the first page for ``filters`` at once; count the total in the background."""
        first = self._search.search_page(filters, 0, self._page)
        self.beginResetModel()
        self._filters = filters
        self._rows = first
        self._texts = {}
        self._late_color = color("error")  # the palette may have changed (dark scheme)
        self._exhausted = len(first) < self._page
        self.endResetModel()
        self._generation += 1
        if self._exhausted:
            self._set_total(self._generation, len(first))
        elif count:
            self.total = None
            self.count_changed.emit(None)
            generation = self._generation
            search = self._search
            cap = self.count_cap
            self.count_task = run_in_background(
                lambda: search.count(filters, cap=cap),
                on_success=lambda n: self._set_total(generation, n),
                on_failure=lambda _exc: self._set_total(generation, -1),
            )

    def refresh(self) -> None:
        self.set_filters(self._filters)

    def _set_total(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return  # an older filter's count
        self.total_capped = total > self.count_cap
        self.total = None if total < 0 else min(total, self.count_cap)
        self.count_changed.emit(self.total)

    def row(self, number: int) -> CaseRow:
        return self._rows[number]

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

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(COLUMNS):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            texts = self._texts.get(index.row())
            if texts is None:
                texts = self._texts[index.row()] = tuple(text(row) for _t, text, _s in COLUMNS)
            return texts[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and row.overdue and index.column() == STEP_COLUMN:
            return self._late_color
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == STEP_COLUMN:
            if row.step_due_at is None:
                return None
            late = "terlambat, " if row.overdue else ""
            return f"Langkah ini {late}tenggat {short_datetime(row.step_due_at)}"
        if role == Qt.ItemDataRole.UserRole:
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

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

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
