"""One case in full: who applied for what, the file, every step with its times, the documents
with their versions and initials, and the actions this user may take now.

The view holds a ``CaseView`` (plain data from ``services.queries``) and reloads it after every
action and whenever another PC changes the case; it never holds a session. "Kerjakan" is shown
only when ``open_step.may_act`` says this user's roles may act (the service refuses the others
anyway); withdrawal and reopening need the counter, the back office or the administrator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.case_search import DeskLookups
from desktop_perizinan.services.queries import CaseView, DocumentRow
from desktop_perizinan.ui.common.countdown import CountdownLabel
from desktop_perizinan.ui.common.documents import open_attachment, open_pdf
from desktop_perizinan.ui.common.live import LiveUpdates
from desktop_perizinan.ui.common.timeline import TimelineTable
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.tugas.data_pribadi import PdpReportButton, log_what_leaves
from desktop_perizinan.ui.tugas.step_dialog import StepDialog
from desktop_perizinan.ui.widgets.formatting import short_datetime, size_text
from desktop_perizinan.ui.widgets.messages import report_error, show_info, show_warning
from desktop_perizinan.ui.widgets.reason_dialog import ReasonDialog
from desktop_perizinan.ui.worker import Task, run_in_background
from desktop_perizinan.workflow.definition import CaseStatus, DocumentKind

if TYPE_CHECKING:
    from desktop_perizinan.services.esign import ImportResult

#: Roles allowed to withdraw or reopen (the service checks the same).
WITHDRAW_ROLES = frozenset({"backoffice", ADMIN_ROLE})
#: Roles allowed to import a document signed elsewhere (``esign.IMPORT_ROLES``; the service
#: checks the same). Kept here so opening a case does not import the signing stack.
IMPORT_SIGNED_ROLES = frozenset({"backoffice", "ksb_umum", "kadis", ADMIN_ROLE})
#: The letters that end a case: only their final may be replaced by a version signed elsewhere.
IMPORTABLE_KINDS = frozenset({DocumentKind.PERMIT.value, DocumentKind.REJECTION.value})
#: A signed letter is well under a few MB; anything far bigger is not one of ours.
MAX_SIGNED_PDF_BYTES = 50 * 1024 * 1024
IMPORT_TITLE = "Impor dokumen bertanda tangan elektronik"
DOC_ID_ROLE = Qt.ItemDataRole.UserRole
VERSION_ROLE = Qt.ItemDataRole.UserRole + 1


class CaseWidget(QWidget):
    """The case screen (see the module docstring). ``changed`` after any action taken here."""

    changed = Signal(int)

    def __init__(
        self,
        services: Services,
        actor: Actor,
        case_id: int,
        parent: QWidget | None = None,
        *,
        live: LiveUpdates | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.case_id = case_id
        self.lookups = DeskLookups(services)
        self.view: CaseView | None = None
        self.step_dialog: StepDialog | None = None
        self.reason_dialog: ReasonDialog | None = None
        self.import_task: Task | None = None
        self.import_message: QMessageBox | None = None
        #: Asks for the signed PDF of a document; replaced in tests.
        self.choose_signed_pdf: Callable[[QWidget, DocumentRow], str] = _choose_signed_pdf

        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.title = QLabel()
        set_role(self.title, "title")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head.addWidget(self.title)
        self.status = QLabel()
        self.status.setObjectName("caseStatus")
        head.addWidget(self.status)
        head.addStretch(1)
        layout.addLayout(head)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        set_role(self.subtitle, "subtitle")
        layout.addWidget(self.subtitle)

        step_line = QHBoxLayout()
        self.current = QLabel()
        self.current.setWordWrap(True)
        step_line.addWidget(self.current, 1)
        self.countdown = CountdownLabel(services)
        self.countdown.setObjectName("caseCountdown")
        step_line.addWidget(self.countdown)
        layout.addLayout(step_line)
        self.stages_line = QLabel()  # PP 28/2025 stage deadlines (services/stages.py)
        self.stages_line.setObjectName("caseStages")
        self.stages_line.setWordWrap(True)
        layout.addWidget(self.stages_line)

        actions = QHBoxLayout()
        self.act_button = QPushButton()
        self.act_button.setObjectName("actButton")
        self.act_button.setDefault(True)
        self.act_button.clicked.connect(self.open_step)
        self.no_action = QLabel()
        self.no_action.setWordWrap(True)
        set_role(self.no_action, "hint")
        self.withdraw_button = QPushButton("&Tarik permohonan…")
        self.withdraw_button.clicked.connect(self.ask_withdraw)
        self.reopen_button = QPushButton("Buka &kembali…")
        self.reopen_button.clicked.connect(self.ask_reopen)
        self.reload_button = QPushButton("Muat &ulang")
        self.reload_button.clicked.connect(self.reload)
        actions.addWidget(self.act_button)
        actions.addWidget(self.no_action, 1)
        actions.addWidget(self.withdraw_button)
        actions.addWidget(self.reopen_button)
        self.pdp_button = PdpReportButton(services, actor, case_id, self)
        actions.addWidget(self.pdp_button)
        actions.addWidget(self.reload_button)
        layout.addLayout(actions)

        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(self._applicant_tab(), "&Data pemohon")
        self.tabs.addTab(self._file_tab(), "&Persyaratan && lampiran")
        self.timeline = TimelineTable(services)
        self.timeline.setObjectName("timeline")
        self.tabs.addTab(self.timeline, "&Riwayat langkah")
        self.tabs.addTab(self._documents_tab(), "D&okumen")
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.reload)

        if live is not None:
            live.refresh.connect(self._on_live)
        self.reload()

    # ---------------------------------------------------------------- tabs

    def _applicant_tab(self) -> QWidget:
        page = QWidget()
        self.applicant_form = QFormLayout(page)
        self.applicant_form.setFieldGrowthPolicy(
            QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )
        return page

    def _file_tab(self) -> QWidget:
        page = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(QLabel("<b>Persyaratan</b>"))
        self.requirements = QListWidget()
        self.requirements.setObjectName("requirements")
        self.requirements.setWordWrap(True)
        left_layout.addWidget(self.requirements)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(QLabel("<b>Lampiran</b> (Enter atau klik dua kali untuk membuka)"))
        self.attachments = QTreeWidget()
        self.attachments.setObjectName("attachments")
        self.attachments.setHeaderLabels(["Berkas", "Jenis", "Ukuran", "Persyaratan"])
        self.attachments.setRootIsDecorated(False)
        self.attachments.itemActivated.connect(self._open_attachment)
        right_layout.addWidget(self.attachments)
        self.open_attachment_button = QPushButton("&Buka lampiran")
        self.open_attachment_button.clicked.connect(
            lambda: self._open_attachment(self.attachments.currentItem())
        )
        right_layout.addWidget(self.open_attachment_button, 0, Qt.AlignmentFlag.AlignRight)
        page.addWidget(left)
        page.addWidget(right)
        page.setSizes([420, 560])
        return page

    def _documents_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.documents = QTreeWidget()
        self.documents.setObjectName("documents")
        self.documents.setHeaderLabels(
            ["Dokumen / versi / paraf", "Nomor", "Status", "Waktu", "Catatan"]
        )
        self.documents.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.documents.itemActivated.connect(self._open_document_item)
        self.documents.currentItemChanged.connect(lambda *_a: self._update_import_button())
        layout.addWidget(self.documents)
        row = QHBoxLayout()
        row.addWidget(QLabel("Enter atau klik dua kali pada dokumen atau versi untuk membukanya."))
        row.addStretch(1)
        self.import_signed_button = QPushButton("&Impor dokumen bertanda tangan elektronik…")
        self.import_signed_button.setObjectName("importSigned")
        self.import_signed_button.setToolTip(
            "Simpan surat izin atau surat penolakan final yang ditandatangani secara elektronik "
            "di luar aplikasi (misalnya dengan aplikasi BSrE) sebagai versi final terbarunya."
        )
        self.import_signed_button.clicked.connect(self.import_signed)
        row.addWidget(self.import_signed_button)
        self.open_document_button = QPushButton("Buka &dokumen")
        self.open_document_button.clicked.connect(
            lambda: self._open_document_item(self.documents.currentItem())
        )
        row.addWidget(self.open_document_button)
        layout.addLayout(row)
        return page

    # ---------------------------------------------------------------- loading

    def reload(self) -> None:
        """Read the case again (short reading session in the service) and show it."""
        try:
            if self.view is None:  # opening the case is one logged access (UU PDP)
                self.view = self.services.personal_data.view_case(self.actor, self.case_id)
            else:
                self.view = self.services.queries.case(self.case_id, self.actor)
        except UserError as exc:
            self.subtitle.setText(exc.message)
            return
        self._show(self.view)

    def _on_live(self, case_ids: set[int | None]) -> None:
        if (self.case_id in case_ids or None in case_ids) and self.step_dialog is None:
            self.reload()

    def _show(self, view: CaseView) -> None:
        self.window().setWindowTitle(f"Permohonan {view.reference}")
        self.title.setText(view.reference)
        self.status.setText(view.status.label)
        set_role(
            self.status,
            {
                CaseStatus.ISSUED: "ok",
                CaseStatus.REJECTED: "warning",
                CaseStatus.WITHDRAWN: "warning",
                CaseStatus.WAITING_APPLICANT: "warning",
            }.get(view.status, "hint"),
        )
        due = f" · tenggat layanan {short_datetime(view.due_at)}" if view.due_at else ""
        number = f" · nomor izin {view.permit_number}" if view.permit_number else ""
        self.subtitle.setText(
            f"{view.permit_name} · {view.applicant_name} · diterima "
            f"{short_datetime(view.received_at)}{due}{number}"
        )
        step = view.open_step
        if step is not None:
            self.current.setText(f"Langkah sekarang: <b>{step.no}. {step.name}</b>")
            self.countdown.set_due(step.due_at)
        else:
            closed = f" pada {short_datetime(view.closed_at)}" if view.closed_at else ""
            self.current.setText(f"Langkah terakhir: {view.current_step_name}{closed}")
            self.countdown.set_due(None)
        self._show_stages()
        may_act = step is not None and step.may_act
        self.act_button.setVisible(may_act)
        if may_act:
            self.act_button.setText(f"&Kerjakan langkah {step.no}: {step.name}…")
        self.no_action.setVisible(not may_act)
        if step is not None and not may_act:
            role = next((t.role for t in reversed(view.timeline) if t.done_at is None), "")
            self.no_action.setText(f"Langkah ini dikerjakan oleh {role}." if role else "")
        else:
            self.no_action.setText("")
        counter = self.services.office.applicant_recorded_by
        can_withdraw = bool(self.actor.roles & (WITHDRAW_ROLES | {counter}))
        self.withdraw_button.setVisible(
            can_withdraw and view.status in (CaseStatus.RUNNING, CaseStatus.WAITING_APPLICANT)
        )
        self.reopen_button.setVisible(can_withdraw and view.status is CaseStatus.WITHDRAWN)
        self._fill_applicant(view)
        self._fill_file(view)
        self.timeline.set_rows(view.timeline)
        self._fill_documents(view)

    def _show_stages(self) -> None:
        """One line per PP 28/2025 stage; red when one is past its deadline (fiktif positif)."""
        from desktop_perizinan.services.stages import describe

        stages = self.services.stages.case_stages(self.case_id)
        self.stages_line.setVisible(bool(stages))
        fmt = self.services.calendar.format_working_minutes
        self.stages_line.setText(
            "Tahapan PP 28/2025: " + " · ".join(describe(s, fmt) for s in stages)
        )
        late = any(s.state == "lewat batas" for s in stages)
        near = any(s.at_risk for s in stages)
        set_role(self.stages_line, "error" if late else ("warning" if near else "hint"))

    def _fill_applicant(self, view: CaseView) -> None:
        form = self.applicant_form
        while form.rowCount():
            form.removeRow(0)
        rows: Iterable[tuple[str, str]] = (
            ("Nama pemohon", view.applicant_name),
            ("NIK", view.applicant_nik),
            ("Alamat", view.applicant_address),
            ("Telepon", view.applicant_phone),
            ("Jenis izin", view.permit_name),
            ("Kanal", "Daring" if view.channel == "daring" else "Loket"),
            ("Perpanjangan", "Ya" if view.renewal else "Tidak"),
            *view.fields,
        )
        for label, value in rows:
            text = QLabel(value or "-")
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", text)

    def _fill_file(self, view: CaseView) -> None:
        self.requirements.clear()
        for _code, name, present in view.requirements:
            item = QListWidgetItem(("✔  " if present else "✘  ") + name)
            item.setToolTip("Ada" if present else "Belum ada")
            self.requirements.addItem(item)
        self.attachments.clear()
        for att in view.attachments:
            kind = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}.get(
                att.mime, att.mime
            )
            item = QTreeWidgetItem(
                [att.file_name, kind, size_text(att.size), att.requirement_code or ""]
            )
            item.setData(0, DOC_ID_ROLE, att.id)
            self.attachments.addTopLevelItem(item)
        for column in range(4):
            self.attachments.resizeColumnToContents(column)

    def _fill_documents(self, view: CaseView) -> None:
        tree = self.documents
        tree.clear()
        for doc in view.documents:
            status = "final" if doc.status == "final" else "draf"
            if doc.sign_mode:
                status += f", ttd {doc.sign_mode}"
            top = QTreeWidgetItem([doc.title, doc.number or "", status, "", ""])
            top.setData(0, DOC_ID_ROLE, doc.id)
            top.setData(0, VERSION_ROLE, None)
            tree.addTopLevelItem(top)
            for version in range(1, doc.versions + 1):
                final = doc.status == "final" and version == doc.versions
                child = QTreeWidgetItem(
                    [f"Versi {version}", "", "final" if final else "draf", "", ""]
                )
                child.setData(0, DOC_ID_ROLE, doc.id)
                child.setData(0, VERSION_ROLE, version)
                top.addChild(child)
                for p in (p for p in doc.paraf if p.version == version):
                    action = "Paraf" if p.action == "paraf" else "Dikembalikan"
                    mark = QTreeWidgetItem(
                        [
                            f"{action}: {p.name} ({p.role})",
                            "",
                            "",
                            short_datetime(p.at),
                            p.note or "",
                        ]
                    )
                    mark.setToolTip(4, p.note or "")
                    child.addChild(mark)
            top.setExpanded(doc.versions > 1 or bool(doc.paraf))
        tree.expandAll()
        header = tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self._update_import_button()

    # ---------------------------------------------------------------- opening

    def _open_attachment(self, item: QTreeWidgetItem | None) -> None:
        if item is None:
            return
        try:
            attachment_id = int(item.data(0, DOC_ID_ROLE))
            data = self.services.personal_data.open_attachment(self.actor, attachment_id)
            self.viewer = open_attachment(self, data.file_name, data.mime, data.data)
            log_what_leaves(self.viewer, self.services, self.actor, attachment_id=attachment_id)
        except UserError as exc:
            report_error(self, exc)

    def _open_document_item(self, item: QTreeWidgetItem | None) -> None:
        while item is not None and item.data(0, DOC_ID_ROLE) is None:
            item = item.parent()
        if item is None:
            return
        doc_id = int(item.data(0, DOC_ID_ROLE))
        version = item.data(0, VERSION_ROLE)
        doc = next(d for d in (self.view.documents if self.view else ()) if d.id == doc_id)
        try:  # logged: a document prints the applicant's data
            data = self.services.personal_data.open_document(
                self.actor, doc_id, int(version) if version else None
            )
        except UserError as exc:
            report_error(self, exc)
            return
        suffix = f" (versi {version})" if version else ""
        self.viewer = open_pdf(self, data, doc.title + suffix, number=doc.number)
        log_what_leaves(self.viewer, self.services, self.actor, document_id=doc_id)

    # ---------------------------------------------------------------- actions

    def open_step(self) -> StepDialog | None:
        """The step dialog for the open step (window-modal over the case)."""
        self.reload()
        view = self.view
        if view is None or view.open_step is None or not view.open_step.may_act:
            return None
        dialog = StepDialog(self.services, self.actor, view, self, lookups=self.lookups)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.acted.connect(lambda _r: self._after_action())
        dialog.stale.connect(self.reload)
        dialog.finished.connect(self._step_closed)
        self.step_dialog = dialog
        dialog.open()
        return dialog

    def _step_closed(self) -> None:
        self.step_dialog = None
        self.reload()

    def _after_action(self) -> None:
        self.reload()
        self.changed.emit(self.case_id)

    def ask_withdraw(self) -> ReasonDialog:
        services, actor, case_id = self.services, self.actor, self.case_id
        return self._ask_reason(
            "Tarik permohonan",
            "Pemohon menarik permohonannya. Berkas berhenti pada langkah sekarang dan dapat "
            "dibuka kembali nanti.",
            lambda reason: services.work.withdraw(actor, case_id, reason),
        )

    def ask_reopen(self) -> ReasonDialog:
        services, actor, case_id = self.services, self.actor, self.case_id
        return self._ask_reason(
            "Buka kembali permohonan",
            "Permohonan dilanjutkan dari langkah tempat ia berhenti.",
            lambda reason: services.work.reopen(actor, case_id, reason),
        )

    def _ask_reason(self, title: str, prompt: str, action: Callable[[str], object]) -> ReasonDialog:
        dialog = ReasonDialog(title, prompt, action, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._after_action)
        dialog.finished.connect(lambda _r: setattr(self, "reason_dialog", None))
        self.reason_dialog = dialog
        dialog.open()
        return dialog

    # ---------------------------------------------------------------- signed elsewhere

    def _importable(self) -> list[DocumentRow]:
        """Final, numbered permits and rejection letters of this case."""
        documents = self.view.documents if self.view is not None else ()
        return [
            d for d in documents if d.kind in IMPORTABLE_KINDS and d.status == "final" and d.number
        ]

    def import_target(self) -> DocumentRow | None:
        """The document an import would replace: the selected one when it may be replaced,
        else the case's only such document (a case ends with one permit or one rejection)."""
        importable = self._importable()
        item = self.documents.currentItem()
        while item is not None and item.data(0, DOC_ID_ROLE) is None:
            item = item.parent()
        if item is not None:
            doc_id = int(item.data(0, DOC_ID_ROLE))
            chosen = next((d for d in importable if d.id == doc_id), None)
            if chosen is not None:
                return chosen
        return importable[0] if len(importable) == 1 else None

    def _update_import_button(self) -> None:
        button = self.import_signed_button
        allowed = bool(self.actor.roles & IMPORT_SIGNED_ROLES)
        button.setVisible(allowed and bool(self._importable()))
        running = self.import_task is not None and self.import_task.running
        button.setEnabled(not running and self.import_target() is not None)

    def import_signed(self) -> None:
        """Choose a PDF signed outside the app and store it as the document's newest final
        (``esign.import_signed`` judges it; its refusal is shown in its own words)."""
        doc = self.import_target()
        if doc is None:
            return
        path = self.choose_signed_pdf(self, doc)
        if not path:
            return
        file = Path(path)
        try:
            size = file.stat().st_size
            if size > MAX_SIGNED_PDF_BYTES:
                self.import_message = show_warning(
                    self,
                    IMPORT_TITLE,
                    f"Berkas {file.name} terlalu besar ({size_text(size)}) untuk sebuah surat "
                    "bertanda tangan elektronik; berkas tidak disimpan.",
                )
                return
            data = file.read_bytes()
        except OSError as exc:
            self.import_message = show_warning(
                self, IMPORT_TITLE, f"Berkas {file.name} tidak dapat dibaca: {exc.strerror or exc}."
            )
            return
        services, actor, doc_id = self.services, self.actor, doc.id

        def work() -> ImportResult:
            from desktop_perizinan.services import esign

            return esign.import_signed(services, actor, doc_id, data)

        def imported(result: ImportResult) -> None:
            self.import_task = None
            self._after_action()
            messages = result.messages
            self.import_message = show_info(
                self,
                IMPORT_TITLE,
                f"{doc.title} nomor {doc.number} diganti dengan berkas {file.name}.\n\n"
                + "\n".join(f"• {m}" for m in messages),
            )

        def failed(exc: BaseException) -> None:
            self.import_task = None
            self._update_import_button()
            if isinstance(exc, UserError):
                self.import_message = show_warning(self, IMPORT_TITLE, exc.message)
            else:
                self.import_message = report_error(self, exc)

        self.import_task = run_in_background(
            work, on_success=imported, on_failure=failed, owner=self
        )
        self._update_import_button()


def _choose_signed_pdf(parent: QWidget, doc: DocumentRow) -> str:
    path, _filter = QFileDialog.getOpenFileName(
        parent,
        f"Pilih PDF bertanda tangan elektronik: {doc.title} {doc.number or ''}".strip(),
        "",
        "Dokumen PDF (*.pdf);;Semua berkas (*)",
    )
    return path


class CaseDialog(QDialog):
    """A case in its own window (from the task list or the Permohonan table)."""

    def __init__(
        self,
        services: Services,
        actor: Actor,
        case_id: int,
        parent: QWidget | None = None,
        *,
        live: LiveUpdates | None = None,
    ) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.case_view = CaseWidget(services, actor, case_id, self, live=live)
        layout.addWidget(self.case_view)
        close = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close.activated.connect(self.close)
        self.resize(1120, 720)
