"""Step forms of the office's clerical steps: taking the number, the SKRD and payment,
sending the letter (Buku Ekspedisi) and handing it over."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.casework import DELIVERY_WAYS
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.tugas.steps_base import StepEnv, StepForm, hint
from desktop_perizinan.ui.widgets.formatting import short_datetime
from desktop_perizinan.ui.widgets.messages import report_error
from desktop_perizinan.ui.worker import run_in_background


class NumberForm(StepForm):
    """Shows the number that will be taken, then takes it (the book never skips one)."""

    note_label = None
    save_label = "&Ambil nomor dan simpan"

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        step = env.view.open_step
        self.document_row(step.document if step else None, label="Surat")
        self.book = QLabel()
        self.form.addRow("Buku agenda", self.book)
        self.number = QLabel()
        self.number.setObjectName("nextNumber")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(self.number, "bignumber")
        self.refresh_button = QPushButton("Perbarui")
        self.refresh_button.clicked.connect(self.refresh)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.number, 1)
        line.addWidget(self.refresh_button)
        holder = QWidget()
        holder.setLayout(line)
        self.add_field("nomor", "Nomor yang akan diambil", holder)
        self.form.addRow(
            "",
            hint(
                "Nomor diambil saat disimpan. Bila petugas lain mengambil nomor dari buku yang "
                "sama lebih dulu, nomor berikutnya yang dipakai; nomor yang terpakai tampil "
                "setelah disimpan."
            ),
        )
        self.refresh()

    def refresh(self) -> None:
        preview = self.env.lookups.number_preview(self.env.view.id)
        self.book.setText(preview.book_title)
        self.number.setText(preview.number)

    @property
    def shown_number(self) -> str:
        return self.number.text()


class PaymentForm(StepForm):
    """The SKRD (issued here when not yet) and the payment proof."""

    note_label = None

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.form.addRow("Retribusi", QLabel(env.permit_type.fee_text))
        self.skrd = QLabel()
        self.skrd.setWordWrap(True)
        self.issue_button = QPushButton("&Terbitkan SKRD")
        self.issue_button.clicked.connect(self._issue)
        self.view_skrd_button = QPushButton("Lihat SKRD…")
        self.view_skrd_button.clicked.connect(self._view)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.skrd, 1)
        line.addWidget(self.issue_button)
        line.addWidget(self.view_skrd_button)
        holder = QWidget()
        holder.setLayout(line)
        self.add_field("skrd", "SKRD", holder)
        self.proof = QLineEdit()
        self.proof.setPlaceholderText("Nomor STS / bukti setor")
        self.add_field("bukti", "Nomor bukti pembayaran", self.proof)
        self._skrd = env.document("skrd")
        self._show()

    def _show(self) -> None:
        doc = self._skrd
        if doc is None:
            self.skrd.setText("Belum diterbitkan.")
        else:
            self.skrd.setText(f"Nomor {doc.number}")
        self.issue_button.setVisible(doc is None)
        self.view_skrd_button.setVisible(doc is not None)
        self.proof.setEnabled(doc is not None)

    def _issue(self) -> None:
        box = self.boxes["skrd"]
        box.clear_message()
        self.issue_button.setEnabled(False)
        services, actor, case_id = self.env.services, self.env.actor, self.env.view.id

        def done(_ref: object) -> None:
            self.issue_button.setEnabled(True)
            view = services.queries.case(case_id, actor)
            self.env.view = view
            self._skrd = self.env.document("skrd")
            self._show()
            if self._skrd is not None:
                self._view()
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.issue_button.setEnabled(True)
            if isinstance(exc, UserError):
                box.show_error(exc.message)
            else:
                report_error(self, exc)

        self.issue_task = run_in_background(
            lambda: services.work.issue_skrd(actor, case_id),
            on_success=done,
            on_failure=failed,
            owner=self,
        )

    def _view(self) -> None:
        if self._skrd is not None:
            self.open_document(self._skrd)

    def data(self) -> dict[str, Any]:
        return {"bukti": self.proof.text().strip()}

    def check(self, outcome: str) -> bool:
        if self._skrd is None:
            self.boxes["skrd"].show_error("Terbitkan SKRD lebih dulu.")
            return False
        return True


class DeliveryForm(StepForm):
    """Sending the numbered letter: how, recorded in the expedition book now."""

    note_label = None

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        step = env.view.open_step
        self.document_row(step.document if step else None, label="Surat")
        self.way = QComboBox()
        self.way.addItems(DELIVERY_WAYS)
        self.add_field("cara", "Cara penyerahan", self.way)
        self.form.addRow("Tanggal kirim", QLabel(short_datetime(env.services.now())))
        self.form.addRow("", hint("Dicatat di Buku Ekspedisi saat disimpan."))

    def data(self) -> dict[str, Any]:
        return {"cara": self.way.currentText()}


class HandoverForm(StepForm):
    """The applicant (or a representative) receives the letter: name, note, tanda terima."""

    note_label = None

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        step = env.view.open_step
        self.document_row(step.document if step else None, label="Surat")
        self.recipient = QLineEdit(env.view.applicant_name)
        self.add_field("penerima", "Nama penerima", self.recipient)
        self.remark = QLineEdit()
        self.remark.setPlaceholderText("mis. diwakilkan, dengan surat kuasa")
        self.add_field("keterangan", "Keterangan", self.remark)
        self.form.addRow("Tanggal terima", QLabel(short_datetime(env.services.now())))
        self.form.addRow("", hint("Tanda terima dicetak untuk pemohon; Buku Ekspedisi dilengkapi."))

    def data(self) -> dict[str, Any]:
        return {"penerima": self.recipient.text().strip(), "keterangan": self.remark.text().strip()}
