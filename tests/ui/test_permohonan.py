"""Permohonan: the lazy table, filters and search as you type, opening a case; the models pass
pytest-qt's ``qtmodeltester``. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from gestures import BOTH_DATABASES
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from desktop_perizinan.services.app import Services
from desktop_perizinan.services.case_search import CaseFilters, CaseSearch
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    DEMO_PASSWORD,
    CaseDriver,
    DemoApplicant,
)
from desktop_perizinan.ui.common.live import LiveUpdates
from desktop_perizinan.ui.common.timeline import TimelineTable
from desktop_perizinan.ui.permohonan import CasesScreen, CaseTableModel
from desktop_perizinan.ui.tugas import TasksScreen

pytestmark = [pytest.mark.gui, BOTH_DATABASES]

FORMS = Path(__file__).resolve().parents[2] / "forms"
DAIRI = "DAIRI-LKS-ASING"
KESENIAN = "PASURUAN-NIK-KESENIAN"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def cases(services, users, clock) -> dict[str, int]:
    driver = CaseDriver(services, users, clock)
    issued = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    driver.run(issued.case_id)
    waiting = driver.submit(DAIRI, DEMO_APPLICANTS[1], seed=1)
    driver.run(waiting.case_id, stop_at="verifikasi")
    kesenian = driver.submit(KESENIAN, DEMO_APPLICANTS[2])
    return {"issued": issued.case_id, "verifikasi": waiting.case_id, "kesenian": kesenian.case_id}


def screen_for(qtbot, services: Services, username: str) -> CasesScreen:
    actor = services.users.login(username, DEMO_PASSWORD)
    screen = CasesScreen(services, actor)
    qtbot.addWidget(screen)
    screen.resize(1280, 600)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def shown_ids(screen: CasesScreen) -> list[int]:
    return [screen.model.row(r).id for r in range(screen.model.rowCount())]


def test_models_pass_the_model_tester(qtmodeltester, services, users, cases, clock):
    search = CaseSearch(services)
    model = CaseTableModel(search, page=2)
    model.set_filters(CaseFilters(), count=False)
    assert model.rowCount() == 2 and model.canFetchMore()
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(model)
    model.set_filters(CaseFilters(text="tidak ada yang cocok"), count=False)
    qtmodeltester.check(model)

    timeline = TimelineTable(services)
    timeline.set_rows(services.queries.case(cases["issued"]).timeline)
    qtmodeltester.check(timeline.source)
    seksi = services.users.login("seksi", DEMO_PASSWORD)
    tasks = TasksScreen(services, seksi, live=LiveUpdates(services))
    assert tasks.model.rowCount() == 2
    qtmodeltester.check(tasks.model)
    tasks.deleteLater()


def test_search_as_you_type_and_filters(qtbot, services, users, cases):
    screen = screen_for(qtbot, services, "loket")
    assert shown_ids(screen) == [cases["kesenian"], cases["verifikasi"], cases["issued"]]
    qtbot.waitUntil(lambda: screen.count_label.text() == "3 permohonan")

    qtbot.keyClicks(screen.search_box, "simam")  # Benget Tua Simamora
    qtbot.waitUntil(lambda: shown_ids(screen) == [cases["verifikasi"]], timeout=3000)
    assert screen.count_label.text() == "1 permohonan"
    qtbot.keyClick(screen.search_box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(screen.search_box, "3514022011")  # NIK digits
    qtbot.keyClick(screen.search_box, Qt.Key.Key_Return)  # search at once
    assert shown_ids(screen) == [cases["kesenian"]]
    permit = services.queries.case(cases["issued"]).permit_number
    qtbot.keyClick(screen.search_box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(screen.search_box, permit.lower())
    qtbot.keyClick(screen.search_box, Qt.Key.Key_Return)
    assert shown_ids(screen) == [cases["issued"]]
    qtbot.keyClick(screen.search_box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(screen.search_box, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(shown_ids(screen)) == 3)

    # Status by keyboard: "Semua status" -> "Dalam proses".
    screen.status_filter.setFocus()
    qtbot.keyClick(screen.status_filter, Qt.Key.Key_Down)
    assert screen.status_filter.currentText() == "Dalam proses"
    assert shown_ids(screen) == [cases["kesenian"], cases["verifikasi"]]
    # A permit type enables its steps; a step narrows further.
    assert not screen.step_filter.isEnabled()
    dairi_index = screen.type_filter.findData(DAIRI)
    screen.type_filter.setFocus()
    for _ in range(dairi_index):
        qtbot.keyClick(screen.type_filter, Qt.Key.Key_Down)
    assert screen.type_filter.currentData() == DAIRI and screen.step_filter.isEnabled()
    assert shown_ids(screen) == [cases["verifikasi"]]
    verification = screen.step_filter.findData("verifikasi")
    screen.step_filter.setFocus()
    for _ in range(verification):
        qtbot.keyClick(screen.step_filter, Qt.Key.Key_Down)
    assert shown_ids(screen) == [cases["verifikasi"]]
    screen.step_filter.setCurrentIndex(screen.step_filter.findData("peninjauan"))
    assert shown_ids(screen) == []
    assert screen.count_label.text() == "0 permohonan" and not screen.open_button.isEnabled()


def test_overdue_and_period_filters(qtbot, services, users, cases, clock):
    screen = screen_for(qtbot, services, "kadis")
    qtbot.mouseClick(
        screen.overdue_filter, LEFT, pos=QPoint(8, screen.overdue_filter.height() // 2)
    )
    assert screen.overdue_filter.isChecked()
    assert shown_ids(screen) == []
    clock.advance(5 * 24 * 60)
    screen.reload()
    assert set(shown_ids(screen)) == {cases["verifikasi"], cases["kesenian"]}
    row = screen.model.index(0, 5)
    assert row.data(Qt.ItemDataRole.ForegroundRole) is not None  # red
    assert "terlambat" in row.data(Qt.ItemDataRole.ToolTipRole)
    screen.overdue_filter.setChecked(False)
    screen.period_filter.setCurrentIndex(screen.period_filter.findData("last_year"))
    assert shown_ids(screen) == []
    screen.period_filter.setCurrentIndex(screen.period_filter.findData("month"))
    assert len(shown_ids(screen)) == 3


def test_lazy_paging_fetches_as_the_user_scrolls(qtbot, services, users, clock):
    driver = CaseDriver(services, users, clock)
    for n in range(12):
        nik = f"12110341019500{n + 10:02d}"
        driver.submit(KESENIAN, DemoApplicant(nik, f"Pemohon Uji {n}", "Pasuruan", ""))
    screen = screen_for(qtbot, services, "loket")
    screen.model._page = 5
    screen.reload()
    assert screen.model.rowCount() == 5
    qtbot.waitUntil(lambda: screen.count_label.text() == "12 permohonan")
    screen.table.setFocus()
    for _ in range(15):
        qtbot.keyClick(screen.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 12)
    names = [screen.model.row(r).applicant_name for r in range(12)]
    assert names == [f"Pemohon Uji {n}" for n in reversed(range(12))]


def test_enter_opens_the_case_and_a_role_that_may_not_act_sees_no_action(
    qtbot, services, users, cases
):
    screen = screen_for(qtbot, services, "loket")
    qtbot.keyClicks(screen.search_box, "benget")
    qtbot.keyClick(screen.search_box, Qt.Key.Key_Down)  # into the table
    assert screen.table.hasFocus() or screen.focusWidget() is screen.table
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    dialog = screen.case_dialog
    assert dialog is not None and dialog.isVisible()
    case = dialog.case_view
    assert case.view.id == cases["verifikasi"]
    assert not case.act_button.isVisible() and "Backoffice" in case.no_action.text()
    dialog.close()

    seksi = screen_for(qtbot, services, "seksi")
    seksi.search_box.setText("benget")
    seksi.apply_filters()
    index = seksi.model.index(0, 1)
    rect = seksi.table.visualRect(index)
    # A real double click starts with a click (QTest's double click alone carries no press).
    qtbot.mouseClick(seksi.table.viewport(), LEFT, pos=rect.center())
    qtbot.mouseDClick(seksi.table.viewport(), LEFT, pos=rect.center())
    own = seksi.case_dialog
    assert own is not None and own.case_view.act_button.isVisible()


def test_a_broad_search_counts_up_to_the_cap_and_says_more_than(qtbot, services, users, clock):
    """Issue 14: the background count stops at the model's cap; the label says "lebih dari"."""
    driver = CaseDriver(services, users, clock)
    for n in range(7):
        nik = f"12110341019500{n + 10:02d}"
        driver.submit(KESENIAN, DemoApplicant(nik, f"Pemohon Batas {n}", "Pasuruan", ""))
    driver.submit(KESENIAN, DemoApplicant("1211034101950099", "Sendiri Tunggal", "Pasuruan", ""))
    assert CaseSearch(services).count(CaseFilters(text="batas"), cap=3) == 4
    assert CaseSearch(services).count(CaseFilters(text="batas")) == 7
    screen = screen_for(qtbot, services, "loket")
    screen.model._page = 2
    screen.model.count_cap = 3
    qtbot.keyClicks(screen.search_box, "batas")
    qtbot.waitUntil(lambda: screen.count_label.text() == "lebih dari 3 permohonan")
    screen.search_box.clear()
    qtbot.keyClicks(screen.search_box, "tunggal")
    qtbot.waitUntil(lambda: screen.count_label.text() == "1 permohonan")


