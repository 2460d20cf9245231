"""The Laporan screen and the Beranda dashboard driven with clicks and keys, on SQLite and
PostgreSQL: the figures on screen are the reports' figures, the charts draw them, the workbook
exports (and cancels) off the GUI thread, a late step opens its case."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zipfile import ZipFile

import pytest
from gestures import choose
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    DEMO_PASSWORD,
    CaseDriver,
    SteppingClock,
    demo_clock,
    run_demo,
)
from desktop_perizinan.services.reports import Period, ReportService
from desktop_perizinan.ui.laporan import DashboardScreen, ReportsScreen
from desktop_perizinan.ui.laporan.charts import BarChart, Series, nice_scale
from desktop_perizinan.ui.worker import wait_for_all

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
LEFT = Qt.MouseButton.LeftButton
NIK = "PASURUAN-NIK-KESENIAN"
NOW = datetime(2026, 11, 9, 10, 0)  # Monday


@pytest.fixture
def clock() -> SteppingClock:
    return demo_clock()


@pytest.fixture
def services(db_url: str, clock: SteppingClock) -> Iterator[Services]:
    """The demo office (4 cases, 2–4 Nov 2026), then one case left at verification on Thu 5 Nov
    (due Fri 6 Nov 08:00) and one received today, Mon 9 Nov 09:00; "now" is 10:00."""
    s = Services.open(db_url, FORMS, clock=clock)
    try:
        run_demo(s, clock)
        driver = CaseDriver(s, logged_in_demo_users(s), clock)
        clock.current = datetime(2026, 11, 5, 8, 0)
        driver.submit(NIK, DEMO_APPLICANTS[3], seed=2)
        clock.current = datetime(2026, 11, 9, 9, 0)
        driver.submit(NIK, DEMO_APPLICANTS[2], seed=3)
        clock.current = NOW
        yield s
    finally:
        wait_for_all()
        s.close()


def logged_in_demo_users(services: Services):  # type: ignore[no-untyped-def]
    """The demo's users already exist: log them in by role for the driver."""
    from desktop_perizinan.services.demo import DEMO_USERS

    return {
        role: services.users.login(username, DEMO_PASSWORD)
        for username, _name, roles, *_rest in DEMO_USERS
        for role in roles
    }


class Host(QWidget):
    """Stands in for the main window: screens open a case through ``window().open_case``."""

    def __init__(self, screen: QWidget) -> None:
        super().__init__()
        self.opened: list[int] = []
        layout = QVBoxLayout(self)
        layout.addWidget(screen)
        self.resize(1280, 800)

    def open_case(self, case_id: int) -> None:
        self.opened.append(case_id)


def show(qtbot, screen: QWidget) -> Host:  # type: ignore[no-untyped-def]
    host = Host(screen)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    return host


def wait_report(qtbot, screen: ReportsScreen) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: screen.loading is not None and not screen.loading.running, timeout=20_000
    )
    qtbot.waitUntil(lambda: not screen.status.text().startswith("Menghitung"))


def click_tab(qtbot, screen: ReportsScreen, index: int) -> None:  # type: ignore[no-untyped-def]
    bar = screen.tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(index).center())
    assert screen.tabs.currentIndex() == index


