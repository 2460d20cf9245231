"""The issue-11 test permit types through the Tugas desk, with clicks and typing, on SQLite
and PostgreSQL: number before a wet signature (the numbering officer's desk, then the
Kadis's), the SOP's labels in the dialogs, a composite counter row and a rejection drafted,
signed a.n. Kepala Dinas and numbered in one step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gestures import click_radio, type_over
from pki import PASSPHRASE, make_ca
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QGroupBox, QLabel
from test_tugas import Desk, pdf_text

from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    CaseDriver,
    SteppingClock,
    create_demo_users,
    demo_clock,
)
from desktop_perizinan.ui.tugas import StepDialog
from desktop_perizinan.ui.tugas.steps import (
    CompositeForm,
    DeliveryForm,
    DispositionForm,
    DraftForm,
    HandoverForm,
    NumberForm,
    SignForm,
    VerificationForm,
)
from desktop_perizinan.ui.worker import wait_for_all
from desktop_perizinan.workflow.definition import CaseStatus

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton

FORMS = Path(__file__).resolve().parents[1] / "forms_lifecycle"


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


def _titles(dialog: StepDialog) -> list[str]:
    return [label.text() for label in dialog.findChildren(QLabel)]


def test_number_before_a_wet_signature_through_the_desk(qtbot, services, users, driver, clock):
    intake = driver.submit("UJI-NOMOR-BASAH", DEMO_APPLICANTS[0])
    case_id = intake.case_id
    desk = Desk(qtbot, services, clock)
    name = {role: actor.username for role, actor in users.items()}
    desk.step(name["backoffice"], case_id, outcome="benar")

    def draft(dialog: StepDialog) -> None:
        assert isinstance(dialog.form, DraftForm)
        assert any(t.startswith("3a. ") for t in _titles(dialog))  # the SOP's own label
        desk.type_into(dialog.form.body, " Berlaku selama usaha berjalan.")

    desk.step(name["backoffice"], case_id, draft)
    desk.step(name["kabid"], case_id, outcome="paraf")
    shown: dict[str, str] = {}

    def number(dialog: StepDialog) -> None:
        assert isinstance(dialog.form, NumberForm)
        shown["number"] = dialog.form.number.text()

    dialog = desk.step(name["pengadministrasi"], case_id, number)
    taken = dialog.taken_number.text()
    assert shown["number"] == taken == "503/0001/UJI-B/2026"
    # Numbered before the signature: the letter for the Kadis's pen is not final yet.
    view = services.queries.case(case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    assert permit.number == taken and permit.status != "final"

    def sign(dialog: StepDialog) -> None:
        assert isinstance(dialog.form, SignForm)
        desk.tick(dialog.form.confirm)

    desk.step(name["kadis"], case_id, sign, outcome="ditandatangani")
    desk.step(name["front_office"], case_id)  # 10: delivery
    desk.step(name["front_office"], case_id)  # 11: the applicant receives
    view = services.queries.case(case_id)
    assert view.status is CaseStatus.ISSUED and view.permit_number == taken
    permit = next(d for d in view.documents if d.kind == "izin")
    final = pdf_text(services.documents.pdf(permit.id))
    assert taken in final and "Berlaku selama usaha berjalan." in final and "DRAF" not in final
    book = services.books.agenda("izin_uji_basah", 2026)
    assert [(r.number, r.taken_by) for r in book] == [(taken, users["pengadministrasi"].full_name)]
    labels = [str(t.step_no) for t in view.timeline]
    assert labels == ["1", "2", "3", "3a", "5", "7", "8", "10", "11"]


def test_a_composite_rejection_through_the_desk(qtbot, services, users, driver, clock):
    intake = driver.submit("UJI-LOKET-KOMPOSIT", DEMO_APPLICANTS[1], seed=1)
    case_id = intake.case_id
    desk = Desk(qtbot, services, clock)
    name = {role: actor.username for role, actor in users.items()}
    reason = "Lokasi usaha berada di kawasan lindung."
    representative = "Rahmat Hidayat (kuasa pemohon)"
    added = " Pemohon dapat mengajukan kembali di lokasi lain."
    shown: dict[str, str] = {}

    def check_and_forward(dialog: StepDialog) -> None:
        # verifikasi + disposisi, one row: both forms, the addressee chosen by the Kasi.
        assert isinstance(dialog.form, CompositeForm)
        assert [type(f) for _a, f in dialog.form.parts] == [VerificationForm, DispositionForm]
        assert dialog.findChild(QGroupBox, "part_disposisi").title() == "Lembar disposisi"

    desk.step(name["backoffice"], case_id, check_and_forward, outcome="tolak", note=reason)

    def sign(dialog: StepDialog) -> None:
        # draf + tanda_tangan + penomoran, one row: the letter's text, the pen, the number.
        assert isinstance(dialog.form, CompositeForm)
        assert any(t.startswith("4a. ") for t in _titles(dialog))
        draft, signing, numbering = (f for _a, f in dialog.form.parts)
        assert isinstance(draft, DraftForm) and isinstance(signing, SignForm)
        assert isinstance(numbering, NumberForm)
        assert dialog.save_button.text() == signing.save_label
        desk.type_into(draft.body, added)
        desk.tick(signing.confirm)
        shown["number"] = numbering.number.text()

    dialog = desk.step(name["kabid"], case_id, sign, outcome="ditandatangani")
    assert any("500/" in b.text() for b in dialog.document_buttons)  # numbered, outgoing book
    assert dialog.taken_number.text() == shown["number"]

    def deliver(dialog: StepDialog) -> None:
        # penyerahan + penerimaan, one row: who received it is typed, not assumed.
        assert isinstance(dialog.form, CompositeForm)
        delivery, handover = (f for _a, f in dialog.form.parts)
        assert isinstance(delivery, DeliveryForm) and isinstance(handover, HandoverForm)
        assert handover.recipient.text() == DEMO_APPLICANTS[1].name
        type_over(qtbot, handover.recipient, representative)

    desk.step(name["front_office"], case_id, deliver)
    view = services.queries.case(case_id)
    assert view.status is CaseStatus.REJECTED
    letter = next(d for d in view.documents if d.kind == "penolakan")
    text = " ".join(pdf_text(services.documents.pdf(letter.id)).split())
    assert "a.n. Kepala Dinas" in text and users["kabid"].full_name in text
    assert reason in text and letter.number in text and added.strip() in text
    assert [e.recipient_name for e in services.books.expedition(2026)] == [representative]


def test_number_before_a_tte_by_the_kabid_an_kepala_through_the_desk(
    qtbot, services, users, driver, clock, tmp_path, monkeypatch
):
    kabid = users["kabid"]
    ca = make_ca()
    p12 = tmp_path / "kabid.p12"
    p12.write_bytes(ca.pkcs12(kabid.full_name, serial_number=kabid.nip, passphrase=PASSPHRASE))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(p12), ""))
    intake = driver.submit("UJI-NOMOR-TTE", DEMO_APPLICANTS[0])
    case_id = intake.case_id
    desk = Desk(qtbot, services, clock)
    name = {role: actor.username for role, actor in users.items()}
    assert driver.run(case_id, stop_at="nomor") is CaseStatus.RUNNING
    dialog = desk.step(name["pengadministrasi"], case_id)  # "setting nomor Surat Izin"
    taken = dialog.taken_number.text()
    assert taken == "503/0001/UJI-E/2026"

    def sign(dialog: StepDialog) -> None:
        form = dialog.form
        assert isinstance(form, SignForm)
        click_radio(qtbot, form.electronic)
        qtbot.mouseClick(form.p12_button, LEFT)
        assert form.p12_button.text() == "kabid.p12"
        type_over(qtbot, form.passphrase, PASSPHRASE)

    desk.step(kabid.username, case_id, sign, outcome="ditandatangani")
    assert driver.run(case_id) is CaseStatus.ISSUED
    view = services.queries.case(case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    assert permit.number == taken and permit.sign_mode == "elektronik"
    text = " ".join(pdf_text(services.documents.pdf(permit.id)).split())
    assert "Ditandatangani secara elektronik" in text and "a.n. Kepala Dinas" in text
    assert kabid.full_name in text and taken in text
    book = services.books.agenda("izin_uji_tte", 2026)
    assert [(r.number, r.taken_by) for r in book] == [(taken, users["pengadministrasi"].full_name)]
