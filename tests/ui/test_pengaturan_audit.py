"""The audit log as the administrator reads it: the paged, filtered query (service) and the Audit
tab (filters, pages, "Periksa rantai"), including a log tampered with by hand in SQL — which
only the test may do. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from desktop_perizinan.db import audit_guard
from desktop_perizinan.errors import PermissionDenied
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.audit_view import (
    AuditLogService,
    AuditQuery,
    detail_text,
)
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    CaseDriver,
    SteppingClock,
    create_demo_users,
    demo_clock,
)
from desktop_perizinan.ui.pengaturan import SettingsScreen
from desktop_perizinan.ui.pengaturan.audit_tab import AuditTab, period_range
from desktop_perizinan.ui.pengaturan.screen import TAB_AUDIT
from desktop_perizinan.ui.worker import wait_for_all

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
LEFT = Qt.MouseButton.LeftButton
STP = "PASURUAN-STP-LKS-ASING"


@pytest.fixture
def clock() -> SteppingClock:
    return demo_clock()


@pytest.fixture
def services(db_url: str, clock: SteppingClock) -> Iterator[Services]:
    s = Services.open(db_url, FORMS, clock=clock)
    try:
        yield s
    finally:
        wait_for_all()
        s.close()


@pytest.fixture
def users(services: Services) -> dict[str, Actor]:
    return create_demo_users(services)


@pytest.fixture
def cases(services: Services, users: dict[str, Actor], clock: SteppingClock) -> list[str]:
    """Two applications run to the end, a day apart; their registration numbers."""
    driver = CaseDriver(services, users, clock)
    numbers = []
    for applicant in DEMO_APPLICANTS[:2]:
        result = driver.submit(STP, applicant)
        driver.run(result.case_id)
        assert result.reg_number is not None
        numbers.append(result.reg_number)
        clock.advance(24 * 60)
    return numbers


@pytest.fixture
def log(services: Services) -> AuditLogService:
    return AuditLogService(services)


# ----------------------------------------------------------------------------- the service


def test_pages_newest_first(
    log: AuditLogService, users: dict[str, Actor], cases: list[str]
) -> None:
    admin = users["admin"]
    everything = log.page(admin, AuditQuery(), 0, 1000)
    assert everything.total == len(everything.rows) > 20
    ids = [r.id for r in everything.rows]
    assert ids == sorted(ids, reverse=True)
    first = log.page(admin, AuditQuery(), 0, 10)
    second = log.page(admin, AuditQuery(), 1, 10)
    assert [r.id for r in first.rows] == ids[:10]
    assert [r.id for r in second.rows] == ids[10:20]
    assert (second.first, second.last, second.pages) == (11, 20, -(-everything.total // 10))
    beyond = log.page(admin, AuditQuery(), 999, 10)
    assert beyond.page == beyond.pages - 1 and beyond.rows  # clamped to the last page


def test_filters(log: AuditLogService, users: dict[str, Actor], cases: list[str]) -> None:
    admin = users["admin"]
    by_clerk = log.page(admin, AuditQuery(username="loket"), 0, 1000).rows
    assert by_clerk and {r.username for r in by_clerk} == {"loket"}

    tambah = log.page(admin, AuditQuery(action="pengguna.tambah"), 0, 1000)
    assert tambah.total == 8 and {r.action for r in tambah.rows} == {"pengguna.tambah"}
    family = log.page(admin, AuditQuery(action="permohonan.*"), 0, 1000).rows
    assert family and all(r.action.startswith("permohonan.") for r in family)

    first_case = log.page(admin, AuditQuery(case=cases[0]), 0, 1000).rows
    assert first_case and {r.case_reference for r in first_case} == {cases[0]}
    partial = log.page(admin, AuditQuery(case=cases[1][-5:]), 0, 1000).rows
    assert {r.case_reference for r in partial} == {cases[1]}
    by_id = log.page(admin, AuditQuery(case=f"#{first_case[0].case_id}"), 0, 1000).rows
    assert {r.case_reference for r in by_id} == {cases[0]}
    assert log.page(admin, AuditQuery(case="100%_x"), 0, 10).total == 0  # no LIKE wildcards

    day_one = first_case[-1].at.date()
    only_first_day = log.page(admin, AuditQuery(start=day_one, end=day_one), 0, 1000).rows
    assert only_first_day and all(r.at.date() == day_one for r in only_first_day)
    nothing = log.page(admin, AuditQuery(start=date(2001, 1, 1), end=date(2001, 1, 2)), 0, 10)
    assert (nothing.total, nothing.rows, nothing.first) == (0, (), 0)

    combined = log.page(admin, AuditQuery(username="loket", case=cases[1]), 0, 1000).rows
    assert combined and all(
        r.username == "loket" and r.case_reference == cases[1] for r in combined
    )


def test_choices(log: AuditLogService, users: dict[str, Actor], cases: list[str]) -> None:
    choices = log.choices(users["admin"])
    assert {"sistem", "admin", "loket", "kadis"} <= set(choices.usernames)
    assert "pengguna.tambah" in choices.actions
    assert "langkah.*" in choices.families and "permohonan.*" in choices.families
    assert "pengguna.*" not in choices.families  # only one pengguna action so far


def test_only_admin_reads_the_log(log: AuditLogService, users: dict[str, Actor]) -> None:
    for call in (
        lambda: log.page(users["kadis"], AuditQuery()),
        lambda: log.choices(users["kadis"]),
        lambda: log.verify(users["front_office"]),
    ):
        with pytest.raises(PermissionDenied, match="tidak berwenang"):
            call()


def test_detail_text() -> None:
    assert detail_text('{"after":["a","b"],"before":[],"ok":true,"username":"x"}') == (
        "after: a, b; ok: ya; username: x"
    )
    assert detail_text("bukan json") == "bukan json"
    assert detail_text("[1,2]") == "[1,2]"


def test_period_presets() -> None:
    today = date(2026, 11, 4)
    assert period_range("semua", today) == (None, None)
    assert period_range("hari", today) == (today, today)
    assert period_range("7", today) == (today - timedelta(days=6), today)
    assert period_range("bulan", today) == (date(2026, 11, 1), today)
    assert period_range("tahun", today) == (date(2026, 1, 1), today)


# ----------------------------------------------------------------------------- the tab


@pytest.fixture
def screen(
    qtbot: QtBot, services: Services, users: dict[str, Actor], cases: list[str]
) -> SettingsScreen:
    widget = SettingsScreen(services, users["admin"])
    qtbot.addWidget(widget)
    widget.resize(1200, 720)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def tab(qtbot: QtBot, screen: SettingsScreen) -> AuditTab:
    assert screen.audit is not None
    screen.audit.page_size = 20
    bar = screen.tabs.tabBar()
    with qtbot.waitSignal(screen.audit.loaded, timeout=10_000):
        qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(TAB_AUDIT).center())
    return screen.audit


def test_tab_shows_pages_of_entries(qtbot: QtBot, tab: AuditTab, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    page = tab.page
    assert page is not None and page.page == 0 and len(page.rows) == 20
    assert tab.model.rowCount() == 20
    assert tab.view.proxy.index(0, 0).data() == str(page.total)  # newest first
    assert f"1–20 dari {page.total} entri · halaman 1 dari {page.pages}" == tab.page_label.text()
    assert not tab.previous_button.isEnabled() and tab.next_button.isEnabled()
    qtmodeltester.check(tab.model)
    qtmodeltester.check(tab.view.proxy)

    with qtbot.waitSignal(tab.loaded):
        qtbot.mouseClick(tab.next_button, LEFT)
    assert tab.page is not None and tab.page.page == 1
    assert tab.view.proxy.index(0, 0).data() == str(page.total - 20)
    assert tab.previous_button.isEnabled()


def test_tab_filters(qtbot: QtBot, tab: AuditTab, cases: list[str]) -> None:
    # The user list, chosen with the keyboard as on any combo box.
    with qtbot.waitSignal(tab.loaded):
        tab.user_filter.setFocus()
        qtbot.keyClicks(tab.user_filter, "kadis")
    assert tab.user_filter.currentData() == "kadis"
    users_shown = {tab.view.proxy.index(r, 2).data() for r in range(tab.view.proxy.rowCount())}
    assert users_shown == {"kadis"}

    # The application number, typed and confirmed with Enter.
    with qtbot.waitSignal(tab.loaded):
        qtbot.keyClicks(tab.case_filter, cases[0])
        qtbot.keyClick(tab.case_filter, Qt.Key.Key_Return)
    shown = {tab.view.proxy.index(r, 4).data() for r in range(tab.view.proxy.rowCount())}
    assert shown == {cases[0]}

    # A period with nothing in it.
    with qtbot.waitSignal(tab.loaded):
        tab.period.setCurrentIndex(tab.period.findData("rentang"))
    assert tab.start.isVisible() and tab.end.isVisible()
    with qtbot.waitSignal(tab.loaded):
        tab.end.setDate(tab.start.date().addYears(-10))
    assert tab.model.rowCount() == 0
    assert tab.page_label.text() == "Tidak ada entri yang cocok."


def test_chain_check_intact_then_tampered(qtbot: QtBot, tab: AuditTab, services: Services) -> None:
    with qtbot.waitSignal(tab.checked, timeout=20_000):
        qtbot.mouseClick(tab.check_button, LEFT)
    assert tab.report is not None and tab.report.ok
    assert tab.chain_banner.text().startswith("Rantai utuh:")
    assert tab.problems.isHidden()

    with services.db.engine.begin() as connection:
        audit_guard.remove(connection)  # what someone with the database file does first
        connection.execute(text('UPDATE audit_log SET detail = \'{"nomor":"palsu"}\' WHERE id = 5'))
        connection.execute(text("DELETE FROM audit_log WHERE id = 9"))
    with qtbot.waitSignal(tab.checked, timeout=20_000):
        qtbot.mouseClick(tab.check_button, LEFT)
    assert tab.report is not None and not tab.report.ok
    assert tab.chain_banner.text().startswith("Rantai RUSAK:")
    problems = [tab.problems.item(i).text() for i in range(tab.problems.count())]
    assert any(p.startswith("Entri 5 (") and "telah diubah" in p for p in problems)
    assert any("Entri 9 hilang" in p for p in problems)
    assert "Entri pertama yang rusak: 5 (isi diubah)" in tab.chain_banner.text()
    assert tab.problems.isVisible()
