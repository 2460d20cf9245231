"""A read-only table model for the books and the reports, described by column specs.

Why not the shared ``widgets.table.RowsModel``: the books need what it does not do — a voided
number struck through and greyed with its reason in the tooltip, a bold total row — and a book
must keep its own order (the sequence), so there is no sorting proxy: sorting 100,000 rows in
Python comparisons would freeze the screen for seconds. Everything else (plain dataclass rows,
replaced wholesale) is the same idea.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Col(Generic[T]):
    """One column: its title, the text of a row, and how the row is drawn in it."""

    title: str
    text: Callable[[T], str]
    width: int = 120  # initial width in pixels (the user may drag it)
    align_right: bool = False
    color: Callable[[T], QColor | None] | None = None
    strike: Callable[[T], bool] | None = None
    bold: Callable[[T], bool] | None = None
    tooltip: Callable[[T], str] | None = None
    stretch: bool = False  # takes the room left over (the long text column)
    fit: bool = False  # at least as wide as its widest text among the first rows


class SpecTableModel(QAbstractTableModel, Generic[T]):
    """Rows of one dataclass type shown through ``Col`` specs; replaced wholesale."""

    def __init__(self, columns: Sequence[Col[T]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: tuple[Col[T], ...] = tuple(columns)
        self._rows: list[T] = []

    @property
    def columns(self) -> tuple[Col[T], ...]:
        return self._columns

    def set_columns(self, columns: Sequence[Col[T]], rows: Sequence[T] = ()) -> None:
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
        col = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tooltip(row) if col.tooltip else col.text(row) or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if col.align_right else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col.color is not None:
            return col.color(row)
        if role == Qt.ItemDataRole.FontRole and (col.strike or col.bold):
            strike = bool(col.strike and col.strike(row))
            bold = bool(col.bold and col.bold(row))
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


#: Rows looked at to fit a column to its text.
FIT_SAMPLE = 500


class SpecTableView(QTableView):
    """A read-only, row-selecting view over a :class:`SpecTableModel` with the columns' widths."""

    def __init__(self, model: SpecTableModel[Any], parent: QWidget | None = None) -> None:
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

    def _fitted(self, col: Col[Any]) -> int:
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


def int_text(value: int | None) -> str:
    """1234 as "1.234", the Indonesian way."""
    return "" if value is None else f"{value:,}".replace(",", ".")


def percent_text(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f}%"
