"""A read-only table of plain rows (the dataclasses the queries return), and its view.

One model class for every list on the screens: a list of ``Column`` descriptions says what each
column shows, so a screen never subclasses ``QAbstractTableModel`` itself and every list behaves
the same (sorting by the real value, not the text; Enter opens the row; filter as you type).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex

#: The role holding the value the proxy sorts by.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column(Generic[T]):
    title: str
    text: Callable[[T], str]
    sort_key: Callable[[T], Any] | None = None
    align_right: bool = False
    color: Callable[[T], QColor | None] | None = None
    tooltip: Callable[[T], str] | None = None
    #: Takes the width left over (the long text of a row: a step's name, a permit type).
    stretch: bool = False


class RowsModel(QAbstractTableModel, Generic[T]):
    """Rows of one dataclass type, shown through ``columns``; replaced wholesale on refresh."""

    def __init__(self, columns: Sequence[Column[T]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: list[T] = []

    # ---------------------------------------------------------------- data in and out

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[T]:
        return list(self._rows)

    @property
    def columns(self) -> tuple[Column[T], ...]:
        return self._columns

    def row(self, number: int) -> T:
        return self._rows[number]

    # ---------------------------------------------------------------- QAbstractTableModel

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self._columns):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SORT_ROLE:
            key = column.sort_key(row) if column.sort_key else column.text(row)
            return _sortable(key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(row) if column.tooltip else column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column.align_right else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column.color is not None:
            return column.color(row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section].title
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _sortable(key: Any) -> Any:
    """Qt compares variants of one type: turn dates into sortable text, None into ''."""
    if key is None:
        return ""
    if isinstance(key, datetime):
        return key.isoformat()
    return key


class RowsView(QTableView):
    """A sortable, filterable, read-only table over a :class:`RowsModel`.

    ``current_row()`` gives the dataclass under the cursor whatever the sorting; Enter or a
    double click emits ``activated`` (the screen opens the row).
    """

    def __init__(self, model: RowsModel[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setModel(self.proxy)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        # Keep the services' order (most urgent first) until the user clicks a header.
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        stretching = [i for i, column in enumerate(model.columns) if column.stretch]
        header.setStretchLastSection(not stretching)
        for column in stretching:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        model.modelReset.connect(self._after_reset)

    def set_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._select_first_if_none()

    def current_row(self) -> Any | None:
        index = self.currentIndex()
        if not index.isValid():
            return None
        source = self.proxy.mapToSource(index)
        return self.source.row(source.row())

    def _after_reset(self) -> None:
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        for column in range(self.proxy.columnCount()):
            if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Interactive:
                header.resizeSection(column, min(header.sectionSize(column) + 16, 320))
        self._select_first_if_none()

    def _select_first_if_none(self) -> None:
        if self.proxy.rowCount() and not self.currentIndex().isValid():
            self.setCurrentIndex(self.proxy.index(0, 0))
