"""A read-only summary of one case, opened by quick find (F3) from any screen.

Deliberately small: who, what, where the file is now, its steps so far and its documents (a
double click or Enter shows the PDF). The back office's full case view, with the step forms,
lives in ``ui/tugas``; this is what the counter needs to answer "where is my file?".
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.queries import CaseView, DocumentRow, TimelineRow
from desktop_perizinan.ui.theme import color, set_role
from desktop_perizinan.ui.widgets.formatting import duration_text, short_datetime
from desktop_perizinan.ui.widgets.messages import report_error
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView
from desktop_perizinan.workflow.definition import OUTCOME_LABELS

TIMELINE_COLUMNS: tuple[Column[TimelineRow], ...] = (
    Column("No", lambda r: str(r.step_no), sort_key=lambda r: r.step_no, align_right=True),
    Column("Langkah", lambda r: r.name),
    Column("Pelaksana", lambda r: r.role),
    Column("Mulai", lambda r: short_datetime(r.started_at), sort_key=lambda r: r.started_at),
    Column("Selesai", lambda r: short_datetime(r.done_at), sort_key=lambda r: r.done_at),
    Column("Oleh", lambda r: r.done_by or ""),
    Column("Hasil", lambda r: OUTCOME_LABELS.get(r.outcome or "", r.outcome or "")),
    Column(
        "Terlambat",
        lambda r: duration_text(r.late_minutes) if r.late_minutes else "",
        sort_key=lambda r: r.late_minutes or 0,
        color=lambda r: color("error") if (r.late_minutes or 0) > 0 else None,
    ),
    Column("Catatan", lambda r: r.note or ""),
)

DOCUMENT_COLUMNS: tuple[Column[DocumentRow], ...] = (
    Column("Dokumen", lambda d: d.title),
    Column("Nomor", lambda d: d.number or "—"),
    Column("Status", lambda d: d.status),
    Column("Versi", lambda d: str(d.versions), sort_key=lambda d: d.versions, align_right=True),
)


class CaseSummaryDialog(QDialog):
    def __init__(
        self, services: Services, actor: Actor, case_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._s = services
        self._actor = actor
        view = services.personal_data.view_case(actor, case_id)  # a logged access (UU PDP)
        self.view = view
        self.setWindowTitle(f"Permohonan {view.reference}")
        self.setObjectName("caseSummary")

        number = QLabel(view.reference)
        number.setObjectName("reference")
        set_role(number, "bignumber")
        number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status = QLabel(f"{view.status.label} · sekarang: {view.current_step_name}")
        status.setObjectName("status")
        set_role(status, "subtitle")
        status.setWordWrap(True)

        tabs = QTabWidget(self)
        tabs.addTab(self._summary(view), "Ringkasan")
        timeline = RowsModel(TIMELINE_COLUMNS, self)
        timeline.set_rows(view.timeline)
        tabs.addTab(RowsView(timeline, self), f"Riwayat langkah ({len(view.timeline)})")
        documents = RowsModel(DOCUMENT_COLUMNS, self)
        documents.set_rows(view.documents)
        self.documents_view = RowsView(documents, self)
        self.documents_view.activated.connect(self._open_document)
        tabs.addTab(self.documents_view, f"Dokumen ({len(view.documents)})")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Tutup")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(number)
        layout.addWidget(status)
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)
        self.resize(900, 620)

    def _summary(self, view: CaseView) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)

        def row(label: str, text: str) -> None:
            value = QLabel(text or "—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, value)

        row("Pemohon", view.applicant_name)
        row("NIK", view.applicant_nik)
        row("Alamat", view.applicant_address)
        row("Telepon", view.applicant_phone)
        row("Jenis izin", view.permit_name)
        row("Kanal", view.channel.capitalize() + (" · perpanjangan" if view.renewal else ""))
        row("Diterima", short_datetime(view.received_at))
        row("Perkiraan selesai", short_datetime(view.due_at))
        row("Nomor izin", view.permit_number or "")
        for label, value in view.fields:
            row(label, value)
        missing = [name for _code, name, present in view.requirements if not present]
        row(
            "Persyaratan",
            f"{len(view.requirements) - len(missing)} dari "
            f"{len(view.requirements)} ada"
            + (f"; kurang: {'; '.join(missing)}" if missing else ""),
        )
        return page

    def _open_document(self) -> None:
        document = self.documents_view.current_row()
        if document is None:
            return
        from desktop_perizinan.ui.pdf_preview import PdfPreviewDialog

        try:
            data = self._s.personal_data.open_document(self._actor, document.id)
        except Exception as exc:
            report_error(self, exc)
            return
        preview = PdfPreviewDialog(
            data, document.title, number=document.number, file_stem=document.title, parent=self
        )
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.open()
