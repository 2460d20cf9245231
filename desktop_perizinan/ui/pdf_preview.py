"""Print preview of a document the services rendered: the resi, the klarifikasi slip, the
lembar disposisi. QtPdf shows the bytes as they will print; Print goes through the system print
dialog, Save writes the same bytes to a file.

Why print through QtPdf rather than hand the PDF to a viewer: the counter has no guarantee of a
PDF reader, and the clerk stays in the application. Pages are rendered onto white
(``QPdfDocument.render`` returns a transparent image) at no more than 300 dpi, plenty for a
receipt and light enough for an old office printer.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QRect,
    QSettings,
    QSize,
    QSizeF,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.ui.theme import icon, set_role
from desktop_perizinan.ui.widgets.form import focus_on_show
from desktop_perizinan.ui.widgets.messages import Banner, return_focus_after
from desktop_perizinan.ui.worker import run_in_background

MAX_PRINT_DPI = 300


def load_pdf(data: bytes, parent: QWidget) -> QPdfDocument:
    """A QPdfDocument over in-memory bytes (the buffer lives as long as ``parent``)."""
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument(parent)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready:
        raise UserError("Dokumen PDF tidak dapat dibuka untuk ditampilkan.")
    return document


def render_page_on_white(document: QPdfDocument, page: int, size: QSize) -> QImage:
    """Page ``page`` at ``size`` pixels, composed onto white (QtPdf leaves it transparent)."""
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    rendered = document.render(page, size)
    painter = QPainter(image)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return image


def print_document(document: QPdfDocument, printer: QPrinter) -> int:
    """Draw every page onto ``printer``, each scaled to fit its paper; returns pages printed."""
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("Printer tidak dapat dibuka. Periksa apakah printer menyala dan terpasang.")
    try:
        for page in range(document.pageCount()):
            if page and not printer.newPage():
                raise UserError("Printer menolak halaman berikutnya.")
            target = painter.viewport()
            points = document.pagePointSize(page)
            scale = min(target.width() / points.width(), target.height() / points.height())
            width, height = int(points.width() * scale), int(points.height() * scale)
            # Render no finer than MAX_PRINT_DPI, then let the painter scale up to the device.
            dpi_scale = min(1.0, MAX_PRINT_DPI / max(printer.resolution(), 1))
            pixels = QSize(max(1, int(width * dpi_scale)), max(1, int(height * dpi_scale)))
            image = render_page_on_white(document, page, pixels)
            painter.drawImage(QRect(target.x(), target.y(), width, height), image)
    finally:
        painter.end()
    return document.pageCount()


class PdfPreviewDialog(QDialog):
    """A document on screen with Print (Ctrl+P, the default: Enter prints) and Save as PDF.

    ``number`` (the registration number) is shown large above the page, so the clerk can read
    it to the applicant; ``notes`` is a line under it (e.g. what is missing). ``printed``
    (pages) and ``saved`` (the path) let the opener log what left the screen (UU PDP).
    """

    printed = Signal(int)
    saved = Signal(str)

    def __init__(
        self,
        data: bytes,
        title: str,
        *,
        number: str | None = None,
        heading: str = "",
        notes: str = "",
        file_stem: str = "dokumen",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.data = data
        self._file_stem = file_stem
        self._printer: QPrinter | None = None
        self.document = load_pdf(data, self)

        layout = QVBoxLayout(self)
        if heading:
            head = QLabel(heading)
            set_role(head, "subtitle")
            layout.addWidget(head)
        self.number_label = QLabel(number or "")
        self.number_label.setObjectName("registrationNumber")
        set_role(self.number_label, "bignumber")
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.number_label.setVisible(bool(number))
        layout.addWidget(self.number_label)
        self.notes_label = QLabel(notes)
        self.notes_label.setWordWrap(True)
        self.notes_label.setVisible(bool(notes))
        layout.addWidget(self.notes_label)

        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        # One page (a resi, a slip): no page spacing, no scrolling to the next page.
        single = self.document.pageCount() == 1
        self.view.setPageMode(
            QPdfView.PageMode.SinglePage if single else QPdfView.PageMode.MultiPage
        )
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        layout.addWidget(self.view, 1)

        self.banner = Banner(self)
        layout.addWidget(self.banner)

        buttons = QHBoxLayout()
        self.print_button = QPushButton(icon("cetak"), "&Cetak…  (Ctrl+P)")
        self.save_button = QPushButton(icon("simpan"), "&Simpan PDF…  (Ctrl+S)")
        self.close_button = QPushButton("&Tutup")
        for button in (self.print_button, self.save_button, self.close_button):
            button.setAutoDefault(True)
        self.print_button.setDefault(True)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self.print_button.clicked.connect(self.open_print_dialog)
        self.save_button.clicked.connect(self.open_save_dialog)
        self.close_button.clicked.connect(self.accept)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.open_print_dialog)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.open_save_dialog)

        size = self._fitting_size()
        self.resize(size)
        if single and size.height() >= self._fitting_size(limit=False).height():
            # The whole page is in view: no scroll bar that would come and go while the
            # window settles (and leave the page rendered for a narrower width).
            self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        focus_on_show(self, self.print_button)

    def _fitting_size(self, width: int = 820, *, limit: bool = True) -> QSize:
        """Wide enough to read, as tall as page 1 at that width (within the screen)."""
        layout = self.layout()
        margins = layout.contentsMargins()
        # The page fills the view's width minus the layout margins, the frame and the
        # view's own document margins.
        document_margins = self.view.documentMargins()
        page_width = (
            width
            - margins.left()
            - margins.right()
            - 2 * self.view.frameWidth()
            - document_margins.left()
            - document_margins.right()
        )
        points = self.document.pagePointSize(0)
        page_height = int(page_width * points.height() / max(points.width(), 1))
        chrome = margins.top() + margins.bottom()
        for index in range(layout.count()):
            item = layout.itemAt(index)
            widget = item.widget()
            if widget is self.view or (widget is not None and not widget.isVisibleTo(self)):
                continue
            chrome += item.sizeHint().height() + layout.spacing()
        document_margins = self.view.documentMargins()
        wanted = (
            page_height
            + document_margins.top()
            + document_margins.bottom()
            + 2 * self.view.frameWidth()
            + chrome
            + 8
        )
        screen = self.screen().availableGeometry() if self.screen() else None
        highest = screen.height() - 60 if screen is not None and limit else wanted
        return QSize(width, max(360, min(wanted, highest)))

    # ---------------------------------------------------------------- printing

    def _page_layout(self) -> QPageLayout:
        points = self.document.pagePointSize(0)
        portrait = QSizeF(
            min(points.width(), points.height()), max(points.width(), points.height())
        )
        size = QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
        orientation = (
            QPageLayout.Orientation.Landscape
            if points.width() > points.height()
            else QPageLayout.Orientation.Portrait
        )
        return QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0))

    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        printer.setFullPage(True)
        printer.setPageLayout(self._page_layout())
        return printer

    def open_print_dialog(self) -> QPrintDialog:
        """The system print dialog (window-modal); printing starts when it is accepted."""
        self._printer = self.make_printer()
        dialog = QPrintDialog(self._printer, self)
        dialog.setWindowTitle("Cetak " + self.windowTitle())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return_focus_after(dialog)  # back to the preview: Esc closes it, Enter prints again
        dialog.finished.connect(self._print_dialog_finished)
        QDialog.open(dialog)  # the no-argument overload (PySide6 hides it)
        return dialog

    def _print_dialog_finished(self, result: int) -> None:
        if result != QDialog.DialogCode.Accepted or self._printer is None:
            return
        try:
            pages = print_document(self.document, self._printer)
        except UserError as exc:
            self.banner.show_error(exc.message)
            return
        self.banner.show_ok(f"Dikirim ke printer: {pages} halaman.")
        self.printed.emit(pages)

    # ---------------------------------------------------------------- saving

    def suggested_path(self) -> str:
        folder = QSettings().value("pdf/last_folder", str(Path.home()))
        return str(Path(str(folder)) / f"{_safe_name(self._file_stem)}.pdf")

    def open_save_dialog(self) -> QFileDialog:
        dialog = QFileDialog(self, "Simpan sebagai PDF")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilter("Dokumen PDF (*.pdf)")
        dialog.setDefaultSuffix("pdf")
        dialog.selectFile(self.suggested_path())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.save_to)
        return_focus_after(dialog)
        QDialog.open(dialog)  # the no-argument overload (PySide6 hides it)
        return dialog

    def save_to(self, path: str) -> None:
        """Write the bytes off the GUI thread (a network folder may be slow)."""
        target = Path(path)
        data = self.data

        def write() -> Path:
            try:
                target.write_bytes(data)
            except OSError as exc:
                raise UserError(
                    f"Berkas tidak dapat disimpan di {target}: {exc.strerror}."
                ) from exc
            return target

        def saved(written: Path) -> None:
            QSettings().setValue("pdf/last_folder", str(written.parent))
            self.banner.show_ok(f"Disimpan: {written}")
            self.saved.emit(str(written))

        def failed(exc: BaseException) -> None:
            self.banner.show_error(str(exc))

        self.save_task = run_in_background(write, on_success=saved, on_failure=failed, owner=self)


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text).strip("_") or "dokumen"
