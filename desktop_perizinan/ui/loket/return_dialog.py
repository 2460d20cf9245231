"""Kelengkapan datang: the applicant of a waiting file is back with what was missing.

The clerk ticks what was brought (and may attach the scans); the service checks the file again
and, when nothing mandatory is missing any more, takes the registration number and renders the
resi. Still incomplete: a new klarifikasi slip, and the file keeps waiting.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.intake import IntakeResult
from desktop_perizinan.ui.theme import icon, set_role
from desktop_perizinan.ui.widgets.attachments import AttachmentPanel
from desktop_perizinan.ui.widgets.form import EnterNavigator, WrappingCheck, focus_on_show
from desktop_perizinan.ui.widgets.formatting import short_datetime
from desktop_perizinan.ui.widgets.messages import Banner, report_error
from desktop_perizinan.ui.worker import run_in_background


class CompletionDialog(QDialog):
    """Tick what the applicant brought; ``saved`` carries the IntakeResult."""

    saved = Signal(object)

    def __init__(
        self, services: Services, actor: Actor, case_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Kelengkapan datang")
        self.setObjectName("completion")
        self._s = services
        self._actor = actor
        self.case_id = case_id
        self._busy = False
        self.task = None
        self.result_value: IntakeResult | None = None
        view = services.queries.case(case_id, actor)
        self.view = view

        title = QLabel(f"Kelengkapan datang — {view.reference}")
        set_role(title, "title")
        self.banner = Banner(self)
        info = QFormLayout()
        info.addRow("Pemohon:", QLabel(f"{view.applicant_name} (NIK {view.applicant_nik})"))
        permit = QLabel(view.permit_name)
        permit.setWordWrap(True)
        info.addRow("Jenis izin:", permit)
        info.addRow("Diterima:", QLabel(short_datetime(view.received_at)))
        info.addRow("Status:", QLabel(view.status.label))

        group = QGroupBox("Persyaratan — centang yang dibawa pemohon sekarang")
        column = QVBoxLayout(group)
        self.checks: dict[str, WrappingCheck] = {}
        for code, name, present in view.requirements:
            box = WrappingCheck(name + ("  (sudah ada)" if present else ""), self)
            box.check.setObjectName(f"req_{code}")
            box.setChecked(present)
            box.setEnabled(not present)
            box.check.setEnabled(not present)
            if not present:
                self.checks[code] = box
                box.check.toggled.connect(lambda _on: self._update_outcome())
            column.addWidget(box)

        self.attachments = AttachmentPanel(services.settings.attachment_limit_bytes(), self)
        self.attachments.set_requirements(
            [(code, name) for code, name, present in view.requirements if not present]
        )
        self.attachments.requirement_attached.connect(self._tick)
        attachments_group = QGroupBox("Lampiran yang dibawa (pindaian)")
        QVBoxLayout(attachments_group).addWidget(self.attachments)

        self.note = QLineEdit(self)
        self.note.setPlaceholderText("opsional")
        note_row = QFormLayout()
        note_row.addRow("Cata&tan:", self.note)

        self.cancel_button = QPushButton("Batal  (Esc)", self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton(icon("cetak"), "&Simpan dan cetak resi  (Ctrl+S)", self)
        self.save_button.setObjectName("save")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.submit)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.submit)
        self.outcome = QLabel(self)
        self.outcome.setObjectName("outcome")
        self.outcome.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.outcome, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.banner)
        layout.addLayout(info)
        layout.addWidget(group)
        layout.addWidget(attachments_group)
        layout.addLayout(note_row)
        layout.addLayout(buttons)

        self.navigator = EnterNavigator(self, self.submit)
        chain: list[QWidget] = [box.check for box in self.checks.values()]
        chain += [self.attachments.add_button, self.note]
        self.navigator.set_chain(chain, tail=[self.save_button, self.cancel_button])
        self.resize(760, 640)
        self._update_outcome()
        if chain:
            focus_on_show(self, chain[0])

    def still_missing(self) -> list[str]:
        """Mandatory requirements not ticked yet (optional ones never hold a file back)."""
        definition = self._s.forms.types.get(self.view.permit_code)
        optional = (
            {r.code for r in definition.requirements if not r.mandatory} if definition else set()
        )
        names = {code: name for code, name, _present in self.view.requirements}
        return [
            names[code]
            for code, box in self.checks.items()
            if code not in optional and not box.isChecked()
        ]

    def _update_outcome(self) -> None:
        missing = self.still_missing()
        if missing:
            set_role(self.outcome, "warning")
            self.outcome.setText(f"Masih kurang {len(missing)}: klarifikasi baru akan dicetak.")
            self.save_button.setText("&Simpan dan cetak klarifikasi  (Ctrl+S)")
        else:
            set_role(self.outcome, "ok")
            self.outcome.setText("Lengkap: nomor registrasi diambil dan resi dicetak.")
            self.save_button.setText("&Simpan dan cetak resi  (Ctrl+S)")

    def _tick(self, code: str) -> None:
        if code in self.checks:
            self.checks[code].setChecked(True)

    def brought(self) -> frozenset[str]:
        return frozenset(code for code, box in self.checks.items() if box.isChecked())

    def submit(self) -> None:
        if self._busy:
            return
        brought = self.brought()
        attachments = self.attachments.attachments()
        if not brought and not attachments:
            self.banner.show_error("Centang paling sedikit satu persyaratan yang dibawa pemohon.")
            return
        self.banner.clear_message()
        self._busy = True
        self.save_button.setEnabled(False)
        services, actor, case_id, note = self._s, self._actor, self.case_id, self.note.text()
        self.task = run_in_background(
            lambda: services.intake.complete_return(
                actor, case_id, brought, attachments=attachments, note=note
            ),
            on_success=self._saved,
            on_failure=self._failed,
            owner=self,
        )

    def _saved(self, result: IntakeResult) -> None:
        self._busy = False
        self.result_value = result
        self.saved.emit(result)
        self.done(QDialog.DialogCode.Accepted)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        if isinstance(exc, UserError):
            self.banner.show_error(f"Belum disimpan: {exc.message}")
            if getattr(exc, "field", None) == "lampiran":
                self.attachments.show_error(exc.message)
        else:
            report_error(self, exc)

    def reject(self) -> None:
        if not self._busy:
            super().reject()
