"""``perizinan`` with no verb: start the desktop application.

Order of events, chosen so the window appears at once and never hangs:
1. No display on Linux (and no ``QT_QPA_PLATFORM``): say what to do and return, before Qt gets
   a chance to abort the process.
2. The login dialog is shown straight away while the database is opened (and migrated) on a
   worker thread; a clerk who types fast is logged in as soon as it is ready. Nothing before
   its first paint builds Qt's enum namespace or a QStyle in Python (see ``ui.login``); once
   the database is ready, the main window and the last user's first screen are imported on
   a worker while the clerk types (a key never waits for an import), so that Masuk only
   checks the password and builds the window.
3. A PC never set up (or an empty database) gets the setup wizard of ``ui.wizard`` (database,
   office, first administrator) when this build has it, else a small first-administrator
   dialog; then the login.
4. The main window, built for the logged-in user.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from desktop_perizinan.errors import UserError
from desktop_perizinan.ui import pyside_imports  # noqa: F401  (first: see its docstring)
from desktop_perizinan.ui.login import FirstAdminDialog, LoginDialog
from desktop_perizinan.ui.theme import FUSION_ARGS, apply_theme
from desktop_perizinan.ui.worker import Task, run_in_background, wait_for_all

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.ui.app_window import MainWindow

ORGANIZATION = "DPMPTSP"
#: Milliseconds between showing the login dialog and starting to open the database.
START_DELAY_MS = 30
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


class _Reserve(QObject):
    """Keeps spare references to objects PySide6 under-counts, topped up every few seconds
    (see :func:`protect_none`)."""

    SPARE = 200_000

    def __init__(self, kept: tuple[object, ...]) -> None:
        super().__init__()
        self.spare: dict[int, list[object]] = {id(obj): [obj] * self.SPARE for obj in kept}
        self.level = {id(obj): sys.getrefcount(obj) for obj in kept}
        self.kept = kept
        self.timer = QTimer(self)
        self.timer.setInterval(5_000)
        self.timer.timeout.connect(self.top_up)
        self.timer.start()

    def top_up(self) -> None:
        """Give back what was dropped since the last time (nothing if counts went up)."""
        for obj in self.kept:
            missing = self.level[id(obj)] - sys.getrefcount(obj)
            if missing > 0:
                self.spare[id(obj)].extend([obj] * missing)


_reserve: _Reserve | None = None


def protect_none() -> None:
    """Work around two PySide6 6.12 bugs that can abort the process on Python 3.11.

    Converting an empty QVariant to Python (``QComboBox.itemData`` of an item whose data is
    None, ``QModelIndex.data`` for a role the model does not answer, ``QObject.property`` of an
    unset property, ...) returns ``None`` without taking a reference, and every
    ``Signal.emit()`` called from Python drops one reference to ``True`` (connected or not,
    whatever its arguments; ``False`` and ``None`` are untouched by it:
    ``tests/ui/test_launch_refcounts.py``). Once the count of ``None`` or ``True`` reaches zero
    CPython aborts ("none_dealloc" / "bool_dealloc: deallocating True or False"); ``True``
    has only hundreds to a few thousand references, so a day of background tasks (three
    emits each) would get there. From Python 3.12 on both are immortal and the bugs are
    harmless. Here a reserve of references to each is held and topped up every few seconds,
    so a day at the counter cannot exhaust it. Call once, after the QApplication exists.
    """
    global _reserve
    if sys.version_info < (3, 12) and _reserve is None:
        _reserve = _Reserve((None, True))


def create_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, named for QSettings, styled (Fusion + platform palette).

    A new one is created in Fusion (``-style fusion``) rather than switched to it afterwards,
    which would build ``QStyle``'s Python type before the login dialog is painted."""
    QApplication.setOrganizationName(ORGANIZATION)
    QApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationDisplayName("Perizinan Desktop")
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app, fusion = existing, False
    else:
        app, fusion = QApplication([*(argv or sys.argv[:1]), *FUSION_ARGS]), True
    protect_none()
    apply_theme(app, fusion=fusion)
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


#: Shows the first-run wizard; returns the database URL to open, or None when cancelled.
FirstRun = Callable[[QWidget | None, str | None, Path], "str | None"]


