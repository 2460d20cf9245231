"""Quick find (Ctrl+F or F3): a registration or permit number opens its case at once; a name
or a NIK lists the matches.

A barcode scanner types the number printed on the resi and presses Enter, so a number that
matches exactly opens without a further key. Anything else is searched in names, NIKs and
numbers; a single match opens, several are listed (Enter on a row opens it).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop_perizinan.services.app import Services
from desktop_perizinan.services.case_search import CaseRow
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.form import focus_on_show
from desktop_perizinan.ui.widgets.formatting import short_date
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView

CASE_COLUMNS: tuple[Column[CaseRow], ...] = (
    Column("Nomor", lambda r: r.reference),
    Column("Pemohon", lambda r: r.applicant_name),
    Column("NIK", lambda r: r.applicant_nik),
    Column("Jenis izin", lambda r: r.permit_name, stretch=True),
    Column("Status", lambda r: r.status.label),
    Column("Diterima", lambda r: short_date(r.received_at), sort_key=lambda r: r.received_at),
)


class QuickFindDialog(QDialog):
    """``open_case(case_id)`` is emitted for the case to open; the dialog then closes."""

    open_case = Signal(int)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cari permohonan")
        self.setObjectName("quickFind")
        self._s = services
        self.edit = QLineEdit(self)
        self.edit.setObjectName("query")
        self.edit.setPlaceholderText(
            "Pindai atau ketik nomor registrasi / nomor izin, nama, atau NIK"
        )
        self.edit.setClearButtonEnabled(True)
        self.edit.returnPressed.connect(self.find)
        self.hint = QLabel("Enter: cari  ·  ↓ lalu Enter: buka  ·  Esc: tutup", self)
        set_role(self.hint, "hint")
        self.model = RowsModel(CASE_COLUMNS, self)
        self.results = RowsView(self.model, self)
        self.results.activated.connect(self._open_current)
        self.results.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.hint)
        layout.addWidget(self.results, 1)
        self.resize(820, self.sizeHint().height())
        focus_on_show(self, self.edit)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() == Qt.Key.Key_Down and self.edit.hasFocus() and self.model.rowCount():
            self.results.setFocus()
            return
        super().keyPressEvent(event)

    def find(self) -> None:
        text = self.edit.text().strip()
        if not text:
            return
        case_id = self._s.queries.find_by_number(text)
        if case_id is not None:
            self._open(case_id)
            return
        rows = self._s.queries.search(text, limit=200)
        self.model.set_rows(rows)
        if len(rows) == 1:
            self._open(rows[0].id)
            return
        if not rows:
            set_role(self.hint, "error")
            self.hint.setText(f"Tidak ada permohonan yang cocok dengan '{text}'.")
            self.results.hide()
            self.resize(self.width(), self.minimumSizeHint().height())
            return
        set_role(self.hint, "hint")
        self.hint.setText(f"{len(rows)} permohonan cocok. ↓ lalu Enter untuk membuka.")
        self.results.show()
        if self.height() < 420:
            self.resize(self.width(), 460)
        self.results.setFocus()

    def _open_current(self) -> None:
        row = self.results.current_row()
        if row is not None:
            self._open(row.id)

    def _open(self, case_id: int) -> None:
        self.open_case.emit(case_id)
        self.accept()
