"""The dialog that does one step: the step's form, its outcomes, a note, Save; then what came
of it (the documents produced, where the file went next).

The request goes to ``services.work.act`` off the GUI thread (``ui.worker``). What can go wrong
is shown in the dialog, never as a traceback: a ``ValidationError`` beside the field it names,
any other ``UserError`` in the banner as the service phrased it ("sudah ditangani oleh X pukul
10:42"), after which Save stays disabled because there is nothing left to do.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import AlreadyHandled, PermissionDenied, UserError, ValidationError
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.case_search import DeskLookups
from desktop_perizinan.services.casework import ActRequest, ActResult, DocumentRef
from desktop_perizinan.services.queries import CaseView
from desktop_perizinan.ui.common.countdown import CountdownLabel
from desktop_perizinan.ui.common.documents import open_pdf
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.tugas.steps import CompositeForm, NumberForm, StepEnv, StepForm, form_for
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.ui.widgets.messages import Banner, report_error
from desktop_perizinan.ui.worker import run_in_background
from desktop_perizinan.workflow.definition import Outcome
from desktop_perizinan.workflow.engine import NoteRequired


class StepDialog(QDialog):
    """Do the open step of ``view`` as ``actor`` (see the module docstring)."""

    #: The step was recorded; the result carries the documents produced.
    acted = Signal(object)
    #: The case changed under us (someone else took the step): the caller should reload.
    stale = Signal()
    #: The request came back, either way (tests and busy indicators wait on it).
    settled = Signal()

    def __init__(
        self,
        services: Services,
        actor: Actor,
        view: CaseView,
        parent: QWidget | None = None,
        *,
        lookups: DeskLookups | None = None,
    ) -> None:
        super().__init__(parent)
        step = view.open_step
        if step is None:
            raise UserError("Permohonan ini tidak mempunyai langkah yang terbuka.")
        self.services = services
        self.actor = actor
        self.view = view
        self.step = step
        self.result: ActResult | None = None
        self.setWindowTitle(f"Langkah {step.no}: {step.name}")
        self.env = StepEnv(services, actor, view, lookups or DeskLookups(services))

        layout = QVBoxLayout(self)
        title = QLabel(f"{step.no}. {step.name}")
        set_role(title, "title")
        title.setWordWrap(True)
        layout.addWidget(title)
        standard = next((t.standard for t in reversed(view.timeline) if t.done_at is None), "")
        subtitle = QLabel(
            f"{view.reference} · {view.applicant_name} · {view.permit_name}"
            + (f" · waktu baku {standard}" if standard else "")
        )
        subtitle.setWordWrap(True)
        set_role(subtitle, "subtitle")
        layout.addWidget(subtitle)
        self.countdown = CountdownLabel(services)
        self.countdown.setObjectName("stepCountdown")
        self.countdown.set_due(step.due_at)
        layout.addWidget(self.countdown)

        self.banner = Banner(self)
        layout.addWidget(self.banner)

        self.pages = QStackedWidget()
        layout.addWidget(self.pages, 1)
        self.pages.addWidget(self._input_page())
        self.pages.addWidget(self._result_page())

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton(self.form.save_label)
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton("&Batal")
        self.close_button = QPushButton("&Tutup")
        self.close_button.hide()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.close_button.clicked.connect(self.accept)
        self.form.changed.connect(self._update_note)
        self._update_note()
        # A composite row stacks several forms: taller, still inside a 1366×768 screen.
        if isinstance(self.form, CompositeForm):
            self.resize(760, 720)
        else:
            self.resize(720, 640)
        first = self.form.first_input()
        if first is not None:
            first.setFocus()

    # ---------------------------------------------------------------- layout

    def _input_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.form: StepForm = form_for(self.env)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(self.form, 1 if self.form.expands else 0)
        if not self.form.expands:
            holder_layout.addStretch(1)
        scroll.setWidget(holder)
        layout.addWidget(scroll, 1)

        self.outcome_group = QButtonGroup(self)
        self.outcome_buttons: dict[str, QRadioButton] = {}
        outcomes = QHBoxLayout()
        outcomes.addWidget(QLabel("Hasil:"))
        for index, outcome in enumerate(self.step.outcomes):
            button = QRadioButton(outcome.label)
            button.setObjectName(f"outcome_{outcome.code}")
            button.setChecked(index == 0)
            self.outcome_group.addButton(button, index)
            self.outcome_buttons[outcome.code] = button
            outcomes.addWidget(button)
            button.toggled.connect(self._update_note)
        outcomes.addStretch(1)
        self.outcome_row = QWidget()
        self.outcome_row.setLayout(outcomes)
        outcomes.setContentsMargins(0, 0, 0, 0)
        self.outcome_row.setVisible(len(self.step.outcomes) > 1)
        layout.addWidget(self.outcome_row)

        self.note_label = QLabel()
        self.note = QPlainTextEdit()
        self.note.setObjectName("stepNote")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(90)
        self.note_box = FieldBox(self.note)
        layout.addWidget(self.note_label)
        layout.addWidget(self.note_box)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.result_title = QLabel()
        set_role(self.result_title, "ok")
        self.result_title.setWordWrap(True)
        self.result_title.setObjectName("resultTitle")
        layout.addWidget(self.result_title)
        self.taken_number = QLabel()
        self.taken_number.setObjectName("takenNumber")
        self.taken_number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(self.taken_number, "bignumber")
        self.taken_number.hide()
        layout.addWidget(self.taken_number)
        self.next_label = QLabel()
        self.next_label.setWordWrap(True)
        layout.addWidget(self.next_label)
        self.documents_box = QVBoxLayout()
        layout.addLayout(self.documents_box)
        layout.addStretch(1)
        self.document_buttons: list[QPushButton] = []
        return page

    # ---------------------------------------------------------------- state

    def outcome(self) -> Outcome:
        checked = self.outcome_group.checkedId()
        return self.step.outcomes[max(0, checked)]

    def choose_outcome(self, code: str) -> None:
        self.outcome_buttons[code].setChecked(True)

    def _update_note(self) -> None:
        outcome = self.outcome()
        label = self.form.note_label
        needed = outcome.needs_note
        visible = label is not None or needed
        self.note_label.setVisible(visible)
        self.note_box.setVisible(visible)
        text = label or "Catatan"
        self.note_label.setText(f"{text} (wajib)" if needed else text)
        self.note.setPlaceholderText(self.form.note_placeholder)

    @property
    def busy(self) -> bool:
        return not self.save_button.isEnabled() and self.result is None

    # ---------------------------------------------------------------- saving

    def save(self) -> None:
        self.banner.clear_message()
        self.form.clear_messages()
        self.note_box.clear_message()
        outcome = self.outcome()
        if not self.form.check(outcome.code):
            self.settled.emit()  # refused here, beside the field; nothing was sent
            return
        note = self.note.toPlainText().strip() if self.note_box.isVisible() else ""
        if outcome.needs_note and not note:
            self.note_box.show_error(
                f"Tuliskan alasannya: hasil '{outcome.label}' memerlukan catatan."
            )
            self.note.setFocus()
            self.settled.emit()
            return
        request = ActRequest(
            step_record_id=self.step.step_record_id,
            outcome=outcome.code,
            note=note or None,
            data=self.form.data(),
            attachments=self.form.attachments(),
        )
        self.save_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.setCursor(Qt.CursorShape.BusyCursor)
        services, actor = self.services, self.actor
        self.task = run_in_background(
            lambda: services.work.act(actor, request),
            on_success=self._saved,
            on_failure=self._failed,
            owner=self,
        )

    def _saved(self, result: ActResult) -> None:
        self.unsetCursor()
        self.result = result
        self.save_button.hide()
        self.cancel_button.hide()
        self.close_button.show()
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.result_title.setText(f"Langkah {self.step.no} tersimpan: {self.outcome().label}.")
        if result.next_step:
            self.next_label.setText(
                f"Berkas diteruskan ke langkah berikutnya: {result.next_step} ({result.next_role})."
            )
        else:
            self.next_label.setText(f"Permohonan selesai: {result.status.label}.")
        numbering = (
            self.form.part(NumberForm) if isinstance(self.form, CompositeForm) else self.form
        )
        if isinstance(numbering, NumberForm):
            taken = next((d.number for d in result.documents if d.number), None)
            if taken:
                self.taken_number.setText(taken)
                self.taken_number.show()
                if taken != numbering.shown_number:
                    self.next_label.setText(
                        self.next_label.text()
                        + f"\nNomor {numbering.shown_number} sudah diambil petugas lain; "
                        f"surat ini mendapat nomor {taken}."
                    )
        for ref in result.documents:
            self._add_document(ref)
        self.pages.setCurrentIndex(1)
        self.acted.emit(result)
        self.settled.emit()

    def _add_document(self, ref: DocumentRef) -> None:
        number = f" — {ref.number}" if ref.number else ""
        button = QPushButton(f"Buka {ref.title}{number} (versi {ref.version})…")
        button.setObjectName(f"document_{ref.document_id}")
        button.clicked.connect(lambda: self.open_document(ref))
        self.documents_box.addWidget(button)
        self.document_buttons.append(button)

    def open_document(self, ref: DocumentRef) -> None:
        data = self.services.documents.pdf(ref.document_id, ref.version)
        self.preview = open_pdf(self, data, ref.title, number=ref.number)

    def _failed(self, exc: BaseException) -> None:
        self.unsetCursor()
        self.cancel_button.setEnabled(True)
        if isinstance(exc, UserError) and self.form.request_failed(exc):
            self.save_button.setEnabled(True)  # the form showed it, with what to do next
        elif isinstance(exc, NoteRequired):
            self.save_button.setEnabled(True)
            self.note_box.show_error(exc.message)
        elif isinstance(exc, ValidationError) and exc.field in self.form.boxes:
            self.save_button.setEnabled(True)
            self.form.boxes[exc.field].show_error(exc.message)
            self.form.boxes[exc.field].editor.setFocus()
        elif isinstance(exc, (AlreadyHandled, PermissionDenied)):
            # Nothing to retry: the step is someone else's (or already done).
            self.banner.show_error(exc.message)
            self.stale.emit()
        elif isinstance(exc, UserError):
            self.save_button.setEnabled(True)
            self.banner.show_error(exc.message)
        else:
            self.save_button.setEnabled(True)
            report_error(self, exc)
        self.settled.emit()
