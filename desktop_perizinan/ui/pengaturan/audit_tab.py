"""The Audit tab: the hash-chained log, one page at a time, filtered; and the chain check.

Pages and the check are read off the GUI thread (``ui.worker``): the check walks every entry
ever written and the page query counts the matches, both slow on a log of some years. A filter
changed while a page is loading is not lost: the newest request is loaded when the running one
finishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.audit import ChainReport
from desktop_perizinan.services.audit_view import (
    PAGE_SIZE,
    AuditChoices,
    AuditLogService,
    AuditPage,
    AuditQuery,
    AuditRow,
)
from desktop_perizinan.services.daily_closing import DailyClosing
from desktop_perizinan.ui.pengaturan.common import make_banner
from desktop_perizinan.ui.widgets.formatting import short_datetime
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView
from desktop_perizinan.ui.worker import Task, run_in_background

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services

AUDIT_COLUMNS: tuple[Column[AuditRow], ...] = (
    Column("No.", lambda r: str(r.id), sort_key=lambda r: r.id, align_right=True),
    Column("Waktu", lambda r: short_datetime(r.at), sort_key=lambda r: r.at),
    Column("Pengguna", lambda r: r.username),
    Column("Tindakan", lambda r: r.action),
    Column("Permohonan", lambda r: r.case_reference),
    Column("Rincian", lambda r: r.detail),
)

ALL_PERIODS = "semua"
PERIODS: tuple[tuple[str, str], ...] = (
    (ALL_PERIODS, "Semua waktu"),
    ("hari", "Hari ini"),
    ("7", "7 hari terakhir"),
    ("30", "30 hari terakhir"),
    ("bulan", "Bulan ini"),
    ("tahun", "Tahun ini"),
    ("rentang", "Rentang tanggal…"),
)


def period_range(code: str, today: date) -> tuple[date | None, date | None]:
    """The first and last day of a preset period (both None: no limit)."""
    match code:
        case "hari":
            return today, today
        case "7" | "30":
            return today - timedelta(days=int(code) - 1), today
        case "bulan":
            return today.replace(day=1), today
        case "tahun":
            return today.replace(month=1, day=1), today
    return None, None


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


@dataclass(frozen=True)
class _Request:
    query: AuditQuery
    page: int
    with_choices: bool


class AuditTab(QWidget):
    loaded = Signal()
    checked = Signal()
    closed = Signal()

    def __init__(
        self,
        services: Services,
        actor: Actor,
        log: AuditLogService,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("auditTab")
        self._s = services
        self._actor = actor
        self._log = log
        self.page: AuditPage | None = None
        self.report: ChainReport | None = None
        self.task: Task | None = None
        self.check_task: Task | None = None
        self._pending: _Request | None = None
        self.page_size = PAGE_SIZE

        self.user_filter = QComboBox(self)
        self.user_filter.setObjectName("auditUser")
        self.user_filter.addItem("Semua pengguna", "")
        self.action_filter = QComboBox(self)
        self.action_filter.setObjectName("auditAction")
        self.action_filter.addItem("Semua tindakan", "")
        for combo in (self.user_filter, self.action_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(12)
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.case_filter = QLineEdit(self)
        self.case_filter.setObjectName("auditCase")
        self.case_filter.setPlaceholderText("Nomor permohonan")
        self.case_filter.setClearButtonEnabled(True)
        self.case_filter.returnPressed.connect(self.apply_filters)
        self.period = QComboBox(self)
        self.period.setObjectName("auditPeriod")
        for code, label in PERIODS:
            self.period.addItem(label, code)
        self.period.currentIndexChanged.connect(lambda _i: self._period_changed())
        today = _qdate(services.now().date())
        self.start = QDateEdit(today.addDays(-30), self)
        self.end = QDateEdit(today, self)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.dateChanged.connect(lambda _d: self.apply_filters())
        self.until = QLabel("s.d.", self)
        self.start.setObjectName("auditStart")
        self.end.setObjectName("auditEnd")
        self.search_button = QPushButton("&Cari", self)
        self.search_button.setAutoDefault(False)
        self.search_button.clicked.connect(self.apply_filters)

        self.model: RowsModel[AuditRow] = RowsModel(AUDIT_COLUMNS, self)
        self.view = RowsView(self.model, self)
        self.view.setObjectName("auditTable")
        self.view.setSortingEnabled(False)  # the server orders (newest first) and pages

        self.previous_button = QPushButton("‹ &Sebelumnya", self)
        self.next_button = QPushButton("Berik&utnya ›", self)
        for button in (self.previous_button, self.next_button):
            button.setAutoDefault(False)
        self.previous_button.clicked.connect(lambda: self.load_page(self._page_number() - 1))
        self.next_button.clicked.connect(lambda: self.load_page(self._page_number() + 1))
        self.page_label = QLabel("…", self)
        self.page_label.setObjectName("auditPageLabel")

        self.check_button = QPushButton("&Periksa rantai", self)
        self.check_button.setObjectName("checkChain")
        self.check_button.setAutoDefault(False)
        self.check_button.setToolTip(
            "Hitung ulang rantai hash seluruh log: entri yang diubah atau dihapus langsung di "
            "basis data akan ketahuan."
        )
        self.check_button.clicked.connect(self.check_chain)
        self.chain_banner = make_banner(self)
        self.chain_banner.setObjectName("chainResult")
        self.chain_banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.close_day_button = QPushButton("Penutupan &harian", self)
        self.close_day_button.setObjectName("closeDay")
        self.close_day_button.setAutoDefault(False)
        self.close_day_button.setToolTip(
            "Catat kepala log audit hari ini di luar basis data (berkas penutupan harian); "
            "cetak barisnya dan simpan bersama arsip harian."
        )
        self.close_day_button.clicked.connect(self.close_day)
        self.print_closing_button = QPushButton("Ce&tak penutupan…", self)
        self.print_closing_button.setObjectName("printClosing")
        self.print_closing_button.setAutoDefault(False)
        self.print_closing_button.setToolTip(
            "Berita acara penutupan harian ini (hash entri terakhir dan baris jangkar) untuk "
            "dicetak, ditandatangani dan disimpan di luar komputer."
        )
        self.print_closing_button.setEnabled(False)  # until a closing is made here
        self.print_closing_button.clicked.connect(self.print_closing)
        self.closing_preview: QDialog | None = None
        self.export_key_button = QPushButton("Ekspor &kunci audit…", self)
        self.export_key_button.setObjectName("exportAuditKey")
        self.export_key_button.setAutoDefault(False)
        self.export_key_button.setToolTip(
            "Salin kunci audit kantor PC ini ke berkas: simpan bersama cadangan, dan impor di PC "
            "lain kantor atau PC pengganti agar entri audit dapat diperiksa di sana."
        )
        self.export_key_button.clicked.connect(self.open_export_dialog)
        self.export_dialog: QFileDialog | None = None
        self.closing: DailyClosing | None = None
        self.close_task: Task | None = None
        self.anchor_label = QLabel(NO_ANCHOR_YET, self)
        self.anchor_label.setObjectName("auditAnchor")
        self.anchor_label.setWordWrap(True)
        self.anchor_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems = QListWidget(self)
        self.problems.setObjectName("chainProblems")
        self.problems.setMaximumHeight(120)
        self.problems.hide()

        filters = QHBoxLayout()
        filters.addWidget(QLabel("Pengguna:", self))
        filters.addWidget(self.user_filter)
        filters.addWidget(QLabel("Tindakan:", self))
        filters.addWidget(self.action_filter)
        filters.addWidget(self.case_filter, 1)
        filters.addWidget(self.period)
        filters.addWidget(self.start)
        filters.addWidget(self.until)
        filters.addWidget(self.end)
        filters.addWidget(self.search_button)
        pager = QHBoxLayout()
        pager.addWidget(self.check_button)
        pager.addStretch(1)
        pager.addWidget(self.previous_button)
        pager.addWidget(self.page_label)
        pager.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(pager)
        layout.addWidget(self.chain_banner)
        anchors = QHBoxLayout()
        anchors.addWidget(self.anchor_label, 1)
        anchors.addWidget(self.close_day_button)
        anchors.addWidget(self.print_closing_button)
        anchors.addWidget(self.export_key_button)
        layout.addLayout(anchors)
        layout.addWidget(self.problems)
        self._period_changed(load=False)
        self._update_pager()

    # ---------------------------------------------------------------- filters

    def query(self) -> AuditQuery:
        code = self.period.currentData()
        if code == "rentang":
            start, end = _pydate(self.start.date()), _pydate(self.end.date())
        else:
            start, end = period_range(str(code), self._s.now().date())
        return AuditQuery(
            username=str(self.user_filter.currentData() or ""),
            action=str(self.action_filter.currentData() or ""),
            case=self.case_filter.text().strip(),
            start=start,
            end=end,
        )

    def _period_changed(self, *, load: bool = True) -> None:
        custom = self.period.currentData() == "rentang"
        for widget in (self.start, self.until, self.end):
            widget.setVisible(custom)
        if load:
            self.apply_filters()

    def apply_filters(self) -> None:
        self.load_page(0)

    def _set_choices(self, choices: AuditChoices) -> None:
        for combo, everyone, values in (
            (self.user_filter, "Semua pengguna", choices.usernames),
            (self.action_filter, "Semua tindakan", (*choices.families, *choices.actions)),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everyone, "")
            for value in values:
                combo.addItem(value, value)
            index = combo.findData(current)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    # ---------------------------------------------------------------- pages

    def refresh(self) -> None:
        self._request(_Request(self.query(), self._page_number(), with_choices=True))

    def load_page(self, page: int) -> None:
        self._request(_Request(self.query(), max(page, 0), with_choices=False))

    def _page_number(self) -> int:
        return self.page.page if self.page is not None else 0

    def _request(self, request: _Request) -> None:
        if self.task is not None and self.task.running:
            self._pending = request  # loaded when the running one is back
            return
        log, actor, size = self._log, self._actor, self.page_size

        def load() -> tuple[AuditChoices | None, AuditPage]:
            choices = log.choices(actor) if request.with_choices else None
            return choices, log.page(actor, request.query, request.page, size)

        self.page_label.setText("Memuat…")
        self.task = run_in_background(
            load, on_success=self._show, on_failure=self._failed, owner=self
        )

    def _show(self, result: tuple[AuditChoices | None, AuditPage]) -> None:
        choices, page = result
        if choices is not None:
            self._set_choices(choices)
        self.page = page
        self.model.set_rows(page.rows)
        self._update_pager()
        if self._pending is not None:
            # The task delivering this page still counts as running until this callback
            # returns: ask for the newer page from the event loop, right after.
            pending, self._pending = self._pending, None
            QTimer.singleShot(0, self, lambda: self._request(pending))
            return
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        from desktop_perizinan.ui.widgets.messages import report_error

        self.page_label.setText("Gagal memuat")
        self._pending = None
        report_error(self, exc)

    def _update_pager(self) -> None:
        page = self.page
        if page is None or not page.total:
            self.page_label.setText("Tidak ada entri yang cocok." if page else "…")
            self.previous_button.setEnabled(False)
            self.next_button.setEnabled(False)
            return
        self.page_label.setText(
            f"{page.first}–{page.last} dari {page.total} entri · halaman {page.page + 1} "
            f"dari {page.pages}"
        )
        self.previous_button.setEnabled(page.page > 0)
        self.next_button.setEnabled(page.page + 1 < page.pages)

    # ---------------------------------------------------------------- chain

    def check_chain(self) -> None:
        if self.check_task is not None and self.check_task.running:
            return
        self.check_button.setEnabled(False)
        self.chain_banner.show_ok("Memeriksa rantai hash seluruh log…")
        self.problems.hide()
        log, actor = self._log, self._actor
        self.check_task = run_in_background(
            lambda: log.verify(actor),
            on_success=self._checked,
            on_failure=self._check_failed,
            owner=self,
        )

    def _checked(self, report: ChainReport) -> None:
        self.report = report
        self.check_button.setEnabled(True)
        self.problems.clear()
        self.anchor_label.setText(anchor_text(report))
        if report.ok:
            self.chain_banner.show_ok(
                f"Rantai utuh: {report.entries} entri diperiksa, semua hash dan tanda kunci "
                "kantor cocok. Tidak ada entri yang diubah, dihapus atau dipalsukan."
            )
            self.problems.hide()
        else:
            first = report.first
            if first is None:
                found = ""
            elif first.entry_id is None:
                found = f" Ditemukan: {first.kind}."
            else:
                found = f" Entri pertama yang rusak: {first.entry_id} ({first.kind})."
            self.chain_banner.show_error(
                f"Rantai RUSAK: {len(report.problems)} masalah dari {report.entries} entri."
                f"{found} Log audit telah diubah di luar aplikasi; catat temuan ini dan "
                "periksa cadangan."
            )
            self.problems.addItems(list(report.problems))
            self.problems.show()
        self.checked.emit()

    def _check_failed(self, exc: BaseException) -> None:
        self.check_button.setEnabled(True)
        self.chain_banner.show_error(f"Pemeriksaan gagal: {exc}")
        self.checked.emit()

    # ---------------------------------------------------------------- the office key

    def open_export_dialog(self) -> QFileDialog:
        dialog = QFileDialog(self, "Simpan kunci audit kantor")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        # No "replace?" question: an existing file is refused by the service with a sentence.
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, True)
        dialog.setNameFilter("Kunci audit (*.json)")
        dialog.setDefaultSuffix("json")
        dialog.selectFile("kunci-audit-kantor.json")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.export_key)
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def export_key(self, target: str) -> None:
        try:
            key_id = self._log.export_key(self._actor, Path(target))
        except UserError as exc:
            self.chain_banner.show_error(exc.message)
            return
        self.chain_banner.show_ok(
            f"Kunci audit kantor ({key_id}) disalin ke {target}. Simpan di tempat aman; siapa "
            "pun yang memegangnya dapat menandai entri audit atas nama kantor."
        )
        self.refresh()

    # ---------------------------------------------------------------- daily closing

    def close_day(self) -> None:
        if self.close_task is not None and self.close_task.running:
            return
        self.close_day_button.setEnabled(False)
        log, actor = self._log, self._actor
        self.close_task = run_in_background(
            lambda: log.close_day(actor),
            on_success=self._closed,
            on_failure=self._close_failed,
            owner=self,
        )

    def _closed(self, closing: DailyClosing) -> None:
        self.closing = closing
        self.close_day_button.setEnabled(True)
        self.print_closing_button.setEnabled(True)
        self.chain_banner.show_ok(
            f"Penutupan harian dicatat ({closing.path}). Cetak berita acaranya (Cetak "
            f"penutupan…) atau salin baris ini ke buku harian: {closing.line}"
        )
        self.refresh()
        self.closed.emit()

    def print_closing(self) -> None:
        """The closing just made, in the PDF preview (Print, Save as PDF)."""
        from desktop_perizinan.ui.common.documents import open_pdf

        if self.closing is None:
            return
        try:
            data = self._log.closing_sheet(self._actor, self.closing)
        except UserError as exc:
            self.chain_banner.show_error(exc.message)
            return
        self.closing_preview = open_pdf(self, data, f"Penutupan harian {self.closing.day:%d-%m-%Y}")

    def _close_failed(self, exc: BaseException) -> None:
        self.close_day_button.setEnabled(True)
        self.chain_banner.show_error(f"Penutupan harian gagal: {exc}")
        self.closed.emit()


NO_ANCHOR_YET = (
    "Jangkar di luar basis data: belum diperiksa. 'Periksa rantai' mencocokkan log dengan "
    "manifest cadangan dan penutupan harian."
)


def anchor_text(report: ChainReport) -> str:
    """The last verified anchor and its date, as the tab shows it."""
    latest = report.latest_anchor
    if latest is None:
        return (
            "Belum ada jangkar terverifikasi di luar basis data (cadangan atau penutupan "
            "harian); lakukan penutupan harian agar pemotongan log dapat ketahuan."
        )
    return (
        f"Jangkar terakhir terverifikasi: entri {latest.last_id}, {latest.when_text} "
        f"({latest.source}); {len(report.anchors_checked)} jangkar cocok."
    )
