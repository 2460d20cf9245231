"""Beranda: the Kadis's and the Kabid's home screen.

Four figures across the top (today's intake, files in progress, late steps, permits issued this
month against the same days of last month), where the open files are sitting, this month beside
last month, and the late steps. Read in the background on every show and every minute while
shown, so a screen left open on the Kadis's desk stays current.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.dashboard import Dashboard, DashboardService
from desktop_perizinan.services.reports import MONTHS, MONTHS_SHORT, OverdueRow
from desktop_perizinan.services.stages import StageRisk
from desktop_perizinan.ui.laporan.charts import BarChart, Series
from desktop_perizinan.ui.laporan.tables import Col, SpecTableModel, SpecTableView, int_text
from desktop_perizinan.ui.theme import color, icon, set_role
from desktop_perizinan.ui.widgets.formatting import short_datetime
from desktop_perizinan.ui.worker import Task, run_in_background
from desktop_perizinan.workflow.calendar import format_working_minutes

REFRESH_MS = 60_000
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


class Card(QFrame):
    """A figure with its caption and one line of detail."""

    def __init__(self, caption: str, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            f"QFrame#{object_name} {{ background: palette(base); border: 1px solid palette(mid);"
            " border-radius: 6px; }"
        )
        self.caption = QLabel(caption)
        set_role(self.caption, "subtitle")
        self.value = QLabel("–")
        self.value.setObjectName("cardValue")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.value.setFont(font)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        set_role(self.detail, "hint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def show_value(self, value: int, detail: str, *, alarm: bool = False) -> None:
        self.value.setText(int_text(value))
        self.value.setStyleSheet(f"color: {color('error').name()};" if alarm else "")
        self.detail.setText(detail)
        self.detail.setToolTip(detail)


def trend(now: int, before: int) -> str:
    if now > before:
        return f"▲ {int_text(now - before)}"
    if now < before:
        return f"▼ {int_text(before - now)}"
    return "sama"


class DashboardScreen(QWidget):
    """Home screen of the Kadis and the Kabid; ``refresh()`` reads a new snapshot."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardScreen")
        self._s = services
        self._actor = actor
        self.service = DashboardService(services)
        self.snapshot: Dashboard | None = None
        self.loading: Task | None = None
        self._generation = 0

        title = QLabel("Beranda")
        set_role(title, "title")
        self.subtitle = QLabel(f"Ringkasan pelayanan · {actor.full_name}")
        set_role(self.subtitle, "subtitle")
        self.refresh_button = QPushButton(icon("muat-ulang"), "&Muat Ulang")
        self.refresh_button.setObjectName("dashboardRefresh")
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        head.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignBottom)

        self.intake_card = Card("Permohonan masuk hari ini", "cardIntake")
        self.open_card = Card("Berkas sedang diproses", "cardOpen")
        self.late_card = Card("Langkah terlambat", "cardLate")
        self.issued_card = Card("Izin terbit bulan ini", "cardIssued")
        cards = QGridLayout()
        for column, card in enumerate(
            (self.intake_card, self.open_card, self.late_card, self.issued_card)
        ):
            cards.addWidget(card, 0, column)

        self.step_chart = BarChart("Berkas terbuka per langkah", horizontal=True)
        self.step_chart.setObjectName("openByStepChart")
        self.month_chart = BarChart("Bulan ini dibanding bulan lalu")
        self.month_chart.setObjectName("monthCompareChart")
        self.month_note = QLabel()
        self.month_note.setWordWrap(True)
        set_role(self.month_note, "hint")
        month_box = QWidget()
        month_layout = QVBoxLayout(month_box)
        month_layout.setContentsMargins(0, 0, 0, 0)
        month_layout.addWidget(self.month_chart, 1)
        month_layout.addWidget(self.month_note)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.step_chart)
        charts.addWidget(month_box)
        charts.setSizes([640, 460])

        self.overdue_model: SpecTableModel[OverdueRow] = SpecTableModel(
            self._overdue_columns(), self
        )
        self.overdue_table = SpecTableView(self.overdue_model)
        self.overdue_table.setObjectName("dashboardOverdue")
        self.overdue_table.doubleClicked.connect(lambda _i: self.open_selected_case())
        self.overdue_table.activated.connect(lambda _i: self.open_selected_case())
        self.overdue_title = QLabel("Langkah terlambat")
        set_role(self.overdue_title, "subtitle")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.overdue_title)
        lower_layout.addWidget(self.overdue_table, 1)
        # PP 28/2025 (issue 13.5): stages close to or past their deadline, fiktif positif risk.
        self.stage_flag = QLabel()
        self.stage_flag.setObjectName("stageRiskFlag")
        self.stage_flag.setWordWrap(True)
        self.stage_model: SpecTableModel[StageRisk] = SpecTableModel(self._stage_columns(), self)
        self.stage_table = SpecTableView(self.stage_model)
        self.stage_table.setObjectName("dashboardStageRisks")
        self.stage_table.doubleClicked.connect(lambda _i: self.open_selected_case(self.stage_table))
        self.stage_table.activated.connect(lambda _i: self.open_selected_case(self.stage_table))
        lower_layout.addWidget(self.stage_flag)
        lower_layout.addWidget(self.stage_table, 1)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(charts)
        body.addWidget(lower)
        body.setSizes([330, 220])

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(cards)
        layout.addWidget(body, 1)

        self.refresh_button.clicked.connect(self.refresh)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def _stage_columns(self) -> list[Col[StageRisk]]:
        day = self._s.calendar.standard_day_minutes

        def left(r: StageRisk) -> str:
            if r.fiktif_positif:
                return f"lewat {format_working_minutes(-r.remaining_minutes, day)}"
            return f"sisa {format_working_minutes(r.remaining_minutes, day)}"

        return [
            Col("No. Registrasi", lambda r: r.reference, 140),
            Col("Jenis Izin", lambda r: r.permit_name, 300, tooltip=lambda r: r.permit_name),
            Col("Tahap", lambda r: r.stage, 140),
            Col("Batas Tahap", lambda r: short_datetime(r.due_at), 160),
            Col(
                "Keadaan",
                lambda r: f"{left(r)} — risiko fiktif positif" if r.fiktif_positif else left(r),
                300,
                stretch=True,
                color=lambda r: color("error") if r.fiktif_positif else color("warning"),
            ),
        ]

    def _overdue_columns(self) -> list[Col[OverdueRow]]:
        day = self._s.calendar.standard_day_minutes
        return [
            Col("No. Registrasi", lambda o: o.reference, 140),
            Col("Pemohon", lambda o: o.applicant_name, 190),
            Col("Langkah", lambda o: f"{o.step_no}. {o.step_name}", 300, stretch=True),
            Col("Pelaksana", lambda o: o.role_name, 190),
            Col("Batas Waktu", lambda o: short_datetime(o.due_at), 140),
            Col(
                "Terlambat",
                lambda o: format_working_minutes(o.late_minutes, day),
                170,
                color=lambda o: color("error"),
            ),
        ]

    # ------------------------------------------------------------------ data

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._timer.start()
        if self.snapshot is None and self.loading is None:
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._timer.stop()

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        service = self.service

        def shown(snapshot: Dashboard) -> None:
            if generation == self._generation:
                self.show_snapshot(snapshot)

        self.loading = run_in_background(service.snapshot, on_success=shown, owner=self)

    def show_snapshot(self, d: Dashboard) -> None:
        self.snapshot = d
        now = d.now
        self.subtitle.setText(
            f"Ringkasan pelayanan · {DAYS[now.weekday()]}, {now.day} {MONTHS[now.month - 1]} "
            f"{now.year} pukul {now:%H:%M}"
        )
        by_type = [f"{n} {name}" for name, n in d.today_by_type]
        shown = "; ".join(by_type[:2]) + (
            f"; {len(by_type) - 2} jenis lain" if len(by_type) > 2 else ""
        )
        self.intake_card.show_value(d.today_intake, shown or "Belum ada permohonan hari ini")
        self.intake_card.detail.setToolTip("\n".join(by_type))
        waiting = (
            f"{int_text(d.waiting_applicant)} menunggu kelengkapan pemohon"
            if d.waiting_applicant
            else "Tidak ada yang menunggu pemohon"
        )
        self.open_card.show_value(d.open_cases, waiting)
        open_steps = sum(load.open for load in d.open_by_step)
        self.late_card.show_value(
            d.overdue_count,
            f"dari {int_text(open_steps)} langkah yang sedang terbuka",
            alarm=d.overdue_count > 0,
        )
        before = d.last_month_same_days
        self.issued_card.show_value(
            d.this_month.issued,
            f"Bulan lalu s.d. tanggal {now.day}: {int_text(before.issued)} "
            f"({trend(d.this_month.issued, before.issued)})",
        )

        loads = d.open_by_step
        labels = [load.label for load in loads]
        # The same step name in two permit types (both Pasuruan SOPs verify at step 3): say whose.
        labels = [
            f"{load.permit_name}: {label}" if labels.count(label) > 1 else label
            for load, label in zip(loads, labels, strict=True)
        ]
        self.step_chart.set_data(
            labels,
            [
                Series("Terbuka", tuple(float(load.open) for load in loads)),
                Series("Terlambat", tuple(float(load.overdue) for load in loads)),
            ],
            category_tips=[f"{load.permit_name}: {load.label}" for load in loads],
        )
        this, last = d.this_month, d.last_month_same_days
        last_name = f"{MONTHS_SHORT[last.month - 1]} {last.year} (1–{now.day})"
        this_name = f"{MONTHS_SHORT[this.month - 1]} {this.year} (1–{now.day})"
        metrics = ("Diterima", "Terbit", "Ditolak", "Ditarik")
        self.month_chart.set_data(
            metrics,
            [
                Series(
                    last_name,
                    (float(last.received), float(last.issued), float(last.rejected),
                     float(last.withdrawn)),
                ),
                Series(
                    this_name,
                    (float(this.received), float(this.issued), float(this.rejected),
                     float(this.withdrawn)),
                ),
            ],
        )  # fmt: skip
        full = d.last_month
        self.month_note.setText(
            f"Sebulan penuh {MONTHS[full.month - 1]} {full.year}: {int_text(full.received)} "
            f"diterima, {int_text(full.issued)} terbit, {int_text(full.rejected)} ditolak, "
            f"{int_text(full.withdrawn)} ditarik."
        )
        self.overdue_model.set_rows(d.overdue)
        risks = d.stage_risks
        late = sum(1 for r in risks if r.fiktif_positif)
        self.stage_model.set_rows(list(risks))
        self.stage_table.setVisible(bool(risks))
        if risks:
            self.stage_flag.setText(
                f"Batas tahap PP 28/2025: {int_text(late)} permohonan lewat batas (risiko "
                f"fiktif positif: dianggap disetujui), {int_text(len(risks) - late)} mendekati "
                "batas. Klik dua kali untuk membuka."
            )
            set_role(self.stage_flag, "error" if late else "warning")
        else:
            self.stage_flag.setText(
                "Batas tahap PP 28/2025: tidak ada permohonan yang mendekati batas."
            )
            set_role(self.stage_flag, "hint")
        more = d.overdue_count - len(d.overdue)
        self.overdue_title.setText(
            "Langkah terlambat"
            + (f" — {len(d.overdue)} terlama dari {int_text(d.overdue_count)}" if more > 0 else "")
            + (" (klik dua kali untuk membuka)" if d.overdue else ": tidak ada")
        )

    def open_selected_case(self, table: SpecTableView | None = None) -> None:
        row = (table or self.overdue_table).current_row()
        opener = getattr(self.window(), "open_case", None)
        if isinstance(row, (OverdueRow, StageRisk)) and callable(opener):
            opener(row.case_id)
