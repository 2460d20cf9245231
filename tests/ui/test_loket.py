"""The counter desk driven as a clerk drives it: keys (and a few clicks) from F2 to the printed
resi, for every shipped permit type; the real services underneath; what is asserted is what the
clerk sees, checked against the PDF the applicant takes home and against the database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from gestures import pdf_text
from pypdf import PdfReader
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from desktop_perizinan.documents.field_text import display_value
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    DEMO_PASSWORD,
    SAMPLE_PDF,
    sample_field_values,
)
from desktop_perizinan.services.intake import IntakeResult
from desktop_perizinan.ui.app_window import MainWindow
from desktop_perizinan.ui.loket import LoketScreen
from desktop_perizinan.ui.loket.forward_dialog import ForwardDialog
from desktop_perizinan.ui.loket.intake_dialog import NewApplicationDialog
from desktop_perizinan.ui.loket.return_dialog import CompletionDialog
from desktop_perizinan.ui.pdf_preview import PdfPreviewDialog, print_document
from desktop_perizinan.workflow.definition import CaseStatus, FieldType, PermitType
from desktop_perizinan.workflow.validators import clean_field

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
SHIPPED = sorted(p.stem for p in FORMS.glob("*.toml") if not p.name.startswith("_"))
LEFT = Qt.MouseButton.LeftButton
ENTER = Qt.Key.Key_Return


def shipped_channels(code: str) -> tuple[str, ...]:
    from desktop_perizinan.workflow.loader import load_forms

    return load_forms(FORMS).types[code].channels


def has_renewal_only(code: str) -> bool:
    from desktop_perizinan.workflow.loader import load_forms

    return any(r.renewal_only for r in load_forms(FORMS).types[code].requirements)


def shipped_codes() -> list[str]:
    from desktop_perizinan.workflow.loader import load_forms

    return sorted(load_forms(FORMS).types)


CODES = shipped_codes()


class Clerk:
    """A keyboard: every key goes where the focus is (or to an open popup), as on a real PC."""

    def __init__(self, qtbot) -> None:  # type: ignore[no-untyped-def]
        self.qtbot = qtbot

    @staticmethod
    def target() -> QWidget:
        widget = (
            QApplication.activePopupWidget()
            or QApplication.focusWidget()
            or QApplication.activeWindow()
        )
        assert widget is not None, "no window has the keyboard"
        return widget

    def type(self, text: str) -> None:
        for char in text:
            self.qtbot.keyClicks(self.target(), char)

    def key(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        self.qtbot.keyClick(self.target(), key, modifier)

    def enter(self) -> None:
        self.key(ENTER)

    def back_to(self, window: QWidget) -> None:
        """A closed dialog hands the keyboard back to its window (the window manager's job;
        the offscreen platform has none)."""
        window.activateWindow()
        self.qtbot.waitUntil(window.isActiveWindow)

    def after_popup(self, window: QWidget) -> None:
        """The offscreen platform activates the completer popup and hands activation back
        late (a real one never activates a popup); wait until the form has the keyboard."""
        self.qtbot.waitUntil(window.isActiveWindow)

    def focused(self) -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None
        return widget

    def wait_modal(self, kind: type, timeout: int = 10_000) -> QWidget:
        def found() -> bool:
            widget = QApplication.activeModalWidget()
            return isinstance(widget, kind) and widget.isActiveWindow()

        self.qtbot.waitUntil(found, timeout=timeout)
        widget = QApplication.activeModalWidget()
        assert isinstance(widget, kind)
        return widget


def fill_by_keyboard(
    clerk: Clerk,
    dialog: NewApplicationDialog,
    pt: PermitType,
    *,
    nik: str,
    name: str,
    present: set[str] | None = None,
    values: dict[str, str] | None = None,
    channel: str = "loket",
    renewal: bool = False,
) -> None:
    """From the NIK field to the Save: Enter after each field, Space on each requirement."""
    values = sample_field_values(pt) if values is None else values
    assert clerk.focused() is dialog.nik
    clerk.type(nik)
    clerk.enter()
    assert clerk.focused() is dialog.sex
    clerk.enter()
    assert clerk.focused() is dialog.name
    if not dialog.name.text():
        clerk.type(name)
    clerk.enter()
    assert clerk.focused() is dialog.address
    if not dialog.address.text():
        clerk.type("Jl. Merdeka No. 1")
    clerk.enter()
    assert clerk.focused() is dialog.phone
    if not dialog.phone.text():
        clerk.type("0812 3456 7890")
    clerk.enter()
    clerk.enter()  # e-mail: optional
    assert clerk.focused() is dialog.type_edit
    clerk.type(pt.code)
    clerk.enter()
    clerk.after_popup(dialog)
    assert dialog.permit_type is pt, dialog.type_box.message.text()
    if dialog.channel.isEnabled():
        assert clerk.focused() is dialog.channel
        target = dialog.channel.findData(channel)
        assert target >= 0, channel
        while dialog.channel.currentIndex() != target:
            before = dialog.channel.currentIndex()
            clerk.key(Qt.Key.Key_Down if target > before else Qt.Key.Key_Up)
            assert dialog.channel.currentIndex() != before
        clerk.enter()
    assert clerk.focused() is dialog.renewal
    if renewal:
        clerk.key(Qt.Key.Key_Space)
    clerk.enter()
    assert clerk.focused() is dialog.note
    clerk.enter()
    for spec in pt.fields:
        editor = clerk.focused()
        assert editor.objectName() == f"field_{spec.key}"
        value = values.get(spec.key, "")
        if spec.type is FieldType.CHOICE:
            for _ in range(spec.choices.index(value) + 1):
                clerk.key(Qt.Key.Key_Down)
        elif value:
            clerk.type(value)
        clerk.enter()
    wanted = {r.code for r in pt.requirements_for(renewal)} if present is None else present
    for requirement in pt.requirements_for(renewal):
        assert clerk.focused().objectName() == f"req_{requirement.code}"
        if requirement.code in wanted:
            clerk.key(Qt.Key.Key_Space)
        clerk.enter()
    assert clerk.focused() is dialog.attachments.add_button


def open_counter(qtbot, services: Services, username: str = "loket") -> MainWindow:  # type: ignore[no-untyped-def]
    actor = services.users.login(username, DEMO_PASSWORD)
    window = MainWindow(services, actor)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def loket(window: MainWindow) -> LoketScreen:
    screen = window.screens["loket"]
    assert isinstance(screen, LoketScreen)
    return screen


def wait_preview(qtbot, screen: LoketScreen) -> PdfPreviewDialog:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: screen.preview is not None and screen.preview.isVisible(), timeout=20_000
    )
    preview = screen.preview
    assert preview is not None
    return preview


# ----------------------------------------------------------------------------- complete files


@pytest.mark.parametrize("code", CODES)
def test_keyboard_only_from_f2_to_the_printed_resi(qtbot, services, users, code):
    """F2, every field by keys and Enter, Enter on the last field saves; the number on screen
    is the one on the resi; Enter prints (the system dialog opens; the test cancels it)."""
    pt = services.permit_type(code)
    clerk = Clerk(qtbot)
    window = open_counter(qtbot, services)
    clerk.key(Qt.Key.Key_F2)
    dialog = clerk.wait_modal(NewApplicationDialog)
    applicant = DEMO_APPLICANTS[2]
    fill_by_keyboard(clerk, dialog, pt, nik=applicant.nik, name=applicant.name)
    assert "Lengkap" in dialog.outcome.text()
    clerk.enter()  # on the last field: save

    screen = loket(window)
    preview = wait_preview(qtbot, screen)
    result = screen.last_result
    assert isinstance(result, IntakeResult) and result.complete
    shown = preview.number_label.text()
    assert shown and preview.number_label.isVisible()
    assert shown == screen.last_number.text() == result.reg_number
    assert shown in pdf_text(preview.data)
    assert applicant.name in pdf_text(preview.data)
    # The case is in the database as the clerk typed it.
    view = services.queries.case(result.case_id)
    assert view.reg_number == shown and view.applicant_nik == applicant.nik
    stored = dict(view.fields)
    typed = sample_field_values(pt)
    shown_as = {f.label: display_value(f, clean_field(f, typed[f.key])) for f in pt.fields}
    assert shown_as == stored
    assert all(present for _c, _n, present in view.requirements)

    # Enter prints: the system print dialog opens (cancelled here: no printer offscreen).
    assert clerk.focused() is preview.print_button
    clerk.enter()
    printing = clerk.wait_modal(QPrintDialog)
    clerk.key(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not printing.isVisible())
    qtbot.waitUntil(preview.isActiveWindow)  # the clerk is back on the preview
    clerk.key(Qt.Key.Key_Escape)  # close the preview
    qtbot.waitUntil(lambda: not preview.isVisible())


@pytest.mark.parametrize(
    "code", [c for c in CODES if "daring" in shipped_channels(c) and has_renewal_only(c)]
)
def test_online_renewal_by_keyboard(qtbot, services, users, code):
    """Kanal "daring" chosen with the arrow key; the renewal tick adds its requirements."""
    pt = services.permit_type(code)
    renewal_only = [r for r in pt.requirements if r.renewal_only]
    clerk = Clerk(qtbot)
    window = open_counter(qtbot, services)
    clerk.key(Qt.Key.Key_F2)
    dialog = clerk.wait_modal(NewApplicationDialog)
    fill_by_keyboard(
        clerk,
        dialog,
        pt,
        nik=DEMO_APPLICANTS[3].nik,
        name="Siti Maimunah",
        channel="daring",
        renewal=True,
    )
    assert all(
        f"req_{r.code}" in {b.check.objectName() for b in dialog._checks.values()}
        for r in renewal_only
    )
    clerk.enter()
    screen = loket(window)
    wait_preview(qtbot, screen)
    view = services.queries.case(screen.last_result.case_id)
    assert view.channel == "daring" and view.renewal
    assert {r.code for r in renewal_only} <= {
        code for code, _n, present in view.requirements if present
    }
    assert "Daring" in pdf_text(screen.preview.data)


def test_returning_applicant_is_filled_in_from_the_nik(qtbot, services, users, driver):
    driver.submit(CODES[0], DEMO_APPLICANTS[3])
    clerk = Clerk(qtbot)
    open_counter(qtbot, services)
    clerk.key(Qt.Key.Key_F2)
    dialog = clerk.wait_modal(NewApplicationDialog)
    clerk.type(DEMO_APPLICANTS[3].nik)
    clerk.enter()
    assert dialog.name.text() == DEMO_APPLICANTS[3].name
    assert dialog.address.text() == DEMO_APPLICANTS[3].address
    assert "Pemohon lama" in dialog.nik_box.message.text()
    assert dialog.nik_box.message.isVisible()


def test_sex_mismatch_is_a_warning_not_a_block(qtbot, services, users):
    clerk = Clerk(qtbot)
    open_counter(qtbot, services)
    clerk.key(Qt.Key.Key_F2)
    dialog = clerk.wait_modal(NewApplicationDialog)
    clerk.type(DEMO_APPLICANTS[0].nik)  # day 45: a woman
    clerk.enter()
    clerk.key(Qt.Key.Key_Down)  # "Laki-laki"
    assert dialog.sex.currentText() == "Laki-laki"
    assert "perempuan" in dialog.sex_box.message.text()
    assert dialog.sex_box.kind == "warning"
    clerk.enter()
    assert clerk.focused() is dialog.name  # not blocked


# ----------------------------------------------------------------------------- incomplete files


@pytest.mark.parametrize("code", CODES)
def test_incomplete_file_then_completion_on_return(qtbot, services, users, clock, code):
    pt = services.permit_type(code)
    mandatory = [r.code for r in pt.requirements_for(False) if r.mandatory]
    missing = mandatory[0]
    clerk = Clerk(qtbot)
    window = open_counter(qtbot, services)
    clerk.key(Qt.Key.Key_F2)
    dialog = clerk.wait_modal(NewApplicationDialog)
    fill_by_keyboard(
        clerk,
        dialog,
        pt,
        nik=DEMO_APPLICANTS[2].nik,
        name=DEMO_APPLICANTS[2].name,
        present=set(mandatory[1:]),
    )
    assert "Belum lengkap" in dialog.outcome.text()
    assert "klarifikasi" in dialog.save_button.text()
    clerk.enter()
    screen = loket(window)
    preview = wait_preview(qtbot, screen)
    result = screen.last_result
    assert result is not None and not result.complete and result.reg_number is None
    missing_name = pt.requirements_for(False)[0].name
    reference = services.queries.case(result.case_id).reference
    assert preview.number_label.text() == reference != ""  # the slip's number, not a REG
    assert reference in pdf_text(preview.data)
    assert missing_name in preview.notes_label.text()
    assert missing_name[:40] in pdf_text(preview.data)
    clerk.key(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not preview.isVisible())

    # The file waits: it is listed; the applicant comes back the next day.
    waiting = screen.waiting.rows()
    assert [r.id for r in waiting] == [result.case_id]
    assert waiting[0].status is CaseStatus.WAITING_APPLICANT
    clock.advance(24 * 60)
    clerk.back_to(window)
    qtbot.mouseClick(screen.waiting_filter, LEFT)
    clerk.type(DEMO_APPLICANTS[2].nik[:6])
    clerk.enter()  # to the list
    assert clerk.focused() is screen.waiting_view
    clerk.enter()  # opens "Kelengkapan datang" for the selected file
    completion = clerk.wait_modal(CompletionDialog)
    assert completion.case_id == result.case_id
    assert list(completion.checks) == [missing]
    assert clerk.focused() is completion.checks[missing].check
    clerk.key(Qt.Key.Key_Space)
    clerk.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: (
            screen.preview is not preview
            and screen.preview is not None
            and screen.preview.isVisible()
        ),
        timeout=20_000,
    )
    again = screen.last_result
    assert again is not None and again.complete and again.reg_number
    assert screen.preview.number_label.text() == again.reg_number
    assert again.reg_number in pdf_text(screen.preview.data)
    assert screen.waiting.rows() == []


@pytest.mark.parametrize("code", CODES)
def test_two_clerks_complete_the_same_waiting_file(
    qtbot, services, users, driver, sqlite_url, clock, code
):
    """Two PCs open the same waiting file; the second save is refused in the service's words
    and nothing changes."""
    pt = services.permit_type(code)
    mandatory = [r.code for r in pt.requirements_for(False) if r.mandatory]
    first = driver.submit(code, DEMO_APPLICANTS[0], present=frozenset(mandatory[1:]))
    other_pc = Services.open(sqlite_url, FORMS, clock=clock)
    try:
        a = CompletionDialog(services, users["front_office"], first.case_id)
        b = CompletionDialog(other_pc, users["front_office"], first.case_id)
        for dialog in (a, b):
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.mouseClick(dialog.checks[mandatory[0]].check, LEFT)
            assert dialog.checks[mandatory[0]].isChecked()
        with qtbot.waitSignal(a.saved, timeout=20_000):
            qtbot.mouseClick(a.save_button, LEFT)
        before = services.queries.case(first.case_id)
        qtbot.mouseClick(b.save_button, LEFT)
        qtbot.waitUntil(lambda: b.banner.isVisible(), timeout=20_000)
        assert "tidak sedang menunggu kelengkapan" in b.banner.text()
        assert b.isVisible()
        after = services.queries.case(first.case_id)
        assert after.timeline == before.timeline and after.documents == before.documents
        assert after.reg_number == before.reg_number and after.reg_number
    finally:
        from desktop_perizinan.ui.worker import wait_for_all

        wait_for_all()
        other_pc.close()


# ----------------------------------------------------------------------------- wrong input


@pytest.mark.parametrize("code", CODES)
def test_wrong_nik_is_shown_beside_the_field_and_nothing_is_saved(qtbot, services, users, code):
    pt = services.permit_type(code)
    clerk = Clerk(qtbot)
    window = open_counter(qtbot, services)
    clerk.key(Qt.Key.Key_F2)
    dialog = clerk.wait_modal(NewApplicationDialog)
    clerk.type("12110345")
    clerk.enter()
    assert clerk.focused() is dialog.nik  # the cursor stays
    assert dialog.nik_box.message.isVisible()
    assert "16 angka" in dialog.nik_box.message.text()
    # A 16-digit NIK with an impossible date (day 32): the message names the date part.
    dialog.nik.clear()
    clerk.type("1211033201900001")
    clerk.enter()
    assert "Tanggal lahir" in dialog.nik_box.message.text()
    # Fill the rest with the mouse and the keyboard, and try to save anyway.
    dialog.name.setFocus()
    clerk.type("Benget")
    dialog.type_edit.setFocus()
    dialog.type_edit.setText(pt.code)  # pasted, so no completer popup
    clerk.enter()
    assert dialog.permit_type is pt
    dialog.tick_all()
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: dialog.banner.isVisible(), timeout=20_000)
    assert "Tanggal lahir" in dialog.nik_box.message.text()
    assert dialog.nik_box.kind == "error"
    assert dialog.isVisible()
    assert clerk.focused() is dialog.nik  # the first field refused
    assert services.queries.search("") == []
    assert loket(window).preview is None


def test_field_messages_come_from_the_service(qtbot, services, users):
    """An empty required field and a bad phone: each message beside its own field."""
    pt = next(
        services.permit_type(c)
        for c in CODES
        if any(f.required for f in services.permit_type(c).fields)
    )
    clerk = Clerk(qtbot)
    open_counter(qtbot, services)
    clerk.key(Qt.Key.Key_F2)
    dialog = clerk.wait_modal(NewApplicationDialog)
    clerk.type(DEMO_APPLICANTS[2].nik)
    dialog.name.setText("Yohanes")
    dialog.phone.setText("12ab")
    dialog.type_edit.setText(pt.code)
    dialog.type_edit.setFocus()
    clerk.enter()
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: dialog.banner.isVisible(), timeout=20_000)
    assert "telepon" in dialog.phone_box.message.text().lower()
    required = next(f for f in pt.fields if f.required)
    box = dialog._fields[required.key].box  # the box beside the field
    assert box.message.isVisible() and "wajib" in box.message.text()
    assert services.queries.search("") == []


def test_esc_asks_before_throwing_away_what_was_typed(qtbot, services, users):
    clerk = Clerk(qtbot)
    window = open_counter(qtbot, services)
    clerk.key(Qt.Key.Key_F2)
    dialog = clerk.wait_modal(NewApplicationDialog)
    clerk.key(Qt.Key.Key_Escape)  # nothing typed: closes at once
    qtbot.waitUntil(lambda: not dialog.isVisible())

    clerk.back_to(window)
    clerk.key(Qt.Key.Key_F2)
    dialog = clerk.wait_modal(NewApplicationDialog)
    clerk.type("1211")
    clerk.key(Qt.Key.Key_Escape)
    question = clerk.wait_modal(QMessageBox)
    clerk.enter()  # the default answer is "Tidak": keep typing
    qtbot.waitUntil(lambda: not question.isVisible())
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.isVisible() and dialog.nik.text() == "1211"
    clerk.key(Qt.Key.Key_Escape)
    question = clerk.wait_modal(QMessageBox)
    yes = next(b for b in question.buttons() if b.text().startswith("Ya"))
    qtbot.mouseClick(yes, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _png() -> bytes:
    image = QImage(40, 60, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def drop_files(target: QAbstractScrollArea, paths: list[Path]) -> None:
    """What the window system sends when files from the file manager are dropped."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    viewport = target.viewport()
    none = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, LEFT, none)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, LEFT, none)
    QApplication.sendEvent(viewport, drop)