def test_reports_screen_shows_the_reports_figures(qtbot, qtmodeltester, services):
    actor = services.users.login("kadis", DEMO_PASSWORD)
    screen = ReportsScreen(services, actor)
    host = show(qtbot, screen)
    wait_report(qtbot, screen)
    assert screen.period() == Period(2026)
    choose(qtbot, screen.month_combo, "November")
    wait_report(qtbot, screen)
    assert screen.period() == Period(2026, 11)
    expected = ReportService(services).bundle(Period(2026, 11))

    # Rekap: one row per permit type and the total, in bold.
    rows = screen.recap_model.rows()
    assert rows == [*expected.recap.rows, expected.recap.total]
    total = len(rows) - 1
    assert [screen.recap_model.index(total, c).data() for c in range(6)] == [
        "Jumlah", "6", "3", "1", "0", "2",
    ]  # fmt: skip
    assert screen.recap_model.index(total, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert screen.month_chart.categories[-1] == "Nov" and len(screen.month_chart.categories) == 11
    assert screen.month_chart.series[0].values[-1] == 6  # received in November
    screen.month_chart.grab()  # paint, as the screen would
    assert "Nov — Diterima: 6" in screen.month_chart.bar_texts()
    assert screen.status.text().startswith("November 2026: 6 diterima, 3 terbit")

    # Kepatuhan: steps and roles as the report computes them; the chart in percent.
    click_tab(qtbot, screen, 1)
    assert screen.step_model.rows() == list(expected.compliance.steps)
    assert screen.role_model.rows() == list(expected.compliance.roles)
    kadis = next(r for r in expected.compliance.roles if r.role == "kadis")
    chart_share = screen.role_chart.series[0].values[
        screen.role_chart.categories.index("Kepala Dinas")
    ]
    assert chart_share == kadis.share
    percent_column = [
        screen.step_model.index(r, 7).data() for r in range(screen.step_model.rowCount())
    ]
    assert all(text.endswith("%") for text in percent_column)

    # Waktu total and Terlambat.
    click_tab(qtbot, screen, 2)
    assert screen.total_model.rows() == list(expected.compliance.totals)
    assert screen.total_chart.categories  # only endings that happened are charted
    click_tab(qtbot, screen, 3)
    assert screen.tabs.tabText(3) == "&Terlambat (1)"
    late = screen.overdue_model.row(0)
    assert (late.step_no, late.late_minutes) == (3, 510 + 150)  # Fri 08:00–16:30, Mon 07:30–10:00
    assert screen.overdue_model.index(0, 6).data() == "1 hari 2 jam 30 menit"
    index = screen.overdue_model.index(0, 3)
    pos = screen.overdue_table.visualRect(index).center()
    qtbot.mouseClick(screen.overdue_table.viewport(), LEFT, pos=pos)
    qtbot.mouseDClick(screen.overdue_table.viewport(), LEFT, pos=pos)
    assert host.opened and host.opened[-1] == late.case_id

    for model in (screen.recap_model, screen.step_model, screen.role_model, screen.total_model,
                  screen.overdue_model):  # fmt: skip
        qtmodeltester.check(model)


def test_rekap_is_shown_while_the_compliance_is_still_computed(qtbot, services, monkeypatch):
    """The Rekap and the status line come from SQL counts at once; the compliance tabs (a
    calendar reckoning per step record, seconds at 200,000 cases) fill when they are done."""
    real = ReportService.complete
    release = threading.Event()

    def held(self, summary):  # type: ignore[no-untyped-def]
        release.wait(15)
        return real(self, summary)

    monkeypatch.setattr(ReportService, "complete", held)
    screen = ReportsScreen(services, services.users.login("kadis", DEMO_PASSWORD))
    _host = show(qtbot, screen)
    qtbot.waitUntil(lambda: "tab lain masih dihitung" in screen.status.text(), timeout=20_000)
    expected = ReportService(services).bundle(Period(2026))
    assert screen.recap_model.rows() == [*expected.recap.rows, expected.recap.total]
    assert screen.month_chart.series[0].values == tuple(float(m.received) for m in expected.months)
    late = len(expected.overdue)
    assert screen.tabs.tabText(screen.overdue_index) == f"&Terlambat ({late})"
    assert screen.step_model.rowCount() == 0 and screen.loading is not None
    assert screen.role_chart.is_empty() and screen.role_chart.empty_text == "Menghitung…"
    assert screen.loading.running
    release.set()
    wait_report(qtbot, screen)
    assert "tab lain masih dihitung" not in screen.status.text()
    assert screen.step_model.rows() == list(expected.compliance.steps)
    assert screen.overdue_model.rows() == list(expected.overdue)


def test_report_export_to_excel_and_cancel(qtbot, services, tmp_path, monkeypatch):
    target = tmp_path / "laporan.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(target), ""))
    actor = services.users.login("kabid", DEMO_PASSWORD)
    screen = ReportsScreen(services, actor)
    _host = show(qtbot, screen)  # keep the window alive for the whole test
    wait_report(qtbot, screen)
    qtbot.mouseClick(screen.export_button, LEFT)
    job = screen.export_job
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=30_000):
        pass
    with ZipFile(target) as package:
        assert any(n.startswith("xl/charts/chart") for n in package.namelist())
    assert str(target) in screen.banner.text()

    # Cancel: hold the computation at its first progress report until Batal is pressed.
    target.unlink()
    real = ReportService.bundle
    reached = threading.Event()

    def held(self, period, *, progress=None, cancelled=None):  # type: ignore[no-untyped-def]
        def report(value: int) -> None:
            assert progress is not None and cancelled is not None
            progress(value)
            reached.set()
            deadline = time.monotonic() + 15
            while not cancelled() and time.monotonic() < deadline:
                time.sleep(0.01)

        return real(self, period, progress=report, cancelled=cancelled)

    monkeypatch.setattr(ReportService, "bundle", held)
    qtbot.mouseClick(screen.export_button, LEFT)
    job = screen.export_job
    assert job is not None
    dialog = job.dialog
    assert isinstance(dialog, QProgressDialog) and dialog.isVisible()
    qtbot.waitUntil(reached.is_set, timeout=10_000)
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Batal")
    with qtbot.waitSignal(job.cancelled_by_user, timeout=15_000):
        qtbot.mouseClick(cancel, LEFT)
    assert not target.exists()
    assert "dibatalkan" in screen.banner.text()


