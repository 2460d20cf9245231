"""Tugas saya: the open steps of the logged-in user's roles, most urgent first.

Each row shows the SOP's time standard, the due time and a countdown in working time that
moves by itself; overdue rows are red (a palette-aware red, readable in a dark scheme). The
list reloads itself when any PC records a step (``ui.common.live``), keeping the row the user
was on. Enter or a double click opens the case; Ctrl+Enter goes straight to the step's dialog.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.batch_signing import waiting_drafts
from desktop_perizinan.services.queries import TaskRow
from desktop_perizinan.services.stages import StageRisk
from desktop_perizinan.services.tte_outage import pending as pending_tte
from desktop_perizinan.ui.common.countdown import (
    TICK_MS,
    countdown_text,
    remaining_minutes,
    urgency_color,
)
from desktop_perizinan.ui.common.live import LiveUpdates
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.tugas.batch_sign import BatchSignDialog
from desktop_perizinan.ui.tugas.case_view import CaseDialog
from desktop_perizinan.ui.tugas.step_dialog import StepDialog
from desktop_perizinan.ui.tugas.tte_susulan import DeferredTteDialog, may_handle
from desktop_perizinan.ui.widgets.formatting import short_datetime
from desktop_perizinan.ui.widgets.messages import report_error
from desktop_perizinan.ui.widgets.screen_header import ScreenHeader
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView

COUNTDOWN_COLUMN = 0


class TasksScreen(QWidget):
    """The task list of ``actor`` (see the module docstring)."""

    def __init__(
        self,
        services: Services,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        live: LiveUpdates | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self._owns_live = live is None
        self.live = live or LiveUpdates(services, self)
        self._stale = False
        self.case_dialog: CaseDialog | None = None
        self.step_dialog: StepDialog | None = None

        layout = QVBoxLayout(self)
        self.reload_button = QPushButton("Muat &ulang")
        self.reload_button.setToolTip(
            "Daftar juga diperbarui sendiri bila PC lain mengerjakan langkah (F5)"
        )
        self.reload_button.clicked.connect(self.reload)
        self.header = ScreenHeader("Tugas saya", self.reload_button)
        layout.addWidget(self.header)
        roles = ", ".join(sorted(services.office.role_name(r) for r in actor.roles))
        self.subtitle = self.header.subtitle
        self._who = f"{actor.full_name} · {roles}"

        self.model: RowsModel[TaskRow] = RowsModel(self._columns())
        self.table = RowsView(self.model, self)
        self.model.setParent(self.table)
        self.table.setObjectName("tasks")
        self.table.sortByColumn(COUNTDOWN_COLUMN, Qt.SortOrder.AscendingOrder)
        self.table.activated.connect(lambda _index: self.open_case())
        layout.addWidget(self.table, 1)

        self.empty = QLabel("Tidak ada langkah yang menunggu Anda. ")
        set_role(self.empty, "hint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)

        buttons = QHBoxLayout()
        # Issue 12: batch signing and the documents still waiting for their TTE.
        self.batch_button = QPushButton("Tandatangani &semua draf…")
        self.batch_button.setObjectName("batchSign")
        self.batch_button.clicked.connect(self.sign_all)
        self.deferred_button = QPushButton("TTE &menunggu…")
        self.deferred_button.setObjectName("deferredTteButton")
        self.deferred_button.clicked.connect(self.open_deferred)
        self.batch_dialog: BatchSignDialog | None = None
        self.deferred_dialog: DeferredTteDialog | None = None
        buttons.addWidget(self.batch_button)
        buttons.addWidget(self.deferred_button)
        self.open_button = QPushButton("&Buka permohonan (Enter)")
        self.open_button.clicked.connect(self.open_case)
        self.act_button = QPushButton("&Kerjakan langkah… (Ctrl+Enter)")
        self.act_button.clicked.connect(self.act)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.act_button)
        layout.addLayout(buttons)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self.table, self.act)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.reload)

        self.ticker = QTimer(self)
        self.ticker.setInterval(TICK_MS)
        self.ticker.timeout.connect(self.tick)
        self.ticker.start()
        self.live.refresh.connect(self._on_live)
        self.reload()

    # ---------------------------------------------------------------- visibility

    def _on_live(self, _case_ids: set[int | None]) -> None:
        if self.isVisible():
            self.reload()
        else:
            self._stale = True  # reloaded when shown again

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._owns_live:
            self.live.resume()
        if self._stale:
            self._stale = False
            self.reload()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self._owns_live:
            self.live.pause()
            self._stale = True  # changes while hidden are not heard

    # ---------------------------------------------------------------- columns

    def _remaining(self, row: TaskRow) -> int:
        return remaining_minutes(self.services.calendar, self.services.now(), row.due_at)

    def _color(self, row: TaskRow) -> QColor | None:
        return urgency_color(self._remaining(row))

    def _columns(self) -> list[Column[TaskRow]]:
        calendar = self.services.calendar
        return [
            Column(
                "Sisa waktu kerja",
                lambda r: countdown_text(calendar, self._remaining(r)),
                sort_key=lambda r: r.due_at,
                color=self._color,
            ),
            Column(
                "Tenggat", lambda r: short_datetime(r.due_at), lambda r: r.due_at, color=self._color
            ),
            Column("Waktu baku", lambda r: r.standard),
            Column("No. registrasi", lambda r: r.reg_number),
            Column("Pemohon", lambda r: r.applicant_name),
            Column("Langkah", lambda r: f"{r.step_no}. {r.step_name}", lambda r: r.step_no),
            Column("Jenis izin", lambda r: r.permit_name),
            Column("Mulai", lambda r: short_datetime(r.started_at), lambda r: r.started_at),
            # PP 28/2025 (issue 13.5): the case's running stage and its deadline.
            Column(
                "Batas tahap",
                self._stage_text,
                lambda r: self._stage_of(r).due_at if self._stage_of(r) else r.due_at,
                color=self._stage_color,
                tooltip=self._stage_tip,
            ),
        ]

    def _stage_of(self, row: TaskRow) -> StageRisk | None:
        return getattr(self, "_stages", {}).get(row.case_id)

    def _stage_text(self, row: TaskRow) -> str:
        stage = self._stage_of(row)
        return f"{stage.stage} · {short_datetime(stage.due_at)}" if stage else ""

    def _stage_color(self, row: TaskRow) -> QColor | None:
        stage = self._stage_of(row)
        return urgency_color(stage.remaining_minutes) if stage and stage.at_risk else None

    def _stage_tip(self, row: TaskRow) -> str:
        stage = self._stage_of(row)
        if stage is None:
            return ""
        if stage.fiktif_positif:
            return f"Tahap {stage.stage} lewat batas: risiko fiktif positif (dianggap disetujui)"
        return f"Tahap {stage.stage}: {stage.state}"

    # ---------------------------------------------------------------- loading

    def reload(self) -> None:
        """Read the task list again, keeping the selected task selected."""
        selected = self.current_task()
        try:
            rows = self.services.queries.tasks(self.actor)
            self._stages = self.services.stages.current({r.case_id for r in rows})
        except UserError as exc:
            report_error(self, exc)
            return
        self.model.set_rows(rows)
        if selected is not None:
            self.select_task(selected.step_record_id)
        late = sum(1 for r in rows if self._remaining(r) < 0)
        summary = f"{len(rows)} langkah menunggu" + (f", {late} terlambat" if late else "")
        self.subtitle.setText(f"{self._who} · {summary} · diperbarui {self.services.now():%H:%M}")
        self.empty.setVisible(not rows)
        self.act_button.setEnabled(bool(rows))
        self.open_button.setEnabled(bool(rows))
        self._reload_signing()

    def _reload_signing(self) -> None:
        """Show the batch button when drafts wait for the user's signature, and the TTE list
        when documents signed wet during an outage still wait (for roles that handle them)."""
        try:
            drafts = len(waiting_drafts(self.services, self.actor))
            deferred = len(pending_tte(self.services)) if may_handle(self.actor) else 0
        except UserError:
            drafts = deferred = 0
        self.batch_button.setText(f"Tandatangani &semua draf ({drafts})…")
        self.batch_button.setVisible(drafts > 1)
        self.deferred_button.setText(f"TTE &menunggu ({deferred})…")
        self.deferred_button.setVisible(deferred > 0)

    def tick(self) -> None:
        """Move the countdowns (no database read)."""
        rows = self.model.rowCount()
        if rows:
            self.model.dataChanged.emit(
                self.model.index(0, 0), self.model.index(rows - 1, 1), [Qt.ItemDataRole.DisplayRole]
            )

    def current_task(self) -> TaskRow | None:
        return self.table.current_row()

    def select_task(self, step_record_id: int) -> bool:
        for row in range(self.table.proxy.rowCount()):
            index = self.table.proxy.index(row, 0)
            task = self.model.row(self.table.proxy.mapToSource(index).row())
            if task.step_record_id == step_record_id:
                self.table.setCurrentIndex(index)
                return True
        return False

    def select_case(self, case_id: int) -> bool:
        for row in range(self.table.proxy.rowCount()):
            index = self.table.proxy.index(row, 0)
            task = self.model.row(self.table.proxy.mapToSource(index).row())
            if task.case_id == case_id:
                self.table.setCurrentIndex(index)
                return True
        return False

    # ---------------------------------------------------------------- actions

    def open_case(self, _index: QModelIndex | None = None) -> CaseDialog | None:
        task = self.current_task()
        if task is None:
            return None
        dialog = CaseDialog(self.services, self.actor, task.case_id, self, live=self.live)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.case_view.changed.connect(lambda _id: self.reload())
        dialog.finished.connect(lambda _r: setattr(self, "case_dialog", None))
        self.case_dialog = dialog
        dialog.show()
        return dialog

    def sign_all(self) -> BatchSignDialog:
        dialog = BatchSignDialog(self.services, self.actor, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.signed.connect(lambda _r: self.reload())
        dialog.finished.connect(lambda _r: setattr(self, "batch_dialog", None))
        self.batch_dialog = dialog
        dialog.open()
        return dialog

    def open_deferred(self) -> DeferredTteDialog:
        dialog = DeferredTteDialog(self.services, self.actor, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.linked.connect(lambda _r: self.reload())
        dialog.finished.connect(lambda _r: setattr(self, "deferred_dialog", None))
        self.deferred_dialog = dialog
        dialog.open()
        return dialog

    def act(self) -> StepDialog | None:
        task = self.current_task()
        if task is None:
            return None
        try:
            view = self.services.queries.case(task.case_id, self.actor)
        except UserError as exc:
            report_error(self, exc)
            return None
        if view.open_step is None or view.open_step.step_record_id != task.step_record_id:
            self.reload()
            return None
        dialog = StepDialog(self.services, self.actor, view, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.acted.connect(lambda _r: self.reload())
        dialog.stale.connect(self.reload)
        dialog.finished.connect(lambda _r: setattr(self, "step_dialog", None))
        self.step_dialog = dialog
        dialog.open()
        return dialog
