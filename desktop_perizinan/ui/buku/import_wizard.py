"""Impor Buku Lama: an office's old Excel agenda book into one of our books, in three pages.

1. **Berkas** — the book to continue, the Excel file, its worksheet and (if the automatic
   guess is wrong) the row holding the column titles.
2. **Kolom** — which column is the number, the date, the subject and the addressee, and where
   the sequence comes from (out of the number with the book's pattern, or a column of its own).
   The first rows of the file are shown so the clerk maps what they see.
3. **Periksa** — every row judged: the bad ones in red with their reason, the gaps, and the
   number the book will give next. The import is refused while there are bad rows unless the
   clerk ticks "skip them" (see ``services.ledger_import`` for why); it runs in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.books import BookInfo
from desktop_perizinan.services.ledger_import import (
    ColumnMapping,
    ImportPlan,
    ImportResult,
    LedgerFile,
    LedgerImportService,
    cell_text,
    guess_mapping,
    ledger_sheet_names,
)
from desktop_perizinan.ui.laporan.tables import Col, SpecTableModel, SpecTableView, int_text
from desktop_perizinan.ui.theme import color, set_role
from desktop_perizinan.ui.widgets.messages import Banner
from desktop_perizinan.ui.worker import Task, run_in_background


@contextmanager
def busy() -> Iterator[None]:
    """A wait cursor while a ledger is read or judged (a second or two for a big one; the
    import itself runs in the background)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


#: Rows of the file shown on the mapping page.
SAMPLE_ROWS = 8
NONE = -1


@dataclass(frozen=True)
class PreviewRow:
    """One row of the file as judged: good (with its place in the book) or bad (with why)."""

    row_no: int
    ok: bool
    number: str
    date_text: str
    seq: int | None
    note: str


def preview_rows(plan: ImportPlan) -> list[PreviewRow]:
    rows = [
        PreviewRow(
            g.row_no,
            True,
            g.number,
            g.taken_at.strftime("%d-%m-%Y"),
            g.seq,
            g.subject,
        )
        for g in plan.good
    ]
    rows += [PreviewRow(b.row_no, False, b.number, b.date_text, None, b.reason) for b in plan.bad]
    rows.sort(key=lambda r: r.row_no)
    return rows


def preview_columns() -> list[Col[PreviewRow]]:
    def bad(r: PreviewRow) -> Any:
        return None if r.ok else color("error")

    return [
        Col(
            "Baris",
            lambda r: str(r.row_no),
            60,
            align_right=True,
            color=bad,
            tooltip=lambda r: f"Baris data ke-{r.row_no} di bawah judul kolom",
        ),
        Col("Status", lambda r: "Siap" if r.ok else "Bermasalah", 90, color=bad),
        Col("Nomor", lambda r: r.number, 220, color=bad),
        Col("Tanggal", lambda r: r.date_text, 100, color=bad),
        Col("No. Urut", lambda r: "" if r.seq is None else str(r.seq), 70, True, color=bad),
        Col("Perihal / Alasan", lambda r: r.note, 360, color=bad, stretch=True),
    ]


# ---------------------------------------------------------------------- pages