@pytest.mark.parametrize("code", CODES)
def test_attachments_checked_by_content_and_size(qtbot, services, users, tmp_path, code):
    dialog = NewApplicationDialog(services, users["front_office"])
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
    dialog.type_edit.setFocus()
    dialog.type_edit.setText(code)  # pasted
    qtbot.keyClick(dialog.type_edit, ENTER)
    assert dialog.permit_type is services.permit_type(code)
    panel = dialog.attachments
    # Not what its name says: a PNG called .pdf, and a text file called .jpg.
    drop_files(panel.list, [_write(tmp_path / "ktp.pdf", _png())])
    assert panel.picked() == []
    assert "bernama PDF tetapi isinya PNG" in panel.box.message.text()
    drop_files(panel.list, [_write(tmp_path / "surat.jpg", b"Bukan gambar sama sekali")])
    assert "bukan PDF, JPG atau PNG" in panel.box.message.text()
    # Too large (the office limit, 10 MB by default).
    big = tmp_path / "proposal.pdf"
    big.write_bytes(SAMPLE_PDF + b"0" * (services.settings.attachment_limit_bytes() + 1))
    drop_files(panel.list, [big])
    assert "terlalu besar" in panel.box.message.text()
    assert panel.picked() == []
    # Good files: a real PNG and a PDF, previewed; "ktp" in the name ticks the requirement.
    drop_files(panel.list, [_write(tmp_path / "ktp.png", _png())])
    assert [p.file_name for p in panel.picked()] == ["ktp.png"]
    assert not panel.box.message.isVisible()
    assert panel.preview.pixmap() is not None and not panel.preview.pixmap().isNull()
    ktp = next(code for code in dialog._checks if "ktp" in code)
    assert dialog._checks[ktp].isChecked()
    drop_files(panel.list, [_write(tmp_path / "scan.pdf", SAMPLE_PDF)])
    assert not panel.preview.pixmap().isNull()  # page 1 rendered on white
    assert panel.preview.pixmap().toImage().pixelColor(5, 5).name() == "#ffffff"
    assert len(dialog.attachments.attachments()) == 2


