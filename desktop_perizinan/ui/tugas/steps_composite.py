"""One screen for an SOP row that does several things (``actions = [...]`` in the type's file).

An SOP written "Kasi memverifikasi dan mendisposisikan" or "Kasi menyusun, menandatangani dan
memberi nomor surat penolakan" is one row, one time standard and one person. Its screen is
every action's form, one under the other in the order the row names them, each under its own
heading: the disposition's addressee is chosen by the person, not left to a default, and the
draft's text can be read and edited before it is signed and numbered in the same save.

The forms keep their own fields (their request keys do not overlap: ``body``, ``to``/``sifat``,
``mode``, ``cara``, ``penerima``...), so the request is their data merged; checks run on every
form, so all the missing fields show at once. Actions without a form of their own (archive,
process) add nothing to the screen: the services do them on save.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget

from desktop_perizinan.services.attachments import AttachmentIn
from desktop_perizinan.ui.tugas.steps_base import StepEnv, StepForm
from desktop_perizinan.workflow.definition import Action

#: The heading of each part of a composite screen, in the clerk's words.
ACTION_TITLES: dict[Action, str] = {
    Action.VERIFICATION: "Verifikasi berkas",
    Action.DISPOSITION: "Lembar disposisi",
    Action.RECOMMENDATION_REQUEST: "Permintaan rekomendasi",
    Action.INSPECTION: "Peninjauan lapangan",
    Action.RECOMMENDATION: "Rekomendasi",
    Action.DRAFT: "Draf surat",
    Action.PARAF: "Paraf",
    Action.SIGN: "Tanda tangan",
    Action.NUMBER: "Penomoran",
    Action.PAYMENT: "Pembayaran retribusi",
    Action.DELIVERY: "Penyerahan",
    Action.HANDOVER: "Penerimaan oleh pemohon",
}


#: The draft's editor in a composite screen: shorter than alone, it still grows with the dialog.
DRAFT_HEIGHT = 120


class CompositeForm(StepForm):
    """The forms of a composite step's actions, stacked; behaves as one ``StepForm``."""

    def __init__(
        self,
        env: StepEnv,
        parts: list[tuple[Action, type[StepForm]]],
        main: Action,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(env, parent)
        self.parts: list[tuple[Action, StepForm]] = []
        holder = QWidget(self)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        for action, form_class in parts:
            if any(a is Action.DRAFT for a, _f in self.parts):
                env = replace(env, drafted_here=True)
            form = form_class(env)
            if form.names_document:
                env = replace(env, document_shown=True)
            if action is Action.DRAFT and hasattr(form, "body"):
                form.body.setMinimumHeight(DRAFT_HEIGHT)  # room for the parts below it
            group = QGroupBox(ACTION_TITLES.get(action, action.value.replace("_", " ").title()))
            group.setObjectName(f"part_{action.value}")
            inside = QVBoxLayout(group)
            inside.addWidget(form)
            column.addWidget(group, 1 if form.expands else 0)
            form.changed.connect(self.changed)
            self.parts.append((action, form))
            self.boxes.update(form.boxes)
        self.form.addRow(holder)
        lead = next((f for a, f in self.parts if a is main), self.parts[0][1])
        self.note_label = lead.note_label
        self.note_placeholder = lead.note_placeholder
        self.save_label = lead.save_label
        self.expands = any(f.expands for _a, f in self.parts)

    def part(self, form_class: type[StepForm]) -> StepForm | None:
        """The part of this screen that is a ``form_class`` (e.g. the numbering preview)."""
        return next((f for _a, f in self.parts if isinstance(f, form_class)), None)

    def data(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for _action, form in self.parts:
            merged.update(form.data())
        return merged

    def attachments(self) -> tuple[AttachmentIn, ...]:
        return tuple(a for _action, form in self.parts for a in form.attachments())

    def check(self, outcome: str) -> bool:
        results = [form.check(outcome) for _action, form in self.parts]  # every message shows
        return all(results)

    def request_failed(self, exc: BaseException) -> bool:
        return any(form.request_failed(exc) for _action, form in self.parts)

    def clear_messages(self) -> None:
        for _action, form in self.parts:
            form.clear_messages()

    def first_input(self) -> QWidget | None:
        for _action, form in self.parts:
            first = form.first_input()
            if first is not None:
                return first
        return None