def test_dashboard(qtbot, qtmodeltester, services):
    actor = services.users.login("kadis", DEMO_PASSWORD)
    screen = DashboardScreen(services, actor)
    host = show(qtbot, screen)
    qtbot.waitUntil(lambda: screen.snapshot is not None, timeout=20_000)
    d = screen.snapshot
    assert d is not None
    assert screen.intake_card.value.text() == "1"  # one received this morning
    assert screen.intake_card.detail.text() == "1 Nomor Induk Kesenian"
    assert screen.open_card.value.text() == "2"
    assert screen.late_card.value.text() == "1"
    assert screen.late_card.detail.text() == "dari 2 langkah yang sedang terbuka"
    # November so far (1–9) against 1–9 October: the demo's 4 + 2 received, 3 issued.
    assert (d.this_month.received, d.this_month.issued, d.this_month.rejected) == (6, 3, 1)
    assert (d.last_month_same_days.received, d.last_month.received) == (0, 0)
    assert screen.issued_card.value.text() == "3"
    assert screen.issued_card.detail.text() == "Bulan lalu s.d. tanggal 9: 0 (▲ 3)"
    assert screen.subtitle.text().endswith("Senin, 9 November 2026 pukul 10:00")
    # Open files by step: both NIK cases wait at verification, one of them late.
    assert screen.step_chart.categories == ("3. " + d.open_by_step[0].step_name,)
    assert [s.values for s in screen.step_chart.series] == [(2.0,), (1.0,)]
    assert screen.month_chart.categories == ("Diterima", "Terbit", "Ditolak", "Ditarik")
    assert screen.month_chart.series[1].values == (6.0, 3.0, 1.0, 0.0)
    assert screen.overdue_model.rowCount() == 1
    qtmodeltester.check(screen.overdue_model)
    index = screen.overdue_model.index(0, 2)
    screen.overdue_table.setCurrentIndex(index)
    screen.overdue_table.setFocus()
    qtbot.keyClick(screen.overdue_table, Qt.Key.Key_Return)
    assert host.opened == [d.overdue[0].case_id]
    # Muat Ulang reads a new snapshot.
    before = screen.snapshot
    qtbot.mouseClick(screen.refresh_button, LEFT)
    qtbot.waitUntil(lambda: screen.snapshot is not before, timeout=20_000)


def test_bar_chart_scale_and_empty_state(qtbot):
    assert nice_scale(3, integer=True) == (3.0, 1.0)
    assert nice_scale(43, integer=True) == (60.0, 20.0)
    assert nice_scale(11, integer=True) == (15.0, 5.0)
    assert nice_scale(89.5, integer=False) == (100.0, 25.0)
    assert nice_scale(0, integer=True) == (4.0, 1.0)
    chart = BarChart("Kosong")
    qtbot.addWidget(chart)
    chart.resize(400, 250)
    chart.set_data(["A", "B"], [Series("x", (0.0, 0.0))])
    assert chart.is_empty()
    chart.grab()
    assert chart.bar_texts() == []
    with pytest.raises(ValueError):
        chart.set_data(["A"], [Series("x", (1.0, 2.0))])
    chart.set_data(["A", "B"], [Series("x", (1.0, 2.0))], category_tips=["Alfa", "Beta"])
    chart.grab()
    assert chart.bar_texts() == ["Alfa — x: 1", "Beta — x: 2"]