def test_attachment_through_the_file_dialog_is_saved_with_the_case(
    qtbot, services, users, tmp_path
):
    pt = services.permit_type(CODES[0])
    clerk = Clerk(qtbot)
    window = open_counter(qtbot, services)
    clerk.key(Qt.Key.Key_F2)
    dialog = clerk.wait_modal(NewApplicationDialog)
    path = _write(tmp_path / "ktp-pemohon.pdf", SAMPLE_PDF)
    dialog.nik.setText(DEMO_APPLICANTS[2].nik)
    dialog.name.setText("Yohanes")
    dialog.type_edit.setText(pt.code)
    dialog._check_type()
    for key, value in sample_field_values(pt).items():
        dialog._fields[key].set_value(value)
    dialog.tick_all()
    dialog.attachments.add_button.setFocus()
    clerk.key(Qt.Key.Key_Space)  # Space presses the button: the file dialog
    chooser = clerk.wait_modal(QFileDialog)
    name = chooser.findChild(QLineEdit, "fileNameEdit")
    name.setFocus()
    clerk.type(str(path))
    clerk.enter()
    qtbot.waitUntil(lambda: bool(dialog.attachments.picked()))
    qtbot.waitUntil(dialog.isActiveWindow)  # back in the form
    assert "ktp-pemohon.pdf" in dialog.attachments.list.item(0).text()
    clerk.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    screen = loket(window)
    wait_preview(qtbot, screen)
    view = services.queries.case(screen.last_result.case_id)
    assert [(a.file_name, a.mime) for a in view.attachments] == [
        ("ktp-pemohon.pdf", "application/pdf")
    ]


