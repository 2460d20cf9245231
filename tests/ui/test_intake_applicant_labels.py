"""The intake form follows the permit type's SOP for the applicant's own rows (issue 11):
"Nama Pemohon sesuai SK", "Alamat Lengkap — tidak boleh disingkat" and a mandatory address,
driven with keys as a clerk types; the shipped labels come back for a type without them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from desktop_perizinan.db.models import Case
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import DEMO_APPLICANTS, create_demo_users
from desktop_perizinan.ui.loket.intake_dialog import NewApplicationDialog

pytestmark = pytest.mark.gui

OWN_FORMS = Path(__file__).resolve().parents[1] / "forms_demo"
ENTER = Qt.Key.Key_Return
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def own_services(sqlite_url: str, clock) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    from desktop_perizinan.ui.worker import wait_for_all

    s = Services.open(sqlite_url, OWN_FORMS, clock=clock)
    try:
        yield s
    finally:
        wait_for_all()
        s.close()


def _cases(services: Services) -> int:
    with services.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def _open(qtbot, services: Services) -> NewApplicationDialog:  # type: ignore[no-untyped-def]
    users = create_demo_users(services)
    dialog = NewApplicationDialog(services, users["petugas_loket"])
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
    return dialog


def _choose_type(qtbot, dialog: NewApplicationDialog, code: str) -> None:  # type: ignore[no-untyped-def]
    dialog.type_edit.setFocus()
    dialog.type_edit.clear()
    qtbot.keyClicks(dialog.type_edit, code)
    qtbot.keyClick(dialog.type_edit, ENTER)
    assert dialog.permit_type is not None and dialog.permit_type.code == code


def test_the_sops_labels_and_the_mandatory_address(qtbot, own_services, tmp_path):
    dialog = _open(qtbot, own_services)
    assert dialog.name_label.text() == "Na&ma *"
    assert dialog.address_label.text() == "A&lamat"
    _choose_type(qtbot, dialog, "UJI-PENCABUTAN")
    assert dialog.name_label.text() == "Na&ma Pemohon sesuai SK *"
    assert dialog.address_label.text() == "A&lamat Lengkap — tidak boleh disingkat *"
    qtbot.wait(50)  # let the form lay out the new labels before looking at it
    dialog.grab().save(str(tmp_path / "intake-pencabutan.png"))
    assert dialog.address_label.width() >= dialog.address_label.minimumSizeHint().width()
    assert dialog.name_label.width() >= dialog.name_label.minimumSizeHint().width()

    applicant = DEMO_APPLICANTS[1]
    qtbot.keyClicks(dialog.nik, applicant.nik)
    qtbot.keyClicks(dialog.name, applicant.name)
    # Enter on the empty mandatory address keeps the clerk there, with the SOP's words.
    dialog.address.setFocus()
    qtbot.keyClick(dialog.address, ENTER)
    assert dialog.address.hasFocus()
    message = "Alamat Lengkap — tidak boleh disingkat wajib diisi."
    assert dialog.address_box.message.text() == message
    assert dialog.address_box.message.isVisible()

    fields = dialog._fields
    assert fields["berlaku_sampai"].editor.placeholderText() == "HH-BB-TTTT, atau Seumur Hidup"
    qtbot.keyClicks(fields["nomor_sk_lama"].editor, "503/017/IU/2020")
    qtbot.keyClicks(fields["berlaku_sampai"].editor, "seumur hidup")
    qtbot.keyClicks(fields["tanggal_sk_lama"].editor, "05-03-2020")
    qtbot.keyClick(dialog, Qt.Key.Key_L, CTRL)  # every requirement present
    # Saving without the address: the service refuses it under the address, nothing saved.
    qtbot.keyClick(dialog, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: dialog.address_box.message.text() == message)
    assert _cases(own_services) == 0

    qtbot.keyClicks(dialog.address, applicant.address)
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.keyClick(dialog, Qt.Key.Key_S, CTRL)
    view = own_services.queries.case(saved.args[0].case_id)
    assert view.applicant_address == applicant.address
    assert ("Masa berlaku izin yang dicabut", "Seumur Hidup") in view.fields


def test_a_type_without_applicant_section_keeps_the_usual_labels(qtbot, own_services):
    dialog = _open(qtbot, own_services)
    _choose_type(qtbot, dialog, "UJI-PENCABUTAN")
    _choose_type(qtbot, dialog, "UJI-TANPA-KELENGKAPAN")
    assert dialog.name_label.text() == "Na&ma *"
    assert dialog.address_label.text() == "A&lamat"
    assert dialog.name.placeholderText() == "sesuai KTP"
