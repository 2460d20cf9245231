"""Attachments at the counter: drop scanned files or pick them, see what was picked.

Each file is checked as it arrives, by content and size (``services.attachments``): a JPG
renamed to ``.pdf`` or a 40 MB scan is refused on the spot with the reason under the list, not
at save time. A file whose name contains a requirement's code (``ktp.pdf``) is linked to that
requirement, which the checklist then ticks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import ValidationError
from desktop_perizinan.services.attachments import AttachmentIn, check_attachment
from desktop_perizinan.ui.theme import icon
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.ui.widgets.formatting import size_text
from desktop_perizinan.ui.widgets.messages import return_focus_after

FILE_FILTER = "Dokumen pindaian (*.pdf *.jpg *.jpeg *.png);;Semua berkas (*)"
PREVIEW = QSize(180, 230)


@dataclass(frozen=True)
class Picked:
    """A checked file waiting to be saved with the application."""

    file_name: str
    data: bytes
    mime: str
    requirement_code: str | None = None

    def to_service(self) -> AttachmentIn:
        return AttachmentIn(self.file_name, self.data, self.requirement_code)


def read_checked(path: Path, limit: int) -> Picked:
    """Read ``path`` and check it; raise ValidationError with the clerk's message."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValidationError(
            f"Berkas '{name}' tidak dapat dibuka: {exc.strerror}.", "lampiran"
        ) from exc
    if size > limit:
        # Refuse before reading a huge file into memory; same words as the service's check.
        raise ValidationError(
            f"Berkas '{name}' terlalu besar ({size / 1048576:.1f} MB); batasnya "
            f"{limit / 1048576:.0f} MB. Pindai ulang dengan resolusi lebih rendah.",
            "lampiran",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(
            f"Berkas '{name}' tidak dapat dibaca: {exc.strerror}.", "lampiran"
        ) from exc
    mime = check_attachment(AttachmentIn(name, data), limit)
    return Picked(name, data, mime)


def preview_pixmap(picked: Picked, size: QSize = PREVIEW) -> QPixmap:
    """An image scaled to fit, or page 1 of a PDF rendered onto white."""
    if picked.mime == "application/pdf":
        from desktop_perizinan.ui.pdf_preview import load_pdf, render_page_on_white

        holder = QWidget()
        try:
            document = load_pdf(picked.data, holder)
        except Exception:
            return QPixmap()
        if document.pageCount() < 1:
            return QPixmap()
        points = document.pagePointSize(0)
        scale = min(size.width() / points.width(), size.height() / points.height())
        pixels = QSize(max(1, int(points.width() * scale)), max(1, int(points.height() * scale)))
        image = render_page_on_white(document, 0, pixels)
        holder.deleteLater()
        return QPixmap.fromImage(image)
    image = QImage.fromData(picked.data)
    if image.isNull():
        return QPixmap()
    return QPixmap.fromImage(
        image.scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    )


class DropList(QListWidget):
    """The list of picked files; local files dropped on it are handed to ``files_dropped``."""

    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachments")
        self.setAcceptDrops(True)
        self.setDragDropMode(QListWidget.DragDropMode.DropOnly)
        self.setMinimumHeight(80)
        # Long scan names wrap instead of hiding behind a horizontal scroll bar.
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)

    @staticmethod
    def _local_paths(urls: list[QUrl]) -> list[Path]:
        return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and self._local_paths(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._local_paths(event.mimeData().urls())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
        else:
            event.ignore()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.count() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(
                self.viewport().rect().adjusted(8, 8, -8, -8),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                "Seret berkas PDF, JPG atau PNG ke sini",
            )
            painter.end()


class AttachmentPanel(QWidget):
    """Picked files, a preview of the selected one, and the requirement it belongs to."""

    changed = Signal()
    #: A file was linked to a requirement code (the checklist ticks it).
    requirement_attached = Signal(str)

    def __init__(self, limit_bytes: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.limit = limit_bytes
        self._picked: list[Picked] = []
        self._requirements: list[tuple[str, str]] = []

        self.list = DropList(self)
        self.list.files_dropped.connect(self.add_files)
        self.list.currentRowChanged.connect(self._show_current)
        self.box = FieldBox(self.list, self)

        self.add_button = QPushButton(icon("lampiran"), "Tambah &berkas…  (Ctrl+O)", self)
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.open_file_dialog)
        self.remove_button = QPushButton("Hapus", self)
        self.remove_button.setAutoDefault(False)
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.remove_button.clicked.connect(self.remove_current)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Open), self, self.open_file_dialog)

        self.requirement = QComboBox(self)
        self.requirement.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.requirement.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.requirement.setMinimumContentsLength(18)
        self.requirement.currentIndexChanged.connect(self._requirement_chosen)

        self.preview = QLabel(self)
        self.preview.setFixedSize(PREVIEW)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFrameShape(QLabel.Shape.StyledPanel)
        self.preview.setText("Pratinjau")

        left = QVBoxLayout()
        left.addWidget(self.box, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        left.addLayout(buttons)
        row = QHBoxLayout()
        row.addWidget(QLabel("Untuk:"))
        row.addWidget(self.requirement, 1)
        left.addLayout(row)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 1)
        layout.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._sync_requirement_combo()

    # ---------------------------------------------------------------- public

    def set_requirements(self, requirements: list[tuple[str, str]]) -> None:
        """(code, name) of the requirements a file may be linked to."""
        self._requirements = list(requirements)
        self._sync_requirement_combo()

    def attachments(self) -> tuple[AttachmentIn, ...]:
        return tuple(p.to_service() for p in self._picked)

    def picked(self) -> list[Picked]:
        return list(self._picked)

    def open_file_dialog(self) -> QFileDialog:
        dialog = QFileDialog(self, "Pilih berkas lampiran")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter(FILE_FILTER)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(lambda files: self.add_files([Path(f) for f in files]))
        return_focus_after(dialog)
        QDialog.open(dialog)  # the no-argument overload (PySide6 hides it)
        return dialog

    def add_files(self, paths: list[Path]) -> None:
        problems: list[str] = []
        for path in paths:
            try:
                picked = read_checked(path, self.limit)
            except ValidationError as exc:
                problems.append(exc.message)
                continue
            code = self._guess_requirement(picked.file_name)
            self._picked.append(replace(picked, requirement_code=code))
            item = QListWidgetItem(icon("lampiran"), self._label(self._picked[-1]))
            self.list.addItem(item)
            self.list.setCurrentRow(self.list.count() - 1)
            if code:
                self.requirement_attached.emit(code)
        if problems:
            self.box.show_error("\n".join(problems))
        else:
            self.box.clear_message()
        self.changed.emit()

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._picked):
            del self._picked[row]
            self.list.takeItem(row)
            self.changed.emit()
            self._show_current(self.list.currentRow())

    def show_error(self, text: str) -> None:
        self.box.show_error(text)

    # ---------------------------------------------------------------- internals

    def _label(self, picked: Picked) -> str:
        kind = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}.get(
            picked.mime, ""
        )
        name = dict(self._requirements).get(picked.requirement_code or "", "")
        suffix = f"\nuntuk: {name}" if name else ""
        return f"{picked.file_name}  ({kind}, {size_text(len(picked.data))}){suffix}"

    def _guess_requirement(self, file_name: str) -> str | None:
        """ "ktp-pemohon.pdf" belongs to "ktp"; "ktp.png" to "ktp_ketua" when that is the
        only requirement it can mean."""
        stem = Path(file_name).stem.lower().replace("-", "_").replace(" ", "_")
        codes = [code for code, _name in self._requirements]
        for code in sorted(codes, key=len, reverse=True):
            if code.lower() in stem:
                return code
        starting = [code for code in codes if len(stem) >= 3 and code.lower().startswith(stem)]
        return starting[0] if len(starting) == 1 else None

    def _sync_requirement_combo(self) -> None:
        self.requirement.blockSignals(True)
        self.requirement.clear()
        # "" rather than None: PySide6 6.12 drops a reference to None when item data is None
        # (see ui.launch.protect_none).
        self.requirement.addItem("(tidak untuk persyaratan tertentu)", "")
        for code, name in self._requirements:
            self.requirement.addItem(name, code)
        self.requirement.blockSignals(False)
        self._show_current(self.list.currentRow())

    def _show_current(self, row: int) -> None:
        has = 0 <= row < len(self._picked)
        self.remove_button.setEnabled(has)
        self.requirement.setEnabled(has)
        if not has:
            self.preview.setPixmap(QPixmap())
            self.preview.setText("Pratinjau")
            return
        picked = self._picked[row]
        pixmap = preview_pixmap(picked)
        if pixmap.isNull():
            self.preview.setText("(tidak dapat ditampilkan)")
        else:
            self.preview.setPixmap(pixmap)
        self.requirement.blockSignals(True)
        position = self.requirement.findData(picked.requirement_code or "")
        self.requirement.setCurrentIndex(max(position, 0))
        self.requirement.blockSignals(False)

    def _requirement_chosen(self, index: int) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self._picked):
            return
        code = str(self.requirement.itemData(index) or "") or None
        self._picked[row] = replace(self._picked[row], requirement_code=code)
        item = self.list.item(row)
        item.setText(self._label(self._picked[row]))
        if code:
            self.requirement_attached.emit(code)
        self.changed.emit()