def wizard_first_run() -> FirstRun | None:
    """The setup wizard of this build (``ui.wizard``), or None when it is not part of it."""
    if importlib.util.find_spec("desktop_perizinan.ui.wizard") is None:
        return None

    def run(parent: QWidget | None, cli_url: str | None, forms_dir: Path) -> str | None:
        from desktop_perizinan.ui.wizard import run_first_run_wizard

        return run_first_run_wizard(parent, cli_url=cli_url, forms_dir=forms_dir)

    return run


class _Opened(NamedTuple):
    services: Services | None
    first_run: bool  # this PC was never set up: the setup wizard first
    has_user: bool = False  # False: the database holds nobody, make the first administrator
    first_screen: str = ""  # module of the screen the last user most likely sees first


class _LastVisit(NamedTuple):
    """Who logged in last on this PC and the screen they left open (QSettings, read on the
    GUI thread): a guess at what the next login will need, nothing more."""

    username: str
    page: str


def _prepare(cli_url: str | None, forms_dir: Path, ask_wizard: bool, last: _LastVisit) -> _Opened:
    """On the worker: does this PC need setting up? If not, open the services."""
    if ask_wizard:
        from desktop_perizinan.local_config import needs_first_run

        if needs_first_run(cli_url):
            return _Opened(None, True)
    return _open(cli_url, forms_dir, last)


def _open(cli_url: str | None, forms_dir: Path, last: _LastVisit) -> _Opened:
    """On the worker: open the services, ask whether anybody can log in, and warm up."""
    services = open_services(cli_url, forms_dir)
    try:
        has_user = services.users.any_user()  # the first query: off the GUI thread too
    except BaseException:
        services.close()
        raise
    first_screen = _warm_up(services, last) if has_user else ""
    return _Opened(services, False, has_user, first_screen)


def _warm_up(services: Services, last: _LastVisit) -> str:
    """On the worker, while the clerk types: read what the login will need (this PC's audit
    key signs the login's audit entry; read, never created here) and work out the module of
    the screen the last user will most likely see first, for :meth:`Startup._warm_up_window`.
    Only a head start: any problem is left for the real use to report."""
    try:
        from desktop_perizinan import audit_key

        audit_key.load()
    except Exception:
        pass
    try:
        from desktop_perizinan.ui.navigation import entries_for

        actor = next((a for a in services.users.list_users() if a.username == last.username), None)
        if actor is None:
            return ""
        entries = entries_for(services, actor)
        keys = [e.key for e in entries]
        return entries[keys.index(last.page) if last.page in keys else 0].module if entries else ""
    except Exception:
        return ""


#: What every main window imports, beside its first screen (see Startup._warm_up_window).
WINDOW_MODULE = "desktop_perizinan.ui.app_window"


def _import_quietly(modules: list[str]) -> None:
    """On the worker: import ahead of need; a module that fails is left for its real use to
    report (building the window imports it again and shows the error)."""
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:
            return


