"""Permohonan: every case in one table, filtered and searched as you type.

Typing is debounced (150 ms) so a fast typist runs one query, not one per letter; Enter in the
search box searches at once and Down moves into the table. Each filter change asks the model
for the first page only (``CaseTableModel``), so even at 200,000 cases the table answers
without a visible pause. Enter or a double click on a row opens the case in its own window.
When another PC changes data, the table reloads by itself if the user is at the top of it;
further down it offers a reload instead of jumping away from the row being read.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QHideEvent, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.case_search import CaseFilters, CaseRow, CaseSearch
from desktop_perizinan.ui.common.live import LiveUpdates
from desktop_perizinan.ui.permohonan.delegate import CachedTextDelegate
from desktop_perizinan.ui.permohonan.model import (
    COLUMNS,
    RECEIVED_COLUMN,
    CaseTableModel,
    format_count,
)
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.tugas.case_view import CaseDialog
from desktop_perizinan.ui.widgets.fit_columns import fit_to_viewport
from desktop_perizinan.ui.widgets.screen_header import ScreenHeader
from desktop_perizinan.workflow.definition import CaseStatus

DEBOUNCE_MS = 150
PERIODS = (
    ("Semua waktu", "all"),
    ("Hari ini", "today"),
    ("7 hari terakhir", "7d"),
    ("30 hari terakhir", "30d"),
    ("Bulan ini", "month"),
    ("Tahun ini", "year"),
    ("Tahun lalu", "last_year"),
)
COLUMN_WIDTHS = (140, 220, 135, 220, 120, 240, 125, 125, 200)


def period_range(code: str, today: date) -> tuple[date | None, date | None]:
    match code:
        case "today":
            return today, today
        case "7d":
            return today - timedelta(days=6), today
        case "30d":
            return today - timedelta(days=29), today
        case "month":
            return today.replace(day=1), today
        case "year":
            return date(today.year, 1, 1), today
        case "last_year":
            return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
        case _:
            return None, None


class CasesScreen(QWidget):
    """The Permohonan screen (see the module docstring)."""

    def __init__(
        self,
        services: Services,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        live: LiveUpdates | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self._owns_live = live is None
        self.live = live or LiveUpdates(services, self)
        self._stale = False
        self.case_dialog: CaseDialog | None = None
        self.search = CaseSearch(services)

        layout = QVBoxLayout(self)
        self.count_label = QLabel()
        self.count_label.setObjectName("caseCount")
        set_role(self.count_label, "subtitle")
        layout.addWidget(ScreenHeader("Permohonan", self.count_label, subtitle=False))

        self.search_box = QLineEdit()
        self.search_box.setObjectName("search")
        self.search_box.setPlaceholderText(
            "Cari nama pemohon, NIK, nomor registrasi atau nomor izin…  (Ctrl+F)"
        )
        self.search_box.setClearButtonEnabled(True)
        layout.addWidget(self.search_box)

        filters = QHBoxLayout()
        self.type_filter = QComboBox()
        self.type_filter.addItem("Semua jenis izin", None)
        for code, pt in sorted(services.forms.types.items(), key=lambda kv: kv[1].name):
            self.type_filter.addItem(pt.name, code)
        self.status_filter = QComboBox()
        self.status_filter.addItem("Semua status", None)
        for status in CaseStatus:
            self.status_filter.addItem(status.label, status.value)
        self.step_filter = QComboBox()
        self.step_filter.addItem("Semua langkah", None)
        self.step_filter.setEnabled(False)
        self.step_filter.setToolTip("Pilih jenis izin lebih dulu untuk memilih langkahnya")
        self.period_filter = QComboBox()
        for label, code in PERIODS:
            self.period_filter.addItem(label, code)
        # No "Jenis:"/"Status:" labels: each combo's first item already says what it filters
        # ("Semua jenis izin"), and without them the row fits a 1024-pixel screen.
        for combo, name, width, chars in (
            (self.type_filter, "Jenis izin", 150, 14),
            (self.status_filter, "Status", 110, 10),
            (self.step_filter, "Langkah", 140, 12),
            (self.period_filter, "Periode", 110, 10),
        ):
            combo.setAccessibleName(name)
            combo.setMinimumWidth(width)
            combo.setMinimumContentsLength(chars)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
        self.overdue_filter = QCheckBox("Hanya yang &terlambat")
        for widget, stretch in (
            (self.type_filter, 3),
            (self.status_filter, 2),
            (self.step_filter, 3),
            (self.period_filter, 2),
            (self.overdue_filter, 0),
        ):
            filters.addWidget(widget, stretch)
        layout.addLayout(filters)

        self.model = CaseTableModel(self.search, self)
        self.table = QTableView()
        self.table.setObjectName("cases")
        self.table.setModel(self.model)
        self.table.setItemDelegate(
            CachedTextDelegate(self.table, self.model.text, self.model.text_color)
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS[: len(COLUMNS)]):
            header.resizeSection(column, width)
        fit_to_viewport(self.table)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(RECEIVED_COLUMN, Qt.SortOrder.DescendingOrder)
        header.sectionClicked.connect(self._header_clicked)
        self.table.activated.connect(lambda _index: self.open_case())
        layout.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.notice = QPushButton()
        self.notice.setObjectName("changedNotice")
        self.notice.setFlat(True)
        self.notice.hide()
        self.notice.clicked.connect(self.reload)
        bottom.addWidget(self.notice)
        bottom.addStretch(1)
        self.open_button = QPushButton("&Buka permohonan (Enter)")
        self.open_button.clicked.connect(self.open_case)
        bottom.addWidget(self.open_button)
        layout.addLayout(bottom)

        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.apply_filters)
        self.search_box.textChanged.connect(lambda _text: self.debounce.start())
        self.search_box.returnPressed.connect(self.apply_filters)
        self.search_box.installEventFilter(self)
        self.type_filter.currentIndexChanged.connect(self._type_changed)
        for combo in (self.status_filter, self.step_filter, self.period_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.overdue_filter.toggled.connect(lambda _on: self.apply_filters())
        self.model.count_changed.connect(self._show_count)
        self.model.modelReset.connect(self._after_reset)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.search_box.setFocus)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.reload)
        self.live.refresh.connect(self._on_live)

        self.apply_filters()
        self.search_box.setFocus()

    # ---------------------------------------------------------------- filters

    def current_filters(self) -> CaseFilters:
        status = self.status_filter.currentData()
        start, end = period_range(self.period_filter.currentData(), self.services.now().date())
        return CaseFilters(
            text=self.search_box.text(),
            form_code=self.type_filter.currentData(),
            status=CaseStatus(status) if status else None,
            step_id=self.step_filter.currentData() if self.step_filter.isEnabled() else None,
            received_from=start,
            received_to=end,
            overdue=self.overdue_filter.isChecked(),
            sort=self.model.filters.sort,
        )

    def apply_filters(self) -> None:
        """Query the first page now (and the count in the background)."""
        self.debounce.stop()
        filters = self.current_filters()
        if filters == self.model.filters and self.model.rowCount():
            return
        self.model.set_filters(filters)
        self._after_reset()

    def reload(self) -> None:
        self.notice.hide()
        self.model.refresh()
        self._after_reset()

    def _type_changed(self) -> None:
        code = self.type_filter.currentData()
        self.step_filter.blockSignals(True)
        self.step_filter.clear()
        self.step_filter.addItem("Semua langkah", None)
        if code:
            for step in self.services.permit_type(code).steps:
                self.step_filter.addItem(f"{step.no}. {step.name}", step.id)
        self.step_filter.setEnabled(bool(code))
        self.step_filter.blockSignals(False)
        self.apply_filters()

    def _header_clicked(self, column: int) -> None:
        header = self.table.horizontalHeader()
        if not self.model.sortable(column):
            # Only the indexed columns sort; put the indicator back where the order is.
            key = self.model.filters.sort
            section = (
                RECEIVED_COLUMN
                if key == "newest" or key.startswith("received")
                else RECEIVED_COLUMN + 1
            )
            order = (
                Qt.SortOrder.AscendingOrder if key.endswith("asc") else Qt.SortOrder.DescendingOrder
            )
            header.setSortIndicator(section, order)
            return
        self.model.sort(column, header.sortIndicatorOrder())
        self._after_reset()

    def _show_count(self, total: int | None) -> None:
        if total is None:
            self.count_label.setText(
                f"{format_count(self.model.rowCount())}+ permohonan · menghitung…"
            )
        elif self.model.total_capped:
            self.count_label.setText(f"lebih dari {format_count(total)} permohonan")
        else:
            self.count_label.setText(f"{format_count(total)} permohonan")

    def _after_reset(self) -> None:
        """New rows, shown from the top: the model replaces its rows without a reset (see
        ``CaseTableModel.set_filters``), so the view would keep its scroll position."""
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))
            self.table.scrollToTop()
        self.open_button.setEnabled(self.model.rowCount() > 0)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._owns_live:
            self.live.resume()
        if self._stale:
            self._stale = False
            self._on_live({None})

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self._owns_live:
            self.live.pause()
            self._stale = True  # changes while hidden are not heard

    def _on_live(self, _case_ids: set[int | None]) -> None:
        if not self.isVisible():
            self._stale = True
            return
        if self.table.verticalScrollBar().value() == 0 and self.case_dialog is None:
            self.reload()
        else:
            self.notice.setText("Ada perubahan data dari PC lain — klik untuk memuat ulang (F5)")
            self.notice.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.model.rowCount():
                self.apply_filters()
                self.table.setFocus()
                return True
        return False

    # ---------------------------------------------------------------- opening

    def current_case(self) -> CaseRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.row(index.row())

    def open_case(self) -> CaseDialog | None:
        row = self.current_case()
        if row is None:
            return None
        dialog = CaseDialog(self.services, self.actor, row.id, self, live=self.live)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.case_view.changed.connect(lambda _id: self.reload())
        dialog.finished.connect(lambda _r: setattr(self, "case_dialog", None))
        self.case_dialog = dialog
        dialog.show()
        return dialog
