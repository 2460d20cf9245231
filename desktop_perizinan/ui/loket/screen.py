"""The counter desk (Loket): new applications, files waiting for the applicant, and the
counter's own open steps (forwarding to the back office).

The screen holds no data of its own beyond what is on show: every list is asked of
``services.queries`` again on refresh, so two counters on one LAN see each other's work.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.case_search import CaseRow
from desktop_perizinan.services.intake import IntakeResult
from desktop_perizinan.services.queries import TaskRow
from desktop_perizinan.ui.loket.forward_dialog import ForwardDialog, Forwarded, is_forward_task
from desktop_perizinan.ui.loket.intake_dialog import NewApplicationDialog
from desktop_perizinan.ui.loket.return_dialog import CompletionDialog
from desktop_perizinan.ui.pdf_preview import PdfPreviewDialog
from desktop_perizinan.ui.theme import color, icon, set_role
from desktop_perizinan.ui.widgets.formatting import remaining_text, short_datetime
from desktop_perizinan.ui.widgets.messages import return_focus_after, show_info
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView

TASK_COLUMNS: tuple[Column[TaskRow], ...] = (
    Column("Nomor", lambda t: t.reg_number),
    Column("Pemohon", lambda t: t.applicant_name),
    Column("Jenis izin", lambda t: t.permit_name),
    Column(
        "Langkah",
        lambda t: f"{t.step_no}. {t.step_name}",
        sort_key=lambda t: t.step_no,
        stretch=True,
    ),
    Column("Batas waktu", lambda t: short_datetime(t.due_at), sort_key=lambda t: t.due_at),
    Column(
        "Sisa",
        lambda t: remaining_text(t.remaining_minutes),
        sort_key=lambda t: t.remaining_minutes,
        color=lambda t: color("error") if t.overdue else None,
    ),
)

WAITING_COLUMNS: tuple[Column[CaseRow], ...] = (
    Column("Referensi", lambda r: r.reference),
    Column("Pemohon", lambda r: r.applicant_name),
    Column("NIK", lambda r: r.applicant_nik),
    Column("Jenis izin", lambda r: r.permit_name, stretch=True),
    Column("Diterima", lambda r: short_datetime(r.received_at), sort_key=lambda r: r.received_at),
)


class LoketScreen(QWidget):
    """The front office's screen. Commands (F2, F4, F6) are bound by the main window."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loketScreen")
        self._s = services
        self._actor = actor
        self.dialog: NewApplicationDialog | CompletionDialog | ForwardDialog | None = None
        self.preview: PdfPreviewDialog | None = None
        self.last_result: IntakeResult | None = None

        title = QLabel("Loket")
        set_role(title, "title")
        subtitle = QLabel(f"Penerimaan berkas · {actor.full_name}")
        set_role(subtitle, "subtitle")
        self.new_button = QPushButton(icon("baru"), "Permohonan &baru  (F2)")
        self.new_button.setObjectName("newApplication")
        self.new_button.clicked.connect(self.new_application)
        self.return_button = QPushButton(icon("kelengkapan"), "&Kelengkapan datang  (F4)")
        self.return_button.clicked.connect(self.complete_return)
        self.forward_button = QPushButton(icon("teruskan"), "&Teruskan ke Backoffice  (F6)")
        self.forward_button.clicked.connect(self.forward_selected)
        for button in (self.new_button, self.return_button, self.forward_button):
            button.setAutoDefault(False)
            button.setMinimumHeight(34)

        # The last registration number, large: the clerk reads it out to the applicant.
        self.last_number = QLabel("—")
        self.last_number.setObjectName("lastNumber")
        set_role(self.last_number, "bignumber")
        self.last_number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.last_detail = QLabel("Belum ada permohonan yang diterima pada sesi ini.")
        self.last_detail.setWordWrap(True)
        set_role(self.last_detail, "subtitle")
        last_box = QGroupBox("Terakhir diterima")
        last_box.hide()  # shown from the first application of this session
        self.last_box = last_box
        last_layout = QVBoxLayout(last_box)
        last_layout.addWidget(self.last_number)
        last_layout.addWidget(self.last_detail)

        self.tasks = RowsModel(TASK_COLUMNS, self)
        self.tasks_view = RowsView(self.tasks, self)
        self.tasks_view.setObjectName("counterTasks")
        self.tasks_view.activated.connect(lambda _i: self.forward_selected())
        self.tasks_empty = QLabel("Tidak ada berkas yang menunggu diteruskan.")
        set_role(self.tasks_empty, "hint")
        tasks_box = QGroupBox("Tugas loket: entri dan teruskan ke Backoffice")
        tasks_layout = QVBoxLayout(tasks_box)
        tasks_layout.addWidget(self.tasks_view)
        tasks_layout.addWidget(self.tasks_empty)

        self.waiting = RowsModel(WAITING_COLUMNS, self)
        self.waiting_view = RowsView(self.waiting, self)
        self.waiting_view.setObjectName("waitingCases")
        self.waiting_view.activated.connect(lambda _i: self.complete_return())
        self.waiting_filter = QLineEdit(self)
        self.waiting_filter.setObjectName("waitingFilter")
        self.waiting_filter.setPlaceholderText("Saring: nama, NIK atau referensi")
        self.waiting_filter.setClearButtonEnabled(True)
        # Searched in the database: the list shows NIKs masked (UU PDP), the clerk types one.
        self.waiting_filter.textChanged.connect(self._filter_waiting)
        self.waiting_filter.returnPressed.connect(self.waiting_view.setFocus)
        self.waiting_empty = QLabel("Tidak ada berkas yang menunggu kelengkapan pemohon.")
        set_role(self.waiting_empty, "hint")
        waiting_box = QGroupBox("Menunggu kelengkapan pemohon")
        waiting_layout = QVBoxLayout(waiting_box)
        waiting_layout.addWidget(self.waiting_filter)
        waiting_layout.addWidget(self.waiting_view)
        waiting_layout.addWidget(self.waiting_empty)

        head = QVBoxLayout()
        head.addWidget(title)
        head.addWidget(subtitle)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.forward_button)
        buttons.addStretch(1)
        head.addLayout(buttons)

        # An empty list shrinks to its one-line hint; a list with rows takes the height.
        self.tasks_box, self.waiting_box = tasks_box, waiting_box
        self.lists = QVBoxLayout()
        self.lists.addWidget(tasks_box)
        self.lists.addWidget(waiting_box)
        self.lists.addStretch(0)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(last_box)
        layout.addLayout(self.lists, 1)
        self.refresh()

    # ---------------------------------------------------------------- lists

    def refresh(self) -> None:
        """Ask the services again for both lists (after every action, and on F5)."""
        tasks = [t for t in self._s.queries.tasks(self._actor) if is_forward_task(self._s, t)]
        self.tasks.set_rows(tasks)
        self.tasks_view.setVisible(bool(tasks))
        self.tasks_empty.setVisible(not tasks)
        self.forward_button.setEnabled(bool(tasks))
        waiting = self._s.queries.waiting_for_applicant()
        self.waiting.set_rows(waiting)
        self.waiting_view.setVisible(bool(waiting))
        self.waiting_filter.setVisible(bool(waiting))
        self.waiting_empty.setVisible(not waiting)
        self.return_button.setEnabled(bool(waiting))
        self.lists.setStretch(0, 1 if tasks else 0)
        self.lists.setStretch(1, 1 if waiting else 0)
        self.lists.setStretch(2, 0 if tasks or waiting else 1)
        if self.waiting_filter.text().strip():
            self._filter_waiting(self.waiting_filter.text())

    def _filter_waiting(self, text: str) -> None:
        self.waiting.set_rows(self._s.queries.waiting_for_applicant(text=text))

    # ---------------------------------------------------------------- commands

    def new_application(self) -> NewApplicationDialog:
        dialog = NewApplicationDialog(self._s, self._actor, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._intake_saved)
        self.dialog = dialog
        dialog.finished.connect(lambda _r: self._forget(dialog))
        return_focus_after(dialog)
        dialog.open()
        return dialog

    def complete_return(self) -> CompletionDialog | None:
        row = self.waiting_view.current_row()
        if row is None:
            show_info(self, "Kelengkapan datang", "Tidak ada berkas yang menunggu kelengkapan.")
            return None
        dialog = CompletionDialog(self._s, self._actor, row.id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._intake_saved)
        self.dialog = dialog
        dialog.finished.connect(lambda _r: self._forget(dialog))
        return_focus_after(dialog)
        dialog.open()
        return dialog

    def forward_selected(self) -> ForwardDialog | None:
        task = self.tasks_view.current_row()
        if task is None:
            show_info(self, "Teruskan", "Tidak ada berkas yang menunggu diteruskan.")
            return None
        dialog = ForwardDialog(self._s, self._actor, task, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.forwarded.connect(self._forwarded)
        dialog.finished.connect(lambda _r: self.refresh())
        self.dialog = dialog
        dialog.finished.connect(lambda _r: self._forget(dialog))
        return_focus_after(dialog)
        dialog.open()
        return dialog

    def _forget(self, widget: QWidget) -> None:
        """A closed dialog is deleted: drop the reference before it dangles."""
        if self.dialog is widget:
            self.dialog = None
        if self.preview is widget:
            self.preview = None

    # ---------------------------------------------------------------- results

    def _intake_saved(self, result: IntakeResult) -> None:
        self.last_result = result
        self.last_box.show()
        self.refresh()
        view = self._s.queries.case(result.case_id)
        if result.complete and result.reg_number:
            self.last_number.setText(result.reg_number)
            due = f" · perkiraan selesai {short_datetime(result.due_at)}" if result.due_at else ""
            self.last_detail.setText(f"{view.applicant_name} · {view.permit_name}{due}")
            heading = "Permohonan diterima. Nomor registrasi:"
            notes = f"{view.applicant_name} · {view.permit_name}{due}"
        else:
            self.last_number.setText(view.reference)
            self.last_detail.setText(
                f"{view.applicant_name} · belum lengkap, menunggu pemohon: "
                + "; ".join(result.missing)
            )
            heading = "Berkas belum lengkap. Nomor klarifikasi (dibawa kembali oleh pemohon):"
            notes = "Kurang: " + "; ".join(result.missing)
        self.show_pdf(
            result.pdf,
            result.document_title,
            number=result.reg_number if result.complete else view.reference,
            heading=heading,
            notes=notes,
            file_stem=f"{result.document_title}-{view.reference}",
        )

    def _forwarded(self, forwarded: Forwarded) -> None:
        self.refresh()
        if forwarded.pdf is not None:
            result = forwarded.result
            self.show_pdf(
                forwarded.pdf,
                forwarded.title or "Lembar Disposisi",
                heading=f"Diteruskan kepada {result.next_role or 'langkah berikutnya'}: "
                f"{result.next_step or ''}",
                file_stem=f"disposisi-{result.case_id}",
            )

    def show_pdf(
        self,
        data: bytes,
        title: str,
        *,
        number: str | None = None,
        heading: str = "",
        notes: str = "",
        file_stem: str = "dokumen",
    ) -> PdfPreviewDialog:
        preview = PdfPreviewDialog(
            data,
            title,
            number=number,
            heading=heading,
            notes=notes,
            file_stem=file_stem,
            parent=self,
        )
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview = preview
        preview.finished.connect(lambda _r: self._forget(preview))
        return_focus_after(preview)
        preview.open()
        preview.print_button.setFocus()
        return preview
