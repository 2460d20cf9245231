"""Opening what a case holds: a document version in the PDF preview, an attachment (PDF or
photo) in a viewer. Both windows are non-modal, so the user can keep a draft open beside the
step dialog while initialling it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop_perizinan.errors import UserError
from desktop_perizinan.ui.pdf_preview import PdfPreviewDialog


def open_pdf(
    parent: QWidget | None, data: bytes, title: str, *, number: str | None = None
) -> PdfPreviewDialog:
    """Show ``data`` in the preview with Print and Save as PDF; returns the (open) dialog."""
    dialog = PdfPreviewDialog(data, title, number=number, file_stem=title, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setModal(False)
    dialog.show()
    return dialog


class ImageDialog(QDialog):
    """A photo or scan at its size (scrollable), scaled down to fit the screen at first."""

    def __init__(self, data: bytes, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        pixmap = QPixmap()
        if not pixmap.loadFromData(data):
            raise UserError(f"Gambar '{title}' tidak dapat dibuka.")
        if pixmap.width() > 1000 or pixmap.height() > 750:
            pixmap = pixmap.scaled(
                1000,
                750,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.image = QLabel()
        self.image.setPixmap(pixmap)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setWidget(self.image)
        scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        self.resize(min(pixmap.width() + 40, 1040), min(pixmap.height() + 40, 790))


def open_attachment(parent: QWidget | None, file_name: str, mime: str, data: bytes) -> QDialog:
    """A PDF in the PDF preview, a JPG/PNG in the image viewer."""
    if mime == "application/pdf":
        return open_pdf(parent, data, file_name)
    dialog = ImageDialog(data, file_name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
