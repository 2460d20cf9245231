"""The field inspection's berita acara form: date, place, the technical team, findings and
photos (the photos travel as attachments of the step)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.services.attachments import AttachmentIn, sniff
from desktop_perizinan.ui.tugas.steps_base import StepEnv, StepForm, text_edit
from desktop_perizinan.ui.widgets.formatting import size_text

#: Team roles offered in the berita acara's team table.
TEAM_ROLES = ("Ketua", "Sekretaris", "Anggota")
PHOTO_TYPES = ("image/jpeg", "image/png")


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

        self.findings = text_edit("Satu temuan per baris", 80)
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
