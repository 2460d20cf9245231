"""The application shell: starting without a display, the first administrator, logging in,
navigation by role, the status bar, quick find, remembered window state, the worker."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import DEMO_APPLICANTS, DEMO_PASSWORD
from desktop_perizinan.ui.app_window import MainWindow
from desktop_perizinan.ui.launch import NO_DISPLAY, Startup, display_problem
from desktop_perizinan.ui.login import FirstAdminDialog, LoginDialog
from desktop_perizinan.ui.navigation import ENTRIES, STEP_ROLES, entries_for, step_roles
from desktop_perizinan.ui.widgets.case_summary import CaseSummaryDialog
from desktop_perizinan.ui.widgets.quick_find import QuickFindDialog
from desktop_perizinan.ui.worker import run_in_background, wait_for_all

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "forms"
LEFT = Qt.MouseButton.LeftButton
ENTER = Qt.Key.Key_Return


@pytest.fixture(autouse=True)
def _backups_in_tmp(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """``Startup.close()`` after a login takes the automatic backup: never into the user's
    own backup folder (each run of these tests left one there)."""
    monkeypatch.setenv("PERIZINAN_BACKUP_DIR", str(tmp_path / "backups"))


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def show_active(qtbot, widget: QWidget) -> None:  # type: ignore[no-untyped-def]
    qtbot.addWidget(widget)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()


def main_window(qtbot, services: Services, username: str) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(services, services.users.login(username, DEMO_PASSWORD))
    show_active(qtbot, window)
    return window


# ----------------------------------------------------------------------------- no display


def test_no_display_is_said_in_words_not_an_abort():
    assert display_problem({}, "linux") == NO_DISPLAY
    assert display_problem({"DISPLAY": ":0"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({}, "win32") is None


def test_perizinan_without_a_display_exits_with_advice(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    done = subprocess.run(
        [sys.executable, "-m", "desktop_perizinan", "--db", f"sqlite:///{tmp_path / 'x.db'}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 3
    assert "tidak ada layar grafis" in done.stderr
    assert "QT_QPA_PLATFORM=offscreen" in done.stderr
    assert "perizinan demo" in done.stderr
    assert "Aborted" not in done.stderr and "core dumped" not in done.stderr


# ----------------------------------------------------------------------------- first run, login


def test_first_run_creates_the_administrator_then_logs_in(qtbot, sqlite_url):
    """A build without the setup wizard: the small first-administrator dialog."""
    startup = Startup(sqlite_url, FORMS, first_run=None)
    qtbot.addWidget(startup.login)
    startup.login.show()
    qtbot.waitUntil(
        lambda: startup.first_admin is not None and startup.first_admin.isVisible(), timeout=20_000
    )
    first = startup.first_admin
    assert isinstance(first, FirstAdminDialog)
    with qtbot.waitActive(first):
        first.activateWindow()
    assert focused() is first.full_name
    qtbot.keyClicks(first.full_name, "Admin Kantor")
    qtbot.keyClick(first.full_name, ENTER)
    qtbot.keyClicks(first.password, "rahasia123")
    qtbot.keyClick(first.password, ENTER)
    qtbot.keyClicks(first.password_again, "rahasia124")
    qtbot.keyClick(first.password_again, ENTER)  # last field: create
    assert "tidak sama" in first.boxes["password_again"].message.text()
    first.password_again.clear()
    qtbot.keyClicks(first.password_again, "rahasia123")
    with qtbot.waitSignal(startup.ready, timeout=10_000):
        qtbot.keyClick(first.password_again, ENTER)
    assert startup.login.username.text() == "admin"
    with qtbot.waitSignal(startup.entered, timeout=10_000):
        qtbot.keyClicks(startup.login.password, "rahasia123")
        qtbot.keyClick(startup.login.password, ENTER)
    window = startup.window
    assert isinstance(window, MainWindow) and window.isVisible()
    qtbot.addWidget(window)
    assert window.actor.roles == frozenset({"admin"})
    startup.close()


def test_first_run_hands_over_to_the_setup_wizard(qtbot, sqlite_url, tmp_path, monkeypatch):
    """An empty database: the wizard runs (here a stand-in that sets the office up the way
    the wizard does), then the login opens the database it chose."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    calls: list[tuple[str | None, Path]] = []

    def wizard(parent, cli_url, forms_dir):  # type: ignore[no-untyped-def]
        from desktop_perizinan.services.actor import ADMIN_ROLE, SYSTEM

        calls.append((cli_url, forms_dir))
        assert parent is startup.login
        services = Services.open(cli_url, forms_dir)
        try:
            services.users.create(
                SYSTEM,
                username="kepala",
                full_name="Admin Kantor",
                password="rahasia123",
                roles=frozenset({ADMIN_ROLE}),
            )
        finally:
            services.close()
        return cli_url

    startup = Startup(sqlite_url, FORMS, first_run=wizard)
    qtbot.addWidget(startup.login)
    startup.login.show()
    with qtbot.waitSignal(startup.ready, timeout=20_000):
        pass
    assert calls == [(sqlite_url, FORMS)] and startup.first_admin is None
    with qtbot.waitSignal(startup.entered, timeout=10_000):
        qtbot.keyClicks(startup.login.username, "kepala")
        qtbot.keyClicks(startup.login.password, "rahasia123")
        qtbot.keyClick(startup.login.password, ENTER)
    qtbot.addWidget(startup.window)
    startup.close()


