"""The office profile as forms: the letterhead (kop surat) and the head of office.

Used twice, so they are widgets of their own: by the first-run wizard (one page each) and by the
Profil kantor tab (both together). Each form edits its part of an
:class:`~desktop_perizinan.documents.contexts.OfficeProfile`: ``load(profile)`` fills it,
``check()`` shows every mistake beside its field at once, ``apply(profile)`` returns the
profile with this form's values. The services save it; nothing here touches the database.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.errors import ValidationError
from desktop_perizinan.paths import resources_dir
from desktop_perizinan.services.settings import DEFAULT_PROFILE
from desktop_perizinan.services.user_admin import check_nip
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.form import FieldBox

#: An emblem is printed at about 2 cm: a larger file only slows every PDF down.
MAX_EMBLEM_BYTES = 2 * 1024 * 1024
PREVIEW = QSize(88, 104)
#: No kop line is longer; a pasted paragraph is cut here rather than spoil every letter.
MAX_TEXT = 300

PAPERS = (("F4", "F4 / Folio (215 × 330 mm)"), ("A4", "A4 (210 × 297 mm)"))
RESI_FORMATS = (
    ("half", "Setengah lembar kertas"),
    ("thermal", "Struk printer thermal 80 mm"),
)
TIME_ZONES = (("WIB", "WIB"), ("WITA", "WITA"), ("WIT", "WIT"))

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9 ()+\-./]*$")


def empty_profile() -> OfficeProfile:
    """A blank profile for a new office: no Dairi defaults where the office must type its own."""
    return OfficeProfile(regency="", office_name="", address="", city="", head_title="")


def emblem_problem(data: bytes) -> str | None:
    """Why these bytes cannot be the emblem, or None. Checked by content, not by file name."""
    if len(data) > MAX_EMBLEM_BYTES:
        return (
            f"Gambar terlalu besar ({len(data) // 1024} KB); paling besar "
            f"{MAX_EMBLEM_BYTES // (1024 * 1024)} MB. Perkecil dulu gambarnya."
        )
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        return "Berkas ini bukan gambar PNG atau JPEG."
    if QImage.fromData(data).isNull():
        return "Gambar ini rusak atau tidak dapat dibaca."
    return None


def _combo(choices: tuple[tuple[str, str], ...], parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    for code, label in choices:
        combo.addItem(label, code)
    return combo


def _select(combo: QComboBox, code: str) -> None:
    index = combo.findData(code)
    combo.setCurrentIndex(max(index, 0))


class EmblemPicker(QWidget):
    """The office's emblem: a preview, "Pilih gambar…" and "Pakai lambang bawaan"."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: bytes | None = None
        self.dialog: QFileDialog | None = None
        self.preview = QLabel(self)
        self.preview.setObjectName("emblemPreview")
        self.preview.setFixedSize(PREVIEW)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.caption = QLabel(self)
        set_role(self.caption, "hint")
        self.caption.setWordWrap(True)
        self.choose_button = QPushButton("Pilih &gambar…", self)
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.open_dialog)
        self.default_button = QPushButton("Pakai lambang &bawaan", self)
        self.default_button.setAutoDefault(False)
        self.default_button.clicked.connect(lambda: self.set_data(None, notify=True))
        self.box = FieldBox(self.caption, self)

        side = QVBoxLayout()
        side.addWidget(self.choose_button)
        side.addWidget(self.default_button)
        side.addWidget(self.box)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(side, 1)
        self.set_data(None)

    def set_data(self, data: bytes | None, *, notify: bool = False) -> None:
        self.data = data
        pixmap = QPixmap()
        if data:
            pixmap.loadFromData(data)
            self.caption.setText(f"Lambang kantor ({len(data) // 1024 or 1} KB)")
        else:
            pixmap.load(str(resources_dir() / "emblem.png"))
            self.caption.setText("Lambang bawaan (perisai netral)")
        self.box.clear_message()
        if not pixmap.isNull():
            pixmap = pixmap.scaled(
                PREVIEW - QSize(10, 10),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.preview.setPixmap(pixmap)
        self.default_button.setEnabled(data is not None)
        if notify:
            self.changed.emit()

    def open_dialog(self) -> QFileDialog:
        """A file dialog (not the native one, so it behaves the same everywhere and in tests)."""
        dialog = QFileDialog(self, "Pilih gambar lambang")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter("Gambar PNG atau JPEG (*.png *.jpg *.jpeg)")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.load_file(Path(path)))
        self.dialog = dialog
        dialog.open()
        return dialog

    def load_file(self, path: Path) -> bool:
        """Take the image at ``path``; on a bad file say why and keep the current emblem."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.box.show_error(f"Berkas tidak dapat dibaca: {exc.strerror or exc}.")
            return False
        problem = emblem_problem(data)
        if problem:
            self.box.show_error(problem)
            return False
        self.set_data(data, notify=True)
        return True


class _ProfileForm(QWidget):
    """Line edits with a message line each; shared by the two forms below."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edits: dict[str, QLineEdit] = {}
        self.boxes: dict[str, FieldBox] = {}

    def _edit(self, key: str, placeholder: str = "") -> FieldBox:
        edit = QLineEdit(self)
        edit.setObjectName(key)
        edit.setMaxLength(MAX_TEXT)
        if placeholder:
            edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(lambda _t: self.changed.emit())
        box = FieldBox(edit, self)
        self.edits[key] = edit
        self.boxes[key] = box
        return box

    def text(self, key: str) -> str:
        return " ".join(self.edits[key].text().split())

    def _require(self, keys: tuple[str, ...], label: dict[str, str]) -> bool:
        ok = True
        for key in keys:
            if not self.text(key):
                self.boxes[key].show_error(f"{label[key]} wajib diisi.")
                ok = False
        return ok

    def clear_messages(self) -> None:
        for box in self.boxes.values():
            box.clear_message()

    def first_error(self) -> QLineEdit | None:
        for key, box in self.boxes.items():
            if box.error:
                return self.edits[key]
        return None

    def show_error(self, exc: ValidationError) -> bool:
        """Put a service's message beside its field; False when the field is not here."""
        box = self.boxes.get(exc.field or "")
        if box is None:
            return False
        box.show_error(exc.message)
        self.edits[exc.field or ""].setFocus()
        return True