# ----------------------------------------------------------------------------- the preview


def test_save_as_pdf_writes_the_same_bytes(qtbot, services, users, driver, tmp_path):
    result = driver.submit(CODES[0], DEMO_APPLICANTS[0])
    preview = PdfPreviewDialog(result.pdf, "Resi", number=result.reg_number, file_stem="resi")
    qtbot.addWidget(preview)
    with qtbot.waitActive(preview):
        preview.show()
    clerk = Clerk(qtbot)
    assert clerk.focused() is preview.print_button
    clerk.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    chooser = clerk.wait_modal(QFileDialog)
    target = tmp_path / "resi-pemohon.pdf"
    name = chooser.findChild(QLineEdit, "fileNameEdit")
    name.setFocus()
    name.clear()
    clerk.type(str(target))
    clerk.enter()
    qtbot.waitUntil(lambda: target.exists() and preview.banner.isVisible(), timeout=10_000)
    assert target.read_bytes() == result.pdf
    assert "Disimpan" in preview.banner.text()


def test_print_path_renders_every_page_on_white(qtbot, services, users, driver, tmp_path):
    """What Print does after the system dialog, into a PDF printer (no printer offscreen)."""
    result = driver.submit(CODES[0], DEMO_APPLICANTS[0])
    preview = PdfPreviewDialog(result.pdf, "Resi", number=result.reg_number)
    qtbot.addWidget(preview)
    printer = preview.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert print_document(preview.document, printer) == preview.document.pageCount()
    printed = PdfReader(io.BytesIO((tmp_path / "printed.pdf").read_bytes()))
    assert len(printed.pages) == preview.document.pageCount()