def test_cancelling_the_setup_wizard_ends_the_start(qtbot, sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    startup = Startup(sqlite_url, FORMS, first_run=lambda parent, url, forms: None)
    qtbot.addWidget(startup.login)
    startup.login.show()
    with qtbot.waitSignal(startup.login.rejected, timeout=20_000):
        pass
    assert startup.services is None
    startup.close()


def test_first_administrator_password_rules_beside_the_field(qtbot, services):
    dialog = FirstAdminDialog(services)
    show_active(qtbot, dialog)
    qtbot.keyClicks(dialog.full_name, "Admin")
    dialog.password.setText("pendek")
    dialog.password_again.setText("pendek")
    qtbot.mouseClick(dialog.create_button, LEFT)
    assert "minimal 8" in dialog.boxes["password"].message.text()
    assert dialog.isVisible() and not services.users.any_user()


def test_login_success_and_failure(qtbot, services, users):
    dialog = LoginDialog(services)
    show_active(qtbot, dialog)
    assert focused() is dialog.username
    qtbot.keyClicks(dialog.username, "loket")
    qtbot.keyClick(dialog.username, ENTER)
    assert focused() is dialog.password
    qtbot.keyClicks(dialog.password, "salah-sandi1")
    qtbot.keyClick(dialog.password, ENTER)
    assert dialog.message.isVisible()
    assert dialog.message.text() == "Nama pengguna atau kata sandi salah."
    assert dialog.password.text() == "" and focused() is dialog.password
    assert dialog.isVisible() and dialog.actor is None
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
        qtbot.keyClick(dialog.password, ENTER)
    assert dialog.actor is not None and dialog.actor.username == "loket"
    # The next login offers the same user and starts in the password.
    again = LoginDialog(services)
    show_active(qtbot, again)
    assert again.username.text() == "loket" and focused() is again.password


def test_lockout_message_is_shown_as_the_service_says_it(qtbot, services, users):
    dialog = LoginDialog(services)
    show_active(qtbot, dialog)
    qtbot.keyClicks(dialog.username, "kabid")
    for _ in range(5):
        qtbot.keyClicks(dialog.password, "bukan-sandinya1")
        qtbot.keyClick(dialog.password, ENTER)
    qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
    qtbot.keyClick(dialog.password, ENTER)
    assert dialog.message.text().startswith("Akun terkunci")
    assert dialog.actor is None


def test_login_typed_before_the_database_is_open(qtbot, services, users):
    dialog = LoginDialog(None)
    show_active(qtbot, dialog)
    assert "Membuka basis data" in dialog.database.text()
    qtbot.keyClicks(dialog.username, "loket")
    qtbot.keyClick(dialog.username, ENTER)
    qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
    qtbot.keyClick(dialog.password, ENTER)
    assert dialog.isVisible() and dialog.actor is None
    with qtbot.waitSignal(dialog.accepted):
        dialog.set_services(services)
    assert dialog.actor is not None


def test_wrong_password_typed_before_the_database_is_open(qtbot, services, users):
    """The early login is checked on a worker (its scrypt overlaps the window's imports); a
    second Enter meanwhile is not a second attempt, and the answer is the usual one."""
    dialog = LoginDialog(None)
    show_active(qtbot, dialog)
    qtbot.keyClicks(dialog.username, "loket")
    qtbot.keyClick(dialog.username, ENTER)
    qtbot.keyClicks(dialog.password, "salah-sandi1")
    qtbot.keyClick(dialog.password, ENTER)
    dialog.set_services(services)
    qtbot.keyClick(dialog.password, ENTER)  # while the first is being checked
    qtbot.waitUntil(dialog.message.isVisible, timeout=10_000)
    assert dialog.message.text() == "Nama pengguna atau kata sandi salah."
    assert dialog.password.text() == "" and focused() is dialog.password
    assert dialog.isVisible() and dialog.actor is None
    wait_for_all()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
        qtbot.keyClick(dialog.password, ENTER)


def test_a_database_that_cannot_be_opened_is_said_in_words(qtbot, tmp_path):
    startup = Startup("oracle://nobody@nowhere/db", FORMS)
    qtbot.addWidget(startup.login)
    with qtbot.waitSignal(startup.failed, timeout=20_000) as failed:
        startup.login.show()
    assert "tidak didukung" in failed.args[0]
    assert startup.login.message.isVisible() and not startup.login.login_button.isEnabled()
    startup.close()


# ----------------------------------------------------------------------------- navigation


def test_navigation_follows_the_roles(qtbot, services, users):
    acting = step_roles(services)
    assert {"front_office", "backoffice", "kabid", "kadis"} <= acting
    assert "admin" not in acting

    def visible(username: str) -> list[str]:
        actor = services.users.login(username, DEMO_PASSWORD)
        return [e.key for e in ENTRIES if e.visible_to(actor, acting)]

    assert visible("loket") == ["loket", "tugas", "permohonan", "verifikasi"]
    assert visible("seksi") == ["tugas", "permohonan", "verifikasi"]
    assert visible("umum") == ["tugas", "permohonan", "buku", "verifikasi"]
    # The Kadis and the Kabid start on their dashboard.
    assert visible("kadis") == ["beranda", "tugas", "permohonan", "buku", "laporan", "verifikasi"]
    assert visible("sekretaris") == ["tugas", "permohonan", "laporan", "verifikasi"]
    assert visible("admin") == ["permohonan", "buku", "laporan", "verifikasi", "pengaturan"]
    assert next(e for e in ENTRIES if e.key == "tugas").roles == STEP_ROLES
    # The window lists exactly the visible entries whose screen exists in this build.
    window = main_window(qtbot, services, "loket")
    shown = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    expected = [e.label for e in entries_for(services, window.actor)]
    assert shown == expected and shown[0] == "Loket"
    assert all(e.available() for e in window.entries)
    assert window.current_screen() is window.screens["loket"]


def test_missing_screens_are_left_out(qtbot, services, users):
    from dataclasses import replace

    ghost = replace(ENTRIES[-1], key="hantu", module="desktop_perizinan.ui.tidak_ada")
    actor = services.users.login("admin", DEMO_PASSWORD)
    assert not ghost.available()
    assert ghost not in entries_for(services, actor, (*ENTRIES, ghost))


def test_a_user_with_no_screen_gets_a_sentence_not_an_empty_window(qtbot, services):
    from desktop_perizinan.services.actor import SYSTEM

    services.users.create(
        SYSTEM,
        username="tamu",
        full_name="Tamu",
        password=DEMO_PASSWORD,
        roles=frozenset({"pemohon"}),
    )
    window = MainWindow(services, services.users.login("tamu", DEMO_PASSWORD), entries=[])
    qtbot.addWidget(window)
    labels = [w.text() for w in window.findChildren(QLabel)]
    assert any("belum memiliki peran" in text for text in labels)


def test_keyboard_switches_screens_and_f2_works_from_anywhere(qtbot, services, users):
    window = main_window(qtbot, services, "loket")
    window.statusBar().setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QDialog))
    dialog = QApplication.activeModalWidget()
    assert dialog.objectName() == "newApplication"
    dialog.reject()
    if len(window.entries) > 1:
        qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        assert window.current_screen() is window.screens[window.entries[1].key]
        qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert window.current_screen() is window.screens["loket"]


