"""Voiding a spoiled number: the number, what it was for, and the reason (at least 5 letters).

The services refuse a short reason too; the dialog only saves the clerk a round trip by keeping
the button disabled until the reason is long enough, and says why beside the field.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.books import AgendaRow
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.formatting import short_date
from desktop_perizinan.ui.widgets.messages import Banner

MIN_REASON = 5


class VoidNumberDialog(QDialog):
    """Asks for the reason and voids the number through ``services.work.void_number``."""

    voided = Signal(int)  # the agenda entry id

    def __init__(
        self, services: Services, actor: Actor, row: AgendaRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("voidNumberDialog")
        self.setWindowTitle("Batalkan Nomor")
        self._s = services
        self._actor = actor
        self.row = row

        title = QLabel(f"Batalkan nomor <b>{_escape(row.number)}</b>?")
        set_role(title, "title")
        explain = QLabel(
            "Nomor yang dibatalkan tetap tercatat di buku beserta alasannya dan tidak akan "
            "dipakai lagi. Pembatalan tidak dapat diurungkan."
        )
        explain.setWordWrap(True)
        set_role(explain, "hint")
        self.banner = Banner(self)

        form = QFormLayout()
        form.addRow("Tanggal:", QLabel(short_date(row.taken_at.date())))
        subject = QLabel(row.subject or "-")
        subject.setWordWrap(True)
        form.addRow("Perihal:", subject)
        form.addRow("Kepada:", QLabel(row.addressee or "-"))
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("voidReason")
        self.reason.setPlaceholderText("Misalnya: salah ketik alamat tujuan, surat dicetak ulang")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.fontMetrics().height() * 4 + 12)
        form.addRow("Alasan pembatalan:", self.reason)
        self.reason_hint = QLabel(f"Minimal {MIN_REASON} karakter.")
        set_role(self.reason_hint, "hint")
        form.addRow("", self.reason_hint)

        self.buttons = QDialogButtonBox()
        self.void_button: QPushButton = self.buttons.addButton(
            "Batalkan Nomor", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.void_button.setObjectName("confirmVoid")
        self.void_button.setEnabled(False)
        close = self.buttons.addButton("Tutup", QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        self.buttons.accepted.connect(self._void)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._reason_changed)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(explain)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())

    def _reason_changed(self) -> None:
        long_enough = len(self.reason.toPlainText().strip()) >= MIN_REASON
        self.void_button.setEnabled(long_enough)

    def _void(self) -> None:
        try:
            self._s.work.void_number(self._actor, self.row.id, self.reason.toPlainText())
        except UserError as exc:  # shown here; a bug propagates and is reported as a bug
            self.banner.show_error(exc.message)
            return
        self.voided.emit(self.row.id)
        self.accept()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
