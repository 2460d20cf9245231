"""Buku: "Catat nomor manual", "Pesan nomor" and "Laporan celah" driven with keys and clicks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from desktop_perizinan.db.models import AgendaEntry
from desktop_perizinan.services import numbering
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import DEMO_PASSWORD, create_demo_users, demo_clock
from desktop_perizinan.ui.buku.outside_dialogs import (
    GapReportDialog,
    ManualNumberDialog,
    ReserveNumberDialog,
    UseReservationDialog,
)
from desktop_perizinan.ui.buku.screen import BooksScreen
from desktop_perizinan.ui.worker import wait_for_all

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
LEFT = Qt.MouseButton.LeftButton
BOOK = "surat_keluar"


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    clock = demo_clock()
    s = Services.open(db_url, FORMS, clock=clock)
    try:
        create_demo_users(s)
        yield s
    finally:
        wait_for_all()
        s.close()


def open_screen(qtbot, services: Services, username: str = "umum") -> BooksScreen:  # type: ignore[no-untyped-def]
    screen = BooksScreen(services, services.users.login(username, DEMO_PASSWORD))
    qtbot.addWidget(screen)
    screen.resize(1280, 720)
    screen.show()
    qtbot.waitExposed(screen)
    screen.book_combo.setCurrentIndex(screen.book_combo.findData(BOOK))
    qtbot.waitUntil(lambda: screen.loading is not None and not screen.loading.running)
    return screen


def _count(services: Services) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count()).select_from(AgendaEntry))


def test_record_a_hand_issued_number_and_refuse_one_already_in_the_book(qtbot, services):
    with services.db.transaction() as session:
        taken = numbering.take_number(session, BOOK, when=services.now(), taken_by=None).number
    screen = open_screen(qtbot, services)
    qtbot.mouseClick(screen.manual_button, LEFT)
    dialog = screen.dialog
    assert isinstance(dialog, ManualNumberDialog)
    assert "503/002/" in dialog.next_hint.text()
    qtbot.keyClicks(dialog.number, taken)  # the number a colleague already took
    qtbot.keyClicks(dialog.subject, "Undangan rapat")
    qtbot.keyClicks(dialog.issued_by, "Kepala Dinas")
    qtbot.keyClicks(dialog.reason, "Server padam pagi ini")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert "sudah ada di buku" in dialog.banner.text()
    assert dialog.isVisible() and _count(services) == 1  # nothing changed
    dialog.number.clear()
    qtbot.keyClicks(dialog.number, "2")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert "503/002/" in screen.banner.text()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2)
    assert _count(services) == 2


def test_reserve_then_see_it_in_the_gap_report(qtbot, services):
    screen = open_screen(qtbot, services)
    qtbot.mouseClick(screen.reserve_button, LEFT)
    dialog = screen.dialog
    assert isinstance(dialog, ReserveNumberDialog)
    qtbot.keyClicks(dialog.purpose, "Surat edaran Kadis")
    qtbot.keyClicks(dialog.requested_by, "Ajudan Kadis")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert "dipesan sampai" in screen.banner.text()
    qtbot.mouseClick(screen.gap_button, LEFT)
    report = screen.dialog
    assert isinstance(report, GapReportDialog)
    assert "0 celah" in report.summary.text() and "1 masih dipesan" in report.summary.text()
    assert report.model.rowCount() == 1
    assert report.model.index(0, 2).data() == "dipesan"
    assert report.model.index(0, 5).data() == "Ajudan Kadis"
    report.grab().save(str(Path("/tmp/gap_report.png")))


def test_reservation_on_a_closed_year_is_refused_in_the_dialog(qtbot, services):
    screen = open_screen(qtbot, services)
    qtbot.mouseClick(screen.reserve_button, LEFT)
    dialog = screen.dialog
    assert isinstance(dialog, ReserveNumberDialog)
    dialog.letter_date.setFocus()
    dialog.letter_date.setCurrentSection(dialog.letter_date.sectionAt(2))  # the year
    qtbot.keyClick(dialog.letter_date, Qt.Key.Key_Down)
    assert dialog.letter_date.date().year() == services.now().year - 1
    qtbot.keyClicks(dialog.purpose, "Surat tahun lalu")
    qtbot.keyClicks(dialog.requested_by, "Kadis")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert "sudah ditutup" in dialog.banner.text()
    assert _count(services) == 0


def test_a_reader_sees_the_gap_report_but_cannot_reserve(qtbot, services):
    screen = open_screen(qtbot, services, "kabid")
    assert screen.reserve_button.isHidden() and screen.manual_button.isHidden()
    assert not screen.gap_button.isHidden()


def test_use_a_reserved_number_from_the_book(qtbot, services):
    clerk = services.users.login("umum", DEMO_PASSWORD)
    line = services.outside_numbers.reserve(
        clerk, BOOK, purpose="Surat edaran Kadis", requested_by="Ajudan"
    )
    screen = open_screen(qtbot, services)
    qtbot.mouseClick(screen.use_button, LEFT)
    dialog = screen.dialog
    assert isinstance(dialog, UseReservationDialog)
    assert dialog.reservation.currentText().startswith(line.number)
    qtbot.keyClicks(dialog.subject, "Edaran jam kerja Ramadan")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert f"Nomor pesanan {line.number} dipakai" in screen.banner.text()
    assert services.outside_numbers.open_reservations(BOOK) == []
    kinds = [g.kind for g in services.outside_numbers.gap_report(BOOK, None).lines]
    assert kinds == ["dipesan, terpakai"]