class Startup(QObject):
    """Login while the services open; the setup wizard (or the first administrator) on an
    empty database; then the main window.

    ``ready`` is emitted when the services are open and someone can log in, ``failed(text)``
    when the database cannot be opened, and ``entered(window)`` when the main window is shown.
    ``first_run`` runs the setup wizard (default: ``ui.wizard`` when this build has it; None:
    the small first-administrator dialog).
    """

    ready = Signal()
    failed = Signal(str)
    entered = Signal(object)

    def __init__(
        self,
        cli_url: str | None,
        forms_dir: Path,
        *,
        first_run: FirstRun | Literal["auto"] | None = "auto",
    ) -> None:
        super().__init__()
        self.cli_url = cli_url
        self.forms_dir = forms_dir
        self.first_run = wizard_first_run() if first_run == "auto" else first_run
        self.services: Services | None = None
        self.window: MainWindow | None = None
        self.problem = ""
        self.login = LoginDialog(None)
        self.login.accepted.connect(self._logged_in)
        self.first_admin: FirstAdminDialog | None = None
        self.task: Task | None = None
        self.warm_up: Task | None = None  # the window's modules imported while the clerk types
        # Open the database once the login dialog is on screen: importing SQLAlchemy on the
        # worker competes with the GUI thread for the interpreter, and the clerk should see
        # the dialog first (the database takes a second; typing the password takes longer).
        QTimer.singleShot(START_DELAY_MS, self._start)

    def _last_visit(self) -> _LastVisit:
        username = str(QSettings().value("login/last_user", "") or "")
        page = QSettings().value(f"mainwindow/page/{username}", "") if username else ""
        return _LastVisit(username, str(page or ""))

    def _start(self) -> None:
        cli_url, forms_dir = self.cli_url, self.forms_dir
        ask_wizard = self.first_run is not None
        last = self._last_visit()
        self.task = run_in_background(
            lambda: _prepare(cli_url, forms_dir, ask_wizard, last),
            on_success=self._prepared,
            on_failure=self._failed,
        )

    def _prepared(self, opened: _Opened) -> None:
        if opened.services is not None:
            self._opened(opened)
            return
        assert self.first_run is not None
        # The wizard is modal and short-lived; the login waits behind it.
        url = self.first_run(self.login, self.cli_url, self.forms_dir)
        if url is None:
            self.login.reject()
            return
        self.login.database.setText("Membuka basis data…")
        forms_dir = self.forms_dir
        last = self._last_visit()
        self.task = run_in_background(
            lambda: _open(url, forms_dir, last),
            on_success=self._prepared,
            on_failure=self._failed,
        )

    def _opened(self, opened: _Opened) -> None:
        services = opened.services
        assert services is not None
        self.services = services
        if opened.has_user:
            self.login.set_services(services)  # logs in at once if Masuk was already pressed
            self.ready.emit()
            if self.window is None:
                self._warm_up_window([WINDOW_MODULE, opened.first_screen])
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

    def _warm_up_window(self, modules: list[str]) -> None:
        """While the clerk types, import the main window and the screen it will most likely
        show first, on a worker: there an import takes the interpreter in turns with the GUI
        thread (one switch interval, 5 ms), so each key is echoed at once, where the same
        imports on the GUI thread held a key for their whole length (the counter screen
        alone: 75-125 ms). Importing defines classes only (no module of ``ui`` makes a widget
        or a pixmap at import), and the import lock makes a Masuk meanwhile wait for the
        module, not see half of it. Then, on the GUI thread and one per turn of the event
        loop, the two Python-side costs the first window would pay (see
        :meth:`_warm_up_widgets`). Once the window exists, or the dialog is gone, there is
        nothing left to gain."""
        if self.window is not None or not self.login.isVisible():
            return
        wanted = [m for m in modules if m and m not in sys.modules]
        self.warm_up = run_in_background(
            lambda: _import_quietly(wanted),
            on_success=lambda _: self._warm_up_widgets(["style", "viewport"]),
            on_failure=lambda _: None,  # only a head start: building the window reports it
        )

    def _warm_up_widgets(self, steps: list[str]) -> None:
        """Build, while the clerk types, what PySide6 builds on first use, one step per turn
        of the event loop (12-20 ms each, so a key waits at most that):

        - ``style``: ``QStyle``'s Python type (every ``set_role`` needs it; ``style()`` asks
          a widget, so the GUI thread);
        - ``viewport``: the first Python object for a widget made by Qt itself (a table's
          viewport, which the first screen's tables ask for) makes shiboken find its class
          among every widget class, building each with its enums (~50 of them); a throwaway
          scroll area's viewport pays that here instead of inside the first window."""
        if not steps or self.window is not None or not self.login.isVisible():
            return
        if steps[0] == "style":
            self.login.style()
        else:
            from PySide6.QtWidgets import QScrollArea

            QScrollArea().viewport()  # Python owns the area: deleted here, on this thread
        QTimer.singleShot(0, lambda: self._warm_up_widgets(steps[1:]))

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
            if self.window is not None:
                # The automatic backup on closing (rotated); the window is already gone, so
                # nobody waits on the GUI. It never raises; a failure is said in words.
                from desktop_perizinan.services.backup import backup_on_close

                outcome = backup_on_close(self.services)
                if not outcome.ok:
                    print(f"perizinan: {outcome.message}", file=sys.stderr)
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