class FilePage(QWizardPage):
    def __init__(self, wizard: LedgerImportWizard, books: list[BookInfo], book_code: str) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Pilih buku dan berkas Excel")
        self.setSubTitle(
            "Buku lama diimpor ke buku agenda yang dipilih; penomoran berlanjut setelah nomor "
            "terakhirnya."
        )
        self.banner = Banner(self)
        self.book_combo = QComboBox()
        self.book_combo.setObjectName("importBook")
        for book in books:
            self.book_combo.addItem(book.title, book.code)
        self.book_combo.setCurrentIndex(max(0, self.book_combo.findData(book_code)))
        self.pattern_label = QLabel()
        set_role(self.pattern_label, "hint")
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("ledgerPath")
        self.path_edit.setPlaceholderText("Lokasi berkas .xlsx")
        self.browse = QPushButton("&Pilih Berkas…")
        self.browse.setObjectName("browseLedger")
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("ledgerSheet")
        self.header_spin = QSpinBox()
        self.header_spin.setObjectName("headerRow")
        self.header_spin.setRange(0, 100)
        self.header_spin.setSpecialValueText("Otomatis")
        self.header_spin.setToolTip("Baris tempat judul kolom (Nomor, Tanggal, ...) berada")

        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("&Buku tujuan:", self.book_combo)
        form.addRow("", self.pattern_label)
        path_label = QLabel("Berkas &Excel:")
        path_label.setBuddy(self.path_edit)
        form.addRow(path_label, path_row)
        form.addRow("&Lembar kerja:", self.sheet_combo)
        form.addRow("Baris &judul kolom:", self.header_spin)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addStretch(1)

        self._books = {b.code: b for b in books}
        self.book_combo.currentIndexChanged.connect(self._book_changed)
        self.browse.clicked.connect(self.choose_file)
        self._sheets_of: Path | None = None
        self.path_edit.editingFinished.connect(self._path_changed)
        self.path_edit.textChanged.connect(self._text_changed)
        self._book_changed()

    def book(self) -> BookInfo:
        return self._books[str(self.book_combo.currentData())]

    def _book_changed(self) -> None:
        book = self.book()
        yearly = "per tahun" if book.yearly else "tidak diulang per tahun"
        self.pattern_label.setText(f"Pola nomor: {book.pattern}  ({yearly})")

    def choose_file(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "Pilih Buku Agenda Lama", folder, "Buku Excel (*.xlsx *.xlsm)"
        )
        if chosen:
            self.path_edit.setText(chosen)
            self._path_changed()

    def _text_changed(self, text: str) -> None:
        """A typed or pasted path is read as soon as it names a file."""
        if Path(text.strip()).is_file():
            self._path_changed()
        self.completeChanged.emit()

    def _path_changed(self) -> None:
        path = Path(self.path_edit.text().strip())
        if path == self._sheets_of:
            return
        self._sheets_of = path
        self.sheet_combo.clear()
        self.banner.clear_message()
        if not path.is_file():
            return
        try:
            names = ledger_sheet_names(path)
        except UserError as exc:
            self.banner.show_error(exc.message)
            return
        self.sheet_combo.addItems(names)

    def isComplete(self) -> bool:
        return Path(self.path_edit.text().strip()).is_file()

    def validatePage(self) -> bool:
        path = Path(self.path_edit.text().strip())
        sheet = self.sheet_combo.currentText() or None
        header = self.header_spin.value() or None
        try:
            with busy():
                ledger = self._wizard.service.read(path, sheet=sheet, header_row=header)
        except UserError as exc:
            self.banner.show_error(exc.message)
            return False
        self._wizard.ledger = ledger
        self._wizard.book = self.book()
        return True


