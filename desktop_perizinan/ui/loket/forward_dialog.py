"""Teruskan ke Backoffice: the counter's disposition step (Dairi step 4) as a small form.

The clerk names the addressee (the next step's role by default), ticks the standard
instructions printed on the lembar disposisi, picks the sifat and may add a note. The service
closes the step, renders the lembar disposisi and opens the back office's step in one
transaction; a colleague who forwarded the same file a moment earlier wins, and this dialog
says so ("sudah ditangani oleh ...") without changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.documents.contexts import SIFAT_CHOICES, STANDARD_INSTRUCTIONS
from desktop_perizinan.errors import AlreadyHandled, UserError
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.casework import ActRequest, ActResult
from desktop_perizinan.services.queries import TaskRow
from desktop_perizinan.ui.theme import icon, set_role
from desktop_perizinan.ui.widgets.form import EnterNavigator, focus_on_show
from desktop_perizinan.ui.widgets.messages import Banner, report_error
from desktop_perizinan.ui.worker import run_in_background
from desktop_perizinan.workflow.definition import APPLICANT_ROLE, Action

DEFAULT_INSTRUCTIONS = ("Proses lebih lanjut",)
NOT_ADDRESSEES = frozenset({APPLICANT_ROLE, "admin"})


@dataclass(frozen=True)
class Forwarded:
    """What the dialog hands back: the service's answer and the lembar disposisi."""

    result: ActResult
    title: str
    pdf: bytes | None


def forward_plan(services: Services, task: TaskRow) -> tuple[str, str]:
    """The forward outcome of a task's step and the role it leads to ("" when unknown)."""
    pt = services.permit_type(services.queries.case(task.case_id).permit_code)
    step = next((s for s in pt.steps if s.no == task.step_no), None)
    forward = next((o for o in step.outcomes if not o.needs_note), None) if step else None
    if forward is None:
        return "selesai", ""
    if forward.target.startswith("@"):
        return forward.code, ""
    return forward.code, services.office.role_name(pt.step(forward.target).actor)


def is_forward_task(services: Services, task: TaskRow) -> bool:
    """True for a disposition step (what "Teruskan" does); other steps are for Tugas."""
    for pt in services.forms.types.values():
        if pt.name == task.permit_name:
            step = next((s for s in pt.steps if s.no == task.step_no), None)
            return step is not None and step.action is Action.DISPOSITION
    return False


class ForwardDialog(QDialog):
    """The disposition form; ``forwarded`` carries a :class:`Forwarded` once saved."""

    forwarded = Signal(object)

    def __init__(
        self, services: Services, actor: Actor, task: TaskRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Teruskan ke Backoffice")
        self.setObjectName("forward")
        self._s = services
        self._actor = actor
        self.task_row = task
        self._busy = False
        self.task = None
        office = services.office
        self._outcome, next_role = forward_plan(services, task)

        title = QLabel(f"Teruskan {task.reg_number}")
        set_role(title, "title")
        about = QLabel(
            f"{task.applicant_name} · {task.permit_name}\nLangkah {task.step_no}: {task.step_name}"
        )
        about.setWordWrap(True)
        set_role(about, "subtitle")
        self.banner = Banner(self)

        self.to = QComboBox(self)
        self.to.setObjectName("to")
        self.to.setEditable(True)
        self.to.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        names = [r.name for code, r in office.roles.items() if code not in NOT_ADDRESSEES]
        self.to.addItems(names)
        if next_role:
            position = self.to.findText(next_role)
            if position < 0:
                self.to.insertItem(0, next_role)
                position = 0
            self.to.setCurrentIndex(position)
        self.sifat = QComboBox(self)
        self.sifat.setObjectName("sifat")
        self.sifat.addItems(list(SIFAT_CHOICES))
        self.note = QLineEdit(self)
        self.note.setObjectName("catatan")
        self.note.setPlaceholderText("opsional; dicetak pada lembar disposisi")

        self.instructions: dict[str, QCheckBox] = {}
        group = QGroupBox("Instruksi / informasi")
        grid = QGridLayout(group)
        for position, text in enumerate(STANDARD_INSTRUCTIONS):
            box = QCheckBox(text, self)
            box.setChecked(text in DEFAULT_INSTRUCTIONS)
            self.instructions[text] = box
            grid.addWidget(box, position // 2, position % 2)

        form = QFormLayout()
        form.addRow("&Kepada:", self.to)
        form.addRow("&Sifat:", self.sifat)
        form.addRow("&Catatan:", self.note)

        self.cancel_button = QPushButton("Batal  (Esc)", self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton(icon("teruskan"), "&Teruskan  (Ctrl+S)", self)
        self.save_button.setObjectName("save")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.submit)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(about)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(group)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.navigator = EnterNavigator(self, self.submit)
        chain: list[QWidget] = [self.to, self.sifat, self.note, *self.instructions.values()]
        self.navigator.set_chain(chain, tail=[self.save_button, self.cancel_button])
        self.resize(max(620, self.sizeHint().width()), self.sizeHint().height())
        focus_on_show(self, self.to)

    def data(self) -> dict[str, object]:
        chosen = [text for text, box in self.instructions.items() if box.isChecked()]
        return {
            "to": [self.to.currentText().strip()] if self.to.currentText().strip() else [],
            "instructions": chosen or list(DEFAULT_INSTRUCTIONS),
            "sifat": self.sifat.currentText(),
            "catatan": self.note.text().strip(),
        }

    def submit(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.save_button.setEnabled(False)
        self.banner.clear_message()
        services, actor = self._s, self._actor
        request = ActRequest(self.task_row.step_record_id, self._outcome, None, self.data())

        def forward() -> Forwarded:
            result = services.work.act(actor, request)
            document = result.documents[0] if result.documents else None
            pdf = services.documents.pdf(document.document_id) if document else None
            return Forwarded(result, document.title if document else "", pdf)

        self.task = run_in_background(
            forward, on_success=self._done, on_failure=self._failed, owner=self
        )

    def _done(self, forwarded: Forwarded) -> None:
        self._busy = False
        self.forwarded.emit(forwarded)
        self.done(QDialog.DialogCode.Accepted)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        if isinstance(exc, AlreadyHandled):
            # Somebody else was faster: nothing changed here; offer only to close.
            self.banner.show_error(exc.message + " Tidak ada yang diubah; tutup dan muat ulang.")
            self.cancel_button.setText("Tutup  (Esc)")
            self.cancel_button.setFocus()
            return
        self.save_button.setEnabled(True)
        if isinstance(exc, UserError):
            self.banner.show_error(exc.message)
        else:
            report_error(self, exc)

    def reject(self) -> None:
        if not self._busy:
            super().reject()
