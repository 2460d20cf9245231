"""The base of the Tugas desk's step forms: what a form may read (``StepEnv``), the
``StepForm`` contract the dialog drives, and small layout helpers shared by every form.

A form only collects input and shows messages beside its fields; the dialog around it
(``step_dialog.StepDialog``) chooses the outcome, sends the request and shows the result. Keys
of ``data`` are the handler's; ``boxes`` maps the same keys to the field boxes, so a
``ValidationError(field=...)`` from the service lands beside the field it is about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.attachments import AttachmentIn
from desktop_perizinan.services.case_search import DeskLookups
from desktop_perizinan.services.queries import CaseView, DocumentRow
from desktop_perizinan.ui.common.documents import open_pdf
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.workflow.definition import PermitType


@dataclass
class StepEnv:
    """What every form may read: the services, who acts, and the case as it is now."""

    services: Services
    actor: Actor
    view: CaseView
    lookups: DeskLookups
    #: A composite row drafts the letter in the same save (``steps_composite``): the later
    #: parts say so instead of "no document yet".
    drafted_here: bool = False
    #: An earlier part of a composite screen already names the document: later parts do not
    #: repeat the line (nor its "Lihat / cetak" button and shortcut).
    document_shown: bool = False

    @property
    def permit_type(self) -> PermitType:
        return self.services.permit_type(self.view.permit_code)

    def document(self, kind: str | None) -> DocumentRow | None:
        """The newest document of ``kind`` on the case (the one a paraf or signature is on)."""
        found = [d for d in self.view.documents if d.kind == kind]
        return found[-1] if found else None


def pick_certificate(
    parent: QWidget, choose: Callable[[QWidget], str], box: FieldBox, button: QPushButton
) -> bytes | None:
    """The signer's PKCS#12 file, read when picked (signing step and batch signing alike):
    its name on ``button``, or a message in ``box`` when it cannot be read."""
    path = choose(parent)
    if not path:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        box.show_error(f"Berkas sertifikat tidak dapat dibaca: {exc.strerror}.")
        return None
    button.setText(Path(path).name)
    box.clear_message()
    return data


def hint(text: str) -> QLabel:
    """A wrapped grey hint line under or beside a field."""
    label = QLabel(text)
    label.setWordWrap(True)
    set_role(label, "hint")
    return label


def text_edit(placeholder: str = "", height: int = 70) -> QPlainTextEdit:
    """A plain multi-line editor where Tab moves on (forms are filled with the keyboard)."""
    edit = QPlainTextEdit()
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(height)
    return edit


class StepForm(QWidget):
    """Base form: no fields of its own. Subclasses add theirs and fill ``boxes``."""

    #: Label of the dialog's note box; ``None`` hides it unless the chosen outcome needs a note.
    note_label: str | None = "Catatan"
    #: Placeholder of the dialog's note box.
    note_placeholder: str = "Catatan untuk riwayat langkah (tidak wajib)"
    #: Whether the form grows with the dialog (a text editor); others keep their height.
    expands: bool = False
    #: Text of the dialog's save button (what saving does, in the user's words).
    save_label: str = "&Simpan"
    #: The form changed whether it can be saved (e.g. an SKRD was issued).
    changed = Signal()

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.boxes: dict[str, FieldBox] = {}
        #: Whether the form shows the step's document line (``document_row``).
        self.names_document = False
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def add_field(self, key: str, label: str, editor: QWidget) -> FieldBox:
        box = FieldBox(editor)
        self.boxes[key] = box
        self.form.addRow(label, box)
        return box

    def data(self) -> dict[str, Any]:
        return {}

    def attachments(self) -> tuple[AttachmentIn, ...]:
        return ()

    def check(self, outcome: str) -> bool:
        """Checks that need no database, shown beside the field; False keeps the dialog open."""
        del outcome
        return True

    def request_failed(self, exc: BaseException) -> bool:
        """The service refused the request: True when the form showed it itself (beside a
        field, or with a way forward, like the signing step's outage mode)."""
        del exc
        return False

    def clear_messages(self) -> None:
        for box in self.boxes.values():
            box.clear_message()

    def first_input(self) -> QWidget | None:
        for box in self.boxes.values():
            if box.editor.isEnabled():
                return box.editor
        return None

    # ---------------------------------------------------------------- shared pieces

    def document_row(self, kind: str | None, *, label: str = "Dokumen") -> DocumentRow | None:
        """A line naming the document the step works on, with a button to see it."""
        doc = self.env.document(kind)
        self.names_document = True
        if self.env.document_shown:
            return doc
        row = QHBoxLayout()
        if doc is None:
            row.addWidget(
                hint("Disusun dari draf di atas saat disimpan.")
                if self.env.drafted_here
                else hint("Belum ada dokumen untuk langkah ini.")
            )
        else:
            status = "final" if doc.status == "final" else "draf"
            number = f", nomor {doc.number}" if doc.number else ""
            text = QLabel(f"<b>{doc.title}</b> — versi {doc.versions} ({status}{number})")
            text.setWordWrap(True)
            row.addWidget(text, 1)
            self.view_button = QPushButton("&Lihat / cetak…")
            self.view_button.clicked.connect(lambda: self.open_document(doc))
            row.addWidget(self.view_button)
        holder = QWidget()
        holder.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(label, holder)
        return doc

    def open_document(self, doc: DocumentRow, version: int | None = None) -> None:
        data = self.env.services.documents.pdf(doc.id, version)
        self.preview = open_pdf(self.window(), data, doc.title, number=doc.number)


class NoteOnlyForm(StepForm):
    """Steps with nothing but an outcome and a note (``proses`` and anything unknown)."""