class MappingPage(QWizardPage):
    def __init__(self, wizard: LedgerImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Cocokkan kolom")
        self.setSubTitle("Pilih kolom berkas untuk setiap isian buku. Tanda * wajib.")
        self.banner = Banner(self)
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        for key, label in (
            ("number", "&Nomor *"),
            ("date", "&Tanggal *"),
            ("subject", "&Perihal"),
            ("addressee", "&Kepada / Tujuan"),
        ):
            combo = QComboBox()
            combo.setObjectName(f"map_{key}")
            self.combos[key] = combo
            form.addRow(label, combo)
        self.seq_from_number = QRadioButton("Dibaca dari nomor dengan pola buku")
        self.seq_from_number.setObjectName("seqFromNumber")
        self.seq_from_column = QRadioButton("Dari kolom:")
        self.seq_from_column.setObjectName("seqFromColumn")
        self.seq_combo = QComboBox()
        self.seq_combo.setObjectName("map_seq")
        group = QButtonGroup(self)
        group.addButton(self.seq_from_number)
        group.addButton(self.seq_from_column)
        self.seq_from_number.setChecked(True)
        seq_row = QHBoxLayout()
        seq_row.addWidget(self.seq_from_number)
        seq_row.addSpacing(12)
        seq_row.addWidget(self.seq_from_column)
        seq_row.addWidget(self.seq_combo, 1)
        seq_label = QLabel("No. &urut:")
        seq_label.setBuddy(self.seq_from_number)
        form.addRow(seq_label, seq_row)
        self.seq_combo.setEnabled(False)
        self.seq_from_column.toggled.connect(self.seq_combo.setEnabled)

        self.sample_label = QLabel()
        set_role(self.sample_label, "hint")
        self.sample_model: SpecTableModel[tuple[Any, ...]] = SpecTableModel([], self)
        self.sample = SpecTableView(self.sample_model, self)
        self.sample.setObjectName("ledgerSample")

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.sample_label)
        layout.addWidget(self.sample, 1)

    def initializePage(self) -> None:
        ledger = self._wizard.ledger
        assert ledger is not None
        headers = [h or f"(kolom {i + 1})" for i, h in enumerate(ledger.headers)]
        guess = guess_mapping(ledger.headers)
        for key, combo in (*self.combos.items(), ("seq", self.seq_combo)):
            combo.clear()
            if key not in ("number", "date"):
                combo.addItem("(tidak ada)", NONE)
            for index, header in enumerate(headers):
                combo.addItem(header, index)
            wanted = guess.get(key)
            if wanted is not None:
                combo.setCurrentIndex(combo.findData(wanted))
        self.seq_from_column.setChecked(guess.get("seq") is not None)
        self.seq_from_number.setChecked(guess.get("seq") is None)
        book = self._wizard.book
        if book is not None:
            self.seq_from_number.setText(f"Dibaca dari nomor ({book.pattern})")
        metrics = self.sample.fontMetrics()
        sample = ledger.rows[:SAMPLE_ROWS]
        columns = [
            Col(
                header,
                lambda r, i=i: cell_text(r[i]),
                min(320, 16 + max(metrics.horizontalAdvance(t) for t in
                                  [header, *(cell_text(r[i]) for r in sample)])),
            )
            for i, header in enumerate(headers)
        ]  # fmt: skip
        self.sample_model.set_columns(columns, list(ledger.rows[:SAMPLE_ROWS]))
        self.sample_label.setText(
            f"Contoh isi berkas ({min(SAMPLE_ROWS, len(ledger.rows))} dari "
            f"{int_text(len(ledger.rows))} baris):"
        )
        self.banner.clear_message()

    def mapping(self) -> ColumnMapping:
        def pick(combo: QComboBox) -> int | None:
            value = combo.currentData()
            return None if value is None or value == NONE else int(value)

        number, date = pick(self.combos["number"]), pick(self.combos["date"])
        if number is None or date is None:
            raise UserError("Kolom nomor dan tanggal wajib dipilih.")
        return ColumnMapping(
            number=number,
            date=date,
            subject=pick(self.combos["subject"]),
            addressee=pick(self.combos["addressee"]),
            seq=pick(self.seq_combo) if self.seq_from_column.isChecked() else None,
        )

    def validatePage(self) -> bool:
        wizard = self._wizard
        assert wizard.ledger is not None and wizard.book is not None
        try:
            mapping = self.mapping()
            if self.seq_from_column.isChecked() and mapping.seq is None:
                raise UserError("Pilih kolom nomor urut, atau baca nomor urut dari nomor.")
            with busy():
                wizard.plan = wizard.service.preview(wizard.book.code, wizard.ledger, mapping)
        except UserError as exc:
            self.banner.show_error(exc.message)
            return False
        wizard.mapping = mapping
        return True


class PreviewPage(QWizardPage):
    def __init__(self, wizard: LedgerImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Periksa sebelum mengimpor")
        self.setSubTitle(
            "Baris bermasalah ditandai merah beserta alasannya. Semua baris diimpor dalam satu "
            "transaksi: gagal satu, tidak ada yang tersimpan."
        )
        self.banner = Banner(self)
        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.continues = QLabel()
        self.continues.setObjectName("importContinues")
        self.continues.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        set_role(self.warnings, "warning")
        self.only_bad = QCheckBox("Tampilkan hanya baris &bermasalah")
        self.only_bad.setObjectName("onlyBad")
        self.skip_bad = QCheckBox()
        self.skip_bad.setObjectName("skipBad")
        self.progress = QLabel()
        self.progress.setObjectName("importProgress")
        set_role(self.progress, "hint")
        self.model: SpecTableModel[PreviewRow] = SpecTableModel(preview_columns(), self)
        self.table = SpecTableView(self.model, self)
        self.table.setObjectName("importPreview")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addWidget(self.continues)
        layout.addWidget(self.warnings)
        layout.addWidget(self.only_bad)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.skip_bad)
        layout.addWidget(self.progress)
        self.only_bad.toggled.connect(self._fill)
        self.skip_bad.toggled.connect(lambda _on: self.completeChanged.emit())

    def initializePage(self) -> None:
        plan = self._wizard.plan
        assert plan is not None
        self.banner.clear_message()
        total, good, bad = plan.total, len(plan.good), len(plan.bad)
        self.summary.setText(
            f"<b>{int_text(total)}</b> baris dibaca dari berkas: "
            f"<b>{int_text(good)}</b> siap diimpor ke {plan.book_title}"
            + (f", <b>{int_text(bad)}</b> bermasalah." if bad else ".")
        )
        set_role(self.summary, "warning" if bad else "")
        lines = []
        for year, (last, next_number) in sorted(plan.continues.items()):
            where = f"tahun {year}" if year else "buku ini"
            lines.append(
                f"Penomoran {where} berlanjut setelah nomor urut {last}: nomor berikutnya "
                f"{next_number}."
            )
        self.continues.setText("\n".join(lines))
        self.warnings.setText("\n".join(plan.warnings))
        self.warnings.setVisible(bool(plan.warnings))
        self.only_bad.setChecked(False)
        self.only_bad.setVisible(bool(bad))
        self.skip_bad.setChecked(False)
        self.skip_bad.setVisible(bool(bad) and bool(good))
        self.skip_bad.setText(
            f"Lewati {int_text(bad)} baris bermasalah dan impor {int_text(good)} baris lainnya "
            "(baris yang dilewati dicatat di log audit)"
        )
        self._fill()

    def _fill(self) -> None:
        plan = self._wizard.plan
        if plan is None:
            return
        rows = preview_rows(plan)
        if self.only_bad.isChecked():
            rows = [r for r in rows if not r.ok]
        self.model.set_rows(rows)

    def isComplete(self) -> bool:
        plan = self._wizard.plan
        if plan is None or not plan.good or self._wizard.running:
            return False
        return not plan.bad or self.skip_bad.isChecked()


