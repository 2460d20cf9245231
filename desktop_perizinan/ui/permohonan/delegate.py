"""The Permohonan table's cells, painted from texts laid out once.

Qt's own delegate asks the model for seven roles of every cell and then lays the text out
twice per cell (once to elide it, once to draw it) on every repaint: about two thirds of a
keystroke's time at 200,000 cases was that (issue 14), for 24 rows of plain text. Here the style
still draws each cell's background, alternating colour, selection and focus frame exactly as
before (it is handed the view's own option, without text); only the text is drawn by us, from a
``QStaticText`` made once per (text, width) and kept while the column keeps its width. What
the cell shows is unchanged: the same text, elided at the right with "…", vertically centred,
in the colour the style would use (the red of a late step included).

PySide6 6.12 on Python 3.11 drops a reference to ``None`` on every call of a C++ method that
returns nothing (``painter.setPen``, ``style.drawControl``, ...); ``ui.launch.protect_none``
keeps a reserve that is topped up every few seconds. A repaint here makes three such calls per
cell (~650 for a full table), so a window resized by dragging for a few seconds could empty the
reserve between two top-ups: each paint gives back what it took (:func:`_lost_per_call` is
measured once, so a fixed PySide or Python 3.12's immortal ``None`` makes it 0).
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView

Index = QModelIndex | QPersistentModelIndex
_ITEM = QStyle.ControlElement.CE_ItemViewItem
# Plain ints: a Python enum's "&" builds a new flag object, and a paint asks ~700 times.
_SELECTED = QStyle.StateFlag.State_Selected.value
_ENABLED = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_FOCUS = QStyle.StateFlag.State_HasFocus.value
_NORMAL = QPalette.ColorGroup.Normal
_INACTIVE = QPalette.ColorGroup.Inactive
_DISABLED = QPalette.ColorGroup.Disabled
_TEXT = QPalette.ColorRole.Text
_SELECTED_TEXT = QPalette.ColorRole.HighlightedText
_ELIDE = Qt.TextElideMode.ElideRight
#: Enough for every visible cell at a few widths; dropped whole when full (cheap to refill).
CACHE_SIZE = 4000

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


@cache
def _lost_per_call() -> int:
    """References to None that one call of a C++ method returning void drops (0 or 1)."""
    probe = QRect()
    before = sys.getrefcount(None)
    for _ in range(16):
        probe.setWidth(1)
    return max(0, round((before - sys.getrefcount(None)) / 16))


def _give_back_none(calls: int) -> None:
    for _ in range(calls * _lost_per_call()):
        _incref(None)


class CachedTextDelegate(QStyledItemDelegate):
    """Paints ``text(row, column)`` (and ``color(row, column)`` when not None) in each cell."""

    def __init__(
        self,
        view: QTableView,
        text: Callable[[int, int], str],
        color: Callable[[int, int], QColor | None],
    ) -> None:
        super().__init__(view)
        self._view = view
        self._text = text
        self._color = color
        self._cache: dict[tuple[str, int], QStaticText] = {}
        self._line_height = -1
        self._margin = 0

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        view = self._view
        style = view.style()
        state = option.state.value
        calls = 0  # void C++ calls made (see the module docstring)
        if state & (_SELECTED | _FOCUS):
            # The view's option carries no text: the style draws the selection and the focus
            # frame. Other cells it would leave as they are: the view has already drawn their
            # (alternating) background, and our rows have no background or decoration roles.
            style.drawControl(_ITEM, option, painter, view)
            calls += 1
        row, column = index.row(), index.column()
        text = self._text(row, column)
        if not text:
            _give_back_none(calls)
            return
        metrics = option.fontMetrics
        height = metrics.height()
        if height != self._line_height:  # another font (or screen): lay everything out again
            self._cache.clear()
            self._line_height = height
            # The style's own text margin (QCommonStyle: the focus frame's margin + 1).
            self._margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view)
            self._margin += 1
        margin = self._margin
        rect = option.rect.adjusted(margin, 0, -margin, 0)
        key = (text, rect.width())
        static = self._cache.get(key)
        if static is None:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            static = QStaticText(metrics.elidedText(text, _ELIDE, rect.width()))
            static.setTextFormat(Qt.TextFormat.PlainText)  # a name with "<" is not markup
            calls += 1
            self._cache[key] = static
        if not state & _ENABLED:
            group = _DISABLED
        elif not state & _ACTIVE:
            group = _INACTIVE
        else:
            group = _NORMAL
        if state & _SELECTED:
            painter.setPen(option.palette.color(group, _SELECTED_TEXT))
        else:
            own = self._color(row, column)
            painter.setPen(own or option.palette.color(group, _TEXT))
        painter.drawStaticText(rect.x(), rect.y() + (rect.height() - height) // 2, static)
        _give_back_none(calls + 2)  # and setPen, drawStaticText
