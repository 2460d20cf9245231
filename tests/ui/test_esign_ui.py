"""Electronic signatures through the screens, on SQLite and on PostgreSQL:

- the Kadis signs a permit from the Tugas desk with his PKCS#12 (file chosen in the file
  dialog, passphrase typed): the case moves on, the final says "Ditandatangani secara
  elektronik" and its signature validates; a wrong passphrase is a message beside the field and
  changes nothing;
- a permit signed outside the app is imported from the case window: refused in the service's
  own words while the office trusts no CA, stored as the newest final once the administrator
  has added the CA in Pengaturan;
- the Pengaturan tab "Tanda tangan elektronik": trusted CA certificates (list, add, remove with
  confirmation, clear messages for files that are not certificates) and the TSA address;
- a screenshot of the tab (``$PERIZINAN_SCREENSHOTS_DIR`` or ``tmp_path``).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from pki import KADIS_NAME, PASSPHRASE, TestCA, kadis_pkcs12, make_ca
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QFileDialog,
    QLineEdit,
    QMessageBox,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_perizinan.db.models import AuditEntry
from desktop_perizinan.errors import ValidationError
from desktop_perizinan.services import esign
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    DEMO_PASSWORD,
    CaseDriver,
    SteppingClock,
    create_demo_users,
    demo_clock,
)
from desktop_perizinan.services.verification import Verdict, verify_pdf
from desktop_perizinan.ui.pengaturan import SettingsScreen
from desktop_perizinan.ui.pengaturan.esign_tab import EsignTab
from desktop_perizinan.ui.tugas import CaseDialog, StepDialog, TasksScreen
from desktop_perizinan.ui.tugas.case_view import IMPORT_SIGNED_ROLES
from desktop_perizinan.ui.tugas.steps import SignForm
from desktop_perizinan.ui.worker import wait_for_all
from desktop_perizinan.workflow.definition import CaseStatus

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
DAIRI = "DAIRI-LKS-ASING"
PERMIT_NUMBER = "503/0001/IT-LKSA/DPMPTSPK/2026"
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


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return make_ca()


@pytest.fixture
def choose_file(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Answer the next file dialogs with ``path`` (what the user would pick)."""

    def answer(path: Path) -> None:
        def fake(*_args: object, **_kwargs: object) -> tuple[str, str]:
            return str(path), ""

        monkeypatch.setattr(QFileDialog, "getOpenFileName", fake)

    return answer


def pdf_text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join((page.extract_text() or "") for page in pages).split())


