"""Step forms of the review half of a case: verification, disposition, the request for a
recommendation and the recommendation itself, the draft letter and its paraf."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from desktop_perizinan.documents.contexts import SIFAT_CHOICES, STANDARD_INSTRUCTIONS
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.tugas.steps_base import StepEnv, StepForm, hint, text_edit
from desktop_perizinan.ui.widgets.formatting import short_datetime


class VerificationForm(StepForm):
    """Verification: the requirement checklist as the counter ticked it, and the attachments."""

    note_placeholder = "Hasil verifikasi; wajib bila berkas tidak lengkap atau tidak benar"

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        checks = QListWidget()
        checks.setObjectName("requirements")
        for _code, name, present in env.view.requirements:
            item = QListWidgetItem(("✔ " if present else "✘ ") + name)
            item.setToolTip("Ada" if present else "Tidak ada")
            checks.addItem(item)
        checks.setMaximumHeight(140)
        self.form.addRow("Persyaratan", checks)
        count = len(env.view.attachments)
        self.form.addRow(
            "Lampiran",
            hint(f"{count} berkas terlampir; buka pada tab Persyaratan & lampiran."),
        )


class DispositionForm(StepForm):
    """The lembar disposisi: to whom, the standard instructions ticked, sifat, notes."""

    note_label = None
    expands = True

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.to = QComboBox()
        self.to.setEditable(True)
        for choice in self._recipients():
            self.to.addItem(choice)
        self.add_field("to", "Diteruskan kepada", self.to)

        self.instructions: list[QCheckBox] = []
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for index, text in enumerate(STANDARD_INSTRUCTIONS):
            box = QCheckBox(text)
            box.setChecked(text == "Proses lebih lanjut")
            self.instructions.append(box)
            grid.addWidget(box, index // 2, index % 2)
        holder = QWidget()
        holder.setLayout(grid)
        self.add_field("instructions", "Instruksi", holder)

        self.sifat = QComboBox()
        self.sifat.addItems(SIFAT_CHOICES)
        self.add_field("sifat", "Sifat", self.sifat)
        self.notes = text_edit("Catatan yang tertulis pada lembar disposisi")
        self.add_field("catatan", "Catatan disposisi", self.notes)

    def _recipients(self) -> list[str]:
        env = self.env
        pt = env.permit_type
        step = env.view.open_step
        if step is None:
            return []
        targets = [o.target for o in pt.step(step.step_id).outcomes if not o.target.startswith("@")]
        choices: list[str] = []
        for target in targets[:1]:
            role = pt.step(target).actor
            choices.append(env.services.office.role_name(role))
            for user in env.services.users.user_names(role):
                title = f", {user.title}" if user.title else ""
                choices.append(f"{user.full_name}{title}")
        return choices

    def data(self) -> dict[str, Any]:
        to = self.to.currentText().strip()
        return {
            "to": [to] if to else [],
            "instructions": [b.text() for b in self.instructions if b.isChecked()],
            "sifat": self.sifat.currentText(),
            "catatan": self.notes.toPlainText().strip(),
        }

    def check(self, outcome: str) -> bool:
        if not any(b.isChecked() for b in self.instructions):
            self.boxes["instructions"].show_error("Centang paling sedikit satu instruksi.")
            return False
        return True


class RecommendationRequestForm(StepForm):
    """The letter asking the technical team for a recommendation (numbered when saved)."""

    note_label = None

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.addressee = QLineEdit("Ketua Tim Teknis")
        self.add_field("kepada", "Kepada", self.addressee)
        self.notes = text_edit("Paragraf tambahan pada surat (tidak wajib)")
        self.add_field("catatan", "Catatan pada surat", self.notes)
        self.form.addRow("", hint("Surat diberi nomor surat keluar saat disimpan."))

    def data(self) -> dict[str, Any]:
        return {
            "kepada": self.addressee.text().strip(),
            "catatan": self.notes.toPlainText().strip(),
        }


class RecommendationForm(StepForm):
    """Setuju or tolak; the reasons become the rejection letter's ``{alasan}``."""

    note_label = "Alasan / pertimbangan"
    note_placeholder = "Wajib bila ditolak: alasan ini tertulis pada surat penolakan."

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        report = env.document("berita_acara")
        if report is not None:
            self.document_row("berita_acara", label="Berita acara")
        else:
            self.form.addRow("Berita acara", hint("Belum ada berita acara peninjauan."))


class DraftForm(StepForm):
    """The permit or rejection letter's text, prefilled, editable before it goes up."""

    note_label = None
    expands = True

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        step = env.view.open_step
        self.kind = step.document if step and step.document else "izin"
        returned = self._return_note()
        if returned:
            warning = QLabel(returned)
            warning.setWordWrap(True)
            set_role(warning, "warning")
            warning.setObjectName("returnNote")
            self.form.addRow("Dikembalikan", warning)
        self.body = QPlainTextEdit(env.lookups.draft_text(env.view.id, self.kind))
        self.body.setObjectName("draftBody")
        self.body.setTabChangesFocus(True)
        self.body.setMinimumHeight(220)
        self.add_field("body", "Isi surat", self.body)
        self.reset_button = QPushButton("Pakai &teks baku")
        self.reset_button.clicked.connect(self._reset)
        line = QHBoxLayout()
        line.addWidget(hint("{nomor} dan {tanggal} diisi otomatis saat surat diberi nomor."), 1)
        line.addWidget(self.reset_button)
        holder = QWidget()
        holder.setLayout(line)
        line.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("", holder)

    def _return_note(self) -> str:
        doc = self.env.document(self.kind)
        if doc is None or doc.status == "final":
            return ""
        returns = [p for p in doc.paraf if p.action == "kembalikan"]
        if not returns:
            return ""
        last = returns[-1]
        return f"{last.name} ({last.role}), {short_datetime(last.at)}: {last.note or '-'}"

    def _reset(self) -> None:
        self.body.setPlainText(
            self.env.lookups.draft_text(self.env.view.id, self.kind, standard=True)
        )

    def data(self) -> dict[str, Any]:
        return {"body": self.body.toPlainText().strip()}

    def first_input(self) -> QWidget | None:
        return self.body


class ParafForm(StepForm):
    """Initial the exact draft version shown, or return it with a note."""

    note_label = "Catatan"
    note_placeholder = "Wajib bila dikembalikan: apa yang harus diperbaiki."

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        step = env.view.open_step
        doc = self.document_row(step.document if step else None, label="Draf")
        if doc is not None:
            done = [p for p in doc.paraf if p.version == doc.versions]
            lines = [
                f"{'Paraf' if p.action == 'paraf' else 'Dikembalikan'}: {p.name} ({p.role}), "
                f"{short_datetime(p.at)}"
                for p in done
            ]
            history = QLabel("\n".join(lines) or "Belum ada paraf pada versi ini.")
            history.setWordWrap(True)
            self.form.addRow(f"Paraf versi {doc.versions}", history)
