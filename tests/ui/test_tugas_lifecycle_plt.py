"""A Plt. Kepala Dinas set by the administrator in Pengaturan (clicks and keys), then the head's
signing step done by the acting official at their own Tugas desk; the letter reads
"Plt. Kepala Dinas ..." with their name (issue 11). SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gestures import choose
from PySide6.QtCore import Qt
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
from desktop_perizinan.ui.pengaturan import SettingsScreen
from desktop_perizinan.ui.tugas import StepDialog
from desktop_perizinan.ui.tugas.steps import SignForm
from desktop_perizinan.ui.worker import wait_for_all
from desktop_perizinan.workflow.definition import CaseStatus

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[1] / "forms_lifecycle"
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


def test_a_plt_set_in_pengaturan_signs_at_the_desk(qtbot, services, users, clock, tmp_path):
    kabid = users["kabid"]
    settings = SettingsScreen(services, users["admin"])
    qtbot.addWidget(settings)
    settings.resize(1090, 900)
    settings.show()
    qtbot.waitExposed(settings)
    box = settings.profile.acting
    assert "Belum ada Plt./Plh." in box.status.text()
    choose(qtbot, box.user, f"{kabid.full_name} ({kabid.title})")
    choose(qtbot, box.form, "Plt.")
    qtbot.mouseClick(box.save_button, LEFT)
    assert "disimpan" in box.banner.text(), box.banner.text()
    assert box.status.text().startswith(f"Plt. kepala: {kabid.full_name}")
    box.grab().save(str(tmp_path / "plt.png"))
    settings.close()

    driver = CaseDriver(services, users, clock)
    case_id = driver.submit("UJI-LOKET-KOMPOSIT", DEMO_APPLICANTS[0]).case_id
    assert driver.run(case_id, stop_at="ttd") is CaseStatus.RUNNING
    desk = Desk(qtbot, services, clock)

    def sign(dialog: StepDialog) -> None:
        assert isinstance(dialog.form, SignForm)
        desk.tick(dialog.form.confirm)

    desk.step(kabid.username, case_id, sign, outcome="ditandatangani")  # in the Kabid's list
    assert driver.run(case_id) is CaseStatus.ISSUED
    view = services.queries.case(case_id)
    permit = next(d for d in view.documents if d.kind == "izin")
    text = " ".join(pdf_text(services.documents.pdf(permit.id)).split())
    assert "Plt. Kepala Dinas" in text and kabid.full_name in text

    # Cleared again: the Kabid no longer sees the head's steps.
    settings = SettingsScreen(services, users["admin"])
    qtbot.addWidget(settings)
    settings.show()
    qtbot.mouseClick(settings.profile.acting.clear_button, LEFT)
    assert "dihapus" in settings.profile.acting.banner.text()
    second = driver.submit("UJI-LOKET-KOMPOSIT", DEMO_APPLICANTS[1], seed=1).case_id
    driver.run(second, stop_at="ttd")
    assert all(t.case_id != second for t in services.queries.tasks(kabid))