LETTERHEAD_LABELS = {
    "regency": "Pemerintah daerah",
    "office_name": "Nama kantor",
    "address": "Alamat",
    "city": "Kota",
    "postal_code": "Kode pos",
    "phone": "Telepon",
    "website": "Laman",
    "email": "Pos-el",
}


class LetterheadForm(_ProfileForm):
    """The kop surat (printed at the top of every letter), the paper and the receipt format."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        example = DEFAULT_PROFILE
        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        placeholders = {
            "regency": f"contoh: {example.regency}",
            "office_name": "contoh: DINAS PENANAMAN MODAL DAN PTSP",
            "address": f"contoh: {example.address}",
            "city": f"contoh: {example.city}",
            "postal_code": example.postal_code,
            "phone": example.phone,
            "website": example.website,
            "email": example.email,
        }
        mnemonic = {
            "regency": "Pemerintah &daerah:",
            "office_name": "&Nama kantor:",
            "address": "&Alamat:",
            "city": "&Kota:",
            "postal_code": "Kode p&os:",
            "phone": "&Telepon:",
            "website": "&Laman:",
            "email": "Pos-&el:",
        }
        for key, label in mnemonic.items():
            fields.addRow(label, self._edit(key, placeholders[key]))
        self.edits["regency"].setToolTip(
            'Tanpa kata "PEMERINTAH": kop mencetak "PEMERINTAH" + isian ini.'
        )

        self.emblem = EmblemPicker(self)
        self.emblem.changed.connect(self.changed)
        self.paper = _combo(PAPERS, self)
        self.paper.setObjectName("paper")
        self.resi_format = _combo(RESI_FORMATS, self)
        self.resi_format.setObjectName("resiFormat")
        self.time_zone = _combo(TIME_ZONES, self)
        self.time_zone.setObjectName("timeZone")
        for combo in (self.paper, self.resi_format, self.time_zone):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        printing = QFormLayout()
        printing.addRow("&Kertas surat:", self.paper)
        printing.addRow("&Format resi:", self.resi_format)
        printing.addRow("&Zona waktu:", self.time_zone)
        emblem_box = QGroupBox("Lambang daerah", self)
        emblem_layout = QVBoxLayout(emblem_box)
        emblem_layout.addWidget(self.emblem)
        print_box = QGroupBox("Cetakan", self)
        print_box.setLayout(printing)
        side = QVBoxLayout()
        side.addWidget(emblem_box)
        side.addWidget(print_box)
        side.addStretch(1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(fields, 3)
        layout.addLayout(side, 2)
        self.load(empty_profile())

    def widgets_in_order(self) -> list[QWidget]:
        return [*self.edits.values(), self.paper, self.resi_format, self.time_zone]

    def load(self, profile: OfficeProfile) -> None:
        for key, edit in self.edits.items():
            edit.setText(str(getattr(profile, key)))
            edit.setCursorPosition(0)  # a long name shows its beginning
        _select(self.paper, profile.paper)
        _select(self.resi_format, profile.resi_format)
        _select(self.time_zone, profile.time_zone)
        self.emblem.set_data(profile.emblem)
        self.clear_messages()

    def apply(self, profile: OfficeProfile) -> OfficeProfile:
        values = {key: self.text(key) for key in self.edits}
        values["regency"] = values["regency"].upper()
        return replace(
            profile,
            **values,
            paper=self.paper.currentData(),
            resi_format=self.resi_format.currentData(),
            time_zone=self.time_zone.currentData(),
            emblem=self.emblem.data,
        )

    def check(self) -> bool:
        """Show every mistake beside its field; True when there is none."""
        self.clear_messages()
        ok = self._require(("regency", "office_name", "address", "city"), LETTERHEAD_LABELS)
        postal = self.text("postal_code")
        if postal and not (postal.isdigit() and len(postal) == 5):
            self.boxes["postal_code"].show_error("Kode pos terdiri atas 5 angka.")
            ok = False
        phone = self.text("phone")
        if phone and not _PHONE.match(phone):
            self.boxes["phone"].show_error("Telepon hanya angka, spasi, ( ) + - atau titik.")
            ok = False
        website = self.text("website")
        if website and (" " in website or "." not in website):
            self.boxes["website"].show_error("Laman ditulis tanpa spasi, misalnya dinas.go.id.")
            ok = False
        email = self.text("email")
        if email and not _EMAIL.match(email):
            self.boxes["email"].show_error("Alamat pos-el tidak sah, misalnya dinas@kab.go.id.")
            ok = False
        return ok


HEAD_LABELS = {
    "head_name": "Nama kepala kantor",
    "head_rank": "Pangkat/golongan",
    "head_nip": "NIP",
    "head_title": "Jabatan",
}


class HeadForm(_ProfileForm):
    """The head of office: the signatory printed under every permit and letter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Na&ma (dengan gelar):", self._edit("head_name", "contoh: Drs. NAMA, M.Si"))
        form.addRow("&Pangkat/golongan:", self._edit("head_rank", "contoh: Pembina Utama Muda"))
        form.addRow("N&IP:", self._edit("head_nip", "contoh: 19651115 198602 1 002"))
        form.addRow("&Jabatan:", self._edit("head_title", f"contoh: {DEFAULT_PROFILE.head_title}"))
        self.edits["head_title"].setToolTip("Dicetak di atas tanda tangan, apa adanya.")

    def widgets_in_order(self) -> list[QWidget]:
        return list(self.edits.values())

    def load(self, profile: OfficeProfile) -> None:
        for key, edit in self.edits.items():
            edit.setText(str(getattr(profile, key)))
            edit.setCursorPosition(0)  # a long name shows its beginning
        self.clear_messages()

    def apply(self, profile: OfficeProfile) -> OfficeProfile:
        nip = self.text("head_nip")
        with suppress(ValidationError):  # check() reports it; apply() only collects
            nip = check_nip(nip)
        return replace(
            profile,
            head_name=self.text("head_name"),
            head_rank=self.text("head_rank"),
            head_nip=nip,
            head_title=self.text("head_title"),
        )

    def check(self) -> bool:
        self.clear_messages()
        ok = self._require(("head_name", "head_title"), HEAD_LABELS)
        try:
            check_nip(self.text("head_nip"))
        except ValidationError as exc:
            self.boxes["head_nip"].show_error(exc.message)
            ok = False
        return ok
