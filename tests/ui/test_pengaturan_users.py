"""Pengaturan › Pengguna and the password change, driven by mouse and keyboard as the
administrator (and then the user) would, on SQLite and PostgreSQL. What is asserted is what the
screen shows and what the services then allow (who can log in, with which roles)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gestures import BOTH_DATABASES, type_over
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDialog,
    QMessageBox,
)
from pytestqt.qtbot import QtBot

from desktop_perizinan.errors import PermissionDenied
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import (
    DEMO_PASSWORD,
)
from desktop_perizinan.services.user_admin import UserAccount, UserAdminService
from desktop_perizinan.ui.pengaturan import (
    ChangePasswordDialog,
    SettingsScreen,
    must_change_password,
    require_password_change,
)
from desktop_perizinan.ui.pengaturan.screen import TAB_USERS
from desktop_perizinan.ui.pengaturan.users_tab import UserDialog, UsersTab
from desktop_perizinan.ui.widgets.table import RowsView
from desktop_perizinan.ui.worker import wait_for_all

pytestmark = [pytest.mark.gui, BOTH_DATABASES]

FORMS = Path(__file__).resolve().parents[2] / "forms"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def screen(qtbot: QtBot, services: Services, users: dict[str, Actor]) -> SettingsScreen:
    widget = SettingsScreen(services, users["admin"])
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def tab(qtbot: QtBot, screen: SettingsScreen) -> UsersTab:
    assert screen.users is not None
    bar = screen.tabs.tabBar()
    with qtbot.waitSignal(screen.users.loaded, timeout=10_000):
        qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(TAB_USERS).center())
    assert screen.tabs.currentWidget() is screen.users
    return screen.users


# ----------------------------------------------------------------------------- helpers


def row_of(view: RowsView, username: str) -> int:
    for row in range(view.proxy.rowCount()):
        if view.proxy.index(row, 0).data() == username:
            return row
    raise AssertionError(f"{username} is not listed")


def click_row(qtbot: QtBot, view: RowsView, username: str) -> UserAccount:
    index = view.proxy.index(row_of(view, username), 1)
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(index).center())
    account = view.current_row()
    assert isinstance(account, UserAccount) and account.username == username
    return account


def cell(view: RowsView, username: str, title: str) -> str:
    model = view.source
    column = next(
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal) == title
    )
    return str(view.proxy.index(row_of(view, username), column).data())


def reload(qtbot: QtBot, tab: UsersTab) -> None:
    """Wait until the list on screen is the one read after the last action."""
    qtbot.waitUntil(lambda: not tab.busy, timeout=10_000)


def answer(qtbot: QtBot, box: QMessageBox | None, text: str) -> None:
    assert box is not None and box.isVisible()
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    qtbot.mouseClick(button, LEFT)


def click_check(qtbot: QtBot, check: QAbstractButton) -> None:
    qtbot.mouseClick(check, LEFT, pos=QPoint(8, check.height() // 2))


def test_list_shows_every_user_with_state(qtbot: QtBot, tab: UsersTab, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    view = tab.view
    assert view.proxy.rowCount() == 8
    assert [view.proxy.index(r, 0).data() for r in range(3)] == ["admin", "kabid", "kadis"]
    assert cell(view, "loket", "Peran") == "Penerima Berkas / Front Office"
    assert cell(view, "loket", "Aktif") == "Ya"
    assert cell(view, "loket", "Terkunci") == "—"
    assert "8 pengguna · 8 aktif" in tab.status.text()
    qtmodeltester.check(tab.model)
    qtmodeltester.check(view.proxy)
    qtbot.keyClicks(tab.filter, "kasubbag")
    assert view.proxy.rowCount() == 1 and view.current_row().username == "umum"


# ----------------------------------------------------------------------------- add


def test_add_user(qtbot: QtBot, tab: UsersTab, services: Services) -> None:
    qtbot.mouseClick(tab.add_button, LEFT)
    dialog = tab.dialog
    assert isinstance(dialog, UserDialog) and dialog.isVisible()
    type_over(qtbot, dialog.edits["username"], "Rina.Loket2")
    type_over(qtbot, dialog.edits["full_name"], "Rina   Loket Dua")
    type_over(qtbot, dialog.edits["nip"], "19900315 201503 2 004")
    type_over(qtbot, dialog.edits["title"], "Petugas Front Office")
    type_over(qtbot, dialog.edits["password"], "mulai2026")
    type_over(qtbot, dialog.edits["password_again"], "mulai2027")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.boxes["password_again"].error == "Kedua kata sandi tidak sama."
    assert dialog.roles_message.isHidden()
    type_over(qtbot, dialog.edits["password_again"], "mulai2026")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.roles_message.text() == "Pilih sedikitnya satu peran."
    assert "pemohon" not in dialog.role_checks  # the applicant does not use the app
    click_check(qtbot, dialog.role_checks["front_office"])
    click_check(qtbot, dialog.role_checks["backoffice"])
    assert dialog.roles() == {"front_office", "backoffice"}
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    reload(qtbot, tab)

    view = tab.view
    assert view.current_row().username == "rina.loket2"
    assert cell(view, "rina.loket2", "Nama lengkap") == "Rina Loket Dua"
    assert cell(view, "rina.loket2", "Peran") == (
        "Backoffice / Ka Seksi Pelayanan II, Penerima Berkas / Front Office"
    )
    actor = services.users.login("rina.loket2", "mulai2026")
    assert actor.roles == {"front_office", "backoffice"} and actor.nip == "19900315 201503 2 004"


def test_add_user_refuses_a_taken_name_beside_the_field(qtbot: QtBot, tab: UsersTab) -> None:
    qtbot.mouseClick(tab.add_button, LEFT)
    dialog = tab.dialog
    assert dialog is not None
    type_over(qtbot, dialog.edits["username"], "loket")
    type_over(qtbot, dialog.edits["full_name"], "Orang Lain")
    type_over(qtbot, dialog.edits["nip"], "123")
    type_over(qtbot, dialog.edits["password"], "mulai2026")
    type_over(qtbot, dialog.edits["password_again"], "mulai2026")
    click_check(qtbot, dialog.role_checks["kabid"])
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert "18 angka" in dialog.boxes["nip"].error
    type_over(qtbot, dialog.edits["nip"], "")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.boxes["username"].error == "Nama pengguna 'loket' sudah dipakai."
    assert dialog.isVisible()


# ----------------------------------------------------------------------------- disable, enable


def test_disable_then_enable(qtbot: QtBot, tab: UsersTab, services: Services) -> None:
    click_row(qtbot, tab.view, "loket")
    assert tab.toggle_button.text() == "&Nonaktifkan"
    qtbot.mouseClick(tab.toggle_button, LEFT)
    answer(qtbot, tab.message, "Nonaktifkan")
    reload(qtbot, tab)
    assert cell(tab.view, "loket", "Aktif") == "Nonaktif"
    with pytest.raises(PermissionDenied, match="dinonaktifkan"):
        services.users.login("loket", DEMO_PASSWORD)

    click_row(qtbot, tab.view, "loket")
    assert tab.toggle_button.text() == "&Aktifkan"
    qtbot.mouseClick(tab.toggle_button, LEFT)
    reload(qtbot, tab)
    assert cell(tab.view, "loket", "Aktif") == "Ya"
    assert services.users.login("loket", DEMO_PASSWORD).username == "loket"


def test_cancelled_disable_changes_nothing(qtbot: QtBot, tab: UsersTab, services: Services) -> None:
    click_row(qtbot, tab.view, "kabid")
    qtbot.mouseClick(tab.toggle_button, LEFT)
    answer(qtbot, tab.message, "Batal")
    reload(qtbot, tab)
    assert cell(tab.view, "kabid", "Aktif") == "Ya"


def test_admin_cannot_disable_self(qtbot: QtBot, tab: UsersTab) -> None:
    click_row(qtbot, tab.view, "admin")
    qtbot.mouseClick(tab.toggle_button, LEFT)
    answer(qtbot, tab.message, "Nonaktifkan")
    box = tab.message
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text() == "Anda tidak dapat menonaktifkan akun Anda sendiri."
    box.accept()
    reload(qtbot, tab)
    assert cell(tab.view, "admin", "Aktif") == "Ya"


# ----------------------------------------------------------------------------- reset, change


def test_reset_password_then_forced_change(qtbot: QtBot, tab: UsersTab, services: Services) -> None:
    click_row(qtbot, tab.view, "kabid")
    qtbot.mouseClick(tab.reset_button, LEFT)
    answer(qtbot, tab.message, "Atur ulang")
    shown = tab.message
    assert isinstance(shown, QMessageBox) and shown.objectName() == "temporaryPassword"
    temporary = str(shown.property("password"))
    assert temporary in shown.text()
    shown.accept()
    reload(qtbot, tab)
    assert cell(tab.view, "kabid", "Kata sandi") == "Sementara (wajib diganti)"

    with pytest.raises(PermissionDenied):
        services.users.login("kabid", DEMO_PASSWORD)
    kabid = services.users.login("kabid", temporary)
    assert must_change_password(services, kabid)

    dialog = ChangePasswordDialog(services, kabid, forced=True)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.cancel_button.text() == "&Keluar dari aplikasi"
    qtbot.keyClicks(dialog.old, temporary)
    qtbot.keyClick(dialog.old, Qt.Key.Key_Return)
    assert dialog.focusWidget() is dialog.new  # Enter moves on
    qtbot.keyClicks(dialog.new, temporary)
    qtbot.keyClick(dialog.new, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.again, temporary)
    qtbot.keyClick(dialog.again, Qt.Key.Key_Return)
    assert dialog.boxes["password"].error == "Kata sandi baru harus berbeda dari yang lama."
    type_over(qtbot, dialog.new, "Marlina2026")
    type_over(qtbot, dialog.again, "Marlina2026")
    qtbot.keyClick(dialog.again, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not must_change_password(services, kabid)
    assert services.users.login("kabid", "Marlina2026").id == kabid.id


def test_change_own_password_checks_the_old_one(
    qtbot: QtBot, services: Services, users: dict[str, Actor]
) -> None:
    actor = users["front_office"]
    dialog = ChangePasswordDialog(services, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.cancel_button.text() == "&Batal"
    qtbot.keyClicks(dialog.old, "salah1234")
    qtbot.keyClicks(dialog.new, "pendek")
    qtbot.keyClicks(dialog.again, "pendek")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.boxes["password"].error == "Kata sandi minimal 8 karakter."
    type_over(qtbot, dialog.new, "Rina20261")
    type_over(qtbot, dialog.again, "Rina20261")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.boxes["old_password"].error == "Kata sandi lama salah."
    assert dialog.focusWidget() is dialog.old and dialog.isVisible()
    type_over(qtbot, dialog.old, DEMO_PASSWORD)
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert services.users.login("loket", "Rina20261").id == actor.id


# ----------------------------------------------------------------------------- unlock, roles


def test_unlock(qtbot: QtBot, tab: UsersTab, services: Services) -> None:
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            services.users.login("umum", "salah-salah-1")
    tab.refresh()
    reload(qtbot, tab)
    assert cell(tab.view, "umum", "Terkunci").startswith("Ya, s.d. ")
    assert "1 terkunci" in tab.status.text()
    click_row(qtbot, tab.view, "kadis")
    assert not tab.unlock_button.isEnabled()
    click_row(qtbot, tab.view, "umum")
    assert tab.unlock_button.isEnabled()
    qtbot.mouseClick(tab.unlock_button, LEFT)
    reload(qtbot, tab)
    assert cell(tab.view, "umum", "Terkunci") == "—"
    assert services.users.login("umum", DEMO_PASSWORD).username == "umum"


def test_edit_roles_and_details(qtbot: QtBot, tab: UsersTab, services: Services) -> None:
    click_row(qtbot, tab.view, "seksi")
    qtbot.mouseClick(tab.edit_button, LEFT)
    dialog = tab.dialog
    assert isinstance(dialog, UserDialog)
    assert dialog.edits["username"].isReadOnly()
    assert dialog.roles() == {"backoffice"}
    assert "password" not in dialog.edits
    click_check(qtbot, dialog.role_checks["tim_teknis"])
    type_over(qtbot, dialog.edits["rank"], "Penata Tingkat I (III/d)")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    reload(qtbot, tab)
    assert cell(tab.view, "seksi", "Peran") == "Backoffice / Ka Seksi Pelayanan II, Tim Teknis"
    actor = services.users.login("seksi", DEMO_PASSWORD)
    assert actor.roles == {"backoffice", "tim_teknis"}
    assert actor.rank == "Penata Tingkat I (III/d)"

    # Every role unticked: refused beside the roles.
    click_row(qtbot, tab.view, "seksi")
    qtbot.keyClick(tab.view, Qt.Key.Key_Return)  # Enter opens the user too
    dialog = tab.dialog
    assert isinstance(dialog, UserDialog)
    for check in dialog.role_checks.values():
        if check.isChecked():
            click_check(qtbot, check)
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.roles_message.text() == "Pilih sedikitnya satu peran."
    dialog.reject()


def test_demoting_the_last_admin_is_refused(
    qtbot: QtBot, services: Services, users: dict[str, Actor]
) -> None:
    """Through the dialog, as a second administrator trying to demote the only other one."""
    second = services.users.create(
        users["admin"],
        username="admin2",
        full_name="Admin Dua",
        password="kunci1234",
        roles={"admin"},
    )
    UserAdminService(services).set_roles(second, users["admin"].id, {"kadis"})
    tab = UsersTab(services, second, UserAdminService(services))
    qtbot.addWidget(tab)
    tab.show()
    with qtbot.waitSignal(tab.loaded):
        tab.refresh()
    click_row(qtbot, tab.view, "admin2")
    qtbot.mouseClick(tab.edit_button, LEFT)
    dialog = tab.dialog
    assert dialog is not None
    click_check(qtbot, dialog.role_checks["admin"])
    click_check(qtbot, dialog.role_checks["kabid"])
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert "mencabut peran administrator dari akun Anda sendiri" in dialog.roles_message.text()
    dialog.reject()


def test_non_admin_sees_no_settings(
    qtbot: QtBot, services: Services, users: dict[str, Actor]
) -> None:
    screen = SettingsScreen(services, users["kadis"])
    qtbot.addWidget(screen)
    screen.show()
    assert screen.users is None and screen.tabs.isHidden()
    assert not screen.backup_button.isVisible()
    # Even a tab built by hand for a clerk gets nothing from the service.
    tab = UsersTab(services, users["front_office"], UserAdminService(services))
    qtbot.addWidget(tab)
    tab.refresh()
    wait_for_all()
    qtbot.waitUntil(lambda: not tab.task.running)
    assert tab.model.rowCount() == 0
    box = next(w for w in tab.findChildren(QMessageBox) if w.isVisible())
    assert "tidak berwenang" in box.text()
    box.accept()


def test_role_checks_are_keyboard_reachable(qtbot: QtBot, tab: UsersTab) -> None:
    qtbot.keyClick(tab, Qt.Key.Key_Insert)
    dialog = tab.dialog
    assert isinstance(dialog, UserDialog)
    assert dialog.focusWidget() is dialog.edits["username"]
    first = next(iter(dialog.role_checks.values()))
    first.setFocus()
    qtbot.keyClick(first, Qt.Key.Key_Space)
    assert isinstance(first, QCheckBox) and first.isChecked()
    dialog.reject()


def test_hostile_names_are_shown_as_typed(qtbot: QtBot, tab: UsersTab, services: Services) -> None:
    """Text that looks like HTML or SQL is stored and shown literally; an overlong name is
    stopped at the column's length while typing."""
    hostile = "<b>Budi</b> '); DROP TABLE app_user; --"
    qtbot.mouseClick(tab.add_button, LEFT)
    dialog = tab.dialog
    assert dialog is not None
    type_over(qtbot, dialog.edits["username"], "budi")
    type_over(qtbot, dialog.edits["full_name"], hostile)
    type_over(qtbot, dialog.edits["title"], "x" * 300)
    assert len(dialog.edits["title"].text()) == 200
    type_over(qtbot, dialog.edits["password"], "mulai2026")
    type_over(qtbot, dialog.edits["password_again"], "mulai2026")
    click_check(qtbot, dialog.role_checks["front_office"])
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    reload(qtbot, tab)
    assert cell(tab.view, "budi", "Nama lengkap") == hostile
    assert len(services.users.list_users()) == 9  # the table is still there

    click_row(qtbot, tab.view, "budi")
    qtbot.mouseClick(tab.toggle_button, LEFT)
    box = tab.message
    assert box is not None and "&lt;b&gt;Budi&lt;/b&gt;" in box.text()
    answer(qtbot, box, "Batal")


def test_require_password_change_after_login(
    qtbot: QtBot, services: Services, users: dict[str, Actor]
) -> None:
    """What the shell calls right after a login: nothing to do, changed, or refused."""
    assert require_password_change(services, users["kadis"]) is True  # no dialog at all

    admin = UserAdminService(services)
    admin.reset_password(users["admin"], users["kabid"].id, "sementara9")
    kabid = services.users.login("kabid", "sementara9")

    def refuse() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ChangePasswordDialog) and dialog.forced
        qtbot.mouseClick(dialog.cancel_button, LEFT)

    QTimer.singleShot(0, refuse)
    assert require_password_change(services, kabid) is False
    assert must_change_password(services, kabid)

    def change() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ChangePasswordDialog)
        qtbot.keyClicks(dialog.old, "sementara9")
        qtbot.keyClicks(dialog.new, "Marlina2026")
        qtbot.keyClicks(dialog.again, "Marlina2026")
        qtbot.mouseClick(dialog.save_button, LEFT)

    QTimer.singleShot(0, change)
    assert require_password_change(services, kabid) is True
    assert not must_change_password(services, kabid)
