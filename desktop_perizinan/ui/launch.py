"""``perizinan`` with no verb: start the desktop application.

Order of events, chosen so the window appears at once and never hangs:
1. No display on Linux (and no ``QT_QPA_PLATFORM``): say what to do and return, before Qt gets
   a chance to abort the process.
2. The login dialog is shown straight away while the database is opened (and migrated) on a
   worker thread; a clerk who types fast is logged in as soon as it is ready.
3. An empty database gets its first administrator (a small dialog; the full setup wizard is a
   later feature), then the login.
4. The main window, built for the logged-in user.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog

from desktop_perizinan.errors import UserError
from desktop_perizinan.ui.login import FirstAdminDialog, LoginDialog
from desktop_perizinan.ui.theme import apply_theme
from desktop_perizinan.ui.worker import run_in_background, wait_for_all

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.ui.app_window import MainWindow

ORGANIZATION = "DPMPTSP"
APPLICATION = "Perizinan"

NO_DISPLAY = (
    "perizinan: tidak ada layar grafis (DISPLAY dan WAYLAND_DISPLAY kosong), jadi jendela "
    "aplikasi tidak dapat dibuka.\n"
    "  - Jalankan dari sesi desktop (setelah login grafis), atau lewat 'ssh -X'.\n"
    "  - Untuk pengujian tanpa layar: QT_QPA_PLATFORM=offscreen perizinan\n"
    "  - Perintah tanpa jendela tetap dapat dipakai, misalnya: perizinan demo --out DIR"
)


def display_problem(
    environ: dict[str, str] | None = None, platform: str | None = None
) -> str | None:
    """Why no window can be opened here, or None. Qt would abort the process instead."""
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform in ("win32", "darwin") or env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return NO_DISPLAY


class _NoneReserve(QObject):
    """Keeps spare references to ``None`` and tops them up (see :func:`protect_none`)."""

    SPARE = 1_000_000

    def __init__(self) -> None:
        super().__init__()
        self.spare: list[None] = [None] * self.SPARE
        self.floor = sys.getrefcount(None) - self.SPARE // 2
        self.timer = QTimer(self)
        self.timer.setInterval(5_000)
        self.timer.timeout.connect(self.top_up)
        self.timer.start()

    def top_up(self) -> None:
        missing = self.floor + self.SPARE // 2 - sys.getrefcount(None)
        if missing > 0:
            self.spare.extend([None] * missing)


_none_reserve: _NoneReserve | None = None


def protect_none() -> None:
    """Work around a PySide6 6.12 bug that can abort the process on Python 3.11.

    Converting an empty QVariant to Python (``QComboBox.itemData`` of an item whose data is
    None, ``QModelIndex.data`` for a role the model does not answer, ``QObject.property`` of an
    unset property, ...) returns ``None`` without taking a reference. Each call drops one; once
    ``None``'s count reaches zero CPython aborts ("none_dealloc: deallocating None"). From
    Python 3.12 on ``None`` is immortal and the bug is harmless. Here a reserve of references
    is held and topped up every few seconds, so a day at the counter cannot exhaust it. Call
    once, after the QApplication exists.
    """
    global _none_reserve
    if sys.version_info < (3, 12) and _none_reserve is None:
        _none_reserve = _NoneReserve()


def create_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, named for QSettings, styled (Fusion + platform palette)."""
    QApplication.setOrganizationName(ORGANIZATION)
    QApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationDisplayName("Perizinan Desktop")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    protect_none()
    apply_theme(app)
    return app


def open_services(cli_url: str | None, forms_dir: Path) -> Services:
    """Resolve the URL, open (and migrate) the database: on the worker thread, because
    importing SQLAlchemy and Alembic alone takes longer than showing the login dialog."""
    from desktop_perizinan.db.engine import resolve_url
    from desktop_perizinan.services.app import Services

    return Services.open(resolve_url(cli_url), forms_dir)


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, UserError):
        return exc.message
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"Basis data tidak dapat dibuka: {first}"


class Startup(QObject):
    """Login while the services open; then the first administrator or the main window.

    ``ready`` is emitted when the services are open, ``failed(text)`` when they cannot be, and
    ``entered(window)`` when the main window is shown.
    """

    ready = Signal()
    failed = Signal(str)
    entered = Signal(object)

    def __init__(self, cli_url: str | None, forms_dir: Path) -> None:
        super().__init__()
        self.services: Services | None = None
        self.window: MainWindow | None = None
        self.problem = ""
        self.login = LoginDialog(None)
        self.login.accepted.connect(self._logged_in)
        self.first_admin: FirstAdminDialog | None = None
        self.task = run_in_background(
            lambda: open_services(cli_url, forms_dir),
            on_success=self._opened,
            on_failure=self._failed,
        )

    def _opened(self, services: Services) -> None:
        self.services = services
        try:
            has_user = services.users.any_user()
        except Exception as exc:
            self._failed(exc)
            return
        if has_user:
            self.login.set_services(services)
            self.ready.emit()
            return
        self.first_admin = FirstAdminDialog(services, self.login)
        self.first_admin.accepted.connect(self._first_admin_created)
        self.first_admin.rejected.connect(self.login.reject)
        self.first_admin.open()

    def _first_admin_created(self) -> None:
        assert self.first_admin is not None and self.services is not None
        created = self.first_admin.created
        if created is not None:
            self.login.username.setText(created.username)
            self.login.password.clear()
            self.login.password.setFocus()
        self.login.set_services(self.services)
        self.ready.emit()

    def _failed(self, exc: BaseException) -> None:
        self.problem = describe_failure(exc)
        self.login.show_problem(self.problem)
        self.failed.emit(self.problem)

    def _logged_in(self) -> None:
        from desktop_perizinan.ui.app_window import MainWindow

        assert self.services is not None and self.login.actor is not None
        actor: Actor = self.login.actor
        self.window = MainWindow(self.services, actor)
        self.window.show()
        self.entered.emit(self.window)

    def close(self) -> None:
        wait_for_all()
        if self.services is not None:
            self.services.close()
            self.services = None


def launch(db_url: str | None, forms_dir: Path) -> int:
    """Run the application; the exit code for the shell."""
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 3
    app = create_application()
    startup = Startup(db_url, forms_dir)
    try:
        startup.login.show()
        if startup.login.exec() != QDialog.DialogCode.Accepted:
            return 2 if startup.problem else 0
        return int(app.exec())
    finally:
        startup.close()