# ---------------------------------------------------------------------- the wizard


class LedgerImportWizard(QWizard):
    """Emits ``imported(message)`` after a successful import, then closes."""

    imported = Signal(str)

    def __init__(
        self,
        services: Services,
        actor: Actor,
        books: list[BookInfo],
        book_code: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ledgerImportWizard")
        self.setWindowTitle("Impor Buku Agenda Lama")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setButtonText(QWizard.WizardButton.NextButton, "&Lanjut >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Kembali")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Impor")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Batal")
        self.service = LedgerImportService(services)
        self._actor = actor
        self.ledger: LedgerFile | None = None
        self.book: BookInfo | None = None
        self.mapping: ColumnMapping | None = None
        self.plan: ImportPlan | None = None
        self.result: ImportResult | None = None
        self.task: Task | None = None
        self.running = False
        self.file_page = FilePage(self, books, book_code)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.addPage(self.file_page)
        self.addPage(self.mapping_page)
        self.addPage(self.preview_page)
        self.resize(860, 620)

    def accept(self) -> None:
        """Import (in the background); the wizard closes only when it worked."""
        if self.running or self.ledger is None or self.book is None or self.mapping is None:
            return
        skip = self.preview_page.skip_bad.isChecked()
        ledger, mapping, code, actor, service = (
            self.ledger, self.mapping, self.book.code, self._actor, self.service,
        )  # fmt: skip
        self.running = True
        self.preview_page.completeChanged.emit()
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)
        self.preview_page.banner.clear_message()
        self.preview_page.progress.setText("Mengimpor… mohon tunggu, jangan tutup jendela ini.")
        self.setCursor(Qt.CursorShape.BusyCursor)

        def work() -> ImportResult:
            return service.import_ledger(actor, code, ledger, mapping, skip_bad=skip)

        self.task = run_in_background(
            work, on_success=self._done, on_failure=self._failed, owner=self
        )

    def _done(self, result: ImportResult) -> None:
        self.running = False
        self.unsetCursor()
        self.result = result
        title = self.book.title if self.book else result.book_code
        nexts = ", ".join(n for _last, n in result.continues.values())
        message = f"{int_text(result.imported)} nomor diimpor ke {title}"
        if result.skipped:
            message += f" ({int_text(result.skipped)} baris dilewati)"
        message += f". Nomor berikutnya: {nexts}." if nexts else "."
        self.imported.emit(message)
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.unsetCursor()
        self.preview_page.progress.clear()
        self.button(QWizard.WizardButton.BackButton).setEnabled(True)
        self.preview_page.completeChanged.emit()
        if isinstance(exc, UserError):
            self.preview_page.banner.show_error(exc.message)
            return
        from desktop_perizinan.ui.widgets.messages import report_error

        report_error(self, exc)


__all__ = ["LedgerImportWizard", "PreviewRow"]
