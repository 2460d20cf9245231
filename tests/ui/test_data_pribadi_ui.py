"""UU PDP on the screens (issue 13): opening a case is one logged access, the NIK is masked for
roles that do not need it, the case view's Ps 32 report button, and the Pengaturan tab "Data
pribadi" (report by NIK, retention list, erasure), driven with the mouse and the keyboard."""

from __future__ import annotations

import pytest
from gestures import BOTH_DATABASES
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QLineEdit,
)
from sqlalchemy import func, select

from desktop_perizinan.db.models import Applicant, AuditEntry
from desktop_perizinan.privacy import ERASED_TEXT, mask_nik
from desktop_perizinan.services import personal_data as pd
from desktop_perizinan.services.demo import DEMO_APPLICANTS
from desktop_perizinan.ui.pdf_preview import PdfPreviewDialog
from desktop_perizinan.ui.pengaturan import SettingsScreen
from desktop_perizinan.ui.pengaturan.data_pribadi_tab import PersonalDataTab
from desktop_perizinan.ui.tugas import CaseDialog
from tests.services.pdftext import pdf_text, squash

pytestmark = [pytest.mark.gui, BOTH_DATABASES]

LEFT = Qt.MouseButton.LeftButton
KESENIAN = "PASURUAN-NIK-KESENIAN"
SIX_YEARS = 6 * 366 * 24 * 60


def _count(services, action: str | None = None) -> int:
    with services.db.reading() as session:
        query = select(func.count(AuditEntry.id))
        if action:
            query = query.where(AuditEntry.action == action)
        return int(session.scalar(query) or 0)


def _shown_nik(case_view) -> str:
    form = case_view.applicant_form
    for row in range(form.rowCount()):
        label = form.itemAt(row, form.ItemRole.LabelRole).widget()
        if isinstance(label, QLabel) and label.text() == "NIK:":
            return form.itemAt(row, form.ItemRole.FieldRole).widget().text()
    raise AssertionError("no NIK row")


def test_case_view_logs_one_access_masks_and_makes_the_report(
    qtbot, services, users, driver, tmp_path
):
    applicant = DEMO_APPLICANTS[2]
    intake = driver.submit(KESENIAN, applicant)
    kasi, kabid = users["backoffice"], users["kabid"]
    before = _count(services)

    dialog = CaseDialog(services, kasi, intake.case_id)
    qtbot.addWidget(dialog)
    dialog.show()
    case = dialog.case_view
    assert _count(services) == before + 1 and _count(services, pd.VIEW) == 1
    assert _shown_nik(case) == applicant.nik  # the Kasi checks the file against the KTP
    qtbot.mouseClick(case.reload_button, LEFT)  # reading the open case again is no new access
    assert _count(services) == before + 1

    # Opening an attachment is logged too.
    tree = case.attachments
    item = tree.topLevelItem(0)
    qtbot.mouseClick(tree.viewport(), LEFT, pos=tree.visualItemRect(item).center())
    qtbot.mouseClick(case.open_attachment_button, LEFT)
    assert isinstance(case.viewer, PdfPreviewDialog)
    case.viewer.close()
    assert _count(services, pd.ATTACHMENT) == 1

    # A document opened and saved to a file: both logged, the save as what left the screen.
    case.tabs.setCurrentIndex(3)
    docs = case.documents
    resi = docs.topLevelItem(0)
    qtbot.mouseClick(docs.viewport(), LEFT, pos=docs.visualItemRect(resi).center())
    qtbot.mouseClick(case.open_document_button, LEFT)
    preview = case.viewer
    assert isinstance(preview, PdfPreviewDialog) and _count(services, pd.DOCUMENT) == 1
    qtbot.mouseClick(preview.save_button, LEFT)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QFileDialog))
    chooser = QApplication.activeModalWidget()
    target = tmp_path / "resi.pdf"
    name = chooser.findChild(QLineEdit, "fileNameEdit")
    name.setFocus()
    name.clear()
    qtbot.keyClicks(name, str(target))
    for _ in range(2):  # Enter closes the completer's popup first, then saves (as on a PC)
        if chooser.isVisible():
            keys = QApplication.activePopupWidget() or name
            qtbot.keyClick(keys, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: target.exists(), timeout=10_000)
    qtbot.waitUntil(lambda: _count(services, pd.PRINT) == 1, timeout=10_000)
    preview.close()

    # The Ps 32 report of this applicant, from the case view.
    button = case.pdp_button
    assert button.isVisible()
    with qtbot.waitSignal(button.clicked):
        qtbot.mouseClick(button, LEFT)
    qtbot.waitUntil(lambda: isinstance(button.viewer, PdfPreviewDialog), timeout=20_000)
    shown = squash(pdf_text(button.viewer.data))
    assert applicant.nik in shown and kasi.full_name in shown
    assert "Melihat data pemohon" in shown and "Membuka lampiran" in shown
    assert "Mencetak / menyimpan" in shown and "disimpan ke" in shown
    button.viewer.close()
    dialog.close()

    # The Kabid sees the NIK masked and has no report button.
    other = CaseDialog(services, kabid, intake.case_id)
    qtbot.addWidget(other)
    other.show()
    assert _shown_nik(other.case_view) == mask_nik(applicant.nik)
    assert not other.case_view.pdp_button.isVisible()
    assert _count(services, pd.VIEW) == 2
    other.close()


