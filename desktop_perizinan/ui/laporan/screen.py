"""Laporan: the recap per permit type, compliance with the SOP's time standards, the SOP's total
beside the real one, and the late steps, for a month or a year; on screen and in Excel.

The figures are computed in the background in two steps: the Rekap and the status line from
SQL counts (``ReportService.summary``, under a second at 200,000 cases), then the compliance
and the late steps (``ReportService.complete``: a working-time reckoning per step record).
They are shown as tables with a chart beside them. The Excel workbook holds the same tables
with native Excel charts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.reports import (
    MONTHS,
    MONTHS_SHORT,
    OverdueRow,
    Period,
    RecapRow,
    ReportBundle,
    ReportService,
    ReportSummary,
    RoleCompliance,
    StepCompliance,
    TotalTime,
)
from desktop_perizinan.ui.laporan.charts import EMPTY_TEXT, BarChart, Series
from desktop_perizinan.ui.laporan.progress import ProgressJob
from desktop_perizinan.ui.laporan.tables import (
    Col,
    SpecTableModel,
    SpecTableView,
    int_text,
    percent_text,
)
from desktop_perizinan.ui.laporan.tte_pending import PendingTteTab
from desktop_perizinan.ui.theme import color, icon, set_role
from desktop_perizinan.ui.widgets.formatting import short_datetime
from desktop_perizinan.ui.widgets.messages import Banner, report_error
from desktop_perizinan.ui.worker import Task, run_in_background

#: Working minutes as text (``ReportBundle.minutes_text`` of the bundle on show).
MinutesText = Callable[[int | None], str]

#: Below this share of steps on time a figure is shown as a warning.
GOOD_SHARE = 0.8


def hours(minutes: int | None) -> float:
    return 0.0 if minutes is None else round(minutes / 60, 1)


def hours_text(value: float) -> str:
    return f"{value:.1f}".replace(".", ",").removesuffix(",0") + " j"


def _share_colour(share: float | None) -> QColor | None:
    if share is None:
        return None
    return color("ok") if share >= GOOD_SHARE else color("warning" if share >= 0.5 else "error")


def recap_columns() -> list[Col[RecapRow]]:
    def total(r: RecapRow) -> bool:
        return r.form_code == ""

    return [
        Col("Jenis Izin", lambda r: r.permit_name, 340, bold=total, stretch=True),
        Col("Diterima", lambda r: int_text(r.received), 90, True, bold=total),
        Col("Terbit", lambda r: int_text(r.issued), 90, True, bold=total),
        Col("Ditolak", lambda r: int_text(r.rejected), 90, True, bold=total),
        Col("Ditarik", lambda r: int_text(r.withdrawn), 90, True, bold=total),
        Col("Dalam Proses", lambda r: int_text(r.in_progress), 110, True, bold=total),
    ]


def step_columns(text: MinutesText) -> list[Col[StepCompliance]]:
    return [
        Col("Jenis Izin", lambda s: s.permit_name, 200),
        Col("No.", lambda s: str(s.step_no), 44, True),
        Col("Langkah", lambda s: s.step_name, 300, stretch=True),
        Col("Pelaksana", lambda s: s.role_name, 190),
        Col("Mutu Baku", lambda s: s.standard, 90),
        Col("Selesai", lambda s: int_text(s.done), 70, True),
        Col("Tepat Waktu", lambda s: int_text(s.on_time), 90, True),
        Col("% Tepat", lambda s: percent_text(s.share), 70, True, color=lambda s: _share_colour(s.share)),
        Col("Median Nyata", lambda s: text(s.median_minutes), 130),
    ]  # fmt: skip


def role_columns(text: MinutesText) -> list[Col[RoleCompliance]]:
    return [
        Col("Pelaksana", lambda r: r.role_name, 230, stretch=True),
        Col("Selesai", lambda r: int_text(r.done), 70, True),
        Col("% Tepat", lambda r: percent_text(r.share), 70, True, color=lambda r: _share_colour(r.share)),
        Col("Median Baku", lambda r: text(r.median_standard_minutes), 120),
        Col("Median Nyata", lambda r: text(r.median_minutes), 120),
    ]  # fmt: skip


def total_columns(text: MinutesText) -> list[Col[TotalTime]]:
    return [
        Col("Jenis Izin", lambda t: t.permit_name, 300, stretch=True),
        Col("Akhir", lambda t: t.ending, 70),
        Col("Total SOP", lambda t: t.stated, 160),
        Col("Selesai", lambda t: int_text(t.closed), 70, True),
        Col("Dalam Batas", lambda t: int_text(t.within), 90, True),
        Col("%", lambda t: percent_text(t.share), 60, True, color=lambda t: _share_colour(t.share)),
        Col("Median Nyata", lambda t: text(t.median_minutes), 140),
        Col("Terlama", lambda t: text(t.longest_minutes), 140),
    ]  # fmt: skip


def overdue_columns(text: MinutesText) -> list[Col[OverdueRow]]:
    return [
        Col("No. Registrasi", lambda o: o.reference, 140),
        Col("Pemohon", lambda o: o.applicant_name, 160),
        Col("Jenis Izin", lambda o: o.permit_name, 180),
        Col("Langkah", lambda o: f"{o.step_no}. {o.step_name}", 280, stretch=True),
        Col("Pelaksana", lambda o: o.role_name, 160),
        Col("Batas Waktu", lambda o: short_datetime(o.due_at), 130),
        Col("Terlambat", lambda o: text(o.late_minutes), 170, color=lambda o: color("error")),
    ]  # fmt: skip


def _no_time(_minutes: int | None) -> str:
    return "-"


def _titled(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    label = QLabel(title)
    set_role(label, "subtitle")
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(label)
    layout.addWidget(widget, 1)
    return box


class ReportsScreen(QWidget):
    """The reports of one period; ``refresh()`` (F5) computes them again."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsScreen")
        self._s = services
        self._actor = actor
        self.service = ReportService(services)
        self.bundle: ReportBundle | None = None
        self.loading: Task | None = None
        self.export_job: ProgressJob | None = None
        self.last_export: Path | None = None
        self._generation = 0

        title = QLabel("Laporan Pelayanan")
        set_role(title, "title")
        subtitle = QLabel(
            "Rekap permohonan, kepatuhan waktu terhadap mutu baku SOP, dan langkah terlambat"
        )
        set_role(subtitle, "subtitle")
        subtitle.setWordWrap(True)
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("reportYear")
        self.month_combo = QComboBox()
        self.month_combo.setObjectName("reportMonth")
        self.month_combo.addItem("Sepanjang tahun", 0)
        for number, name in enumerate(MONTHS, start=1):
            self.month_combo.addItem(name, number)
        year_label = QLabel("&Tahun:")
        year_label.setBuddy(self.year_combo)
        month_label = QLabel("&Bulan:")
        month_label.setBuddy(self.month_combo)
        self.export_button = QPushButton(icon("cetak"), "&Ekspor Excel…")
        self.export_button.setObjectName("exportReport")
        self.export_button.setToolTip("Simpan laporan periode ini sebagai Excel dengan grafik")
        self.open_button = QPushButton(icon("buka"), "Buka Berkas")
        self.open_button.hide()
        self.status = QLabel()
        self.status.setObjectName("reportStatus")
        set_role(self.status, "hint")
        # A long status ("Dihitung … · N permohonan") must not widen the screen past a
        # 1024-pixel window: it wraps, and takes only the room the bar leaves it.
        self.status.setWordWrap(True)
        self.status.setMinimumWidth(0)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.banner = Banner(self)

        bar = QHBoxLayout()
        bar.addWidget(year_label)
        bar.addWidget(self.year_combo)
        bar.addSpacing(8)
        bar.addWidget(month_label)
        bar.addWidget(self.month_combo)
        bar.addSpacing(12)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.open_button)
        bar.addWidget(self.export_button)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("reportTabs")
        self._build_recap_tab()
        self._build_compliance_tab()
        self._build_total_tab()
        self._build_overdue_tab()
        # Issue 12: letters signed wet during a TTE outage, their TTE still owed.
        self.pending_tte = PendingTteTab(services, self)
        self.pending_tte_index = self.tabs.addTab(self.pending_tte, "TT&E menunggu")
        # Issue 13.5: PP 28/2025 stage deadlines of the open files.
        from desktop_perizinan.ui.laporan.stages_tab import StageDeadlinesTab

        self.stages_tab = StageDeadlinesTab(services, self)
        self.stages_index = self.tabs.addTab(self.stages_tab, "Batas T&ahap")

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)

        self.year_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.month_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.export_button.clicked.connect(self.export)
        self.open_button.clicked.connect(self._open_last_export)
        self._fill_years()

    def showEvent(self, event: QShowEvent) -> None:
        """Compute on first show, unless the main window's refresh() already asked."""
        super().showEvent(event)
        QTimer.singleShot(0, self, self._first_load)

    def _first_load(self) -> None:
        if self._generation == 0:
            self.reload()

    # ------------------------------------------------------------------ tabs

    def _build_recap_tab(self) -> None:
        self.recap_model: SpecTableModel[RecapRow] = SpecTableModel(recap_columns(), self)
        self.recap_table = SpecTableView(self.recap_model)
        self.recap_table.setObjectName("recapTable")
        self.month_chart = BarChart("Permohonan per bulan")
        self.month_chart.setObjectName("monthChart")
        self.type_chart = BarChart("Per jenis izin", horizontal=True)
        self.type_chart.setObjectName("typeChart")
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.month_chart)
        charts.addWidget(self.type_chart)
        charts.setSizes([600, 500])
        page = QSplitter(Qt.Orientation.Vertical)
        page.addWidget(self.recap_table)
        page.addWidget(charts)
        page.setSizes([160, 420])
        self.recap_note = QLabel(
            "Diterima: masuk dalam periode. Terbit, ditolak, ditarik: selesai dalam periode. "
            "Dalam proses: belum selesai pada akhir periode (termasuk menunggu pemohon)."
        )
        self.recap_note.setWordWrap(True)
        set_role(self.recap_note, "hint")
        self.tabs.addTab(self._page(page, self.recap_note), "&Rekap")

    def _build_compliance_tab(self) -> None:
        self.step_model: SpecTableModel[StepCompliance] = SpecTableModel(
            step_columns(_no_time), self
        )
        self.step_table = SpecTableView(self.step_model)
        self.step_table.setObjectName("stepTable")
        self.role_model: SpecTableModel[RoleCompliance] = SpecTableModel(
            role_columns(_no_time), self
        )
        self.role_table = SpecTableView(self.role_model)
        self.role_table.setObjectName("roleTable")
        self.role_chart = BarChart("Langkah selesai tepat waktu per pelaksana", horizontal=True,
                                   percent=True)  # fmt: skip
        self.role_chart.setObjectName("roleChart")
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(_titled("Per pelaksana", self.role_table))
        top.addWidget(self.role_chart)
        top.setSizes([560, 560])
        page = QSplitter(Qt.Orientation.Vertical)
        page.addWidget(top)
        page.addWidget(_titled("Per langkah SOP", self.step_table))
        page.setSizes([260, 340])
        note = QLabel(
            "Tepat waktu: langkah selesai paling lambat pada batas waktunya, yaitu mulai langkah "
            "ditambah mutu baku dalam jam kerja kantor. Waktu nyata juga dalam jam kerja."
        )
        note.setWordWrap(True)
        set_role(note, "hint")
        self.tabs.addTab(self._page(page, note), "&Kepatuhan Waktu")

    def _build_total_tab(self) -> None:
        self.total_model: SpecTableModel[TotalTime] = SpecTableModel(total_columns(_no_time), self)
        self.total_table = SpecTableView(self.total_model)
        self.total_table.setObjectName("totalTable")
        self.total_chart = BarChart(
            "Total SOP dan median waktu nyata (jam kerja)",
            horizontal=True,
            value_format=hours_text,
        )
        self.total_chart.setObjectName("totalChart")
        page = QSplitter(Qt.Orientation.Vertical)
        page.addWidget(self.total_table)
        page.addWidget(self.total_chart)
        page.setSizes([200, 360])
        note = QLabel(
            "Waktu nyata: dari permohonan diterima sampai selesai, dalam jam kerja. Dalam batas: "
            "selesai paling lambat pada batas waktu yang dijanjikan SOP."
        )
        note.setWordWrap(True)
        set_role(note, "hint")
        self.tabs.addTab(self._page(page, note), "&Waktu Total")

    def _build_overdue_tab(self) -> None:
        self.overdue_model: SpecTableModel[OverdueRow] = SpecTableModel(
            overdue_columns(_no_time), self
        )
        self.overdue_table = SpecTableView(self.overdue_model)
        self.overdue_table.setObjectName("overdueTable")
        self.overdue_table.doubleClicked.connect(lambda _index: self.open_selected_case())
        note = QLabel("Klik dua kali (atau Enter) untuk membuka permohonan.")
        set_role(note, "hint")
        self.overdue_index = self.tabs.addTab(self._page(self.overdue_table, note), "&Terlambat")
        self.overdue_table.activated.connect(lambda _index: self.open_selected_case())

    @staticmethod
    def _page(body: QWidget, note: QLabel) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(body, 1)
        layout.addWidget(note)
        return page

    # ------------------------------------------------------------------ period and data

    def _fill_years(self) -> None:
        current = self.year_combo.currentData()
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in self.service.years():
            self.year_combo.addItem(str(year), year)
        index = self.year_combo.findData(current) if current else 0
        self.year_combo.setCurrentIndex(max(0, index))
        self.year_combo.blockSignals(False)

    def period(self) -> Period:
        year = int(self.year_combo.currentData() or self._s.now().year)
        month = int(self.month_combo.currentData() or 0)
        return Period(year, month or None)

    def set_period(self, period: Period) -> None:
        """Choose a period as the user would (tests and the dashboard's links use it)."""
        self.year_combo.setCurrentIndex(max(0, self.year_combo.findData(period.year)))
        self.month_combo.setCurrentIndex(max(0, self.month_combo.findData(period.month or 0)))

    def refresh(self) -> None:
        self._fill_years()
        self.reload()

    def reload(self) -> None:
        """Compute the period in two steps: the Rekap tab and the status line from SQL counts
        (shown within a second), then the compliance tabs and the late steps, whose medians
        need a working-calendar reckoning per step record (seconds at 200,000 cases).
        ``loading`` is the step still running."""
        self._generation += 1
        generation = self._generation
        period = self.period()
        service = self.service
        self.status.setText(f"Menghitung laporan {period.label}…")

        def completed(bundle: ReportBundle) -> None:
            if generation == self._generation:
                self.show_bundle(bundle)

        def summarised(summary: ReportSummary) -> None:
            if generation != self._generation:
                return
            self.show_summary(summary, pending=True)
            self.loading = run_in_background(
                lambda: service.complete(summary),
                on_success=completed,
                on_failure=failed,
                owner=self,
            )

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.status.setText("")
                report_error(self, exc)

        self.loading = run_in_background(
            lambda: service.summary(period), on_success=summarised, on_failure=failed, owner=self
        )

    def show_summary(self, summary: ReportSummary | ReportBundle, *, pending: bool = False) -> None:
        """The Rekap tab, its charts and the status line; ``pending``: the other tabs are
        still being computed (said at the end of the status line)."""
        recap = summary.recap
        period = summary.period
        self.recap_model.set_rows([*recap.rows, recap.total])
        self.month_chart.title = f"Permohonan per bulan, {period.year}" + (
            f" (s.d. {MONTHS[period.month - 1]})" if period.month else ""
        )
        months = summary.months
        self.month_chart.set_data(
            [MONTHS_SHORT[m.month - 1] for m in months],
            [
                Series("Diterima", tuple(float(m.received) for m in months)),
                Series("Terbit", tuple(float(m.issued) for m in months)),
                Series("Ditolak", tuple(float(m.rejected) for m in months)),
            ],
        )
        self.type_chart.title = f"Per jenis izin, {period.label}"
        self.type_chart.set_data(
            [r.permit_name for r in recap.rows],
            [
                Series("Diterima", tuple(float(r.received) for r in recap.rows)),
                Series("Terbit", tuple(float(r.issued) for r in recap.rows)),
                Series("Ditolak", tuple(float(r.rejected) for r in recap.rows)),
            ],
        )
        if isinstance(summary, ReportBundle):
            steps = summary.compliance.steps
            done, on_time = sum(s.done for s in steps), sum(s.on_time for s in steps)
            late = len(summary.overdue)
        else:
            done, on_time, late = summary.steps_done, summary.steps_on_time, summary.overdue_count
        self.tabs.setTabText(self.overdue_index, f"&Terlambat ({late})" if late else "&Terlambat")
        share = percent_text(on_time / done) if done else "-"
        self.status.setText(
            f"{period.label}: {int_text(recap.total.received)} diterima, "
            f"{int_text(recap.total.issued)} terbit · {share} langkah tepat waktu · "
            f"dihitung {short_datetime(summary.generated_at)}"
            + (" · tab lain masih dihitung…" if pending else "")
        )
        if pending:
            self._clear_details()

    def _clear_details(self) -> None:
        """The tabs of the compliance and the late steps emptied while they are computed for
        the new period (they never show one period beside another period's Rekap)."""
        for model in (self.step_model, self.role_model, self.total_model, self.overdue_model):
            model.set_rows([])
        for chart in (self.role_chart, self.total_chart):
            chart.empty_text = "Menghitung…"
            chart.set_data([], [])

    def show_bundle(self, bundle: ReportBundle) -> None:
        self.bundle = bundle
        self.show_summary(bundle)
        for chart in (self.role_chart, self.total_chart):
            chart.empty_text = EMPTY_TEXT
        text = bundle.minutes_text
        comp = bundle.compliance
        self.step_model.set_columns(step_columns(text), comp.steps)
        self.role_model.set_columns(role_columns(text), comp.roles)
        self.role_chart.set_data(
            [r.role_name for r in comp.roles],
            [Series("Tepat waktu", tuple(r.share or 0.0 for r in comp.roles))],
        )
        self.total_model.set_columns(total_columns(text), comp.totals)
        totals = [t for t in comp.totals if t.closed]
        self.total_chart.set_data(
            [f"{t.permit_name} ({t.ending})" for t in totals],
            [
                Series("Total SOP", tuple(hours(t.stated_minutes) for t in totals)),
                Series("Median nyata", tuple(hours(t.median_minutes) for t in totals)),
            ],
        )
        self.overdue_model.set_columns(overdue_columns(text), bundle.overdue)

    # ------------------------------------------------------------------ actions

    def open_selected_case(self) -> None:
        row = self.overdue_table.current_row()
        opener = getattr(self.window(), "open_case", None)
        if isinstance(row, OverdueRow) and callable(opener):
            opener(row.case_id)

    def _ask_save_path(self, suggested: str) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Simpan Laporan sebagai Excel", str(Path(folder) / suggested), "Excel (*.xlsx)"
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")

    def export(self) -> ProgressJob | None:
        if self.export_job is not None and self.export_job.running:
            return self.export_job
        period = self.period()
        path = self._ask_save_path(f"Laporan Pelayanan {period.label}.xlsx")
        if path is None:
            return None
        service = self.service
        self.banner.clear_message()

        def job(progress: Callable[[int], None], cancelled: Callable[[], bool]) -> Path:
            # On the pool thread: only the service, its own session, and the two callables.
            service.export_xlsx(period, path, progress=progress, cancelled=cancelled)
            return path

        self.export_job = ProgressJob(
            self, job, title="Ekspor Laporan", label=f"Menyusun laporan {period.label}…",
            maximum=100, unit="%",
        )  # fmt: skip
        self.export_job.finished.connect(self._exported)
        self.export_job.cancelled_by_user.connect(
            lambda: self.banner.show_error("Ekspor dibatalkan; tidak ada berkas yang disimpan.")
        )
        self.export_job.start()
        return self.export_job

    def _exported(self, path: Path) -> None:
        self.last_export = path
        self.banner.show_ok(f"Laporan tersimpan: {path}")
        self.open_button.show()

    def _open_last_export(self) -> None:
        if self.last_export is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export)))
