"""The Verifikasi screen: scan the QR code of a document, or open its PDF, and read the verdict.

Built for a counter with a USB barcode scanner: the scanner "types" ``PRZ|number|code`` and
presses Enter into the focused field; the verdict appears large, green when the document
matches the book and red when it does not, and the field is emptied and keeps the focus for
the next scan. "Buka berkas…" checks a PDF file (metadata, QR code, fingerprint, signatures,
and what changed). When the number and code are in the book, "Lihat dokumen di arsip" shows
the stored final in the print preview (``ui.pdf_preview``), so the clerk can compare the
paper with it and print a fresh copy.

The checks run off the GUI thread (``run_in_background``): reading the QR code of a PDF calls
``pdftoppm`` and ``zbarimg``. The colours follow the palette (``theme.semantic_colors``) so
the verdict stays readable under a dark colour scheme.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.verification import (
    SOURCE_LABELS,
    VerificationResult,
    verify_payload,
    verify_pdf,
)
from desktop_perizinan.ui.pdf_preview import PdfPreviewDialog
from desktop_perizinan.ui.theme import icon, semantic_colors, set_role
from desktop_perizinan.ui.worker import Task, run_in_background

#: A document PDF is small; anything bigger is not one of ours and is not read.
MAX_FILE_BYTES = 50 * 1024 * 1024


class VerificationScreen(QWidget):
    """Scan or open a document and see whether it matches the book (see the module doc)."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.result: VerificationResult | None = None
        self.task: Task | None = None
        self.preview: PdfPreviewDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self._ok = False

        layout = QVBoxLayout(self)
        title = QLabel("Verifikasi dokumen")
        set_role(title, "title")
        layout.addWidget(title)
        hint = QLabel(
            "Pindai kode QR di kaki dokumen dengan pemindai (atau ketik kodenya) lalu tekan "
            "Enter, atau buka berkas PDF-nya. Pemeriksaan dilakukan terhadap buku agenda "
            "kantor ini, tanpa internet."
        )
        hint.setWordWrap(True)
        set_role(hint, "subtitle")
        layout.addWidget(hint)

        row = QHBoxLayout()
        self.code_input = QLineEdit()
        self.code_input.setObjectName("verificationCode")
        self.code_input.setPlaceholderText("PRZ|nomor dokumen|kode verifikasi")
        self.code_input.setClearButtonEnabled(True)
        self.code_input.setAccessibleName("Kode verifikasi")
        self.code_input.returnPressed.connect(self.verify_scanned)
        row.addWidget(self.code_input, 1)
        self.check_button = QPushButton("&Periksa")
        self.check_button.clicked.connect(self.verify_scanned)
        row.addWidget(self.check_button)
        self.open_button = QPushButton(icon("buka"), "&Buka berkas…")
        self.open_button.setToolTip("Periksa berkas PDF: isi, kode verifikasi, tanda tangan")
        self.open_button.clicked.connect(self.open_file_dialog)
        row.addWidget(self.open_button)
        layout.addLayout(row)

        self.verdict = QLabel("Belum ada dokumen yang diperiksa.")
        self.verdict.setObjectName("verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.verdict)

        self.details = QLabel()
        self.details.setObjectName("verificationDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidget(self.details)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout.addWidget(scroll, 2)

        self.differences = QPlainTextEdit()
        self.differences.setObjectName("differences")
        self.differences.setReadOnly(True)
        self.differences.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.differences.setAccessibleName("Perbedaan teks")
        self.differences.hide()
        layout.addWidget(self.differences, 1)

        actions = QHBoxLayout()
        self.show_button = QPushButton(icon("cetak"), "&Lihat dokumen di arsip")
        self.show_button.setToolTip("Tampilkan dokumen final yang tersimpan (bisa dicetak)")
        self.show_button.setEnabled(False)
        self.show_button.clicked.connect(self.show_stored)
        actions.addWidget(self.show_button)
        actions.addStretch(1)
        layout.addLayout(actions)

        self.code_input.setFocus()

    # ------------------------------------------------------------------ the navigation hooks

    def refresh(self) -> None:
        """Called on every show (F5): ready for the next scan."""
        self.code_input.setFocus()

    # ------------------------------------------------------------------ checking

    def verify_scanned(self) -> None:
        """Check what the scanner typed; the field empties at once for the next scan."""
        text = self.code_input.text().strip()
        if not text:
            return
        self.code_input.clear()
        services = self.services
        self._start(f"Memeriksa kode {text} …", lambda: verify_payload(services, text))

    def open_file_dialog(self) -> QFileDialog:
        dialog = QFileDialog(self, "Buka dokumen PDF untuk diperiksa")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter("Dokumen PDF (*.pdf)")
        dialog.setDirectory(str(QSettings().value("verifikasi/last_folder", str(Path.home()))))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.verify_file)
        self.file_dialog = dialog
        QDialog.open(dialog)  # the no-argument overload (PySide6 hides it)
        return dialog

    def verify_file(self, path: str) -> None:
        """Check a PDF file (read and judged off the GUI thread)."""
        target = Path(path)
        QSettings().setValue("verifikasi/last_folder", str(target.parent))
        services = self.services

        def check() -> VerificationResult:
            try:
                if target.stat().st_size > MAX_FILE_BYTES:
                    raise UserError(f"Berkas {target.name} terlalu besar untuk sebuah dokumen.")
                data = target.read_bytes()
            except OSError as exc:
                raise UserError(f"Berkas {target} tidak dapat dibaca: {exc.strerror}.") from exc
            return verify_pdf(services, data)

        self._start(f"Memeriksa berkas {target.name} …", check)

    def _start(self, message: str, work: Callable[[], VerificationResult]) -> None:
        self.result = None
        self.show_button.setEnabled(False)
        self.differences.hide()
        self.details.clear()
        self.verdict.setText(message)
        self.verdict.setStyleSheet("font-size: 14pt;")
        self.task = run_in_background(
            work, on_success=self.show_result, on_failure=self._failed, owner=self
        )

    def _failed(self, exc: BaseException) -> None:
        self._ok = False
        if isinstance(exc, UserError):
            self.verdict.setText(f"TIDAK DAPAT DIPERIKSA — {exc.message}")
        else:
            self.verdict.setText("TIDAK DAPAT DIPERIKSA — terjadi kesalahan program.")
            from desktop_perizinan.ui.widgets.messages import report_error

            report_error(self, exc)
        self._paint_verdict()
        self.code_input.setFocus()

    # ------------------------------------------------------------------ showing

    def show_result(self, result: VerificationResult) -> None:
        self.result = result
        self._ok = result.valid
        self.verdict.setText(result.headline)
        self._paint_verdict()
        self.details.setText(_details_html(result))
        if result.differences:
            self.differences.setPlainText(
                "Perbedaan teks ('-' di arsip, '+' di berkas ini):\n"
                + "\n".join(result.differences)
            )
            self.differences.show()
        self.show_button.setEnabled(result.in_book)
        self.code_input.setFocus()

    def _paint_verdict(self) -> None:
        colours = semantic_colors(self.palette())
        colour = colours["ok"] if self._ok else colours["error"]
        self.verdict.setStyleSheet(
            f"font-size: 20pt; font-weight: 700; color: {colour}; "
            f"border: 2px solid {colour}; border-radius: 6px; padding: 8px 12px;"
        )

    def changeEvent(self, event: QEvent) -> None:
        """Repaint the verdict in the new palette's colours (light/dark scheme switch)."""
        if event.type() == QEvent.Type.PaletteChange and self.result is not None:
            self._paint_verdict()
        super().changeEvent(event)

    def show_stored(self) -> PdfPreviewDialog | None:
        """The stored final in the print preview (non-modal, to compare with the paper)."""
        result = self.result
        if result is None or result.document_id is None:
            return None
        try:
            data = self.services.documents.pdf(result.document_id, result.version)
            preview = PdfPreviewDialog(
                data,
                result.title or "Dokumen",
                number=result.number,
                heading="Dokumen final di arsip",
                notes=result.headline,
                file_stem=f"{result.title or 'dokumen'} {result.number or ''}".strip(),
                parent=self,
            )
        except UserError as exc:
            from desktop_perizinan.ui.widgets.messages import report_error

            report_error(self, exc)
            return None
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.setModal(False)
        preview.finished.connect(lambda _r: setattr(self, "preview", None))
        self.preview = preview
        preview.show()
        return preview


def _details_html(result: VerificationResult) -> str:
    """The details as a two-column table, the notes and the signatures as lists."""
    esc = html.escape
    parts: list[str] = []
    if result.details:
        rows = "".join(
            f"<tr><td style='padding:2px 12px 2px 0'><b>{esc(label)}</b></td>"
            f"<td style='padding:2px 0'>{esc(value)}</td></tr>"
            for label, value in result.details
        )
        parts.append(f"<table>{rows}</table>")
    if result.source:
        parts.append(
            f"<p>Kode dibaca dari {esc(SOURCE_LABELS.get(result.source, result.source))}: "
            f"<code>{esc(result.payload or '')}</code></p>"
        )
    if result.notes:
        parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in result.notes) + "</ul>")
    if result.signatures:
        items = []
        for report in result.signatures:
            state = "sah" if report.ok else ("utuh" if report.intact else "TIDAK SAH")
            lines = "<br/>".join(esc(m) for m in report.messages)
            items.append(
                f"<li><b>{esc(report.signer_name)}</b> ({esc(report.level)}, {state})"
                f"<br/>{lines}</li>"
            )
        parts.append("<p><b>Tanda tangan elektronik</b></p><ul>" + "".join(items) + "</ul>")
    return "".join(parts)
