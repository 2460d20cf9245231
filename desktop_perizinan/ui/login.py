"""Logging in, and creating the very first administrator of a new database.

The login dialog can be shown before the database is open (``services=None``): the clerk types
while the services start in the background, and a login asked for early runs as soon as they
are ready. Messages come from the service as they are (wrong password, locked account).

The login dialog is the first thing on screen, so this module names no ``Qt`` enum and asks no
widget for its ``QStyle`` (PySide6 builds those Python types, every enum in them, on first use:
~30 ms together; see :mod:`desktop_perizinan.ui.theme`), and it handles Enter with the line
edits' own ``returnPressed`` rather than the event filter of ``widgets.form.EnterNavigator``
(an event filter alone makes every event of the field a Python ``QEvent``). The form helpers
and message boxes are imported when first needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError, ValidationError
from desktop_perizinan.ui.theme import emblem_pixmap, tag_role
from desktop_perizinan.ui.worker import run_in_background

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services

APP_TITLE = "Perizinan Desktop"


def _heading(parent: QWidget, text: str, subtitle: str) -> QHBoxLayout:
    emblem = QLabel(parent)
    emblem.setPixmap(emblem_pixmap(58))
    title = QLabel(text, parent)
    tag_role(title, "title")
    sub = QLabel(subtitle, parent)
    tag_role(sub, "subtitle")
    sub.setWordWrap(True)
    texts = QVBoxLayout()
    texts.addWidget(title)
    texts.addWidget(sub)
    # The emblem at the top of its column (a stretch under it: the same as AlignTop).
    column = QVBoxLayout()
    column.addWidget(emblem)
    column.addStretch(1)
    row = QHBoxLayout()
    row.addLayout(column)
    row.addLayout(texts, 1)
    return row


class LoginDialog(QDialog):
    """User and password; Enter moves from the user to the password and then logs in."""

    def __init__(self, services: Services | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Masuk — {APP_TITLE}")
        self.setObjectName("login")
        self.services: Services | None = None
        self.actor: Actor | None = None
        self._login_asked = False
        self._checking = False  # a login asked early is being checked on a worker

        self.username = QLineEdit(self)
        self.username.setObjectName("username")
        self.username.setPlaceholderText("nama pengguna")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kata sandi")
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        tag_role(self.message, "error")
        self.message.hide()
        self.database = QLabel(self)
        tag_role(self.database, "hint")
        self.database.setWordWrap(True)

        self.login_button = QPushButton("&Masuk", self)
        self.login_button.setObjectName("loginButton")
        self.login_button.setAutoDefault(False)
        self.login_button.clicked.connect(self.try_login)
        self.quit_button = QPushButton("&Keluar", self)
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow("&Pengguna:", self.username)
        form.addRow("&Kata sandi:", self.password)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.login_button)
        layout = QVBoxLayout(self)
        layout.addLayout(_heading(self, APP_TITLE, "Masuk dengan akun Anda"))
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.database)
        layout.addStretch(1)
        layout.addLayout(buttons)

        # Enter: from the user to the password, then log in (Tab walks the same order).
        self.username.returnPressed.connect(self._to_password)
        self.password.returnPressed.connect(self.try_login)
        QWidget.setTabOrder(self.username, self.password)
        QWidget.setTabOrder(self.password, self.login_button)
        last = QSettings().value("login/last_user", "")
        if last:
            self.username.setText(str(last))
        # The cursor where the clerk types first. Set before showing, QDialog keeps it (no
        # button here is auto-default), without the event filter of ``focus_on_show``, which
        # names a ``Qt`` focus reason while the dialog is being shown.
        (self.password if last else self.username).setFocus()
        self.setMinimumWidth(420)
        self.set_services(services)

    def _to_password(self) -> None:
        self.password.setFocus()
        self.password.selectAll()

    def set_services(self, services: Services | None) -> None:
        """The database is open: log in now if the clerk already asked to."""
        self.services = services
        if services is None:
            self.database.setText("Membuka basis data…")
            return
        self.database.setText(f"Basis data: {services.db.describe()}")
        if self._login_asked:
            self._login_in_background()

    def _login_in_background(self) -> None:
        """Masuk was pressed before the database was open: check the password on a worker.
        scrypt runs outside the interpreter lock, so the main window's modules, which the
        start-up imports on another worker at this moment, load meanwhile instead of after
        it. A login asked once the database is open stays on the GUI thread: by then there
        is nothing left to overlap it with."""
        assert self.services is not None
        self._login_asked = False
        if not self.username.text().strip():
            self.try_login()  # says what is missing
            return
        self._checking = True
        users, name, password = self.services.users, self.username.text(), self.password.text()
        run_in_background(
            lambda: users.login(name, password),
            on_success=self._checked,
            on_failure=self._check_failed,
            owner=self,
        )

    def _checked(self, actor: Actor) -> None:
        self._checking = False
        self._accept_as(actor)

    def _check_failed(self, exc: BaseException) -> None:
        self._checking = False
        if isinstance(exc, UserError):
            self._fail(exc.message, self.password)
            return
        from desktop_perizinan.ui.widgets.messages import report_error

        report_error(self, exc)

    def show_problem(self, text: str) -> None:
        """The database could not be opened: say why; only Keluar is left."""
        self.message.setText(text)
        self.message.show()
        self.database.setText("Basis data tidak dapat dibuka.")
        self.login_button.setEnabled(False)
        self.quit_button.setFocus()

    def try_login(self) -> None:
        if self._checking:  # Enter again while the early login is checked: it answers soon
            return
        if not self.username.text().strip():
            self._fail("Isi nama pengguna.", self.username)
            return
        if self.services is None:
            self._login_asked = True
            self.database.setText("Membuka basis data… Anda akan masuk begitu siap.")
            return
        self._login_asked = False
        try:
            actor = self.services.users.login(self.username.text(), self.password.text())
        except UserError as exc:
            self._fail(exc.message, self.password)
            return
        except Exception as exc:  # a bug or a lost database: say so, keep the dialog
            from desktop_perizinan.ui.widgets.messages import report_error

            report_error(self, exc)
            return
        self._accept_as(actor)

    def _accept_as(self, actor: Actor) -> None:
        QSettings().setValue("login/last_user", actor.username)
        self.actor = actor
        self.accept()

    def _fail(self, text: str, focus: QLineEdit) -> None:
        self.message.setText(text)
        self.message.show()
        if focus is self.password:
            self.password.clear()
        focus.setFocus()


class FirstAdminDialog(QDialog):
    """First run on an empty database: create the administrator who sets up the rest."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        from desktop_perizinan.ui.widgets.form import EnterNavigator, FieldBox, focus_on_show
        from desktop_perizinan.ui.widgets.messages import Banner

        super().__init__(parent)
        self.setWindowTitle(f"Pengguna pertama — {APP_TITLE}")
        self.setObjectName("firstAdmin")
        self._s = services
        self.created: Actor | None = None

        self.username = QLineEdit(self)
        self.username.setText("admin")
        self.full_name = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_again = QLineEdit(self)
        self.password_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.boxes = {
            "username": FieldBox(self.username),
            "full_name": FieldBox(self.full_name),
            "password": FieldBox(self.password),
            "password_again": FieldBox(self.password_again),
        }
        self.banner = Banner(self)
        form = QFormLayout()
        form.addRow("&Nama pengguna:", self.boxes["username"])
        form.addRow("Nama &lengkap:", self.boxes["full_name"])
        form.addRow("&Kata sandi:", self.boxes["password"])
        form.addRow("&Ulangi kata sandi:", self.boxes["password_again"])
        self.create_button = QPushButton("&Buat administrator", self)
        self.create_button.setAutoDefault(False)
        self.create_button.clicked.connect(self.create)
        cancel = QPushButton("Ke&luar", self)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addLayout(
            _heading(
                self,
                "Selamat datang",
                "Basis data ini belum punya pengguna. Buat akun administrator; pengguna lain, "
                "profil kantor dan jenis izin diatur sesudahnya di Pengaturan.",
            )
        )
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.navigator = EnterNavigator(self, self.create)
        self.navigator.set_chain(
            [self.username, self.full_name, self.password, self.password_again],
            tail=[self.create_button],
        )
        self.setMinimumWidth(480)
        focus_on_show(self, self.full_name)

    def create(self) -> None:
        from desktop_perizinan.services.actor import ADMIN_ROLE, SYSTEM

        for box in self.boxes.values():
            box.clear_message()
        self.banner.clear_message()
        if self.password.text() != self.password_again.text():
            self.boxes["password_again"].show_error("Kedua kata sandi tidak sama.")
            self.password_again.setFocus()
            return
        try:
            self.created = self._s.users.create(
                SYSTEM,
                username=self.username.text(),
                full_name=self.full_name.text(),
                password=self.password.text(),
                roles=frozenset({ADMIN_ROLE}),
            )
        except ValidationError as exc:
            box = self.boxes.get(exc.field or "")
            if box is not None:
                box.show_error(exc.message)
                box.editor.setFocus()
            else:
                self.banner.show_error(exc.message)
            return
        except UserError as exc:
            self.banner.show_error(exc.message)
            return
        self.accept()
