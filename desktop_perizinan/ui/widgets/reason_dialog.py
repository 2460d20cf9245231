"""A small dialog that asks why (withdrawing or reopening a case, erasing an applicant's data)
and runs the use case with the reason off the GUI thread; a refusal shows beside the field (a
reason too short) or on the banner, and nothing is changed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError, ValidationError
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.ui.widgets.messages import Banner, report_error
from desktop_perizinan.ui.worker import run_in_background


class ReasonDialog(QDialog):
    """Asks for a reason and runs ``action(reason)`` with it; ``done`` after either outcome."""

    done = Signal()

    def __init__(
        self,
        title: str,
        prompt: str,
        action: Callable[[str], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._action = action
        layout = QVBoxLayout(self)
        heading = QLabel(prompt)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.banner = Banner(self)
        layout.addWidget(self.banner)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(
            "Alasan (minimal 5 karakter); tercatat di riwayat permohonan."
        )
        self.box = FieldBox(self.reason)
        layout.addWidget(self.box)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.ok_button = QPushButton("&Simpan")
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton("&Batal")
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.ok_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.resize(480, 240)
        self.reason.setFocus()

    def save(self) -> None:
        self.box.clear_message()
        self.banner.clear_message()
        reason = self.reason.toPlainText().strip()
        self.ok_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.ok_button.setEnabled(True)
            if isinstance(exc, ValidationError) and exc.field == "reason":
                self.box.show_error(exc.message)
            elif isinstance(exc, UserError):
                self.banner.show_error(exc.message)
            else:
                report_error(self, exc)
            self.done.emit()

        def saved(_result: object) -> None:
            self.accept()
            self.done.emit()

        self.task = run_in_background(
            lambda: self._action(reason), on_success=saved, on_failure=failed, owner=self
        )
