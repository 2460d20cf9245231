"""The back-office desk driven as its users drive it: each step by the right demo user, through
the task list, the case window and the step dialogs, with clicks and typing; on SQLite and on
PostgreSQL. The services are real; what is asserted is what the user sees, then the books and
the PDFs."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLabel, QLineEdit, QWidget

from desktop_perizinan.errors import PermissionDenied
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    DEMO_PASSWORD,
    CaseDriver,
    SteppingClock,
    create_demo_users,
    demo_clock,
)
from desktop_perizinan.ui.common.live import LiveUpdates
from desktop_perizinan.ui.tugas import CaseDialog, StepDialog, TasksScreen
from desktop_perizinan.ui.tugas.steps import (
    DispositionForm,
    DraftForm,
    InspectionForm,
    NumberForm,
    PaymentForm,
    SignForm,
)
from desktop_perizinan.ui.worker import wait_for_all
from desktop_perizinan.workflow.definition import CaseStatus

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
DAIRI = "DAIRI-LKS-ASING"
LEFT = Qt.MouseButton.LeftButton


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
def driver(services: Services, users: dict[str, Actor], clock: SteppingClock) -> CaseDriver:
    return CaseDriver(services, users, clock)


# ----------------------------------------------------------------------------- the user's moves


class Desk:
    """Logs in as a demo user and works through their task list with mouse and keyboard."""

    def __init__(self, qtbot, services: Services, clock: SteppingClock) -> None:
        self.qtbot = qtbot
        self.services = services
        self.clock = clock

    def login(self, username: str) -> TasksScreen:
        actor = self.services.users.login(username, DEMO_PASSWORD)
        screen = TasksScreen(self.services, actor)
        self.qtbot.addWidget(screen)
        screen.resize(1200, 500)
        screen.show()
        self.qtbot.waitExposed(screen)
        return screen

    def click_row(self, view: QAbstractItemView, index: QModelIndex) -> None:
        view.scrollTo(index)
        rect = view.visualRect(index)
        self.qtbot.mouseClick(view.viewport(), LEFT, pos=rect.center())
        assert view.currentIndex().row() == index.row()

    def task_index(self, screen: TasksScreen, case_id: int) -> QModelIndex:
        proxy = screen.table.proxy
        for row in range(proxy.rowCount()):
            index = proxy.index(row, 0)
            if screen.model.row(proxy.mapToSource(index).row()).case_id == case_id:
                return index
        raise AssertionError(f"case {case_id} is not in the task list")

    def open_step(self, username: str, case_id: int) -> tuple[TasksScreen, StepDialog]:
        """Log in, find the case in the task list, click it, click "Kerjakan langkah"."""
        self.clock.advance(25)
        screen = self.login(username)
        index = self.task_index(screen, case_id)
        countdown = index.data()
        assert countdown.startswith(("Sisa ", "Terlambat ")), countdown
        self.click_row(screen.table, index)
        self.qtbot.mouseClick(screen.act_button, LEFT)
        dialog = screen.step_dialog
        assert isinstance(dialog, StepDialog) and dialog.isVisible()
        assert dialog.countdown.text().startswith(("Sisa ", "Terlambat "))
        return screen, dialog

    def save(self, dialog: StepDialog) -> None:
        with self.qtbot.waitSignal(dialog.settled, timeout=20_000):
            self.qtbot.mouseClick(dialog.save_button, LEFT)

    def step(
        self,
        username: str,
        case_id: int,
        fill: Callable[[StepDialog], None] | None = None,
        outcome: str | None = None,
        note: str = "",
    ) -> StepDialog:
        """Do the open step of ``case_id`` as ``username`` and check the dialog says it is done."""
        _screen, dialog = self.open_step(username, case_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)  # read after closing
        if outcome is not None:
            self.qtbot.mouseClick(dialog.outcome_buttons[outcome], LEFT)
            assert dialog.outcome().code == outcome
        if fill is not None:
            fill(dialog)
        if note:
            dialog.note.setFocus()
            self.qtbot.keyClicks(dialog.note, note)
        self.save(dialog)
        assert not dialog.banner.isVisible(), dialog.banner.text()
        assert dialog.result is not None, "the step was not saved"
        assert dialog.pages.currentIndex() == 1 and "tersimpan" in dialog.result_title.text()
        self.qtbot.mouseClick(dialog.close_button, LEFT)
        assert not dialog.isVisible()
        _screen.close()
        return dialog

    def tick(self, box: QAbstractButton) -> None:
        """Click a check box on its box (its centre may be past the label)."""
        self.qtbot.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))

    def type_into(self, widget: QWidget, text: str, *, replace: bool = False) -> None:
        widget.setFocus()
        if replace:
            self.qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            self.qtbot.keyClick(widget, Qt.Key.Key_Delete)
        self.qtbot.keyClicks(widget, text)


def pdf_text(data: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages)


def photo(tmp_path: Path) -> Path:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkGreen)
    path = tmp_path / "lokasi.png"
    assert image.save(str(path))
    return path


def run_to_recommendation(desk: Desk, case_id: int, tmp_path: Path) -> None:
    """Steps 4–7: disposition, verification, request to the team, inspection with its BA."""

    def dispose(dialog: StepDialog) -> None:
        form = dialog.form
        assert isinstance(form, DispositionForm)
        assert form.to.currentText() == "Backoffice / Ka Seksi Pelayanan II"
        coordinate = next(b for b in form.instructions if b.text().startswith("Koordinasikan"))
        desk.tick(coordinate)
        assert coordinate.isChecked()
        form.sifat.setFocus()
        desk.qtbot.keyClick(form.sifat, Qt.Key.Key_Down)  # Biasa -> Segera
        assert form.sifat.currentText() == "Segera"
        desk.type_into(form.notes, "Mohon diverifikasi sesuai standar pelayanan.")

    dialog = desk.step("loket", case_id, dispose)
    assert any(b.text().startswith("Buka Lembar Disposisi") for b in dialog.document_buttons)
    desk.step("seksi", case_id, outcome="benar")

    def request(dialog: StepDialog) -> None:
        desk.type_into(dialog.form.notes, "Mohon peninjauan minggu ini.")

    dialog = desk.step("seksi", case_id, request)
    assert any("503/" in b.text() for b in dialog.document_buttons)  # numbered letter

    def inspect(dialog: StepDialog) -> None:
        form = dialog.form
        assert isinstance(form, InspectionForm)
        assert form.team.rowCount() == 1  # the inspector leads
        desk.qtbot.mouseClick(form.add_member_button, LEFT)
        editor = form.team.viewport().findChild(QLineEdit)  # the cell editor, opened
        assert editor is not None
        desk.qtbot.keyClicks(editor, "Bonar Situmorang, S.Sos")
        desk.qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next loop
        desk.qtbot.waitUntil(lambda: len(form.team_rows()) == 2)
        assert form.team_rows()[-1] == {
            "name": "Bonar Situmorang, S.Sos",
            "role": "Anggota",
            "title": "",
        }
        desk.type_into(form.findings, "Kantor lembaga tersedia.")
        desk.qtbot.keyClick(form.findings, Qt.Key.Key_Return)
        desk.qtbot.keyClicks(form.findings, "Program kerja sesuai proposal.")
        form.choose_photos = lambda _parent: [str(photo(tmp_path))]
        desk.qtbot.mouseClick(form.add_photo_button, LEFT)
        assert form.photos.count() == 1
        desk.type_into(form.conclusion, "Lembaga memenuhi persyaratan teknis.")

    dialog = desk.step("teknis", case_id, inspect)
    assert any("Berita Acara" in b.text() for b in dialog.document_buttons)


def run_letter(
    desk: Desk, case_id: int, draft_step_user: str = "seksi", *, return_once: bool
) -> tuple[str, str]:
    """Draft, paraf (once returned and redone), sign wet, number, deliver, hand over.

    Returns (the number shown before it was taken, the number taken)."""

    def draft(extra: str) -> Callable[[StepDialog], None]:
        def fill(dialog: StepDialog) -> None:
            form = dialog.form
            assert isinstance(form, DraftForm)
            assert (
                DEMO_APPLICANTS[0].name.split()[0] in form.body.toPlainText()
                or form.body.toPlainText()
            )
            form.body.setFocus()
            desk.qtbot.keyClick(form.body, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
            desk.qtbot.keyClicks(form.body, extra)

        return fill

    desk.step(draft_step_user, case_id, draft(" Ditetapkan di Sidikalang."))
    if return_once:
        note = "Perbaiki penulisan nama lembaga dan lengkapi dasar hukum."
        desk.step("kabid", case_id, outcome="kembalikan", note=note)
        _screen, dialog = desk.open_step(draft_step_user, case_id)
        returned = dialog.form.findChild(QLabel, "returnNote")
        assert returned is not None and note in returned.text() and "Marlina" in returned.text()
        assert "Ditetapkan di Sidikalang." in dialog.form.body.toPlainText()  # kept, not reset
        desk.qtbot.keyClick(dialog.form.body, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        desk.qtbot.keyClicks(dialog.form.body, " Sudah diperbaiki.")
        desk.save(dialog)
        assert dialog.result is not None
    desk.step("kabid", case_id, outcome="paraf")
    desk.step("sekretaris", case_id, outcome="paraf")

    def sign(dialog: StepDialog) -> None:
        form = dialog.form
        assert isinstance(form, SignForm)
        assert form.electronic.isEnabled()  # pyHanko is installed: both ways are offered
        desk.save(dialog)  # not confirmed yet: refused beside the checkbox, nothing sent
        assert dialog.result is None and form.boxes["konfirmasi"].error
        desk.tick(form.confirm)
        assert form.confirm.isChecked()

    desk.step("kadis", case_id, sign, outcome="ditandatangani")
    shown: dict[str, str] = {}

    def number(dialog: StepDialog) -> None:
        assert isinstance(dialog.form, NumberForm)
        shown["number"] = dialog.form.number.text()

    dialog = desk.step("umum", case_id, number)
    assert not dialog.taken_number.isHidden()  # shown on the result page
    taken = dialog.taken_number.text()
    desk.step("loket", case_id)  # delivery: "Diambil di loket", expedition book
    dialog = desk.step("loket", case_id)  # the applicant receives it: tanda terima
    assert any("Tanda Terima" in b.text() for b in dialog.document_buttons)
    return shown["number"], taken


# ----------------------------------------------------------------------------- the flows


@pytest.mark.slow
def test_dairi_permit_branch_through_the_screens(qtbot, services, users, driver, clock, tmp_path):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    desk = Desk(qtbot, services, clock)
    run_to_recommendation(desk, intake.case_id, tmp_path)
    desk.step("teknis", intake.case_id, outcome="setuju", note="Memenuhi syarat teknis.")
    desk.step("seksi", intake.case_id)  # 16: recommendation received
    shown, taken = run_letter(desk, intake.case_id, return_once=True)

    view = services.queries.case(intake.case_id)
    assert view.status is CaseStatus.ISSUED
    assert shown == taken == view.permit_number == "503/0001/IT-LKSA/DPMPTSPK/2026"
    permit = next(d for d in view.documents if d.kind == "izin")
    final = pdf_text(services.documents.pdf(permit.id))
    assert taken in final and "Sudah diperbaiki." in final and "DRAF" not in final
    book = services.books.agenda("izin_lks_asing", 2026)
    assert [(r.number, r.reg_number) for r in book] == [(taken, view.reg_number)]
    assert [e.recipient_name for e in services.books.expedition(2026)] == [DEMO_APPLICANTS[0].name]
    # The paraf returned and redone, on the exact versions.
    assert [(p.version, p.action) for p in permit.paraf] == [
        (1, "paraf"),
        (1, "kembalikan"),
        (2, "paraf"),
        (2, "paraf"),
        (2, "paraf"),
    ]
    # Photos of the inspection are attached to the case.
    assert any(a.mime == "image/png" for a in view.attachments)

    # The finished case as the applicant's counter sees it: every step timed, no action left.
    screen = desk.login("loket")
    dialog = CaseDialog(services, screen.actor, intake.case_id, screen)
    qtbot.addWidget(dialog)
    dialog.show()
    case = dialog.case_view
    assert not case.act_button.isVisible() and case.status.text() == "Izin terbit"
    timeline = case.timeline.source
    assert timeline.rowCount() == len(view.timeline) == 18
    texts = [timeline.index(r, 9).data() for r in range(timeline.rowCount())]
    assert all(t == "Tepat waktu" or t.startswith("Terlambat ") for t in texts)


@pytest.mark.slow
def test_dairi_rejection_branch_through_the_screens(
    qtbot, services, users, driver, clock, tmp_path
):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    desk = Desk(qtbot, services, clock)
    run_to_recommendation(desk, intake.case_id, tmp_path)
    _screen, dialog = desk.open_step("teknis", intake.case_id)
    qtbot.mouseClick(dialog.outcome_buttons["tolak"], LEFT)
    assert "(wajib)" in dialog.note_label.text()
    desk.save(dialog)  # no reason given: refused beside the note, nothing recorded
    assert dialog.result is None and dialog.note_box.error
    reason = "Lembaga belum memiliki mitra kerja lokal yang terdaftar."
    desk.type_into(dialog.note, reason)
    desk.save(dialog)
    assert dialog.result is not None and "Pembuatan surat penolakan" in dialog.next_label.text()

    shown, taken = run_letter(desk, intake.case_id, return_once=False)
    view = services.queries.case(intake.case_id)
    assert view.status is CaseStatus.REJECTED and view.permit_number is None
    letter = next(d for d in view.documents if d.kind == "penolakan")
    assert shown == taken == letter.number == "503/002/DPMPTSPK/2026"
    text = pdf_text(services.documents.pdf(letter.id))
    assert taken in text and "belum memiliki mitra kerja lokal" in text
    assert taken in [r.number for r in services.books.agenda("surat_keluar", 2026)]


def test_two_users_take_the_same_step(qtbot, services, users, driver, clock):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    services.users.create(
        users["admin"],
        username="loket2",
        full_name="Maruli Hutapea",
        password=DEMO_PASSWORD,
        roles={"front_office"},
    )
    desk = Desk(qtbot, services, clock)
    _first_screen, first = desk.open_step("loket", intake.case_id)
    second_screen, second = desk.open_step("loket2", intake.case_id)
    desk.save(first)
    assert first.result is not None
    before = services.queries.case(intake.case_id)
    desk.save(second)
    assert second.result is None
    assert second.banner.isVisible()
    assert f"sudah ditangani oleh Rina Simanjuntak pukul {clock():%H:%M}" in second.banner.text()
    assert not second.save_button.isEnabled()
    after = services.queries.case(intake.case_id)
    assert after.timeline == before.timeline and after.documents == before.documents
    # The second clerk's list no longer offers the step.
    qtbot.waitUntil(lambda: second_screen.model.rowCount() == 0)


def test_a_role_that_may_not_act_sees_no_action(qtbot, services, users, driver, clock):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    driver.run(intake.case_id, stop_at="verifikasi")
    desk = Desk(qtbot, services, clock)
    kabid = desk.login("kabid")
    assert kabid.model.rowCount() == 0 and kabid.empty.isVisible()
    loket = desk.login("loket")
    dialog = CaseDialog(services, loket.actor, intake.case_id, loket)
    qtbot.addWidget(dialog)
    dialog.show()
    case = dialog.case_view
    assert not case.act_button.isVisible()
    assert "Backoffice" in case.no_action.text()
    assert case.open_step() is None
    step = services.queries.case(intake.case_id, loket.actor).open_step
    with pytest.raises(PermissionDenied):
        services.work.act(loket.actor, ActRequest(step.step_record_id, "benar"))
    seksi = desk.login("seksi")
    own = CaseDialog(services, seksi.actor, intake.case_id, seksi)
    qtbot.addWidget(own)
    own.show()
    assert own.case_view.act_button.isVisible()
    assert "Verifikasi" in own.case_view.act_button.text()


def test_withdraw_and_reopen_from_the_case_window(qtbot, services, users, driver, clock):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    desk = Desk(qtbot, services, clock)
    screen = desk.login("loket")
    desk.click_row(screen.table, desk.task_index(screen, intake.case_id))
    qtbot.mouseClick(screen.open_button, LEFT)
    case = screen.case_dialog.case_view
    assert case.withdraw_button.isVisible() and not case.reopen_button.isVisible()

    qtbot.mouseClick(case.withdraw_button, LEFT)
    ask = case.reason_dialog
    desk.type_into(ask.reason, "ok")
    with qtbot.waitSignal(ask.done, timeout=10_000):
        qtbot.mouseClick(ask.ok_button, LEFT)
    assert "minimal 5 karakter" in ask.box.error  # beside the field; nothing changed
    assert services.queries.case(intake.case_id).status is CaseStatus.RUNNING
    desk.type_into(ask.reason, "Pemohon membatalkan rencana kegiatan.", replace=True)
    with qtbot.waitSignal(ask.done, timeout=10_000):
        qtbot.mouseClick(ask.ok_button, LEFT)
    assert case.status.text() == "Ditarik"
    assert case.reopen_button.isVisible() and not case.act_button.isVisible()
    rows = case.timeline.source
    last = rows.index(rows.rowCount() - 1, 10).data()
    assert last == "Pemohon membatalkan rencana kegiatan."
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0)

    clock.advance(60)
    qtbot.mouseClick(case.reopen_button, LEFT)
    ask = case.reason_dialog
    desk.type_into(ask.reason, "Pemohon melanjutkan permohonan.")
    with qtbot.waitSignal(ask.done, timeout=10_000):
        qtbot.mouseClick(ask.ok_button, LEFT)
    assert case.status.text() == "Dalam proses" and case.act_button.isVisible()
    last = rows.index(rows.rowCount() - 1, 10).data()
    assert last == "Dibuka kembali: Pemohon melanjutkan permohonan."
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1)


def test_task_list_refreshes_when_another_pc_acts(qtbot, services, users, driver, clock):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    seksi = services.users.login("seksi", DEMO_PASSWORD)
    live = LiveUpdates(services, poll_ms=100, coalesce_ms=50)
    screen = TasksScreen(services, seksi, live=live)
    live.setParent(screen)
    qtbot.addWidget(screen)
    screen.show()
    if services.db.is_postgresql:
        assert live.watcher.listening.wait(10)
    assert screen.model.rowCount() == 0
    other_pc = Services.open(services.db.url, FORMS, clock=clock)
    try:
        task = other_pc.queries.tasks(users["front_office"])[0]
        other_pc.work.act(users["front_office"], ActRequest(task.step_record_id, "selesai"))
    finally:
        other_pc.close()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=10_000)
    row = screen.model.row(0)
    assert row.case_id == intake.case_id and row.step_name.startswith("Verifikasi")
    # Overdue shows in the list by itself as time passes (no reload needed for the text).
    clock.advance(3 * 24 * 60)
    screen.tick()
    assert screen.table.proxy.index(0, 0).data().startswith("Terlambat ")
    assert screen.table.proxy.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_payment_of_the_skrd(qtbot, tmp_path, db_url):
    """A permit type with a fee: the SKRD is issued from the payment step, then paid."""
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "_kantor.toml").write_text((FORMS / "_kantor.toml").read_text("utf-8"), "utf-8")
    text = (FORMS / "pasuruan-nomor-induk-kesenian.toml").read_text("utf-8")
    text = text.replace("fee = 0", "fee = 50000").replace(
        'total = "3 Hari 90 menit"', 'total = "3 Hari 120 menit"'
    )
    text = text.replace(
        'outcomes = { benar = "verifikasi_ba", tidak_benar = "@pemohon" }',
        'outcomes = { benar = "bayar", tidak_benar = "@pemohon" }\n\n[[steps]]\nid = "bayar"\n'
        'no = 4\nname = "Pembayaran retribusi"\nactor = "backoffice"\naction = "pembayaran"\n'
        'inputs = "SKRD"\ntime = "30 menit"\noutput = "Bukti bayar"\n'
        'outcomes = { dibayar = "verifikasi_ba" }',
    )
    for old, new in ((4, 5), (5, 6), (6, 7)):
        marker = {4: "Koordinator PTSP II", 5: "Menandatangani", 6: "Menerbitkan"}[old]
        text = text.replace(f'no = {old}\nname = "{marker}', f'no = {new}\nname = "{marker}')
    (forms / "pasuruan-nomor-induk-kesenian.toml").write_text(text, "utf-8")
    clock = demo_clock()
    services = Services.open(db_url, forms, clock=clock)
    try:
        users = create_demo_users(services)
        driver = CaseDriver(services, users, clock)
        intake = driver.submit("PASURUAN-NIK-KESENIAN", DEMO_APPLICANTS[2])
        driver.run(intake.case_id, stop_at="bayar")
        desk = Desk(qtbot, services, clock)
        _screen, dialog = desk.open_step("seksi", intake.case_id)
        form = dialog.form
        assert (
            isinstance(form, PaymentForm)
            and "50.000" in form.form.itemAt(0, form.form.ItemRole.FieldRole).widget().text()
        )
        assert not form.proof.isEnabled() and form.issue_button.isVisible()
        desk.save(dialog)
        assert dialog.result is None and form.boxes["skrd"].error
        with qtbot.waitSignal(form.changed, timeout=20_000):
            qtbot.mouseClick(form.issue_button, LEFT)
        assert form.proof.isEnabled() and form.skrd.text().startswith("Nomor 503/")
        desk.type_into(form.proof, "STS-0042/2026")
        desk.save(dialog)
        assert dialog.result is not None
        view = services.queries.case(intake.case_id)
        assert view.open_step.step_id == "verifikasi_ba"
        assert any(d.kind == "skrd" for d in view.documents)
    finally:
        wait_for_all()
        services.close()
