"""Pengaturan as a whole: the Profil kantor tab (typed, emblem chosen in the file dialog, saved
for every PC), "Cadangkan sekarang", and a screenshot of every tab and dialog.

Screenshots go to ``tmp_path``, or to ``$PERIZINAN_SCREENSHOTS_DIR`` (``docs/screenshots``)
when it is set; each is checked not to be blank.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from gestures import type_over
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_perizinan.db.models import AuditEntry
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import SteppingClock, demo_clock, run_demo
from desktop_perizinan.ui.pengaturan import ChangePasswordDialog, SettingsScreen
from desktop_perizinan.ui.pengaturan.profile_tab import ProfileTab
from desktop_perizinan.ui.pengaturan.screen import TAB_AUDIT, TAB_FORMS, TAB_PROFILE, TAB_USERS
from desktop_perizinan.ui.worker import wait_for_all

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def clock() -> SteppingClock:
    return demo_clock()


@pytest.fixture
def services(sqlite_url: str, clock: SteppingClock) -> Iterator[Services]:
    s = Services.open(sqlite_url, FORMS, clock=clock)
    try:
        yield s
    finally:
        wait_for_all()
        s.close()


@pytest.fixture
def office(services: Services, clock: SteppingClock) -> dict[str, Actor]:
    """The demo office after its scenario: users, cases, a full audit log."""
    run_demo(services, clock)
    return {a.username: a for a in services.users.list_users()}


@pytest.fixture
def screen(qtbot: QtBot, services: Services, office: dict[str, Actor]) -> SettingsScreen:
    widget = SettingsScreen(services, office["admin"])
    qtbot.addWidget(widget)
    widget.resize(1090, 720)  # the main window's screen area at its default size
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = os.environ.get("PERIZINAN_SCREENSHOTS_DIR")
    folder = Path(target) if target else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def snap(widget: QWidget, folder: Path, name: str) -> Path:
    QApplication.processEvents()
    image = widget.grab().toImage()
    path = folder / f"{name}.png"
    assert image.save(str(path))
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 23) for y in range(0, image.height(), 17)
    }
    assert len(colours) > 5, f"{name} looks blank"
    return path


def make_jpeg(path: Path) -> bytes:
    image = QImage(100, 120, QImage.Format.Format_RGB32)
    image.fill(QColor("#8b0000"))
    assert image.save(str(path), "JPG")
    return path.read_bytes()


# ----------------------------------------------------------------------------- profile


def test_profile_is_edited_and_saved_for_every_pc(
    qtbot: QtBot, screen: SettingsScreen, services: Services, tmp_path: Path
) -> None:
    tab = screen.profile
    assert isinstance(tab, ProfileTab) and screen.tabs.currentWidget() is tab
    letterhead, head = tab.letterhead, tab.head
    assert letterhead.edits["regency"].text() == "KABUPATEN DAIRI"
    assert head.edits["head_name"].text() == "Drs. MARISI SIANTURI, M.Si"
    assert not tab.revert_button.isEnabled()

    type_over(qtbot, letterhead.edits["phone"], "(0627) 22222")
    type_over(qtbot, head.edits["head_name"], "Ir. PENGGANTI, M.T.")
    assert tab.dirty and tab.revert_button.isEnabled()
    emblem = make_jpeg(tmp_path / "lambang.jpg")
    qtbot.mouseClick(letterhead.emblem.choose_button, LEFT)
    dialog = letterhead.emblem.dialog
    assert dialog is not None
    dialog.selectFile(str(tmp_path / "lambang.jpg"))
    dialog.accept()
    letterhead.paper.setFocus()
    qtbot.keyClick(letterhead.paper, Qt.Key.Key_Down)  # F4 -> A4
    qtbot.keyClick(tab, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert tab.banner.text().startswith("Profil kantor disimpan.")
    assert not tab.dirty
    # What any other PC reads now:
    profile = services.settings.office_profile()
    assert profile.phone == "(0627) 22222"
    assert profile.head_name == "Ir. PENGGANTI, M.T."
    assert profile.emblem == emblem and profile.paper == "A4"
    assert profile.regency == "KABUPATEN DAIRI"  # untouched fields stay
    with services.db.reading() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None and last.action == "pengaturan.profil_kantor"
        assert last.username == "admin"

    # Back to the default emblem, then undo that unsaved change.
    qtbot.mouseClick(letterhead.emblem.default_button, LEFT)
    assert letterhead.emblem.data is None and tab.dirty
    qtbot.mouseClick(tab.revert_button, LEFT)
    assert letterhead.emblem.data == emblem and not tab.dirty


def test_profile_mistakes_are_shown_and_nothing_saved(
    qtbot: QtBot, screen: SettingsScreen, services: Services
) -> None:
    tab = screen.profile
    assert tab is not None
    before = services.settings.office_profile()
    type_over(qtbot, tab.letterhead.edits["office_name"], "")
    type_over(qtbot, tab.letterhead.edits["website"], "dinas kita")
    type_over(qtbot, tab.head.edits["head_nip"], "1965")
    qtbot.mouseClick(tab.save_button, LEFT)
    assert tab.banner.text() == "Periksa isian yang ditandai merah."
    assert tab.letterhead.boxes["office_name"].error == "Nama kantor wajib diisi."
    assert "tanpa spasi" in tab.letterhead.boxes["website"].error
    assert "18 angka" in tab.head.boxes["head_nip"].error
    assert tab.focusWidget() is tab.letterhead.edits["office_name"]
    assert services.settings.office_profile() == before


def test_profile_save_refused_for_a_non_admin(
    qtbot: QtBot, services: Services, office: dict[str, Actor]
) -> None:
    tab = ProfileTab(services, office["kadis"])
    qtbot.addWidget(tab)
    tab.show()
    type_over(qtbot, tab.letterhead.edits["city"], "Kota Lain")
    qtbot.mouseClick(tab.save_button, LEFT)
    assert "tidak berwenang" in tab.banner.text()
    assert services.settings.office_profile().city == "Sidikalang"


def test_refresh_keeps_unsaved_changes(
    qtbot: QtBot, screen: SettingsScreen, services: Services
) -> None:
    tab = screen.profile
    assert tab is not None
    type_over(qtbot, tab.letterhead.edits["city"], "Kota Baru")
    screen.refresh()
    assert tab.letterhead.edits["city"].text() == "Kota Baru"


# ----------------------------------------------------------------------------- backup


def test_backup_now(
    qtbot: QtBot, screen: SettingsScreen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not screen.backup_button.isVisible():
        pytest.skip("services/backup.py is not part of this build")
    monkeypatch.setenv("PERIZINAN_BACKUP_DIR", str(tmp_path / "cadangan"))
    qtbot.mouseClick(screen.backup_button, LEFT)
    assert screen.backup_task is not None
    qtbot.waitUntil(lambda: not screen.backup_task.running, timeout=60_000)
    assert screen.banner.text().startswith("Cadangan dibuat:"), screen.banner.text()
    assert list((tmp_path / "cadangan").glob("*.sqlite3"))


# ----------------------------------------------------------------------------- screenshots


def test_screenshots(qtbot: QtBot, screen: SettingsScreen, shots: Path, services: Services) -> None:
    """Every tab and dialog, rendered as the administrator sees it."""
    snap(screen, shots, "pengaturan-profil")
    assert screen.users is not None and screen.audit is not None and screen.forms is not None
    with qtbot.waitSignal(screen.users.loaded, timeout=10_000):
        screen.show_tab(TAB_USERS)
    snap(screen, shots, "pengaturan-pengguna")
    qtbot.mouseClick(screen.users.add_button, LEFT)
    dialog = screen.users.dialog
    assert dialog is not None
    snap(dialog, shots, "pengaturan-tambah-pengguna")
    dialog.reject()

    screen.show_tab(TAB_FORMS)
    snap(screen, shots, "pengaturan-jenis-izin")

    with qtbot.waitSignal(screen.audit.loaded, timeout=10_000):
        screen.show_tab(TAB_AUDIT)
    with qtbot.waitSignal(screen.audit.checked, timeout=20_000):
        qtbot.mouseClick(screen.audit.check_button, LEFT)
    snap(screen, shots, "pengaturan-audit")

    password = ChangePasswordDialog(services, services.users.login("kabid", "rahasia123"))
    qtbot.addWidget(password)
    password.show()
    snap(password, shots, "pengaturan-ganti-sandi")
    forced = ChangePasswordDialog(
        services, services.users.login("kadis", "rahasia123"), forced=True
    )
    qtbot.addWidget(forced)
    forced.show()
    snap(forced, shots, "pengaturan-ganti-sandi-wajib")
    screen.show_tab(TAB_PROFILE)


def test_screenshot_broken_forms(
    qtbot: QtBot, sqlite_url: str, tmp_path: Path, shots: Path
) -> None:
    folder = tmp_path / "forms"
    shutil.copytree(FORMS, folder)
    text = (FORMS / "pasuruan-stp-lks-asing.toml").read_text(encoding="utf-8")
    (folder / "stp-salin.toml").write_text(
        text.replace('actor = "kadis"', 'actor = "kabag"', 1).replace(
            'code = "PASURUAN-STP-LKS-ASING"', 'code = "STP-SALIN"', 1
        ),
        encoding="utf-8",
    )
    clock = demo_clock()
    services = Services.open(sqlite_url, folder, clock=clock)
    try:
        from desktop_perizinan.services.demo import create_demo_users

        users = create_demo_users(services)
        screen = SettingsScreen(services, users["admin"], forms_dir=folder)
        qtbot.addWidget(screen)
        screen.resize(1090, 720)
        screen.show()
        qtbot.waitExposed(screen)
        screen.show_tab(TAB_FORMS)
        snap(screen, shots, "pengaturan-jenis-izin-masalah")
    finally:
        wait_for_all()
        services.close()
