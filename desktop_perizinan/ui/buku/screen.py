"""Buku: the agenda books (outgoing letters, each permit type's book, the application
register) and the expedition book, by year, with search, export to Excel, voiding a number and
importing an old paper-era ledger.

The screen holds only what is on show. Lines are read in the background (a busy year has
100,000 of them) and a newer request makes an older answer obsolete, so typing in the search
box never shows the results of a search the clerk has already changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QKeySequence, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.book_export import (
    EXPEDITION,
    IMPORTED_BY,
    BookExportService,
    ExportResult,
    default_file_name,
    void_note,
)
from desktop_perizinan.services.book_rows import KEPT_NOTE
from desktop_perizinan.services.books import AgendaRow, BookInfo, ExpeditionRow
from desktop_perizinan.ui.laporan.progress import ProgressJob
from desktop_perizinan.ui.laporan.tables import Col, SpecTableModel, SpecTableView, int_text
from desktop_perizinan.ui.theme import color, icon, set_role
from desktop_perizinan.ui.widgets.formatting import short_date, short_datetime
from desktop_perizinan.ui.widgets.messages import Banner, report_error
from desktop_perizinan.ui.worker import Task, run_in_background

#: Roles that keep the agenda books: they may void a number and import an old ledger.
BOOK_KEEPERS = frozenset({"ksb_umum", ADMIN_ROLE})

#: Milliseconds of quiet typing before the search runs.
SEARCH_DELAY_MS = 300


def agenda_columns(muted: QColor) -> list[Col[AgendaRow]]:
    """The book's columns on screen; a voided line is greyed and struck, its reason in red."""

    def grey(r: AgendaRow) -> QColor | None:
        return muted if r.voided else None

    def struck(r: AgendaRow) -> bool:
        return r.voided

    def reason_tip(r: AgendaRow) -> str:
        if r.voided:
            return void_note(r.void_reason)
        if r.signature == KEPT_NOTE:
            return (
                "Nomor ini sudah diambil untuk surat ini, tetapi surat belum ditandatangani "
                "(mis. TTE ditolak). Nomor yang sama dipakai saat surat ditandatangani."
            )
        return ""

    return [
        Col("No. Urut", lambda r: str(r.seq), 70, align_right=True, color=grey),
        Col("Nomor", lambda r: r.number, 190, fit=True, color=grey, strike=struck, tooltip=lambda r: (
            f"{r.number}\n{void_note(r.void_reason)}" if r.voided else r.number)),
        Col("Tanggal", lambda r: short_date(r.taken_at.date()), 95, color=grey),
        Col("Perihal", lambda r: r.subject, 260, color=grey, strike=struck, stretch=True),
        Col("Kepada / Pemohon", lambda r: r.addressee, 170, color=grey),
        Col("No. Registrasi", lambda r: r.reg_number or "", 125, color=grey),
        Col("Petugas", lambda r: r.taken_by, 140, color=grey, tooltip=lambda r: (
            f"Nomor diambil oleh {r.taken_by}"
            + (f"\nDitandatangani oleh {r.signed_by}" if r.signed_by else ""))),
        Col(
            "Keterangan",
            lambda r: void_note(r.void_reason) if r.voided else (r.outage_note or (
                "Dari buku lama" if r.taken_by == IMPORTED_BY else "")),
            190,
            color=lambda r: color("error") if r.voided else (
                color("warning") if r.outage_note.endswith(("menunggu", KEPT_NOTE)) else None),
            tooltip=reason_tip,
        ),
    ]  # fmt: skip


def expedition_columns() -> list[Col[ExpeditionRow]]:
    return [
        Col("Dikirim", lambda r: short_datetime(r.sent_at), 130),
        Col("Nomor Surat", lambda r: r.number, 190, fit=True),
        Col("Perihal", lambda r: r.title, 260, stretch=True),
        Col("No. Registrasi", lambda r: r.reg_number or "", 130),
        Col("Cara", lambda r: r.way, 120),
        Col("Penerima", lambda r: r.recipient_name or "", 200),
        Col("Diterima", lambda r: short_datetime(r.received_at), 130),
        Col("Petugas", lambda r: r.sent_by, 150),
    ]


