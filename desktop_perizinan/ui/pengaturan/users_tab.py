"""The Pengguna tab: the administrator's list of users and what can be done to one.

Every action goes through :class:`~desktop_perizinan.services.user_admin.UserAdminService` (or
``services.users.create``), which checks again that the actor is an administrator: hiding the
screen from others is only for clarity. The list is read off the GUI thread; the actions are
short single transactions and run where they are clicked, so their message (e.g. "harus tersisa
sedikitnya satu administrator aktif") appears at once.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError, ValidationError
from desktop_perizinan.services.user_admin import (
    MAX_LENGTHS,
    UserAccount,
    UserAdminService,
    check_nip,
)
from desktop_perizinan.ui.pengaturan.common import make_banner, stretch_column
from desktop_perizinan.ui.theme import color, icon, set_role
from desktop_perizinan.ui.widgets.form import EnterNavigator, FieldBox
from desktop_perizinan.ui.widgets.messages import ask, report_error
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView
from desktop_perizinan.ui.worker import Task, run_in_background

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services


def _locked_text(a: UserAccount) -> str:
    return f"Ya, s.d. {a.locked_until:%H:%M}" if a.locked_until else "—"


def user_columns(role_name: dict[str, str]) -> tuple[Column[UserAccount], ...]:
    def roles(a: UserAccount) -> str:
        return ", ".join(sorted(role_name.get(r, r) for r in a.roles)) or "(tanpa peran)"

    return (
        Column("Pengguna", lambda a: a.username),
        Column("Nama lengkap", lambda a: a.full_name),
        Column("Jabatan", lambda a: a.title),
        Column("Peran", roles),
        Column(
            "Aktif",
            lambda a: "Ya" if a.active else "Nonaktif",
            color=lambda a: None if a.active else color("error"),
        ),
        Column(
            "Terkunci",
            _locked_text,
            sort_key=lambda a: a.locked_until,
            color=lambda a: color("warning") if a.locked else None,
        ),
        Column(
            "Kata sandi",
            lambda a: "Sementara (wajib diganti)" if a.must_change_password else "—",
            tooltip=lambda a: (
                "Pengguna harus mengganti kata sandi saat masuk berikutnya."
                if a.must_change_password
                else "Kata sandi pilihan pengguna sendiri."
            ),
        ),
    )


class UsersTab(QWidget):
    """List, add, edit (data and roles), disable/enable, reset password, unlock."""

    loaded = Signal()

    def __init__(
        self,
        services: Services,
        actor: Actor,
        admin: UserAdminService,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("usersTab")
        self._s = services
        self._actor = actor
        self._admin = admin
        self.task: Task | None = None
        self._stale = False
        self._select_after = ""
        self.dialog: UserDialog | None = None
        self.message: QMessageBox | None = None
        role_names = {r.code: r.name for r in admin.assignable_roles()}

        self.add_button = QPushButton(icon("baru"), "&Tambah pengguna…", self)
        self.add_button.setObjectName("addUser")
        self.edit_button = QPushButton("&Ubah data dan peran…", self)
        self.edit_button.setObjectName("editUser")
        self.toggle_button = QPushButton("&Nonaktifkan", self)
        self.toggle_button.setObjectName("toggleUser")
        self.reset_button = QPushButton("Atur ulang &kata sandi…", self)
        self.reset_button.setObjectName("resetPassword")
        self.unlock_button = QPushButton("&Buka kunci", self)
        self.unlock_button.setObjectName("unlockUser")
        for button in (
            self.add_button,
            self.edit_button,
            self.toggle_button,
            self.reset_button,
            self.unlock_button,
        ):
            button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_user)
        self.edit_button.clicked.connect(self.edit_user)
        self.toggle_button.clicked.connect(self.toggle_active)
        self.reset_button.clicked.connect(self.reset_password)
        self.unlock_button.clicked.connect(self.unlock)
        QShortcut(QKeySequence("Ins"), self, self.add_user)

        self.filter = QLineEdit(self)
        self.filter.setObjectName("userFilter")
        self.filter.setPlaceholderText("Saring: nama, pengguna, peran")
        self.filter.setClearButtonEnabled(True)
        self.filter.setMinimumWidth(240)
        self.model: RowsModel[UserAccount] = RowsModel(user_columns(role_names), self)
        self.view = RowsView(self.model, self)
        self.view.setObjectName("usersTable")
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        stretch_column(self.view, 1)
        self.view.activated.connect(lambda _i: self.edit_user())
        self.filter.textChanged.connect(self.view.set_filter)
        self.view.selectionModel().currentChanged.connect(lambda *_a: self._update_buttons())
        self.status = QLabel(self)
        set_role(self.status, "hint")

        top = QHBoxLayout()
        top.addWidget(self.add_button)
        top.addWidget(self.edit_button)
        top.addWidget(self.toggle_button)
        top.addWidget(self.reset_button)
        top.addWidget(self.unlock_button)
        top.addStretch(1)
        top.addWidget(self.filter)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self._update_buttons()

    # ---------------------------------------------------------------- list

    @property
    def busy(self) -> bool:
        """A list is being read, or another read is due right after it."""
        return self._stale or (self.task is not None and self.task.running)

    def refresh(self) -> None:
        if self.task is not None and self.task.running:
            self._stale = True  # an action changed the data meanwhile: read again after
            return
        actor, admin = self._actor, self._admin
        self.task = run_in_background(
            lambda: admin.list_accounts(actor),
            on_success=self._show,
            on_failure=self._failed,
            owner=self,
        )

    def _failed(self, exc: BaseException) -> None:
        self._stale = False
        self.message = report_error(self, exc)

    def _show(self, accounts: list[UserAccount]) -> None:
        current = self.selected()
        self.model.set_rows(accounts)
        wanted = self._select_after or (current.username if current is not None else "")
        if wanted and self.select_user(wanted):
            self._select_after = ""
        active = sum(1 for a in accounts if a.active)
        locked = sum(1 for a in accounts if a.locked)
        self.status.setText(
            f"{len(accounts)} pengguna · {active} aktif"
            + (f" · {locked} terkunci" if locked else "")
            + " · Perubahan peran berlaku saat pengguna masuk berikutnya."
        )
        self._update_buttons()
        if self._stale:
            # This task still counts as running until the callback returns.
            self._stale = False
            QTimer.singleShot(0, self, self.refresh)
            return
        self.loaded.emit()

    def selected(self) -> UserAccount | None:
        row = self.view.current_row()
        return row if isinstance(row, UserAccount) else None

    def select_user(self, username: str) -> bool:
        for number, account in enumerate(self.model.rows()):
            if account.username == username:
                index = self.view.proxy.mapFromSource(self.model.index(number, 0))
                if index.isValid():
                    self.view.setCurrentIndex(index)
                    return True
        return False

    def _update_buttons(self) -> None:
        account = self.selected()
        for button in (self.edit_button, self.toggle_button, self.reset_button):
            button.setEnabled(account is not None)
        self.unlock_button.setEnabled(account is not None and account.locked)
        self.toggle_button.setText(
            "&Aktifkan" if account is not None and not account.active else "&Nonaktifkan"
        )

    # ---------------------------------------------------------------- actions

    def add_user(self) -> UserDialog:
        return self._open_dialog(None)

    def edit_user(self) -> UserDialog | None:
        account = self.selected()
        return None if account is None else self._open_dialog(account)

    def _open_dialog(self, account: UserAccount | None) -> UserDialog:
        dialog = UserDialog(self._s, self._actor, self._admin, account, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, username: str) -> None:
        self._select_after = username
        self.refresh()

    def toggle_active(self) -> QMessageBox | None:
        account = self.selected()
        if account is None:
            return None
        if account.active:
            return self._confirm(
                "Nonaktifkan pengguna",
                f"Nonaktifkan <b>{escape(account.full_name)}</b> ({account.username})?<br>"
                "Ia tidak dapat masuk lagi sampai diaktifkan kembali. Riwayat kerjanya tetap.",
                lambda: self._admin.disable(self._actor, account.id),
                "Nonaktifkan",
            )
        return self._run(lambda: self._admin.enable(self._actor, account.id))

    def reset_password(self) -> QMessageBox | None:
        account = self.selected()
        if account is None:
            return None

        def reset() -> None:
            temporary = self._admin.reset_password(self._actor, account.id)
            self.message = self._show_temporary(account, temporary)

        return self._confirm(
            "Atur ulang kata sandi",
            f"Buat kata sandi sementara untuk <b>{escape(account.full_name)}</b> ({account.username})?"
            "<br>Kata sandi lamanya tidak berlaku lagi, dan ia wajib menggantinya saat masuk.",
            reset,
            "Atur ulang",
        )

    def unlock(self) -> None:
        account = self.selected()
        if account is not None:
            self._run(lambda: self._admin.unlock(self._actor, account.id))

    def _confirm(
        self, title: str, text: str, action: Callable[[], object], yes: str
    ) -> QMessageBox:
        box = ask(self, title, text, lambda: self._run(action), yes=yes, no="Batal")
        self.message = box
        return box

    def _run(self, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception as exc:
            self.message = report_error(self, exc)
        self.refresh()

    def _show_temporary(self, account: UserAccount, temporary: str) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Kata sandi sementara",
            f"Kata sandi sementara untuk <b>{account.username}</b>:"
            f"<p style='font-size:16pt; font-family:monospace'>{temporary}</p>"
            "Sampaikan langsung kepada pengguna (jangan lewat pesan umum). Saat masuk, ia "
            "diminta membuat kata sandi sendiri. Kata sandi ini tidak ditampilkan lagi.",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("temporaryPassword")
        box.setProperty("password", temporary)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box


class UserDialog(QDialog):
    """Add a user, or change one's name, NIP, rank, title and roles."""

    saved = Signal(str)

    def __init__(
        self,
        services: Services,
        actor: Actor,
        admin: UserAdminService,
        account: UserAccount | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("userDialog")
        self._s = services
        self._actor = actor
        self._admin = admin
        self.account = account
        adding = account is None
        self.setWindowTitle("Tambah pengguna" if adding else f"Ubah pengguna {account.username}")

        self.edits: dict[str, QLineEdit] = {}
        self.boxes: dict[str, FieldBox] = {}
        form = QFormLayout()
        for key, label in (
            ("username", "Nama &pengguna:"),
            ("full_name", "Nama &lengkap (dengan gelar):"),
            ("nip", "&NIP:"),
            ("rank", "Pang&kat/golongan:"),
            ("title", "&Jabatan:"),
        ):
            form.addRow(label, self._edit(key))
        self.edits["username"].setPlaceholderText("huruf kecil, angka, titik; misalnya rina.s")
        self.edits["nip"].setPlaceholderText("18 angka (boleh dengan spasi)")
        if adding:
            for key, label in (
                ("password", "Kata &sandi awal:"),
                ("password_again", "&Ulangi kata sandi:"),
            ):
                form.addRow(label, self._edit(key))
                self.edits[key].setEchoMode(QLineEdit.EchoMode.Password)
        else:
            assert account is not None
            self.edits["username"].setText(account.username)
            self.edits["username"].setReadOnly(True)
            self.edits["username"].setToolTip("Nama pengguna tidak dapat diubah.")
            for key in ("full_name", "nip", "rank", "title"):
                self.edits[key].setText(getattr(account, key))

        self.role_checks: dict[str, QCheckBox] = {}
        roles_box = QGroupBox("Peran", self)
        grid = QGridLayout(roles_box)
        roles = admin.assignable_roles()
        for number, role in enumerate(roles):
            check = QCheckBox(role.name, roles_box)
            check.setObjectName(f"role_{role.code}")
            check.setToolTip(f"Kode peran: {role.code}")
            check.setChecked(account is not None and role.code in account.roles)
            self.role_checks[role.code] = check
            grid.addWidget(
                check, number % ((len(roles) + 1) // 2), number // ((len(roles) + 1) // 2)
            )
        self.roles_message = QLabel(roles_box)
        set_role(self.roles_message, "error")
        self.roles_message.hide()
        grid.addWidget(self.roles_message, grid.rowCount(), 0, 1, 2)

        self.banner = make_banner(self)
        self.save_button = QPushButton("&Simpan", self)
        self.save_button.setObjectName("saveUser")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.submit)
        cancel = QPushButton("&Batal", self)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(roles_box)
        layout.addLayout(buttons)

        chain = [e for k, e in self.edits.items() if not (k == "username" and not adding)]
        self.navigator = EnterNavigator(self, self.submit)
        self.navigator.set_chain(chain, tail=[*self.role_checks.values(), self.save_button])
        self.setMinimumWidth(560)
        chain[0].setFocus()

    def _edit(self, key: str) -> FieldBox:
        edit = QLineEdit(self)
        edit.setObjectName(key)
        if key in MAX_LENGTHS:
            edit.setMaxLength(MAX_LENGTHS[key])
        box = FieldBox(edit, self)
        self.edits[key] = edit
        self.boxes[key] = box
        return box

    def roles(self) -> set[str]:
        return {code for code, check in self.role_checks.items() if check.isChecked()}

    def submit(self) -> None:
        for box in self.boxes.values():
            box.clear_message()
        self.roles_message.hide()
        self.banner.clear_message()
        text = {k: e.text() for k, e in self.edits.items()}
        roles = self.roles()
        try:
            nip = check_nip(text["nip"])
            if self.account is None and text["password"] != text["password_again"]:
                raise ValidationError("Kedua kata sandi tidak sama.", "password_again")
            if not roles:
                raise ValidationError("Pilih sedikitnya satu peran.", "roles")
            if self.account is None:
                created = self._s.users.create(
                    self._actor,
                    username=text["username"],
                    full_name=text["full_name"],
                    password=text["password"],
                    roles=roles,
                    nip=nip,
                    rank=text["rank"].strip(),
                    title=" ".join(text["title"].split()),
                )
                username = created.username
            else:
                updated = self._admin.update_user(
                    self._actor,
                    self.account.id,
                    full_name=text["full_name"],
                    nip=nip,
                    rank=text["rank"],
                    title=text["title"],
                    roles=roles,
                )
                username = updated.username
        except ValidationError as exc:
            self._show_error(exc)
            return
        except UserError as exc:
            self.banner.show_error(exc.message)
            return
        except Exception as exc:
            report_error(self, exc)
            return
        self.saved.emit(username)
        self.accept()

    def _show_error(self, exc: ValidationError) -> None:
        if exc.field == "roles":
            self.roles_message.setText(exc.message)
            self.roles_message.show()
            next(iter(self.role_checks.values())).setFocus()
            return
        box = self.boxes.get(exc.field or "")
        if box is None:
            self.banner.show_error(exc.message)
            return
        box.show_error(exc.message)
        box.editor.setFocus()
