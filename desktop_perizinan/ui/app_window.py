"""The main window: navigation on the left, the current screen on the right, a status bar.

It composes screens, it does not contain them (STYLE.md point 14): the list of screens, who sees
them and their commands are data in :mod:`desktop_perizinan.ui.navigation`; each screen is built
the first time it is shown, from the services and the logged-in actor passed in here. The window
itself only owns what is common to all screens: menus, quick find (Ctrl+F / F3), refresh (F5),
the connection indicator, and the window's remembered geometry (QSettings: UI state only).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from desktop_perizinan import __version__
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.ui.navigation import NavEntry, entries_for
from desktop_perizinan.ui.theme import icon, set_role
from desktop_perizinan.ui.widgets.messages import report_error, return_focus_after
from desktop_perizinan.ui.worker import Task, run_in_background

#: How often the status bar asks whether the database still answers.
CONNECTION_CHECK_MS = 15_000
#: Below this available height (a 1366×768 screen less its taskbar) the first window opens
#: maximised.
SMALL_SCREEN_HEIGHT = 820


class MainWindow(QMainWindow):
    def __init__(
        self,
        services: Services,
        actor: Actor,
        *,
        entries: list[NavEntry] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.services = services
        self.actor = actor
        self.entries = entries_for(services, actor) if entries is None else list(entries)
        self.screens: dict[str, QWidget] = {}
        self._ping: Task | None = None
        self.connected: bool | None = None

        office = services.settings.office_profile().office_name
        # Qt appends the application's display name ("— Perizinan Desktop") to every window
        # title on Windows and X11: the office alone, or it would read twice.
        self.setWindowTitle(office)

        self.navigation = QListWidget(self)
        self.navigation.setObjectName("navigation")
        self.navigation.setIconSize(QSize(22, 22))
        self.navigation.setFixedWidth(190)
        for entry in self.entries:
            item = QListWidgetItem(icon(entry.icon), entry.label)
            item.setToolTip(entry.tooltip)
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            self.navigation.addItem(item)
        self.stack = QStackedWidget(self)
        self.navigation.currentRowChanged.connect(self._row_changed)

        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        if not self.entries:
            self._no_screens()

        self._build_menus()
        self._build_status_bar()
        self._restore()
        self.navigation.setFocus()
        self.timer = QTimer(self)
        self.timer.setInterval(CONNECTION_CHECK_MS)
        self.timer.timeout.connect(self.check_connection)
        self.timer.start()
        QTimer.singleShot(0, self.check_connection)

    # ================================================================ screens

    def _no_screens(self) -> None:
        text = QLabel(
            "Akun Anda belum memiliki peran yang membuka layar di aplikasi ini.\n"
            "Gunakan Ctrl+F untuk mencari permohonan, atau minta administrator menambahkan "
            "peran Anda.",
            self,
        )
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setWordWrap(True)
        self.navigation.hide()
        self.stack.addWidget(text)

    def entry(self, key: str) -> NavEntry | None:
        return next((e for e in self.entries if e.key == key), None)

    def show_screen(self, key: str) -> QWidget | None:
        """Switch to the screen ``key`` (building it on first use); None if unavailable."""
        entry = self.entry(key)
        if entry is None:
            return None
        row = self.entries.index(entry)
        if self.navigation.currentRow() != row:
            self.navigation.setCurrentRow(row)  # builds and shows via _row_changed
        return self.screens.get(key)

    def _row_changed(self, row: int) -> None:
        if not 0 <= row < len(self.entries):
            return
        entry = self.entries[row]
        screen = self.screens.get(entry.key)
        if screen is None:
            try:
                screen = entry.factory()(self.services, self.actor, self.stack)
            except Exception as exc:
                report_error(self, exc)
                return
            self.screens[entry.key] = screen
            self.stack.addWidget(screen)
        else:
            self._refresh(screen)
        self.stack.setCurrentWidget(screen)

    def current_screen(self) -> QWidget | None:
        widget = self.stack.currentWidget()
        return widget if widget in self.screens.values() else None

    def _refresh(self, screen: QWidget | None) -> None:
        refresh = getattr(screen, "refresh", None)
        if callable(refresh):
            try:
                refresh()
            except Exception as exc:
                report_error(self, exc)

    def run_command(self, key: str, method: str) -> Any:
        screen = self.show_screen(key)
        if screen is None:
            return None
        return getattr(screen, method)()

    # ================================================================ menus

    def _action(
        self, text: str, slot: Any, shortcuts: list[str] | None = None, icon_name: str = ""
    ) -> QAction:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)  # active even while the menu bar is hidden
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&Berkas")
        for entry in self.entries:
            for command in entry.commands:
                file_menu.addAction(
                    self._action(
                        command.label,
                        lambda _c=False, k=entry.key, m=command.method: self.run_command(k, m),
                        [command.shortcut],
                        command.icon,
                    )
                )
        if any(e.commands for e in self.entries):
            file_menu.addSeparator()
        self.quit_action = self._action("&Keluar", self.close, ["Ctrl+Q"], "keluar")
        file_menu.addAction(self.quit_action)

        view_menu = bar.addMenu("&Lihat")
        for number, entry in enumerate(self.entries, start=1):
            view_menu.addAction(
                self._action(
                    entry.label,
                    lambda _c=False, k=entry.key: self.show_screen(k),
                    [f"Ctrl+{number}"] if number < 10 else None,
                    entry.icon,
                )
            )
        view_menu.addSeparator()
        self.find_action = self._action(
            "&Cari permohonan…", self.quick_find, ["Ctrl+F", "F3"], "cari"
        )
        view_menu.addAction(self.find_action)
        self.refresh_action = self._action(
            "&Muat ulang", lambda: self._refresh(self.current_screen()), ["F5"], "muat-ulang"
        )
        view_menu.addAction(self.refresh_action)

        help_menu = bar.addMenu("Ban&tuan")
        help_menu.addAction(self._action("&Tentang Perizinan Desktop", self.about, None, "tentang"))

    def about(self) -> QMessageBox:
        box = QMessageBox(self)
        box.setWindowTitle("Tentang Perizinan Desktop")
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        box.setText(
            f"<b>Perizinan Desktop {__version__}</b><br>"
            "Aplikasi back-office DPMPTSP: loket, disposisi, paraf, tanda tangan, buku agenda."
            f"<br><br>Basis data: {self.services.db.describe()}"
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return_focus_after(box)
        box.open()
        return box

    # ================================================================ quick find

    def quick_find(self) -> QWidget:
        from desktop_perizinan.ui.widgets.quick_find import QuickFindDialog

        dialog = QuickFindDialog(self.services, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_case.connect(self.open_case)
        return_focus_after(dialog)
        dialog.open()
        return dialog

    def open_case(self, case_id: int) -> QWidget | None:
        """The case in its own window: the back office's full case view when this build has
        it (``ui.tugas.CaseDialog``), else the read-only summary."""
        try:
            from desktop_perizinan.ui.tugas import CaseDialog as CaseWindow
        except ImportError:
            from desktop_perizinan.ui.widgets.case_summary import CaseSummaryDialog as CaseWindow

        try:
            dialog = CaseWindow(self.services, self.actor, case_id, self)
        except Exception as exc:
            report_error(self, exc)
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    # ================================================================ status bar

    def _build_status_bar(self) -> None:
        roles = ", ".join(sorted(self.services.office.role_name(r) for r in self.actor.roles))
        self.user_label = QLabel(f"{self.actor.full_name} · {roles}", self)
        self.user_label.setObjectName("user")
        self.database_label = QLabel(self.services.db.describe(), self)
        self.database_label.setObjectName("database")
        self.connection_label = QLabel("…", self)
        self.connection_label.setObjectName("connection")
        bar = self.statusBar()
        bar.addWidget(self.user_label)
        bar.addPermanentWidget(self.database_label)
        bar.addPermanentWidget(self.connection_label)

    def check_connection(self) -> None:
        """Ask the database a trivial question off the GUI thread (a dead LAN server must not
        freeze the window for the connect timeout)."""
        if self._ping is not None and self._ping.running:
            return
        users = self.services.users
        self._ping = run_in_background(
            users.any_user,
            on_success=lambda _r: self._set_connected(True),
            on_failure=lambda _e: self._set_connected(False),
            owner=self,
        )

    def _set_connected(self, up: bool) -> None:
        self.connected = up
        self.connection_label.setText("Terhubung" if up else "Terputus")
        self.connection_label.setToolTip(
            "Basis data menjawab." if up else "Basis data tidak menjawab; periksa jaringan/server."
        )
        self.connection_label.setProperty("state", "up" if up else "down")
        set_role(self.connection_label, "")

    # ================================================================ window state

    def _fit_on_screen(self, *, maximise_if_small: bool) -> None:
        """Keep the whole window, status bar included, on the screen it opens on.

        1280×800 suits a large screen, but the common office screen is 1366×768 (less the
        taskbar), and a geometry saved on another monitor may be larger still: shrink to the
        available area and move inside it. The first time on a small screen, open maximised
        (after that, the user's own choice is restored)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None or self.windowState() & Qt.WindowState.WindowMaximized:
            return  # a maximised window restored as such already fits
        area = screen.availableGeometry()
        frame = self.frameGeometry()
        extra_w = max(0, frame.width() - self.width())
        extra_h = max(0, frame.height() - self.height())
        width = min(self.width(), area.width() - extra_w)
        height = min(self.height(), area.height() - extra_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(max(width, 1), max(height, 1))
        frame = self.frameGeometry()
        x = min(max(frame.x(), area.left()), area.right() - frame.width() + 1)
        y = min(max(frame.y(), area.top()), area.bottom() - frame.height() + 1)
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)
        if maximise_if_small and area.height() < SMALL_SCREEN_HEIGHT:
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("mainwindow/geometry")
        first_time = geometry is None or not self.restoreGeometry(geometry)
        if first_time:
            self.resize(1280, 800)
        self._fit_on_screen(maximise_if_small=first_time)
        state = settings.value("mainwindow/state")
        if state is not None:
            self.restoreState(state)
        page = str(settings.value(f"mainwindow/page/{self.actor.username}", ""))
        keys = [e.key for e in self.entries]
        if self.entries:
            self.navigation.setCurrentRow(keys.index(page) if page in keys else 0)

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = QSettings()
        settings.setValue("mainwindow/geometry", self.saveGeometry())
        settings.setValue("mainwindow/state", self.saveState())
        screen = self.current_screen()
        for key, widget in self.screens.items():
            if widget is screen:
                settings.setValue(f"mainwindow/page/{self.actor.username}", key)
        self.timer.stop()
        super().closeEvent(event)