# ----------------------------------------------------------------------------- forwarding


def _dairi(services: Services) -> str:
    return next(c for c in CODES if c.startswith("DAIRI"))


def test_forward_to_the_back_office(qtbot, services, users, driver):
    code = _dairi(services)
    intake = driver.submit(code, DEMO_APPLICANTS[0])
    clerk = Clerk(qtbot)
    window = open_counter(qtbot, services)
    screen = loket(window)
    assert [t.case_id for t in screen.tasks.rows()] == [intake.case_id]
    assert screen.tasks.rows()[0].step_no == 4
    clerk.key(Qt.Key.Key_F6)
    dialog = clerk.wait_modal(ForwardDialog)
    assert dialog.to.currentText() == services.office.role_name("backoffice")
    assert dialog.instructions["Proses lebih lanjut"].isChecked()
    clerk.enter()  # Kepada
    clerk.key(Qt.Key.Key_Down)  # sifat: Segera
    clerk.enter()
    clerk.type("Mohon segera diverifikasi.")
    clerk.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    preview = wait_preview(qtbot, screen)
    text = pdf_text(preview.data)
    assert "Mohon segera diverifikasi." in text
    assert intake.reg_number in text
    assert screen.tasks.rows() == []
    backoffice = services.queries.tasks(users["backoffice"])
    assert [(t.case_id, t.step_no) for t in backoffice] == [(intake.case_id, 5)]
    record = services.queries.case(intake.case_id).timeline[3]
    assert record.step_no == 4 and record.done_by == users["front_office"].full_name


