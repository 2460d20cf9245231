"""Fit a table's columns to its viewport when the window is narrower than their widths.

The widths a screen gives its columns suit a large screen; on the 1366×768 and 1024×700
screens offices actually have, they would open the table with a horizontal scrollbar and the
last columns (the due date, the permit number) out of sight. Here the interactive columns are
scaled from their *nominal* widths (what the screen or ``resizeColumnsToContents`` set) to
the room there is, never below :data:`MIN_SHARE` of it (the text elides with "…" and the
tooltip shows it whole), and grow back when the window does. A width the user drags by hand
stays as he left it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView

#: A column is never shrunk below this share of its nominal width, nor below MIN_WIDTH.
MIN_SHARE = 0.35
MIN_WIDTH = 48
#: Pixels kept for each stretching column (the long text: a name, a step).
STRETCH_ROOM = 100
_FILTER_NAME = "fitColumnsFilter"


def fit_to_viewport(view: QTableView) -> None:
    """Fit ``view``'s columns to its viewport now and each time the viewport is resized."""
    refit = view.findChild(_Refit, _FILTER_NAME)
    if refit is None:
        refit = _Refit(view)
        view.viewport().installEventFilter(refit)
        view.horizontalHeader().sectionResized.connect(refit.section_resized)
        # A reset of the model re-creates the header's sections at their default size.
        view.horizontalHeader().sectionCountChanged.connect(refit.later)
        model = view.model()
        if model is not None:
            model.modelReset.connect(refit.later)
    refit.fit()


class _Refit(QObject):
    """Keeps the nominal widths and applies the fitted ones."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.setObjectName(_FILTER_NAME)
        self._view = view
        self._nominal: dict[int, int] = {}
        self._applied: dict[int, int] = {}
        self._fitting = False
        self._by_hand = False

    def section_resized(self, _index: int, _old: int, _new: int) -> None:
        header = self._view.horizontalHeader()
        if not self._fitting and header.underMouse() and header.isVisible():
            self._by_hand = True  # a drag by the user: his widths win from now on

    def later(self, *_args: object) -> None:
        """After the header has taken in the change that called this."""
        QTimer.singleShot(0, self, self.fit)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.fit()
        return False

    def fit(self) -> None:
        view = self._view
        header = view.horizontalHeader()
        available = view.viewport().width()
        if self._by_hand or not view.isVisible() or available <= 0 or header.count() == 0:
            return
        last = header.count() - 1
        columns: list[int] = []
        reserved = 0
        stretch_last = False
        for column in range(header.count()):
            if header.isSectionHidden(column):
                continue
            mode = header.sectionResizeMode(column)
            if mode == QHeaderView.ResizeMode.Stretch:
                reserved += STRETCH_ROOM
            elif header.stretchLastSection() and column == last:
                # It fills what is left but never shrinks below the size last given to it.
                stretch_last = True
                reserved += STRETCH_ROOM
            elif mode == QHeaderView.ResizeMode.Interactive:
                current = header.sectionSize(column)
                if self._applied.get(column) != current:
                    self._nominal[column] = current  # set by the screen, not by us
                columns.append(column)
            else:
                reserved += header.sectionSize(column)
        total = sum(self._nominal[c] for c in columns)
        if total == 0:
            return
        scale = min(1.0, max((available - reserved) / total, MIN_SHARE))
        self._fitting = True
        try:
            for column in columns:
                width = max(MIN_WIDTH, int(self._nominal[column] * scale))
                if header.sectionSize(column) != width:
                    header.resizeSection(column, width)
                self._applied[column] = width
            if stretch_last and header.sectionSize(last) > STRETCH_ROOM:
                header.resizeSection(last, STRETCH_ROOM)
        finally:
            self._fitting = False