# ----------------------------------------------------------------------------- status bar


def test_status_bar_user_database_and_connection(qtbot, services, users, monkeypatch):
    window = main_window(qtbot, services, "loket")
    assert window.user_label.text() == "Rina Simanjuntak · Penerima Berkas / Front Office"
    assert window.database_label.text() == services.db.describe()
    qtbot.waitUntil(lambda: window.connected is True)
    assert window.connection_label.text() == "Terhubung"

    def unreachable() -> bool:
        raise OSError("server closed the connection unexpectedly")

    monkeypatch.setattr(services.users, "any_user", unreachable)
    window.check_connection()
    qtbot.waitUntil(lambda: window.connected is False)
    assert window.connection_label.text() == "Terputus"
    assert window.connection_label.property("state") == "down"
    monkeypatch.undo()
    window.check_connection()
    qtbot.waitUntil(lambda: window.connected is True)


def test_window_geometry_and_page_are_remembered(qtbot, services, users):
    window = main_window(qtbot, services, "loket")
    available = window.screen().availableGeometry()
    size = (available.width() - 2, available.height() - 45)
    window.resize(*size)
    window.close()
    assert QSettings().value("mainwindow/geometry") is not None
    again = main_window(qtbot, services, "loket")
    assert (again.width(), again.height()) == size


