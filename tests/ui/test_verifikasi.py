"""The Verifikasi screen driven as at the counter: a scanner types the QR payload and Enter;
a clerk opens a PDF file; the stored document opens in the print preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from gestures import BOTH_DATABASES
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    CaseDriver,
)
from desktop_perizinan.services.verification import payload_from_metadata
from desktop_perizinan.ui.pdf_preview import PdfPreviewDialog
from desktop_perizinan.ui.theme import semantic_colors
from desktop_perizinan.ui.verifikasi import VerificationScreen
from desktop_perizinan.workflow.definition import CaseStatus

pytestmark = [pytest.mark.gui, BOTH_DATABASES]

FORMS = Path(__file__).resolve().parents[2] / "forms"
DAIRI = "DAIRI-LKS-ASING"


@pytest.fixture
def permit(services, users, clock):
    """An issued Dairi permit: (document id, number, final PDF)."""
    driver = CaseDriver(services, users, clock)
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    assert driver.run(intake.case_id) is CaseStatus.ISSUED
    view = services.queries.case(intake.case_id)
    doc = next(d for d in view.documents if d.kind == "izin")
    return doc.id, doc.number, services.documents.pdf(doc.id)


@pytest.fixture
def screen(qtbot, services, users) -> VerificationScreen:
    widget = VerificationScreen(services, users["front_office"])
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _scan(qtbot, screen: VerificationScreen, text: str) -> None:
    """What a USB scanner does: type the payload into the focused field, then Enter."""
    screen.code_input.setFocus()
    qtbot.keyClicks(screen.code_input, text)
    qtbot.keyClick(screen.code_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.result is not None, timeout=10_000)


def _verdict_colour(screen: VerificationScreen) -> QColor:
    sheet = screen.verdict.styleSheet()
    colour = sheet.split("color:")[1].split(";")[0].strip()
    return QColor(colour)


def test_a_scanned_code_shows_the_verdict_big_and_green(qtbot, screen, permit):
    _id, number, final = permit
    payload = payload_from_metadata(final)
    _scan(qtbot, screen, payload)
    assert screen.verdict.text().startswith("SAH")
    assert _verdict_colour(screen) == QColor(semantic_colors(screen.palette())["ok"])
    assert "font-size: 20pt" in screen.verdict.styleSheet()
    details = screen.details.text()
    assert number in details and "Buku Agenda Penomoran Izin LKS Asing" in details
    assert DEMO_APPLICANTS[0].name.split()[0] in details
    # Ready for the next scan: the field is empty and has the focus.
    assert screen.code_input.text() == "" and screen.code_input.hasFocus()

    # The stored document opens in the print preview.
    assert screen.show_button.isEnabled()
    qtbot.mouseClick(screen.show_button, Qt.MouseButton.LeftButton)
    preview = screen.preview
    assert isinstance(preview, PdfPreviewDialog) and preview.isVisible()
    assert preview.data == final and preview.number_label.text() == number
    preview.close()


def test_a_wrong_code_is_red(qtbot, screen, permit):
    _id, _number, final = permit
    forged = payload_from_metadata(final).rsplit("|", 1)[0] + "|0000-0000-0000-0000"
    _scan(qtbot, screen, forged)
    assert screen.verdict.text().startswith("TIDAK SAH")
    assert "kode verifikasi tidak cocok" in screen.verdict.text()
    assert _verdict_colour(screen) == QColor(semantic_colors(screen.palette())["error"])
    assert not screen.show_button.isEnabled()
    _scan(qtbot, screen, "bukan kode")
    assert "bukan kode verifikasi" in screen.verdict.text()


def test_a_changed_file_lists_what_differs(qtbot, screen, permit, tmp_path):
    _id, _number, final = permit
    good = tmp_path / "izin.pdf"
    good.write_bytes(final)
    screen.verify_file(str(good))
    qtbot.waitUntil(lambda: screen.result is not None, timeout=10_000)
    assert screen.verdict.text().startswith("SAH") and screen.show_button.isEnabled()

    changed = bytearray(final)
    changed[len(changed) // 2] ^= 0x01
    bad = tmp_path / "izin-diubah.pdf"
    bad.write_bytes(bytes(changed))
    screen.verify_file(str(bad))
    qtbot.waitUntil(lambda: screen.result is not None, timeout=10_000)
    assert screen.verdict.text() == "TIDAK SAH — berkas telah diubah"
    assert "telah diubah" in screen.details.text()
    assert screen.show_button.isEnabled()  # the genuine one can be shown beside the paper

    screen.verify_file(str(tmp_path / "tidak-ada.pdf"))
    qtbot.waitUntil(lambda: "TIDAK DAPAT DIPERIKSA" in screen.verdict.text(), timeout=10_000)


def test_the_file_dialog_opens_without_blocking(qtbot, screen):
    dialog = screen.open_file_dialog()
    assert dialog.isVisible()
    dialog.reject()