def type_over(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(edit, text)


def click_radio(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click a radio button on its circle (its centre may be past the label)."""
    qtbot.mouseClick(button, LEFT, pos=QPoint(8, button.height() // 2))


def answer_box(qtbot: QtBot, box: QMessageBox, text: str) -> None:
    """Click a button of a question box, then let the event loop delete the box (it closes
    with WA_DeleteOnClose) while the test still holds it: a box deleted only after the test has
    returned crashes PySide in pytest-qt's final event processing."""
    assert box.isVisible()
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    qtbot.mouseClick(button, LEFT)
    qtbot.wait(20)


def audit_actions(services: Services) -> list[str]:
    with services.db.reading() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# ----------------------------------------------------------------------------- signing


def open_sign_step(qtbot: QtBot, services: Services, case_id: int) -> StepDialog:
    """Log in as the Kadis, pick the case in the task list, click "Kerjakan langkah"."""
    actor = services.users.login("kadis", DEMO_PASSWORD)
    assert actor.full_name == KADIS_NAME
    screen = TasksScreen(services, actor)
    qtbot.addWidget(screen)
    screen.resize(1200, 500)
    screen.show()
    qtbot.waitExposed(screen)
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


def test_kadis_signs_electronically_from_the_task_desk(
    qtbot: QtBot, services: Services, driver: CaseDriver, ca: TestCA, tmp_path: Path, choose_file
) -> None:
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    assert driver.run(intake.case_id, stop_at="ttd_izin") is CaseStatus.RUNNING
    before = services.queries.case(intake.case_id)
    p12 = tmp_path / "marisi-sianturi.p12"
    p12.write_bytes(kadis_pkcs12(ca))

    dialog = open_sign_step(qtbot, services, intake.case_id)
    form = dialog.form
    assert isinstance(form, SignForm)
    assert form.electronic.isEnabled()
    assert not form.p12_box.isVisibleTo(form)  # wet signing is the default
    click_radio(qtbot, form.electronic)
    assert form.electronic.isChecked() and form.p12_box.isVisibleTo(form)
    assert not form.confirm.isEnabled()
    choose_file(p12)
    qtbot.mouseClick(form.p12_button, LEFT)
    assert form.p12_button.text() == "marisi-sianturi.p12"
    qtbot.mouseClick(dialog.outcome_buttons["ditandatangani"], LEFT)

    # A wrong passphrase: the message beside the passphrase, nothing sent to the books.
    type_over(qtbot, form.passphrase, "bukan-sandinya")
    save(qtbot, dialog)
    assert dialog.result is None and not dialog.banner.isVisible()
    assert "Kata sandi (passphrase) sertifikat salah" in form.passphrase_box.error
    assert dialog.save_button.isEnabled()
    after = services.queries.case(intake.case_id)
    assert after.timeline == before.timeline and after.documents == before.documents
    assert after.permit_number is None
    assert services.books.agenda("izin_lks_asing", 2026) == []

    # The right one: signed, numbered, and the case moves on to the penomoran step.
    type_over(qtbot, form.passphrase, PASSPHRASE)
    save(qtbot, dialog)
    assert not dialog.banner.isVisible(), dialog.banner.text()
    assert dialog.result is not None and dialog.pages.currentIndex() == 1
    assert "tersimpan" in dialog.result_title.text()
    assert any(PERMIT_NUMBER in b.text() for b in dialog.document_buttons)

    view = services.queries.case(intake.case_id)
    assert view.open_step is not None and view.open_step.step_id == "nomor_izin"
    assert view.permit_number == PERMIT_NUMBER
    permit = next(d for d in view.documents if d.kind == "izin")
    assert permit.status == "final" and permit.sign_mode == "elektronik"
    final = services.documents.pdf(permit.id)
    text = pdf_text(final)
    assert "Ditandatangani secara elektronik" in text and "Marisi Sianturi" in text
    assert PERMIT_NUMBER in text and "DRAF" not in text
    (report,) = esign.validate_signatures(final, [ca.certificate])
    assert report.ok and report.signer is not None and report.signer.common_name == KADIS_NAME
    # The passphrase and the PKCS#12 are nowhere in the database's view of the case.
    assert PASSPHRASE not in str(view)
    qtbot.mouseClick(dialog.close_button, LEFT)


# ----------------------------------------------------------------------------- import


def test_import_a_permit_signed_elsewhere_from_the_case_window(
    qtbot: QtBot,
    services: Services,
    users: dict[str, Actor],
    driver: CaseDriver,
    ca: TestCA,
    tmp_path: Path,
    choose_file,
) -> None:
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    assert driver.run(intake.case_id) is CaseStatus.ISSUED
    view = services.queries.case(intake.case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    final = services.documents.pdf(permit.id)
    identity = esign.open_pkcs12(kadis_pkcs12(ca), PASSPHRASE)
    signed = esign.sign_pdf(identity, final, field_name="BSrE")
    signed_file = tmp_path / "izin-ditandatangani.pdf"
    signed_file.write_bytes(signed)

    seksi = services.users.login("seksi", DEMO_PASSWORD)
    dialog = CaseDialog(services, seksi, intake.case_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    case = dialog.case_view
    case.tabs.setCurrentIndex(3)  # Dokumen
    button = case.import_signed_button
    assert button.isVisible() and button.isEnabled()
    assert button.text().replace("&", "") == "Impor dokumen bertanda tangan elektronik…"
    target = case.import_target()
    assert target is not None and target.id == permit.id

    # No trusted CA yet: refused, the service's sentence shown as it is, nothing stored.
    with pytest.raises(ValidationError) as refused:
        esign.import_signed(services, users["backoffice"], permit.id, signed)
    choose_file(signed_file)
    qtbot.mouseClick(button, LEFT)
    qtbot.waitUntil(lambda: case.import_message is not None, timeout=20_000)
    box = case.import_message
    assert box is not None and box.icon() is QMessageBox.Icon.Warning
    assert box.text() == refused.value.message
    assert box.text().startswith("Belum ada sertifikat CA terpercaya di Pengaturan")
    box.accept()
    qtbot.wait(20)  # let the closed box be deleted while the test holds it
    assert services.documents.pdf(permit.id) == final
    assert services.queries.case(intake.case_id).documents == view.documents

    # The administrator adds the CA in Pengaturan > Tanda tangan elektronik.
    ca_file = tmp_path / "ca-uji.pem"
    ca_file.write_bytes(ca.pem)
    tab = EsignTab(services, users["admin"])
    qtbot.addWidget(tab)
    choose_file(ca_file)
    qtbot.mouseClick(tab.add_button, LEFT)
    assert tab.model.rowCount() == 1, tab.banner.text()

    # Imported: the newest final, signed, and verified as the book's document.
    case.import_message = None
    choose_file(signed_file)
    qtbot.mouseClick(button, LEFT)
    qtbot.waitUntil(lambda: case.import_message is not None, timeout=20_000)
    box = case.import_message
    assert box is not None and box.icon() is QMessageBox.Icon.Information, box.text()
    assert PERMIT_NUMBER in box.text()
    assert f"versi final ke-{permit.versions + 1}" in box.text()
    assert "Sertifikat berantai ke CA terpercaya" in box.text()
    box.accept()
    qtbot.wait(20)  # let the closed box be deleted while the test holds it
    assert services.documents.pdf(permit.id) == signed
    now = next(d for d in services.queries.case(intake.case_id).documents if d.id == permit.id)
    assert now.versions == permit.versions + 1 and now.sign_mode == "elektronik"
    top = next(
        case.documents.topLevelItem(i)
        for i in range(case.documents.topLevelItemCount())
        if case.documents.topLevelItem(i).text(1) == PERMIT_NUMBER
    )
    assert top.text(2) == "final, ttd elektronik" and top.childCount() == now.versions
    verdict = verify_pdf(services, signed)
    assert verdict.verdict is Verdict.VALID and verdict.signatures[0].ok
    assert "dokumen.impor_tte" in audit_actions(services)


def test_who_sees_the_import_action(
    qtbot: QtBot, services: Services, users: dict[str, Actor], driver: CaseDriver
) -> None:
    assert set(esign.IMPORT_ROLES) == IMPORT_SIGNED_ROLES  # the screen mirrors the service
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    driver.run(intake.case_id, stop_at="ttd_izin")
    for username, visible in (("seksi", False), ("loket", False)):
        # Not final yet: nothing to replace; and the counter may never import.
        actor = services.users.login(username, DEMO_PASSWORD)
        dialog = CaseDialog(services, actor, intake.case_id)
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.case_view.import_signed_button.isHidden() is not visible
    driver.run(intake.case_id)
    for username, visible in (("seksi", True), ("umum", True), ("kadis", True), ("loket", False)):
        actor = services.users.login(username, DEMO_PASSWORD)
        dialog = CaseDialog(services, actor, intake.case_id)
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.case_view.import_signed_button.isHidden() is not visible, username


# ----------------------------------------------------------------------------- the settings tab


def settings_tab(qtbot: QtBot, services: Services, admin: Actor) -> tuple[SettingsScreen, EsignTab]:
    screen = SettingsScreen(services, admin)
    qtbot.addWidget(screen)
    screen.resize(1090, 720)  # the main window's screen area at its default size
    screen.show()
    qtbot.waitExposed(screen)
    tab = screen.tabs.findChild(EsignTab, "esignTab")
    assert isinstance(tab, EsignTab)
    index = screen.tabs.indexOf(tab)
    assert screen.tabs.tabText(index).replace("&", "") == "Tanda tangan elektronik"
    screen.show_tab(index)
    assert screen.tabs.currentWidget() is tab
    return screen, tab


def der(cert) -> bytes:  # type: ignore[no-untyped-def]
    return cert.public_bytes(serialization.Encoding.DER)


def test_trusted_ca_certificates_are_listed_added_and_removed(
    qtbot: QtBot,
    services: Services,
    users: dict[str, Actor],
    ca: TestCA,
    tmp_path: Path,
    choose_file,
) -> None:
    _screen, tab = settings_tab(qtbot, services, users["admin"])
    assert tab.model.rowCount() == 0 and not tab.remove_button.isEnabled()
    assert tab.count_label.text() == "Belum ada sertifikat CA terpercaya."
    assert "tidak dapat diimpor" in tab.details.text()

    def add(name: str, data: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        choose_file(path)
        qtbot.mouseClick(tab.add_button, LEFT)
        assert tab.banner.isVisible()
        return tab.banner.text()

    # Files that are not certificates: a sentence that says what to pick instead.
    message = add("catatan.cer", b"ini bukan sertifikat")
    assert message.startswith("Berkas catatan.cer tidak dapat dibaca sebagai sertifikat.")
    assert "BSrE" in message
    assert "sertifikat pribadi PKCS#12" in add("marisi.p12", kadis_pkcs12(ca))
    assert "sertifikat pribadi PKCS#12" in add("dinamai-ulang.cer", kadis_pkcs12(ca))
    assert "dokumen PDF, bukan sertifikat" in add("surat.crt", b"%PDF-1.7\n%%EOF\n")
    key_pem = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    assert "berisi kunci privat" in add("kunci.pem", key_pem)
    assert "kosong" in add("kosong.pem", b"")
    assert tab.model.rowCount() == 0 and esign.list_trust_roots(services) == []

    # The CA, as PEM: listed with subject, issuer, validity and fingerprint.
    message = add("ca-uji.pem", ca.pem)
    assert message.startswith("Ditambahkan ke CA terpercaya: CA Uji Perizinan."), message
    assert tab.model.rowCount() == 1
    info = esign.CertificateInfo.of(ca.certificate)
    texts = [tab.model.index(0, c).data() for c in range(tab.model.columnCount())]
    assert texts[0] == "CA Uji Perizinan" and texts[1] == "CA Uji Perizinan"
    assert texts[2] == "31 Des 2019 s.d. 02 Jan 2036"
    assert texts[3].startswith(info.fingerprint[:8].upper())
    assert tab.selected() == info and tab.remove_button.isEnabled()
    full = ":".join(info.fingerprint.upper()[i : i + 2] for i in range(0, 64, 2))
    assert full in tab.details.text() and "Balai Uji Sertifikasi" in tab.details.text()
    # The same certificate again, as DER: nothing added, and it says so.
    assert "sudah ada di daftar" in add("ca-uji.der", der(ca.certificate))
    # Another CA, and a person's certificate (accepted, with a caution).
    other = make_ca("CA Lain", key_slot=5)
    assert add("ca-lain.crt", der(other.certificate)).startswith("Ditambahkan")
    _key, person = ca.issue("Orang Biasa", key_slot=2)
    message = add("orang.cer", person.public_bytes(serialization.Encoding.PEM))
    assert "Perhatian: Orang Biasa bukan sertifikat CA" in message
    assert tab.model.rowCount() == 3 and tab.count_label.text() == "3 sertifikat CA"
    assert tab.selected() is not None and tab.selected().common_name == "Orang Biasa"

    # Remove, with a question first; "Batal" keeps it.
    box = tab.remove_selected()
    assert box is not None and "Orang Biasa" in box.text()
    answer_box(qtbot, box, "Batal")
    assert tab.model.rowCount() == 3
    qtbot.mouseClick(tab.remove_button, LEFT)
    assert tab.message is not None
    answer_box(qtbot, tab.message, "Hapus")
    assert tab.model.rowCount() == 2
    assert tab.banner.text() == "Dihapus dari daftar CA terpercaya: Orang Biasa."
    assert {r.common_name for r in esign.list_trust_roots(services)} == {
        "CA Uji Perizinan",
        "CA Lain",
    }
    actions = audit_actions(services)
    assert actions.count("pengaturan.ca_tambah") == 3 and actions.count("pengaturan.ca_hapus") == 1


def test_the_timestamp_server_address(
    qtbot: QtBot, services: Services, users: dict[str, Actor]
) -> None:
    _screen, tab = settings_tab(qtbot, services, users["admin"])
    note = tab.findChild(type(tab.tsa_state), "tsaNote")
    assert note is not None and "Tanpa internet tidak ada cap waktu yang dipakai" in note.text()
    assert tab.tsa_edit.text() == "" and "tanpa cap waktu (PAdES B-B)" in tab.tsa_state.text()

    type_over(qtbot, tab.tsa_edit, "tsa.contoh.go.id")
    qtbot.mouseClick(tab.tsa_button, LEFT)
    assert "harus diawali http:// atau https://" in tab.tsa_box.error
    type_over(qtbot, tab.tsa_edit, "http://tsa contoh")
    qtbot.keyClick(tab.tsa_edit, Qt.Key.Key_Return)
    assert "tidak boleh berisi spasi" in tab.tsa_box.error
    with services.db.reading() as session:
        assert esign.timestamp_url(session) is None

    type_over(qtbot, tab.tsa_edit, "http://tsa.contoh.go.id/tsr")
    assert tab.tsa_box.error == ""  # typing clears the old message
    qtbot.mouseClick(tab.tsa_button, LEFT)
    assert tab.banner.text().startswith("Alamat server cap waktu disimpan")
    assert "PAdES B-T" in tab.tsa_state.text()
    with services.db.reading() as session:
        assert esign.timestamp_url(session) == "http://tsa.contoh.go.id/tsr"
    tab.refresh()
    assert tab.tsa_edit.text() == "http://tsa.contoh.go.id/tsr"

    type_over(qtbot, tab.tsa_edit, "")
    qtbot.mouseClick(tab.tsa_button, LEFT)
    assert tab.banner.text().startswith("Server cap waktu dikosongkan")
    with services.db.reading() as session:
        assert esign.timestamp_url(session) is None
    assert audit_actions(services).count("pengaturan.tsa") == 2


def test_only_an_administrator_changes_the_signature_settings(
    qtbot: QtBot, services: Services, users: dict[str, Actor], ca: TestCA, tmp_path: Path
) -> None:
    kadis = users["kadis"]
    screen = SettingsScreen(services, kadis)
    qtbot.addWidget(screen)
    assert screen.tabs.isHidden() and screen.tabs.findChild(EsignTab) is None
    # Even if a tab were shown to someone else, the services refuse.
    tab = EsignTab(services, kadis)
    qtbot.addWidget(tab)
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca.pem)
    assert not tab.add_from_file(ca_file)
    assert "tidak berwenang" in tab.banner.text()
    type_over(qtbot, tab.tsa_edit, "http://tsa.contoh.go.id/")
    assert not tab.save_tsa()
    assert "tidak berwenang" in tab.banner.text()
    assert esign.list_trust_roots(services) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_screenshot(
    qtbot: QtBot, services: Services, users: dict[str, Actor], ca: TestCA, tmp_path: Path
) -> None:
    """The tab as the administrator sees it after adding two CA certificates."""
    esign.add_trust_root(services, users["admin"], ca.pem)
    esign.add_trust_root(
        services,
        users["admin"],
        make_ca("CA Perantara Uji", key_slot=5).certificate.public_bytes(
            serialization.Encoding.PEM
        ),
    )
    screen, tab = settings_tab(qtbot, services, users["admin"])
    assert tab.select_fingerprint(esign.CertificateInfo.of(ca.certificate).fingerprint)
    target = os.environ.get("PERIZINAN_SCREENSHOTS_DIR")
    folder = Path(target) if target else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    image = screen.grab().toImage()
    path = folder / "pengaturan-tte.png"
    assert image.save(str(path))
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 23) for y in range(0, image.height(), 17)
    }
    assert len(colours) > 5, "the screenshot looks blank"
