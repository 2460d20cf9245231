"""The Buku screen driven as the Kasubbag Umum drives it, with keys and clicks, on SQLite and
PostgreSQL: choosing a book, searching, voiding a spoiled number, exporting to Excel (and
cancelling an export), importing an old ledger through the wizard."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from gestures import choose
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QPushButton, QWizard
from sqlalchemy import insert, select

from desktop_perizinan.db.models import AgendaEntry, NumberBook
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.book_export import BookExportService
from desktop_perizinan.services.demo import DEMO_PASSWORD, SteppingClock, demo_clock, run_demo
from desktop_perizinan.ui.buku import BooksScreen
from desktop_perizinan.ui.buku.import_wizard import LedgerImportWizard
from desktop_perizinan.ui.buku.void_dialog import VoidNumberDialog
from desktop_perizinan.ui.worker import wait_for_all

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def clock() -> SteppingClock:
    return demo_clock()


@pytest.fixture
def services(db_url: str, clock: SteppingClock) -> Iterator[Services]:
    s = Services.open(db_url, FORMS, clock=clock)
    try:
        run_demo(s, clock)
        yield s
    finally:
        wait_for_all()
        s.close()


def open_screen(qtbot, services: Services, username: str = "umum") -> BooksScreen:  # type: ignore[no-untyped-def]
    actor = services.users.login(username, DEMO_PASSWORD)
    screen = BooksScreen(services, actor)
    qtbot.addWidget(screen)
    screen.resize(1280, 720)
    screen.show()
    qtbot.waitExposed(screen)
    qtbot.waitUntil(lambda: screen.loading is not None and not screen.loading.running)
    return screen


def wait_loaded(qtbot, screen: BooksScreen) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: screen.loading is not None and not screen.loading.running)
    qtbot.waitUntil(lambda: not screen.summary.text().startswith("Memuat"))


def tick(qtbot, box) -> None:  # type: ignore[no-untyped-def]
    """Click a check box on its indicator (its centre may be empty space on a wide row)."""
    qtbot.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))


def click_row(qtbot, screen: BooksScreen, row: int) -> None:  # type: ignore[no-untyped-def]
    index = screen.model.index(row, 1)
    screen.table.scrollTo(index)
    qtbot.mouseClick(screen.table.viewport(), LEFT, pos=screen.table.visualRect(index).center())
    assert screen.table.currentIndex().row() == row


def test_choose_book_search_and_void_a_number(qtbot, qtmodeltester, services):
    screen = open_screen(qtbot, services)
    qtmodeltester.check(screen.model)
    choose(qtbot, screen.book_combo, "Buku Agenda Surat Keluar")
    wait_loaded(qtbot, screen)
    assert [r.number for r in screen.model.rows()] == [
        "503/001/DPMPTSPK/2026",
        "503/002/DPMPTSPK/2026",
        "503/003/DPMPTSPK/2026",
    ]
    assert screen.summary.text() == "3 nomor"
    assert screen.year_combo.currentText() == "2026"

    # Search as you type (after a short pause).
    qtbot.keyClicks(screen.search, "penolakan")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=5000)
    wait_loaded(qtbot, screen)
    assert screen.summary.text() == "1 nomor ditemukan"
    screen.search.clear()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3, timeout=5000)
    wait_loaded(qtbot, screen)

    # Void the second number: reason too short keeps the button off.
    click_row(qtbot, screen, 1)
    assert screen.void_button.isEnabled()
    qtbot.mouseClick(screen.void_button, LEFT)
    dialog = screen.dialog
    assert isinstance(dialog, VoidNumberDialog) and dialog.isVisible()
    assert dialog.row.number == "503/002/DPMPTSPK/2026"
    qtbot.keyClicks(dialog.reason, "Sal")
    assert not dialog.void_button.isEnabled()
    qtbot.keyClicks(dialog.reason, "ah ketik tujuan")
    assert dialog.void_button.isEnabled()
    with qtbot.waitSignal(dialog.voided):
        qtbot.mouseClick(dialog.void_button, LEFT)
    wait_loaded(qtbot, screen)
    qtbot.waitUntil(lambda: screen.model.row(1).voided)
    voided = screen.model.row(1)
    assert voided.void_reason == "Salah ketik tujuan"
    keterangan = screen.model.index(1, 7)
    assert keterangan.data() == "DIBATALKAN: Salah ketik tujuan"
    font = screen.model.index(1, 1).data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.strikeOut()
    assert screen.model.index(0, 1).data(Qt.ItemDataRole.FontRole) is None
    assert "dibatalkan" in screen.banner.text()
    assert screen.summary.text() == "3 nomor · 1 dibatalkan"
    click_row(qtbot, screen, 1)
    assert not screen.void_button.isEnabled()  # a voided number cannot be voided again
    qtmodeltester.check(screen.model)


def test_expedition_book_and_a_reader_without_keeper_rights(qtbot, qtmodeltester, services):
    screen = open_screen(qtbot, services, "kadis")
    assert not screen.void_button.isVisible() and not screen.import_button.isVisible()
    choose(qtbot, screen.book_combo, "Buku Ekspedisi")
    wait_loaded(qtbot, screen)
    assert [r.recipient_name for r in screen.model.rows()] == [
        "Ni Luh Putu Ayu Saraswati Dewi-Hernández O'Brien",
        "Benget Tua Simamora",
    ]
    assert screen.model.headerData(1, Qt.Orientation.Horizontal) == "Nomor Surat"
    assert screen.summary.text() == "2 pengiriman"
    qtmodeltester.check(screen.model)
    # A book not counted per year has no year to choose.
    choose(qtbot, screen.book_combo, "Buku Agenda Surat Tanda Pendaftaran LKS Asing")
    wait_loaded(qtbot, screen)
    assert not screen.year_combo.isEnabled() and screen.model.rowCount() == 1


def test_export_to_excel(qtbot, services, tmp_path, monkeypatch):
    target = tmp_path / "agenda.xlsx"
    asked: list[str] = []

    def save_as(parent, caption, suggested, filters):  # type: ignore[no-untyped-def]
        asked.append(Path(suggested).name)
        return str(target.with_suffix("")), filters  # the user typed no extension

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    screen = open_screen(qtbot, services)
    choose(qtbot, screen.book_combo, "Buku Register Permohonan")
    wait_loaded(qtbot, screen)
    qtbot.mouseClick(screen.export_button, LEFT)
    job = screen.export_job
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=20_000):
        pass
    assert asked == ["Buku Register Permohonan 2026.xlsx"]
    assert target.is_file()
    ws = load_workbook(target).active
    assert [ws.cell(row=r, column=2).value for r in range(6, 10)] == [
        f"REG/2026/{n:05d}" for n in range(1, 5)
    ]
    assert "4 baris" in screen.banner.text() and str(target) in screen.banner.text()
    assert screen.open_button.isVisible()


def _fill_book(services: Services, rows: int) -> None:
    """A fuller year of the outgoing-letter book, so an export runs long enough to cancel."""
    with services.db.transaction() as session:
        book = session.scalars(select(NumberBook).where(NumberBook.code == "surat_keluar")).one()
        start = datetime(2026, 1, 5, 8, 0)
        session.execute(
            insert(AgendaEntry),
            [
                {
                    "book_id": book.id,
                    "year": 2025,
                    "seq": n,
                    "number": f"503/{n:03d}/DPMPTSPK/2025",
                    "taken_at": start.replace(year=2025) + timedelta(minutes=n),
                    "taken_by": None,
                    "case_id": None,
                    "document_id": None,
                    "subject": f"Surat {n}",
                    "addressee": "Kepala Desa",
                    "imported": True,
                    "voided": False,
                    "void_reason": None,
                    "voided_at": None,
                    "voided_by": None,
                }
                for n in range(1, rows + 1)
            ],
        )


def test_export_can_be_cancelled(qtbot, services, tmp_path, monkeypatch):
    _fill_book(services, 2500)
    target = tmp_path / "batal.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(target), ""))
    # Hold the writer at its first progress report until the user has pressed Batal, so the
    # click lands while the export is running however fast the machine is.
    real = BookExportService.export_agenda
    reached = threading.Event()

    def held(self, *args, progress=None, cancelled=None, **kwargs):  # type: ignore[no-untyped-def]
        def report(done: int) -> None:
            assert progress is not None and cancelled is not None
            progress(done)
            reached.set()
            deadline = time.monotonic() + 15
            while not cancelled() and time.monotonic() < deadline:
                time.sleep(0.01)

        return real(self, *args, progress=report, cancelled=cancelled, **kwargs)

    monkeypatch.setattr(BookExportService, "export_agenda", held)
    screen = open_screen(qtbot, services)
    choose(qtbot, screen.book_combo, "Buku Agenda Surat Keluar")
    wait_loaded(qtbot, screen)
    choose(qtbot, screen.year_combo, "2025")
    wait_loaded(qtbot, screen)
    assert (
        screen.model.rowCount() == 2500
        and screen.summary.text() == "2.500 nomor · 2.500 dari buku lama"
    )
    qtbot.mouseClick(screen.export_button, LEFT)
    job = screen.export_job
    assert job is not None
    dialog = job.dialog
    assert isinstance(dialog, QProgressDialog) and dialog.isVisible()
    assert dialog.maximum() == 2500
    qtbot.waitUntil(reached.is_set, timeout=10_000)
    qtbot.waitUntil(lambda: dialog.value() == 1000, timeout=5000)
    assert "1.000 dari 2.500 baris" in dialog.labelText()
    assert not screen.export_button.isEnabled()
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Batal")
    with qtbot.waitSignal(job.cancelled_by_user, timeout=15_000):
        qtbot.mouseClick(cancel, LEFT)
    assert not target.exists()
    assert "dibatalkan" in screen.banner.text()
    assert screen.export_button.isEnabled()


def _ledger(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Agenda 2025"
    ws.append(["BUKU AGENDA SURAT KELUAR 2025"])
    ws.append([])
    ws.append(["No. Urut", "Nomor", "Tanggal", "Perihal", "Kepada"])
    ws.append([1, "503/001/DPMPTSPK/2025", datetime(2025, 2, 3), "Undangan", "Camat"])
    ws.append([2, "503/002/DPMPTSPK/2025", "04-02-2025", "Rekomendasi", "Dinas Sosial"])
    ws.append([3, "", "05-02-2025", "Tanpa nomor", "-"])
    ws.append([4, "503/004/DPMPTSPK/2025", "6 Februari 2025", "Pemberitahuan", "Lurah"])
    wb.save(path)
    return path


def test_import_an_old_ledger_through_the_wizard(qtbot, qtmodeltester, services, tmp_path):
    path = _ledger(tmp_path / "agenda-lama.xlsx")
    screen = open_screen(qtbot, services)
    choose(qtbot, screen.book_combo, "Buku Agenda Surat Keluar")
    wait_loaded(qtbot, screen)
    qtbot.mouseClick(screen.import_button, LEFT)
    wizard = screen.dialog
    assert isinstance(wizard, LedgerImportWizard) and wizard.isVisible()
    page = wizard.file_page
    assert page.book_combo.currentText() == "Buku Agenda Surat Keluar"
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # no file yet
    qtbot.keyClicks(page.path_edit, str(path))  # the sheets are read once it names a file
    assert page.sheet_combo.currentText() == "Agenda 2025"
    assert next_button.isEnabled()
    qtbot.mouseClick(next_button, LEFT)

    mapping = wizard.mapping_page
    assert wizard.currentPage() is mapping
    assert mapping.combos["number"].currentText() == "Nomor"
    assert mapping.combos["date"].currentText() == "Tanggal"
    assert mapping.combos["subject"].currentText() == "Perihal"
    assert mapping.combos["addressee"].currentText() == "Kepada"
    assert mapping.seq_from_column.isChecked() and mapping.seq_combo.currentText() == "No. Urut"
    assert mapping.sample_model.rowCount() == 4
    qtmodeltester.check(mapping.sample_model)
    # Read the sequence out of the number instead (a click on the other choice).
    tick(qtbot, mapping.seq_from_number)
    assert not mapping.seq_combo.isEnabled()
    qtbot.mouseClick(next_button, LEFT)

    preview = wizard.preview_page
    assert wizard.currentPage() is preview
    assert "4</b> baris dibaca" in preview.summary.text() and "1</b> bermasalah" in (
        preview.summary.text()
    )
    assert "nomor berikutnya 503/005/DPMPTSPK/2025" in preview.continues.text()
    rows = preview.model.rows()
    assert [(r.row_no, r.ok) for r in rows] == [(1, True), (2, True), (3, False), (4, True)]
    assert rows[2].note == "nomor kosong"
    qtmodeltester.check(preview.model)
    tick(qtbot, preview.only_bad)
    assert preview.model.rowCount() == 1
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # a bad row: only with the clerk's consent
    tick(qtbot, preview.skip_bad)
    assert finish.isEnabled()
    with qtbot.waitSignal(wizard.imported, timeout=20_000) as imported:
        qtbot.mouseClick(finish, LEFT)
    assert imported.args[0] == (
        "3 nomor diimpor ke Buku Agenda Surat Keluar (1 baris dilewati). "
        "Nomor berikutnya: 503/005/DPMPTSPK/2025."
    )
    wait_loaded(qtbot, screen)
    assert "3 nomor diimpor" in screen.banner.text()
    assert screen.year_combo.findText("2025") >= 0
    choose(qtbot, screen.year_combo, "2025")
    wait_loaded(qtbot, screen)
    assert [(r.seq, r.taken_by) for r in screen.model.rows()] == [
        (1, "Impor"), (2, "Impor"), (4, "Impor"),
    ]  # fmt: skip
    assert screen.model.index(0, 7).data() == "Dari buku lama"