def test_menus_and_about(qtbot, services, users):
    window = main_window(qtbot, services, "loket")
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&Berkas", "&Lihat", "Ban&tuan"]
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    assert [s.toString() for s in window.find_action.shortcuts()] == ["Ctrl+F", "F3"]
    box = window.about()
    assert "Perizinan Desktop" in box.text() and services.db.describe() in box.text()
    box.close()


# ----------------------------------------------------------------------------- quick find


def test_quick_find_by_scanned_number_and_by_name(qtbot, services, users, driver):
    first = driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[0])
    driver.submit("PASURUAN-NIK-KESENIAN", DEMO_APPLICANTS[2])
    driver.submit("PASURUAN-STP-LKS-ASING", DEMO_APPLICANTS[2])
    window = main_window(qtbot, services, "seksi")
    opened: list[int] = []
    window.open_case = lambda case_id: opened.append(case_id)  # type: ignore[method-assign]
    qtbot.keyClick(window, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QuickFindDialog))
    finder = QApplication.activeModalWidget()
    qtbot.waitUntil(finder.isActiveWindow)
    assert focused() is finder.edit
    # A scanner types the number from the resi and presses Enter: the case opens at once.
    qtbot.keyClicks(finder.edit, first.reg_number)
    qtbot.keyClick(finder.edit, ENTER)
    assert opened == [first.case_id]
    assert not finder.isVisible()

    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QuickFindDialog))
    finder = QApplication.activeModalWidget()
    qtbot.waitUntil(finder.isActiveWindow)
    qtbot.keyClicks(finder.edit, "yohanes")
    qtbot.keyClick(finder.edit, ENTER)
    assert finder.model.rowCount() == 2 and finder.results.isVisible()
    assert focused() is finder.results
    qtbot.keyClick(finder.results, Qt.Key.Key_Down)
    qtbot.keyClick(finder.results, ENTER)
    assert len(opened) == 2 and opened[1] != first.case_id

    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QuickFindDialog))
    finder = QApplication.activeModalWidget()
    qtbot.keyClicks(finder.edit, "tidak ada orangnya")
    qtbot.keyClick(finder.edit, ENTER)
    assert "Tidak ada permohonan" in finder.hint.text() and finder.isVisible()


def test_quick_find_opens_a_case_window(qtbot, services, users, driver):
    first = driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[0])
    window = main_window(qtbot, services, "loket")
    dialog = window.open_case(first.case_id)
    assert isinstance(dialog, QDialog) and dialog.isVisible()
    dialog.close()


def test_case_summary(qtbot, qtmodeltester, services, users, driver):
    first = driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[0])
    driver.run(first.case_id, stop_at="peninjauan")
    dialog = CaseSummaryDialog(services, users["front_office"], first.case_id)
    show_active(qtbot, dialog)
    reference = dialog.findChild(QLabel, "reference")
    assert reference.text() == first.reg_number
    assert dialog.view.status.label in dialog.findChild(QLabel, "status").text()
    assert dialog.documents_view.source.rowCount() == len(dialog.view.documents) >= 2
    qtmodeltester.check(dialog.documents_view.source)
    dialog.documents_view.setCurrentIndex(dialog.documents_view.proxy.index(0, 0))
    dialog.documents_view.setFocus()
    qtbot.keyClick(dialog.documents_view, ENTER)
    qtbot.waitUntil(
        lambda: (
            isinstance(QApplication.activeModalWidget(), QDialog)
            and QApplication.activeModalWidget() is not dialog
        )
    )
    preview = QApplication.activeModalWidget()
    assert dialog.documents_view.current_row() == dialog.view.documents[0]
    assert preview.windowTitle() == dialog.view.documents[0].title
    preview.close()


# ----------------------------------------------------------------------------- worker


def test_worker_runs_off_the_gui_thread_and_reports_back_on_it(qtbot):
    seen: dict[str, object] = {}
    gui = threading.get_ident()

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def success(value: int) -> None:
        seen["value"] = value
        seen["callback"] = threading.get_ident()

    task = run_in_background(work, on_success=success)
    with qtbot.waitSignal(task.done):
        pass
    assert seen["value"] == 42 and seen["worker"] != gui and seen["callback"] == gui

    failures: list[BaseException] = []
    task = run_in_background(
        lambda: (_ for _ in ()).throw(UserError("Gagal.")), on_failure=failures.append
    )
    with qtbot.waitSignal(task.done):
        pass
    assert [str(f) for f in failures] == ["Gagal."]


def test_worker_skips_callbacks_of_a_closed_widget(qtbot):
    owner = QWidget()
    gate = threading.Event()
    called: list[object] = []
    task = run_in_background(lambda: gate.wait(5), on_success=called.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner))
    gate.set()
    with qtbot.waitSignal(task.done):
        pass
    assert called == []
    wait_for_all()


def _alive(widget: QWidget) -> bool:
    from shiboken6 import isValid

    return isValid(widget)
