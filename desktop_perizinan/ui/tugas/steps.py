"""One form per kind of step (``Action``): the fields the step's handler in
``services.casework`` reads from ``ActRequest.data``, laid out the way the paper form is.

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

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.documents.contexts import SIFAT_CHOICES, STANDARD_INSTRUCTIONS
from desktop_perizinan.errors import UserError
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.attachments import AttachmentIn, sniff
from desktop_perizinan.services.case_search import DeskLookups
from desktop_perizinan.services.casework import DELIVERY_WAYS
from desktop_perizinan.services.queries import CaseView, DocumentRow
from desktop_perizinan.ui.common.documents import open_pdf
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.ui.widgets.formatting import short_datetime, size_text
from desktop_perizinan.ui.widgets.messages import report_error
from desktop_perizinan.ui.worker import run_in_background
from desktop_perizinan.workflow.definition import Action, PermitType

#: Team roles offered in the berita acara's team table.
TEAM_ROLES = ("Ketua", "Sekretaris", "Anggota")
PHOTO_TYPES = ("image/jpeg", "image/png")


@dataclass
class StepEnv:
    """What every form may read: the services, who acts, and the case as it is now."""

    services: Services
    actor: Actor
    view: CaseView
    lookups: DeskLookups

    @property
    def permit_type(self) -> PermitType:
        return self.services.permit_type(self.view.permit_code)

    def document(self, kind: str | None) -> DocumentRow | None:
        """The newest document of ``kind`` on the case (the one a paraf or signature is on)."""
        found = [d for d in self.view.documents if d.kind == kind]
        return found[-1] if found else None


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    set_role(label, "hint")
    return label


def _text_edit(placeholder: str = "", height: int = 70) -> QPlainTextEdit:
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
        row = QHBoxLayout()
        if doc is None:
            row.addWidget(_hint("Belum ada dokumen untuk langkah ini."))
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
            _hint(f"{count} berkas terlampir; buka pada tab Persyaratan & lampiran."),
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
        self.notes = _text_edit("Catatan yang tertulis pada lembar disposisi")
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
        self.notes = _text_edit("Paragraf tambahan pada surat (tidak wajib)")
        self.add_field("catatan", "Catatan pada surat", self.notes)
        self.form.addRow("", _hint("Surat diberi nomor surat keluar saat disimpan."))

    def data(self) -> dict[str, Any]:
        return {
            "kepada": self.addressee.text().strip(),
            "catatan": self.notes.toPlainText().strip(),
        }


class InspectionForm(StepForm):
    """The berita acara of the field inspection: date, place, team, findings, photos."""

    note_label = None
    expands = True

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        today = env.services.now().date()
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd-MM-yyyy")
        self.date.setMaximumDate(QDate(today.year, today.month, today.day))
        self.date.setMaximumWidth(160)
        self.add_field("tanggal", "Tanggal peninjauan", self.date)
        self.location = QLineEdit(self._default_location())
        self.add_field("lokasi", "Lokasi", self.location)

        self.team = QTableWidget(0, 3)
        self.team.setObjectName("team")
        self.team.setHorizontalHeaderLabels(["Nama", "Kedudukan", "Jabatan / instansi"])
        self.team.verticalHeader().hide()
        header = self.team.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.team.setMinimumHeight(110)
        self.team.setTabKeyNavigation(False)
        self.add_member(env.actor.full_name, "Ketua", env.actor.title)
        self.add_member_button = QPushButton("Tambah &anggota")
        self.remove_member_button = QPushButton("Hapus anggota")
        self.add_member_button.clicked.connect(lambda: self.add_member("", "Anggota", ""))
        self.remove_member_button.clicked.connect(self._remove_member)
        team_box = QWidget()
        team_layout = QVBoxLayout(team_box)
        team_layout.setContentsMargins(0, 0, 0, 0)
        team_layout.addWidget(self.team)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_member_button)
        buttons.addWidget(self.remove_member_button)
        buttons.addStretch(1)
        team_layout.addLayout(buttons)
        self.add_field("tim", "Tim teknis", team_box)

        self.findings = _text_edit("Satu temuan per baris", 80)
        self.add_field("temuan", "Hasil peninjauan", self.findings)
        self.conclusion = QLineEdit()
        self.conclusion.setPlaceholderText("mis. Lembaga memenuhi persyaratan teknis.")
        self.add_field("kesimpulan", "Kesimpulan", self.conclusion)

        self.photos = QListWidget()
        self.photos.setObjectName("photos")
        self.photos.setViewMode(QListWidget.ViewMode.IconMode)
        self.photos.setIconSize(QPixmap(96, 72).size())
        self.photos.setMaximumHeight(120)
        self.photos.setMovement(QListWidget.Movement.Static)
        self.add_photo_button = QPushButton("Tambah &foto…")
        self.remove_photo_button = QPushButton("Hapus foto")
        self.add_photo_button.clicked.connect(self._add_photos)
        self.remove_photo_button.clicked.connect(self._remove_photo)
        photo_box = QWidget()
        photo_layout = QVBoxLayout(photo_box)
        photo_layout.setContentsMargins(0, 0, 0, 0)
        photo_layout.addWidget(self.photos)
        photo_buttons = QHBoxLayout()
        photo_buttons.addWidget(self.add_photo_button)
        photo_buttons.addWidget(self.remove_photo_button)
        photo_buttons.addStretch(1)
        photo_layout.addLayout(photo_buttons)
        self.add_field("lampiran", "Foto (JPG/PNG)", photo_box)
        self._photo_data: list[AttachmentIn] = []
        #: Asks the user for photo files; replaced in tests (a native file dialog cannot be
        #: driven offscreen).
        self.choose_photos: Callable[[QWidget], list[str]] = _choose_photo_files

    def _default_location(self) -> str:
        for label, value in self.env.view.fields:
            if label.lower().startswith("alamat") and value:
                return value
        return self.env.view.applicant_address

    def add_member(self, name: str, role: str, title: str) -> None:
        row = self.team.rowCount()
        self.team.insertRow(row)
        self.team.setItem(row, 0, QTableWidgetItem(name))
        combo = QComboBox()
        combo.addItems(TEAM_ROLES)
        combo.setCurrentText(role)
        self.team.setCellWidget(row, 1, combo)
        self.team.setItem(row, 2, QTableWidgetItem(title))
        if not name:
            self.team.setCurrentCell(row, 0)
            self.team.editItem(self.team.item(row, 0))

    def _remove_member(self) -> None:
        row = self.team.currentRow()
        if row >= 0:
            self.team.removeRow(row)

    def _add_photos(self) -> None:
        box = self.boxes["lampiran"]
        box.clear_message()
        for path in self.choose_photos(self):
            file = Path(path)
            try:
                data = file.read_bytes()
            except OSError as exc:
                box.show_error(f"Berkas {file.name} tidak dapat dibaca: {exc.strerror}.")
                continue
            found = sniff(data)
            if found is None or found[0] not in PHOTO_TYPES:
                box.show_error(f"Berkas {file.name} bukan foto JPG atau PNG.")
                continue
            pixmap = QPixmap()
            pixmap.loadFromData(data)
            item = QListWidgetItem(QIcon(pixmap), f"{file.name}\n{size_text(len(data))}")
            item.setToolTip(str(file))
            self.photos.addItem(item)
            self._photo_data.append(AttachmentIn(file.name, data))

    def _remove_photo(self) -> None:
        row = self.photos.currentRow()
        if row >= 0:
            self.photos.takeItem(row)
            del self._photo_data[row]

    def team_rows(self) -> list[dict[str, str]]:
        rows = []
        for row in range(self.team.rowCount()):
            name = self.team.item(row, 0)
            title = self.team.item(row, 2)
            combo = self.team.cellWidget(row, 1)
            rows.append(
                {
                    "name": (name.text() if name else "").strip(),
                    "role": combo.currentText() if isinstance(combo, QComboBox) else "Anggota",
                    "title": (title.text() if title else "").strip(),
                }
            )
        return [r for r in rows if r["name"]]

    def data(self) -> dict[str, Any]:
        day = self.date.date()
        return {
            "tanggal": f"{day.year():04d}-{day.month():02d}-{day.day():02d}",
            "lokasi": self.location.text().strip(),
            "tim": self.team_rows(),
            "temuan": [
                line.strip() for line in self.findings.toPlainText().splitlines() if line.strip()
            ],
            "kesimpulan": self.conclusion.text().strip(),
        }

    def attachments(self) -> tuple[AttachmentIn, ...]:
        return tuple(self._photo_data)


def _choose_photo_files(parent: QWidget) -> list[str]:
    files, _filter = QFileDialog.getOpenFileNames(
        parent, "Pilih foto peninjauan", "", "Foto (*.jpg *.jpeg *.png *.JPG *.JPEG *.PNG)"
    )
    return files


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
            self.form.addRow("Berita acara", _hint("Belum ada berita acara peninjauan."))


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
        line.addWidget(_hint("{nomor} dan {tanggal} diisi otomatis saat surat diberi nomor."), 1)
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


def esign_available(services: Services) -> bool:
    """Whether PAdES signing can run here: the services sign with pyHanko, a dependency; a
    build without it offers wet signing only."""
    import importlib.util

    return importlib.util.find_spec("pyhanko") is not None


class SignForm(StepForm):
    """Wet signature (print, sign by hand, confirm) or electronic (when the app can): the
    signer's PKCS#12 file and passphrase go with the request and are never stored."""

    note_label = "Catatan"
    note_placeholder = "Wajib bila dikembalikan ke penyusun draf."

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        step = env.view.open_step
        self.document_row(step.document if step else None, label="Surat")
        self.wet = QRadioButton("Tanda tangan &basah (cetak, tanda tangani)")
        self.electronic = QRadioButton("Tanda tangan &elektronik (TTE)")
        self.wet.setChecked(True)
        if not esign_available(env.services):
            self.electronic.setEnabled(False)
            self.electronic.setToolTip(
                "Tanda tangan elektronik belum tersedia di aplikasi ini; gunakan tanda tangan basah."
            )
        group = QButtonGroup(self)
        group.addButton(self.wet)
        group.addButton(self.electronic)
        modes = QWidget()
        mode_layout = QVBoxLayout(modes)
        mode_layout.setContentsMargins(0, 0, 0, 0)
        mode_layout.addWidget(self.wet)
        mode_layout.addWidget(self.electronic)
        self.add_field("mode", "Cara", modes)
        self.confirm = QCheckBox("Surat yang dicetak sudah saya tanda tangani")
        self.add_field("konfirmasi", "Konfirmasi", self.confirm)

        self._p12: bytes = b""
        self.p12_button = QPushButton("Pilih sertifikat (.p12/.pfx)…")
        self.p12_button.clicked.connect(self._choose_p12)
        self.p12_box = self.add_field("p12", "Sertifikat", self.p12_button)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_box = self.add_field("passphrase", "Kata sandi sertifikat", self.passphrase)
        #: Asks for the certificate file; replaced in tests.
        self.choose_certificate: Callable[[QWidget], str] = _choose_certificate_file
        self.wet.toggled.connect(self._mode_changed)
        self._mode_changed()

    def _mode_changed(self) -> None:
        wet = self.wet.isChecked()
        self.confirm.setEnabled(wet)
        for box in (self.p12_box, self.passphrase_box):
            box.setVisible(not wet)
            label = self.form.labelForField(box)
            if label is not None:
                label.setVisible(not wet)

    def _choose_p12(self) -> None:
        path = self.choose_certificate(self)
        if not path:
            return
        try:
            self._p12 = Path(path).read_bytes()
        except OSError as exc:
            self.p12_box.show_error(f"Berkas sertifikat tidak dapat dibaca: {exc.strerror}.")
            return
        self.p12_button.setText(Path(path).name)
        self.p12_box.clear_message()

    def data(self) -> dict[str, Any]:
        if self.wet.isChecked():
            return {"mode": "basah"}
        return {"mode": "elektronik", "p12": self._p12, "passphrase": self.passphrase.text()}

    def check(self, outcome: str) -> bool:
        if outcome == "kembalikan":
            return True
        if self.wet.isChecked() and not self.confirm.isChecked():
            self.boxes["konfirmasi"].show_error(
                "Cetak surat, tanda tangani, lalu centang konfirmasi ini."
            )
            return False
        return True

    def first_input(self) -> QWidget | None:
        return self.confirm


