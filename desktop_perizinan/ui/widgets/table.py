"""A read-only table of plain rows (the dataclasses the queries return), and its two views.

One model class for every table on the screens: a list of ``Column`` descriptions says what
each column shows and how (colour, struck through, bold, width), so a screen never subclasses
``QAbstractTableModel`` itself. Two views over it, because two kinds of list exist:

* :class:`RowsView` for the short lists (tasks, users, permit types): a sorting and filtering
  proxy (by the real value, not the text), columns fitted to their contents;
* :class:`SpecTableView` for the books and reports: no proxy, because a book keeps its own
  order (the sequence) and sorting 100,000 rows through Python comparisons would freeze the
  screen; uniform row heights; each column at its given width.

Both fit their columns to the window when it is narrow (a 1366×768 or 1024×700 office
screen), so a table never opens with a horizontal scrollbar it does not need.
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
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from desktop_perizinan.ui.widgets.fit_columns import fit_to_viewport

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex

#: The role holding the value the proxy sorts by.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: its title, the text of a row, and how the row is drawn in it."""

    title: str
    text: Callable[[T], str]
    sort_key: Callable[[T], Any] | None = None
    align_right: bool = False
    color: Callable[[T], QColor | None] | None = None
    tooltip: Callable[[T], str] | None = None
    #: Takes the width left over (the long text of a row: a step's name, a permit type).
    stretch: bool = False
    #: Initial width in pixels in a :class:`SpecTableView` (the user may drag it).
    width: int = 120
    #: A voided number in a book: struck through.
    strike: Callable[[T], bool] | None = None
    #: A total row: bold.
    bold: Callable[[T], bool] | None = None
    #: In a :class:`SpecTableView`, at least as wide as its widest text among the first rows.
    fit: bool = False


#: The books' and reports' name for the same thing.
Col = Column


class RowsModel(QAbstractTableModel, Generic[T]):
    """Rows of one dataclass type, shown through ``columns``; replaced wholesale on refresh."""

    def __init__(self, columns: Sequence[Column[T]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: tuple[Column[T], ...] = tuple(columns)
        self._rows: list[T] = []

    # ---------------------------------------------------------------- data in and out

    def set_columns(self, columns: Sequence[Column[T]], rows: Sequence[T] = ()) -> None:
        """Another report in the same table: new columns and their rows at once."""
        self.beginResetModel()
        self._columns = tuple(columns)
        self._rows = list(rows)
        self.endResetModel()

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
            return column.tooltip(row) if column.tooltip else column.text(row) or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column.align_right else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column.color is not None:
            return column.color(row)
        if role == Qt.ItemDataRole.FontRole and (column.strike or column.bold):
            strike = bool(column.strike and column.strike(row))
            bold = bool(column.bold and column.bold(row))
            if strike or bold:
                font = QFont()
                font.setStrikeOut(strike)
                font.setBold(bold)
                return font
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
        fit_to_viewport(self)

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
        fit_to_viewport(self)
        self._select_first_if_none()

    def _select_first_if_none(self) -> None:
        if self.proxy.rowCount() and not self.currentIndex().isValid():
            self.setCurrentIndex(self.proxy.index(0, 0))


#: The books' and reports' name for the same model.
SpecTableModel = RowsModel
#: Rows looked at to fit a column to its text.
FIT_SAMPLE = 500


class SpecTableView(QTableView):
    """A read-only, row-selecting view over a :class:`RowsModel` with the columns' widths, in
    the model's own order (no sorting proxy: see the module docstring)."""

    def __init__(self, model: RowsModel[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = model
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        # Uniform row heights: a 100,000-row book scrolls without measuring every row.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        model.modelReset.connect(self.apply_widths)
        self.apply_widths()

    def apply_widths(self) -> None:
        """Each column at its width; a ``stretch`` column takes what is left, so the last
        column (the reason of a voided number) is never pushed out of sight."""
        header = self.horizontalHeader()
        columns = self.source.columns
        stretching = any(col.stretch for col in columns)
        header.setStretchLastSection(not stretching)
        for number, col in enumerate(columns):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if col.stretch
                else QHeaderView.ResizeMode.Interactive
            )
            header.setSectionResizeMode(number, mode)
            if not col.stretch:
                header.resizeSection(number, self._fitted(col) if col.fit else col.width)
        fit_to_viewport(self)

    def _fitted(self, col: Column[Any]) -> int:
        """Wide enough for the longest text among the first rows (a permit book's numbers are
        longer than the outgoing letters'), never narrower than the spec, at most 420 px."""
        rows = self.source.rows()[:FIT_SAMPLE]
        if not rows:
            return col.width
        metrics = self.fontMetrics()
        widest = max(metrics.horizontalAdvance(col.text(row)) for row in rows) + 16
        return max(col.width, min(widest, 420))

    def current_row(self) -> Any | None:
        index = self.currentIndex()
        if not index.isValid():
            return None
        return self.source.row(index.row())