def _open_tab(qtbot, services, admin) -> tuple[SettingsScreen, PersonalDataTab]:
    screen = SettingsScreen(services, admin)
    qtbot.addWidget(screen)
    screen.resize(1100, 700)
    screen.show()
    bar = screen.tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i).replace("&", "") == "Data pribadi")
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(index).center())
    tab = screen.tabs.currentWidget()
    assert isinstance(tab, PersonalDataTab)
    qtbot.waitUntil(lambda: tab.summary.text() != "Memuat…", timeout=10_000)
    return screen, tab


def test_settings_tab_report_by_nik_refuses_letters(qtbot, services, users, driver):
    applicant = DEMO_APPLICANTS[3]
    driver.submit(KESENIAN, applicant)
    _screen, tab = _open_tab(qtbot, services, users["admin"])
    rules = tab.rules.text()
    assert "5 tahun" in rules and "Front Office" in rules and "Backoffice" in rules
    before = _count(services)

    qtbot.mouseClick(tab.nik, LEFT)
    qtbot.keyClicks(tab.nik, "3514O24407920004")  # a letter O for a zero
    qtbot.mouseClick(tab.report_button, LEFT)
    qtbot.waitUntil(lambda: bool(tab.nik_box.error), timeout=10_000)
    assert "huruf" in tab.nik_box.error
    assert tab.viewer is None and _count(services) == before

    tab.nik.selectAll()
    qtbot.keyClicks(tab.nik, applicant.nik)
    qtbot.keyClick(tab.nik, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(tab.viewer, PdfPreviewDialog), timeout=20_000)
    assert not tab.nik_box.error
    assert applicant.name in squash(pdf_text(tab.viewer.data))
    assert _count(services, pd.REPORT) == 1
    tab.viewer.close()


def test_settings_tab_lists_applicants_past_retention_and_erases(
    qtbot, services, users, driver, clock, tmp_path
):
    applicant = DEMO_APPLICANTS[3]
    intake = driver.submit(KESENIAN, applicant)
    driver.run(intake.case_id)
    screen, tab = _open_tab(qtbot, services, users["admin"])
    assert tab.model.rowCount() == 0 and not tab.erase_button.isEnabled()
    assert "Tidak ada pemohon" in tab.summary.text()

    clock.advance(SIX_YEARS)
    bar = screen.tabs.tabBar()
    here = screen.tabs.currentIndex()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(0).center())  # away and back: it reloads
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(here).center())
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=10_000)
    view = tab.table
    assert view.model().index(0, 0).data() == mask_nik(applicant.nik)
    assert view.model().index(0, 1).data() == applicant.name
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(view.model().index(0, 1)).center())
    qtbot.mouseClick(tab.erase_button, LEFT)
    ask = tab.erase_dialog
    assert ask is not None and mask_nik(applicant.nik) in ask.findChild(QLabel).text()

    qtbot.keyClicks(ask.reason, "abc")
    with qtbot.waitSignal(ask.done, timeout=10_000):
        qtbot.mouseClick(ask.ok_button, LEFT)
    assert "minimal 5" in ask.box.error  # nothing erased
    with services.db.reading() as session:
        assert session.scalar(select(Applicant.name)) == applicant.name

    qtbot.keyClicks(ask.reason, " - masa retensi 5 tahun habis")
    with qtbot.waitSignal(ask.done, timeout=10_000):
        qtbot.mouseClick(ask.ok_button, LEFT)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=10_000)
    assert "telah dihapus" in tab.banner.text()
    with services.db.reading() as session:
        assert session.scalar(select(Applicant.name)) == ERASED_TEXT
    assert _count(services, pd.ERASE) == 1
    assert screen.grab().save(str(tmp_path / "pengaturan-data-pribadi.png"))


def test_books_export_with_nik_only_when_ticked(
    qtbot, services, users, driver, tmp_path, monkeypatch
):
    from gestures import choose
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog

    from desktop_perizinan.ui.buku import BooksScreen

    applicant = DEMO_APPLICANTS[2]
    driver.submit(KESENIAN, applicant)
    targets = iter([tmp_path / "tanpa.xlsx", tmp_path / "dengan.xlsx"])

    def save_as(parent, caption, suggested, filters):  # type: ignore[no-untyped-def]
        return str(next(targets)), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    keeper = BooksScreen(services, users["ksb_umum"])
    qtbot.addWidget(keeper)
    keeper.show()
    assert not keeper.with_nik.isVisible()  # a role that does not see NIKs cannot ask for them

    screen = BooksScreen(services, users["backoffice"])
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: screen.loading is not None and not screen.loading.running)
    choose(qtbot, screen.book_combo, "Buku Register Permohonan")
    qtbot.waitUntil(lambda: not screen.loading.running and screen.model.rowCount() == 1)

    def export() -> list[tuple]:
        qtbot.mouseClick(screen.export_button, LEFT)
        with qtbot.waitSignal(screen.export_job.finished, timeout=20_000):
            pass
        path = screen.last_export.path
        return [tuple(c for c in row if c is not None) for row in load_workbook(path).active.values]

    plain = export()
    assert not any(applicant.nik in row for row in plain)
    assert _count(services, pd.EXPORT) == 0
    assert screen.with_nik.isVisible() and not screen.with_nik.isChecked()
    box = screen.with_nik
    qtbot.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))  # on its indicator
    assert screen.with_nik.isChecked()
    rows = export()
    assert any("NIK Pemohon" in row for row in rows)
    assert any(applicant.nik in row for row in rows)
    assert _count(services, pd.EXPORT) == 1
