"""Beranda flags a case close to or past its PP 28/2025 stage deadline (issue 13.5)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    DEMO_PASSWORD,
    CaseDriver,
    create_demo_users,
    demo_clock,
)
from desktop_perizinan.ui.laporan import DashboardScreen
from desktop_perizinan.ui.worker import wait_for_all

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
LEFT = Qt.MouseButton.LeftButton


class Host(QWidget):
    def __init__(self, screen: QWidget) -> None:
        super().__init__()
        self.opened: list[int] = []
        QVBoxLayout(self).addWidget(screen)
        self.resize(1280, 800)

    def open_case(self, case_id: int) -> None:
        self.opened.append(case_id)


@pytest.fixture
def office(db_url: str) -> Iterator[tuple[Services, CaseDriver, object]]:
    clock = demo_clock()
    s = Services.open(db_url, FORMS, clock=clock)
    try:
        driver = CaseDriver(s, create_demo_users(s), clock)
        yield s, driver, clock
    finally:
        wait_for_all()
        s.close()


def test_beranda_flags_fiktif_positif_risk_and_opens_the_case(qtbot, office):
    services, driver, clock = office
    case_id = driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[0]).case_id
    driver.run(case_id, stop_at="koordinasi")
    clock.advance(60 * 24 * 9)  # past the 5 working days of "verifikasi"
    screen = DashboardScreen(services, services.users.login("kabid", DEMO_PASSWORD))
    host = Host(screen)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    qtbot.waitUntil(lambda: screen.snapshot is not None, timeout=20_000)
    assert "1 permohonan lewat batas" in screen.stage_flag.text()
    assert "fiktif positif" in screen.stage_flag.text()
    assert screen.stage_model.rowCount() == 1
    assert screen.stage_model.index(0, 2).data() == "Verifikasi"
    assert "risiko fiktif positif" in screen.stage_model.index(0, 4).data()
    host.grab().save("/tmp/beranda_stage.png")
    index = screen.stage_model.index(0, 1)
    qtbot.mouseClick(
        screen.stage_table.viewport(), LEFT, pos=screen.stage_table.visualRect(index).center()
    )
    qtbot.keyClick(screen.stage_table, Qt.Key.Key_Return)
    assert host.opened == [case_id]


def test_case_view_shows_the_stage_deadlines(qtbot, office):
    from desktop_perizinan.ui.tugas.case_view import CaseWidget

    services, driver, clock = office
    case_id = driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[1]).case_id
    driver.run(case_id, stop_at="koordinasi")
    widget = CaseWidget(services, services.users.login("kabid", DEMO_PASSWORD), case_id)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    text = widget.stages_line.text()
    assert text.startswith("Tahapan PP 28/2025: Pendaftaran: selesai")
    assert "Verifikasi: berjalan, sisa" in text and "Penerbitan: belum dimulai" in text
    clock.advance(60 * 24 * 9)
    widget.reload()
    assert "Verifikasi: LEWAT BATAS" in widget.stages_line.text()
    assert "risiko fiktif positif" in widget.stages_line.text()
    widget.grab().save("/tmp/case_stages.png")


def test_tugas_and_laporan_show_the_stage_deadlines(qtbot, office):
    from desktop_perizinan.ui.laporan import ReportsScreen
    from desktop_perizinan.ui.tugas import TasksScreen

    services, driver, clock = office
    case_id = driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[2]).case_id
    driver.run(case_id, stop_at="koordinasi")
    clock.advance(60 * 24 * 9)
    tasks = TasksScreen(services, services.users.login("seksi", DEMO_PASSWORD))
    qtbot.addWidget(tasks)
    tasks.show()
    qtbot.waitExposed(tasks)
    tasks.reload()
    model = tasks.model
    column = next(
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal) == "Batas tahap"
    )
    assert model.index(0, column).data().startswith("Verifikasi · 09 Nov 2026")
    assert "fiktif positif" in model.index(0, column).data(Qt.ItemDataRole.ToolTipRole)

    reports = ReportsScreen(services, services.users.login("kadis", DEMO_PASSWORD))
    host = Host(reports)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    bar = reports.tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(reports.stages_index).center())
    tab = reports.stages_tab
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert "1 lewat batas" in tab.summary.text()
    assert tab.model.index(0, 2).data() == "Verifikasi"
    assert "risiko fiktif positif" in tab.model.index(0, 5).data()
    host.grab().save("/tmp/laporan_stages.png")
