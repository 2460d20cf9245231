"""The Tugas desk's signing through BSrE, driven with keys and clicks against the real BSrE
simulator (HTTP on 127.0.0.1, started per test; the client is never patched):

- the signing step asks the passphrase in a password field: a wrong one (BSrE 2031) is said
  beside the field, which is emptied, and nothing changes; the right one signs and numbers;
- the gateway is down: the step says so and offers wet signature with TTE to follow, which
  is recorded; once the case is numbered and the gateway is back, "TTE menunggu" signs it;
- "Tandatangani semua draf": three drafts, one refused → two signed, one reported; the
  progress dialog's Batal stops between files.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from gestures import choose
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from desktop_perizinan.devtools.bsre_sim import DEMO_USERS, BsreSimulator
from desktop_perizinan.services import batch_signing as bs
from desktop_perizinan.services import esign, tte_outage
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    DEMO_PASSWORD,
    CaseDriver,
    create_demo_users,
)
from desktop_perizinan.ui.buku import BooksScreen
from desktop_perizinan.ui.laporan.screen import ReportsScreen
from desktop_perizinan.ui.tugas import StepDialog, TasksScreen
from desktop_perizinan.ui.tugas.batch_sign import BatchSignDialog
from desktop_perizinan.ui.tugas.steps import SignForm
from desktop_perizinan.ui.tugas.tte_susulan import DeferredTteDialog
from desktop_perizinan.workflow.definition import CaseStatus

pytestmark = pytest.mark.gui

DAIRI = "DAIRI-LKS-ASING"
SIGNER = DEMO_USERS[0]
LEFT = Qt.MouseButton.LeftButton
FIRST_NUMBER = "503/0001/IT-LKSA/DPMPTSPK/2026"


@pytest.fixture
def sim() -> Iterator[BsreSimulator]:
    with BsreSimulator() as simulator:
        yield simulator


@pytest.fixture
def users(services: Services) -> dict[str, Actor]:
    return create_demo_users(services)


@pytest.fixture
def driver(services: Services, users: dict[str, Actor], clock) -> CaseDriver:  # type: ignore[no-untyped-def]
    return CaseDriver(services, users, clock)


def use_gateway(services: Services, users: dict[str, Actor], url: str) -> None:
    esign.save_signer_config(
        services,
        users["admin"],
        esign.SignerConfig(
            user_id=users["kadis"].id, backend="bsre", gateway_url=url, nik=SIGNER.nik
        ),
    )


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def at_signing(driver: CaseDriver, seed: int = 0) -> int:
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[seed % len(DEMO_APPLICANTS)], seed=seed)
    assert driver.run(intake.case_id, stop_at="ttd_izin") is CaseStatus.RUNNING
    return intake.case_id


def click_radio(qtbot: QtBot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, LEFT, pos=QPoint(8, button.height() // 2))


def type_over(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def tasks_screen(qtbot: QtBot, services: Services) -> TasksScreen:
    actor = services.users.login("kadis", DEMO_PASSWORD)
    screen = TasksScreen(services, actor)
    qtbot.addWidget(screen)
    screen.resize(1200, 520)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def open_step(qtbot: QtBot, screen: TasksScreen, case_id: int) -> StepDialog:
    proxy = screen.table.proxy
    rows = [proxy.index(r, 0) for r in range(proxy.rowCount())]
    index = next(i for i in rows if screen.model.row(proxy.mapToSource(i).row()).case_id == case_id)
    qtbot.mouseClick(screen.table.viewport(), LEFT, pos=screen.table.visualRect(index).center())
    qtbot.mouseClick(screen.act_button, LEFT)
    dialog = screen.step_dialog
    assert isinstance(dialog, StepDialog) and dialog.isVisible()
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    return dialog


def save(qtbot: QtBot, dialog: StepDialog) -> None:
    with qtbot.waitSignal(dialog.settled, timeout=30_000):
        qtbot.mouseClick(dialog.save_button, LEFT)


def test_sign_through_bsre_wrong_then_right_passphrase(
    qtbot: QtBot, services: Services, users, driver, sim, tmp_path: Path, sqlite_url: str
) -> None:
    esign.add_trust_root(services, users["admin"], sim.ca_pem)
    use_gateway(services, users, sim.url)
    case_id = at_signing(driver)
    screen = tasks_screen(qtbot, services)
    dialog = open_step(qtbot, screen, case_id)
    form = dialog.form
    assert isinstance(form, SignForm)
    click_radio(qtbot, form.electronic)
    assert form.passphrase_box.isVisibleTo(form) and not form.p12_box.isVisibleTo(form)
    assert form.form.labelForField(form.passphrase_box).text() == "Passphrase TTE"
    assert sim.url in form.gateway.text() and SIGNER.nik in form.gateway.text()
    assert form.passphrase.echoMode() is QLineEdit.EchoMode.Password

    type_over(qtbot, form.passphrase, "bukan-passphrase")
    save(qtbot, dialog)
    assert dialog.result is None
    assert "Passphrase TTE salah (kode 2031)" in form.passphrase_box.error
    assert form.passphrase.text() == ""  # emptied after the call
    assert dialog.save_button.isEnabled()
    view = services.queries.case(case_id)
    assert view.open_step.step_id == "ttd_izin" and view.permit_number is None

    type_over(qtbot, form.passphrase, SIGNER.passphrase)
    save(qtbot, dialog)
    assert dialog.result is not None, dialog.banner.text()
    assert any(FIRST_NUMBER in b.text() for b in dialog.document_buttons)
    assert form.passphrase.text() == ""
    view = services.queries.case(case_id)
    assert view.permit_number == FIRST_NUMBER and view.open_step.step_id == "nomor_izin"
    permit = next(d for d in view.documents if d.kind == "izin")
    (report,) = esign.validate_signatures(services.documents.pdf(permit.id), [sim.pki.certificate])
    assert report.ok and report.signer.common_name == SIGNER.name
    assert sim.sign_requests[-1]["api"] == "v1"
    dialog.grab().save(str(tmp_path / "tugas_sign_bsre.png"))
    qtbot.mouseClick(dialog.close_button, LEFT)
    database = Path(sqlite_url.removeprefix("sqlite:///")).read_bytes()
    assert SIGNER.passphrase.encode() not in database
    assert b"bukan-passphrase" not in database


def test_gateway_down_wet_signature_then_tte_from_the_waiting_list(
    qtbot: QtBot, services: Services, users, driver, sim, tmp_path: Path
) -> None:
    esign.add_trust_root(services, users["admin"], sim.ca_pem)
    use_gateway(services, users, dead_url())
    case_id = at_signing(driver)
    screen = tasks_screen(qtbot, services)
    assert not screen.deferred_button.isVisible()
    dialog = open_step(qtbot, screen, case_id)
    form = dialog.form
    assert isinstance(form, SignForm)
    assert not form.wet_deferred.isVisibleTo(form)
    click_radio(qtbot, form.electronic)
    qtbot.keyClicks(form.passphrase, SIGNER.passphrase)
    save(qtbot, dialog)
    assert dialog.result is None
    assert form.outage.isVisible(), (dialog.result, {k: b.error for k, b in form.boxes.items()})
    assert "tidak dapat dihubungi" in form.outage.text()
    assert form.wet_deferred.isVisible() and form.wet_deferred.isChecked()
    assert form.confirm.isEnabled() and form.passphrase.text() == ""
    dialog.grab().save(str(tmp_path / "tugas_sign_outage.png"))
    assert services.queries.case(case_id).permit_number is None  # nothing changed yet

    # Without ticking the confirmation it is refused beside the box; then signed wet.
    save(qtbot, dialog)
    assert "konfirmasi" in form.boxes["konfirmasi"].error.lower()
    qtbot.mouseClick(form.confirm, LEFT, pos=QPoint(8, form.confirm.height() // 2))
    assert form.confirm.isChecked()
    save(qtbot, dialog)
    assert dialog.result is not None, dialog.banner.text()
    qtbot.mouseClick(dialog.close_button, LEFT)
    (waiting,) = tte_outage.pending(services)
    assert waiting.case_id == case_id and waiting.number is None

    # The case goes on the wet path and is numbered; the book says the TTE is still owed.
    assert driver.run(case_id) is CaseStatus.ISSUED
    (line,) = services.books.agenda("izin_lks_asing", 2026)
    assert line.signature == "basah, TTE menunggu"
    screen.reload()
    assert screen.deferred_button.isVisible() and "(1)" in screen.deferred_button.text()

    # Laporan > TTE menunggu lists it (clicked to, like a user would).
    reports = ReportsScreen(services, users["kadis"])
    qtbot.addWidget(reports)
    reports.resize(1200, 600)
    reports.show()
    qtbot.waitExposed(reports)
    bar = reports.tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(reports.pending_tte_index).center())
    assert reports.tabs.currentIndex() == reports.pending_tte_index
    tab = reports.pending_tte
    assert tab.model.rowCount() == 1 and tab.summary.text().startswith("1 surat menunggu TTE")
    assert tab.model.data(tab.model.index(0, 0)) == line.number
    reports.grab().save(str(tmp_path / "laporan_tte_menunggu.png"))
    reports.close()

    # The gateway is back: the Kadis signs the TTE from "TTE menunggu".
    use_gateway(services, users, sim.url)
    qtbot.mouseClick(screen.deferred_button, LEFT)
    waiting_dialog = screen.deferred_dialog
    assert isinstance(waiting_dialog, DeferredTteDialog) and waiting_dialog.isVisible()
    waiting_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    assert waiting_dialog.model.rowCount() == 1
    assert waiting_dialog.sign_button.isEnabled()
    waiting_dialog.grab().save(str(tmp_path / "tte_menunggu.png"))
    qtbot.keyClicks(waiting_dialog.secret, SIGNER.passphrase)
    with qtbot.waitSignal(waiting_dialog.settled, timeout=30_000):
        qtbot.mouseClick(waiting_dialog.sign_button, LEFT)
    assert waiting_dialog.secret.text() == ""
    assert "versi final" in waiting_dialog.banner.text(), waiting_dialog.banner.text()
    assert waiting_dialog.model.rowCount() == 0
    assert tte_outage.pending(services) == []
    (line,) = services.books.agenda("izin_lks_asing", 2026)
    assert line.signature.startswith("basah, TTE ") and "menunggu" not in line.signature
    qtbot.mouseClick(waiting_dialog.close_button, LEFT)


def open_batch(qtbot: QtBot, screen: TasksScreen) -> BatchSignDialog:
    assert screen.batch_button.isVisible()
    qtbot.mouseClick(screen.batch_button, LEFT)
    dialog = screen.batch_dialog
    assert isinstance(dialog, BatchSignDialog) and dialog.isVisible()
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    return dialog


def test_batch_signing_with_one_refused_file(
    qtbot: QtBot, services: Services, users, driver, sim, tmp_path: Path
) -> None:
    use_gateway(services, users, sim.url)
    cases = [at_signing(driver, seed) for seed in range(3)]
    screen = tasks_screen(qtbot, services)
    assert "(3)" in screen.batch_button.text()
    dialog = open_batch(qtbot, screen)
    assert dialog.list.count() == 3
    assert dialog.sign_button.text().replace("&", "") == "Tandatangani 3 dokumen"
    # Nothing typed: refused beside the field, nothing sent.
    qtbot.mouseClick(dialog.sign_button, LEFT)
    assert "passphrase" in dialog.secret_box.error.lower()
    assert sim.sign_requests == []

    sim.inject("2031")  # BSrE refuses the first file's passphrase once
    qtbot.keyClicks(dialog.secret, SIGNER.passphrase)
    with qtbot.waitSignal(dialog.settled, timeout=60_000):
        qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
    assert dialog.secret.text() == ""
    report = dialog.report
    assert report is not None
    assert [r.status for r in report.results] == [bs.FAILED, bs.SIGNED, bs.SIGNED]
    assert dialog.pages.currentIndex() == 1
    assert dialog.summary.text().startswith("2 dari 3 dokumen ditandatangani, 1 gagal")
    texts = [
        dialog.results.data(dialog.results.index(row, 3))
        for row in range(dialog.results.rowCount())
    ]
    # The refused file keeps the number taken for it before its gateway call (no gap).
    assert "kode 2031" in texts[0] and texts[1] == "503/0002/IT-LKSA/DPMPTSPK/2026"
    dialog.grab().save(str(tmp_path / "batch_result.png"))
    failed = report.results[0].draft.case_id
    assert services.queries.case(failed).permit_number is None
    assert services.queries.case(failed).open_step.step_id == "ttd_izin"
    assert {r.draft.case_id for r in report.results} == set(cases)
    qtbot.mouseClick(dialog.close_button, LEFT)
    assert not screen.batch_button.isVisible()  # one draft left: the step dialog does it

    # The Buku shows the kept number as the letter's, still waiting for its signature.
    books = BooksScreen(services, services.users.login("umum", DEMO_PASSWORD))
    qtbot.addWidget(books)
    books.resize(1280, 720)
    books.show()
    qtbot.waitExposed(books)
    choose(qtbot, books.book_combo, "Buku Agenda Penomoran Izin LKS Asing")
    qtbot.waitUntil(lambda: books.model.rowCount() == 3 and not books.loading.running)
    notes = [
        books.model.data(books.model.index(row, books.model.columnCount() - 1)) for row in range(3)
    ]
    assert notes == ["menunggu TTD", "", ""]
    books.grab().save(str(tmp_path / "buku_kept_number.png"))


def test_batch_progress_dialog_cancels_between_files(
    qtbot: QtBot, services: Services, users, driver, sim
) -> None:
    use_gateway(services, users, sim.url)
    for seed in range(3):
        at_signing(driver, seed)
    screen = tasks_screen(qtbot, services)
    dialog = open_batch(qtbot, screen)
    sim.inject("slow", count=3, delay=0.6)  # each file takes a while: time to click Batal
    qtbot.keyClicks(dialog.secret, SIGNER.passphrase)
    with qtbot.waitSignal(dialog.settled, timeout=60_000):
        qtbot.mouseClick(dialog.sign_button, LEFT)
        progress = dialog.findChild(QProgressDialog, "batchProgress")
        assert progress is not None
        qtbot.waitUntil(lambda: progress.isVisible() and "Berkas 1 dari 3" in progress.labelText())
        cancel = next(b for b in progress.findChildren(QPushButton) if b.text() == "Batal")
        qtbot.mouseClick(cancel, LEFT)
    report = dialog.report
    assert report is not None and report.cancelled
    assert report.results[0].status == bs.SIGNED
    assert report.results[-1].status == bs.CANCELLED
    assert "dihentikan atas permintaan Anda" in dialog.summary.text()
    assert len(bs.waiting_drafts(services, users["kadis"])) == report.count(bs.CANCELLED)
    qtbot.mouseClick(dialog.close_button, LEFT)


def test_batch_signing_with_the_own_pkcs12(
    qtbot: QtBot, services: Services, users, driver, tmp_path: Path
) -> None:
    """A signer without BSrE: the batch asks for the .p12 once and its password once."""
    from pki import KADIS_NAME, PASSPHRASE, kadis_pkcs12, make_ca

    ca = make_ca()
    p12 = tmp_path / "marisi.p12"
    p12.write_bytes(kadis_pkcs12(ca))
    for seed in range(2):
        at_signing(driver, seed)
    screen = tasks_screen(qtbot, services)
    dialog = open_batch(qtbot, screen)
    dialog.choose_certificate = lambda _parent: str(p12)
    qtbot.mouseClick(dialog.p12_button, LEFT)
    assert dialog.p12_button.text() == "marisi.p12"
    qtbot.keyClicks(dialog.secret, PASSPHRASE)
    with qtbot.waitSignal(dialog.settled, timeout=60_000):
        qtbot.mouseClick(dialog.sign_button, LEFT)
    report = dialog.report
    assert report is not None and report.count(bs.SIGNED) == 2, dialog.banner.text()
    for result in report.results:
        permit = next(
            d for d in services.queries.case(result.draft.case_id).documents if d.kind == "izin"
        )
        (sig,) = esign.validate_signatures(services.documents.pdf(permit.id), [ca.certificate])
        assert sig.ok and sig.signer.common_name == KADIS_NAME
    qtbot.mouseClick(dialog.close_button, LEFT)