class BooksScreen(QWidget):
    """The books by year. ``refresh()`` (F5) reads them again."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("booksScreen")
        self._s = services
        self._actor = actor
        self.books_service = BookExportService(services)
        self.can_keep = bool(actor.roles & BOOK_KEEPERS)
        self._generation = 0
        self.loading: Task | None = None
        self.export_job: ProgressJob | None = None
        self.last_export: ExportResult | None = None
        self.dialog: QWidget | None = None
        self._books: list[BookInfo] = []

        title = QLabel("Buku Agenda dan Ekspedisi")
        set_role(title, "title")
        subtitle = QLabel("Setiap nomor yang pernah diambil, termasuk yang dibatalkan")
        set_role(subtitle, "subtitle")

        self.book_combo = QComboBox()
        self.book_combo.setObjectName("bookCombo")
        self.book_combo.setMinimumContentsLength(34)
        self.book_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("yearCombo")
        self.year_combo.setMinimumContentsLength(12)
        self.search = QLineEdit()
        self.search.setObjectName("bookSearch")
        self.search.setPlaceholderText("Cari nomor, perihal, tujuan, alasan… (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        book_label = QLabel("&Buku:")
        book_label.setBuddy(self.book_combo)
        year_label = QLabel("&Tahun:")
        year_label.setBuddy(self.year_combo)

        self.export_button = QPushButton(icon("cetak"), "&Ekspor Excel…")
        self.export_button.setObjectName("exportBook")
        self.export_button.setToolTip("Simpan buku tahun ini sebagai berkas Excel siap cetak")
        # UU PDP: a book leaves the office without NIKs unless asked (and then it is logged).
        self.with_nik = QCheckBox("Sertakan N&IK pemohon")
        self.with_nik.setObjectName("exportWithNik")
        self.with_nik.setToolTip(
            "Tanpa centang, buku diekspor tanpa NIK. Ekspor dengan NIK tercatat di log audit "
            "dan di laporan data pribadi setiap pemohon di buku itu."
        )
        self.with_nik.setVisible(services.personal_data.may_see_full_nik(actor))
        self.open_button = QPushButton(icon("buka"), "Buka Berkas")
        self.open_button.setToolTip("Buka berkas hasil ekspor terakhir")
        self.open_button.hide()
        self.void_button = QPushButton("Batalkan &Nomor…")
        self.void_button.setObjectName("voidNumber")
        self.void_button.setToolTip("Batalkan nomor yang rusak atau salah; nomor tetap di buku")
        self.import_button = QPushButton(icon("buka"), "&Impor Buku Lama…")
        self.import_button.setObjectName("importLedger")
        self.import_button.setToolTip(
            "Impor buku agenda lama dari Excel agar penomoran berlanjut dari nomor terakhir"
        )
        self.void_button.setVisible(self.can_keep)
        self.import_button.setVisible(self.can_keep)
        # Issue 13.6: numbers from outside the app (outside_dialogs).
        self.manual_button = QPushButton("Catat nomor &manual…")
        self.manual_button.setObjectName("manualNumber")
        self.manual_button.setToolTip("Catat nomor surat yang diberikan di luar aplikasi")
        self.reserve_button = QPushButton("&Pesan nomor…")
        self.reserve_button.setObjectName("reserveNumber")
        self.reserve_button.setToolTip("Ambil nomor berikutnya untuk surat yang dibuat di luar")
        self.gap_button = QPushButton("&Laporan celah…")
        self.gap_button.setObjectName("gapReport")
        self.gap_button.setToolTip("Nomor dibatalkan, dipesan dan manual; nomor yang hilang")
        self.use_button = QPushButton("Pakai nomor pes&anan…")
        self.use_button.setObjectName("useReservation")
        self.use_button.setToolTip("Catat perihal surat untuk nomor yang sudah dipesan")
        self.manual_button.setVisible(self.can_keep)
        self.reserve_button.setVisible(self.can_keep)
        self.use_button.setVisible(self.can_keep)

        self.banner = Banner(self)
        self.summary = QLabel()
        self.summary.setObjectName("bookSummary")
        set_role(self.summary, "hint")

        self.model: SpecTableModel[AgendaRow | ExpeditionRow] = SpecTableModel(
            agenda_columns(self._muted()), self
        )
        self.table = SpecTableView(self.model, self)
        self.table.setObjectName("bookTable")

        bar = QHBoxLayout()
        bar.addWidget(book_label)
        bar.addWidget(self.book_combo, 2)
        bar.addSpacing(8)
        bar.addWidget(year_label)
        bar.addWidget(self.year_combo)
        bar.addSpacing(8)
        bar.addWidget(self.search, 3)
        actions = QHBoxLayout()
        actions.addWidget(self.summary, 1)
        actions.addWidget(self.open_button)
        actions.addWidget(self.with_nik)
        actions.addWidget(self.export_button)
        actions.addWidget(self.void_button)
        actions.addWidget(self.import_button)
        outside = QHBoxLayout()
        outside.addStretch(1)
        outside.addWidget(self.manual_button)
        outside.addWidget(self.reserve_button)
        outside.addWidget(self.use_button)
        outside.addWidget(self.gap_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addLayout(outside)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.reload)
        self.book_combo.currentIndexChanged.connect(self._book_changed)
        self.year_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.export_button.clicked.connect(self.export)
        self.open_button.clicked.connect(self._open_last_export)
        self.void_button.clicked.connect(self.void_selected)
        self.import_button.clicked.connect(self.import_ledger)
        self.manual_button.clicked.connect(lambda: self.outside_dialog("manual"))
        self.reserve_button.clicked.connect(lambda: self.outside_dialog("reserve"))
        self.use_button.clicked.connect(lambda: self.outside_dialog("use"))
        self.gap_button.clicked.connect(lambda: self.outside_dialog("gaps"))
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)
        self._fill_books(load=False)

    def showEvent(self, event: QShowEvent) -> None:
        """Read the lines on first show, unless the main window's refresh() already asked."""
        super().showEvent(event)
        QTimer.singleShot(0, self, self._first_load)

    def _first_load(self) -> None:
        if self._generation == 0:
            self.reload()

    # ------------------------------------------------------------------ what is shown

    @property
    def book_code(self) -> str:
        return str(self.book_combo.currentData() or EXPEDITION)

    @property
    def year(self) -> int | None:
        data = self.year_combo.currentData()
        return int(data) if data else None

    def is_expedition(self) -> bool:
        return self.book_code == EXPEDITION

    def _book(self) -> BookInfo | None:
        return next((b for b in self._books if b.code == self.book_code), None)

    def _fill_books(self, *, load: bool = True) -> None:
        current = self.book_combo.currentData()
        self._books = self.books_service.books()
        self.book_combo.blockSignals(True)
        self.book_combo.clear()
        for book in self._books:
            self.book_combo.addItem(icon("buku"), book.title, book.code)
        self.book_combo.addItem(icon("teruskan"), "Buku Ekspedisi", EXPEDITION)
        index = self.book_combo.findData(current) if current else 0
        self.book_combo.setCurrentIndex(max(index, 0))
        self.book_combo.blockSignals(False)
        self._book_changed(load=load)

    def _book_changed(self, *_args: object, load: bool = True) -> None:
        book = self._book()
        current = self.year
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        if book is not None and not book.yearly:
            self.year_combo.addItem("Semua tahun", None)
            self.year_combo.setEnabled(False)
        else:
            self.year_combo.setEnabled(True)
            for year in self.books_service.years(self.book_code):
                self.year_combo.addItem(str(year), year)
            index = self.year_combo.findData(current) if current else 0
            self.year_combo.setCurrentIndex(max(index, 0))
        self.year_combo.blockSignals(False)
        self.model.set_columns(
            expedition_columns() if self.is_expedition() else agenda_columns(self._muted())
        )
        self.import_button.setEnabled(not self.is_expedition())
        for button in (self.manual_button, self.reserve_button, self.use_button, self.gap_button):
            button.setEnabled(not self.is_expedition())
        if load:
            self.reload()

    def _muted(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.PlaceholderText)

    def refresh(self) -> None:
        """F5 and every time the screen is shown: books, years and lines read again (after
        voiding the reserved numbers whose time is over, so the book shows them voided)."""
        try:
            self._s.outside_numbers.expire_due()
        except UserError as exc:
            report_error(self, exc)
        self._fill_books()

    def reload(self) -> None:
        """Read the lines of the chosen book and year (in the background)."""
        self._search_timer.stop()
        self._generation += 1
        generation = self._generation
        code, year, text = self.book_code, self.year, self.search.text()
        service = self.books_service
        self.summary.setText("Memuat…")

        def read() -> list[AgendaRow] | list[ExpeditionRow]:
            if code == EXPEDITION:
                return service.expedition(year, text)
            return service.agenda(code, year, text)

        def show(rows: list[AgendaRow] | list[ExpeditionRow]) -> None:
            if generation != self._generation:
                return  # a newer request is on its way
            self.model.set_rows(rows)
            self._show_summary(rows)
            if rows:
                self.table.setCurrentIndex(self.model.index(0, 0))
            self._update_actions()

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.summary.setText("")
                report_error(self, exc)

        self.loading = run_in_background(read, on_success=show, on_failure=failed, owner=self)

    def _show_summary(self, rows: list[AgendaRow] | list[ExpeditionRow]) -> None:
        searching = bool(self.search.text().strip())
        found = "ditemukan" if searching else ""
        if self.is_expedition():
            text = f"{int_text(len(rows))} pengiriman {found}".strip()
        else:
            voided = sum(1 for r in rows if isinstance(r, AgendaRow) and r.voided)
            imported = sum(
                1 for r in rows if isinstance(r, AgendaRow) and r.taken_by == IMPORTED_BY
            )
            parts = [f"{int_text(len(rows))} nomor {found}".strip()]
            if voided:
                parts.append(f"{int_text(voided)} dibatalkan")
            if imported:
                parts.append(f"{int_text(imported)} dari buku lama")
            text = " · ".join(parts)
        self.summary.setText(text)

    def _update_actions(self) -> None:
        row = self.table.current_row()
        self.void_button.setEnabled(self.can_keep and isinstance(row, AgendaRow) and not row.voided)
        busy = self.export_job is not None and self.export_job.running
        self.export_button.setEnabled(not busy)

    # ------------------------------------------------------------------ export

    def _ask_save_path(self, suggested: str) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Simpan Buku sebagai Excel", str(Path(folder) / suggested), "Buku Excel (*.xlsx)"
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")

    def export(self) -> ProgressJob | None:
        """Ask where, then write the book in the background with a progress dialog."""
        if self.export_job is not None and self.export_job.running:
            return self.export_job
        title = self.book_combo.currentText()
        book = self._book()
        year = self.year if (book is None or book.yearly) else None
        path = self._ask_save_path(default_file_name(title, year))
        if path is None:
            return None
        service, code = self.books_service, self.book_code
        with_nik, actor = not self.with_nik.isHidden() and self.with_nik.isChecked(), self._actor
        total = service.count(code, year)
        self.banner.clear_message()

        def job(progress: Callable[[int], None], cancelled: Callable[[], bool]) -> ExportResult:
            # On the pool thread: only the service, its own session, and the two callables.
            return service.export(
                code,
                year,
                path,
                progress=progress,
                cancelled=cancelled,
                with_nik=with_nik,
                actor=actor,
            )

        label = f"Menyimpan {title}{f' {year}' if year else ''}…"
        self.export_job = ProgressJob(
            self, job, title="Ekspor Buku", label=label, maximum=total, unit="baris"
        )
        self.export_job.finished.connect(self._exported)
        self.export_job.cancelled_by_user.connect(self._export_cancelled)
        self.export_job.failed.connect(lambda _exc: self._update_actions())
        self.export_job.start()
        self._update_actions()
        return self.export_job

    def _export_cancelled(self) -> None:
        self.banner.show_error("Ekspor dibatalkan; tidak ada berkas yang disimpan.")
        self._update_actions()

    def _exported(self, result: ExportResult) -> None:
        self.last_export = result
        self.banner.show_ok(
            f"{result.title} tersimpan ({int_text(result.rows)} baris): {result.path}"
        )
        self.open_button.show()
        self._update_actions()

    def _open_last_export(self) -> None:
        if self.last_export is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.path)))

    # ------------------------------------------------------------------ void, import

    def void_selected(self) -> QWidget | None:
        from desktop_perizinan.ui.buku.void_dialog import VoidNumberDialog

        row = self.table.current_row()
        if not self.can_keep or not isinstance(row, AgendaRow) or row.voided:
            return None
        dialog = VoidNumberDialog(self._s, self._actor, row, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.voided.connect(self._after_void)
        self.dialog = dialog
        dialog.open()
        dialog.reason.setFocus()
        return dialog

    def _after_void(self, _entry_id: int) -> None:
        self.banner.show_ok("Nomor dibatalkan; nomor tetap tercatat di buku dengan alasannya.")
        self.reload()

    def import_ledger(self) -> QWidget | None:
        from desktop_perizinan.ui.buku.import_wizard import LedgerImportWizard

        if not self.can_keep:
            return None
        wizard = LedgerImportWizard(self._s, self._actor, self._books, self.book_code, parent=self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.imported.connect(self._after_import)
        self.dialog = wizard
        wizard.open()
        return wizard

    def outside_dialog(self, which: str) -> QWidget | None:
        """The dialog "Catat nomor manual", "Pesan nomor" or "Laporan celah" of the book."""
        import desktop_perizinan.ui.buku.outside_dialogs as outside_dialogs

        book = self._book()
        if book is None or (which != "gaps" and not self.can_keep):
            return None
        dialog: QWidget
        if which == "manual":
            dialog = outside_dialogs.ManualNumberDialog(self._s, self._actor, book, self)
        elif which == "reserve":
            dialog = outside_dialogs.ReserveNumberDialog(self._s, self._actor, book, self)
        elif which == "use":
            dialog = outside_dialogs.UseReservationDialog(self._s, self._actor, book, self)
        else:
            try:
                dialog = outside_dialogs.GapReportDialog(self._s, book, self.year, self)
            except UserError as exc:
                report_error(self, exc)
                return None
        if isinstance(dialog, outside_dialogs._BookDialog):
            dialog.done_text.connect(self._after_outside)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()  # type: ignore[attr-defined]
        return dialog

    def _after_outside(self, text: str) -> None:
        self.banner.show_ok(text)
        self._fill_books()

    def _after_import(self, text: str) -> None:
        self.banner.show_ok(text)
        self._fill_books()