def test_two_clerks_forward_the_same_file(qtbot, db_url, clock):
    """Two PCs, two sessions, two clerks, one step 4: the second is told who was first."""
    first_pc = Services.open(db_url, FORMS, clock=clock)
    second_pc = Services.open(db_url, FORMS, clock=clock)
    try:
        from desktop_perizinan.services.actor import SYSTEM
        from desktop_perizinan.services.demo import CaseDriver, create_demo_users

        users = create_demo_users(first_pc)
        other: Actor = second_pc.users.create(
            SYSTEM,
            username="loket2",
            full_name="Dewi Lestari",
            password=DEMO_PASSWORD,
            roles=frozenset({"front_office"}),
        )
        intake = CaseDriver(first_pc, users, clock).submit(_dairi(first_pc), DEMO_APPLICANTS[0])
        a_screen = LoketScreen(first_pc, users["front_office"])
        b_screen = LoketScreen(second_pc, other)
        for screen in (a_screen, b_screen):
            qtbot.addWidget(screen)
            screen.show()
        a = a_screen.forward_selected()
        b = b_screen.forward_selected()
        assert a is not None and b is not None
        with qtbot.waitSignal(a.forwarded, timeout=20_000):
            qtbot.mouseClick(a.save_button, LEFT)
        documents_before = len(first_pc.queries.case(intake.case_id).documents)
        qtbot.mouseClick(b.save_button, LEFT)
        qtbot.waitUntil(lambda: b.banner.isVisible(), timeout=20_000)
        assert "sudah ditangani oleh Rina Simanjuntak" in b.banner.text()
        assert not b.save_button.isEnabled()
        view = second_pc.queries.case(intake.case_id)
        assert len(view.documents) == documents_before
        assert [t.step_no for t in view.timeline].count(4) == 1
        assert view.timeline[3].done_by == "Rina Simanjuntak"
    finally:
        from desktop_perizinan.ui.worker import wait_for_all

        wait_for_all()
        first_pc.close()
        second_pc.close()


# ----------------------------------------------------------------------------- models


def test_table_models(qtmodeltester, services, users, driver):
    code = _dairi(services)
    driver.submit(code, DEMO_APPLICANTS[0])
    pt = services.permit_type(CODES[-1])
    mandatory = [r.code for r in pt.requirements_for(False) if r.mandatory]
    driver.submit(CODES[-1], DEMO_APPLICANTS[2], present=frozenset(mandatory[1:]))
    screen = LoketScreen(services, users["front_office"])
    assert screen.tasks.rowCount() == 1 and screen.waiting.rowCount() == 1
    qtmodeltester.check(screen.tasks)
    qtmodeltester.check(screen.waiting)
    qtmodeltester.check(screen.tasks_view.proxy)
    screen.deleteLater()