def test_the_cells_look_as_qts_own_delegate_draws_them(qtbot, services, users, cases, clock):
    """Issue 14: the table paints its texts from a cache (ui/permohonan/delegate.py); the
    pixels are Qt's own, a late step's red included, and a repaint gives back the references
    to None that PySide6 6.12 drops on each void call (see the delegate's docstring)."""
    import sys

    from PySide6.QtWidgets import QStyledItemDelegate

    clock.advance(5 * 24 * 60)  # two steps late: red text in the step column
    screen = screen_for(qtbot, services, "kadis")
    screen.reload()
    assert screen.model.index(0, 5).data(Qt.ItemDataRole.ForegroundRole) is not None
    viewport = screen.table.viewport()
    ours = viewport.grab().toImage()
    before = sys.getrefcount(None)
    for _ in range(10):
        viewport.repaint()
    assert before - sys.getrefcount(None) < 50  # about 600 per repaint without the give-back
    cached = screen.table.itemDelegate()
    screen.table.setItemDelegate(QStyledItemDelegate(screen.table))
    assert viewport.grab().toImage() == ours
    screen.table.setItemDelegate(cached)


def test_typing_repaints_once_per_letter_and_counts_only_the_last_filter(
    qtbot, services, users, clock
):
    """Issue 14: each letter replaces the rows without a model reset (no header re-fit) and
    the table paints once; the count waits for the typing to pause, so only the last text is
    counted, and a count still waiting for an older text is dropped."""
    from PySide6.QtCore import QEvent, QObject

    driver = CaseDriver(services, users, clock)
    for n in range(22):  # more than the page, and the page more than the table shows
        nik = f"12110341019500{n + 10:02d}"
        driver.submit(KESENIAN, DemoApplicant(nik, f"Pemohon Batas {n}", "Pasuruan", ""))
    screen = screen_for(qtbot, services, "loket")
    screen.model._page = 20  # a page that fills the view: no fetchMore while typing
    screen.model.count_cap = 3
    screen.reload()
    qtbot.waitUntil(lambda: screen.model.total is not None)
    counted: list[str] = []
    count = screen.search.count
    screen.search.count = lambda filters, **kw: (
        counted.append(filters.text),
        count(filters, **kw),
    )[1]

    class Paints(QObject):
        n = 0

        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.n += 1
            return False

    paints = Paints()
    screen.table.viewport().installEventFilter(paints)
    resets: list[int] = []
    screen.model.modelReset.connect(lambda: resets.append(1))
    for prefix in ("pe", "pem", "pemo", "pemohon b", "pemohon batas"):
        before = paints.n
        screen.search_box.setText(prefix)
        screen.apply_filters()
        qtbot.waitUntil(lambda before=before: paints.n > before)
        QApplication.processEvents()
        assert paints.n == before + 1, prefix
    assert counted == [] and resets == []
    qtbot.waitUntil(lambda: screen.count_label.text() == "lebih dari 3 permohonan")
    assert counted == ["pemohon batas"]