def _choose_certificate_file(parent: QWidget) -> str:
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Pilih sertifikat elektronik", "", "Sertifikat (*.p12 *.pfx)"
    )
    return path


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
            _hint(
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
        self.form.addRow("", _hint("Dicatat di Buku Ekspedisi saat disimpan."))

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
        self.form.addRow(
            "", _hint("Tanda terima dicetak untuk pemohon; Buku Ekspedisi dilengkapi.")
        )

    def data(self) -> dict[str, Any]:
        return {"penerima": self.recipient.text().strip(), "keterangan": self.remark.text().strip()}


FORMS: dict[Action, type[StepForm]] = {
    Action.VERIFICATION: VerificationForm,
    Action.DISPOSITION: DispositionForm,
    Action.RECOMMENDATION_REQUEST: RecommendationRequestForm,
    Action.INSPECTION: InspectionForm,
    Action.RECOMMENDATION: RecommendationForm,
    Action.DRAFT: DraftForm,
    Action.PARAF: ParafForm,
    Action.SIGN: SignForm,
    Action.NUMBER: NumberForm,
    Action.PAYMENT: PaymentForm,
    Action.DELIVERY: DeliveryForm,
    Action.HANDOVER: HandoverForm,
}


def form_for(env: StepEnv) -> StepForm:
    step = env.view.open_step
    assert step is not None
    return FORMS.get(step.action, NoteOnlyForm)(env)


__all__ = ["FORMS", "StepEnv", "StepForm", "form_for"]
