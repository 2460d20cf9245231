"""Changing one's own password: any user, from the menu; and forced right after logging in with
a temporary password that an administrator set (``User.must_change_password``).

The dialog only collects and checks the three fields; ``services.users.change_password`` checks
the old password, the rules for the new one, clears the "must change" flag and writes the audit
entry, in one transaction.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

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
from desktop_perizinan.services.passwords import password_problem
from desktop_perizinan.services.user_admin import UserAdminService
from desktop_perizinan.ui.pengaturan.common import make_banner
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.form import EnterNavigator, FieldBox
from desktop_perizinan.ui.widgets.messages import report_error

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services


class ChangePasswordDialog(QDialog):
    """Old password, new password twice. ``forced``: the user cannot go on without it."""

    def __init__(
        self,
        services: Services,
        actor: Actor,
        *,
        forced: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("changePassword")
        self.setWindowTitle("Ganti kata sandi")
        self._s = services
        self._actor = actor
        self.forced = forced

        intro = QLabel(self)
        intro.setWordWrap(True)
        if forced:
            intro.setText(
                f"<b>{escape(actor.full_name)}</b>, Anda masuk dengan kata sandi sementara dari "
                "administrator. Buat kata sandi Anda sendiri sebelum melanjutkan."
            )
        else:
            intro.setText(
                f"Ganti kata sandi untuk <b>{escape(actor.username)}</b> "
                f"({escape(actor.full_name)})."
            )
        rules = QLabel("Minimal 8 karakter, memuat huruf dan angka.", self)
        set_role(rules, "hint")

        self.old = self._password_edit("oldPassword")
        self.new = self._password_edit("newPassword")
        self.again = self._password_edit("newPasswordAgain")
        self.boxes = {
            "old_password": FieldBox(self.old, self),
            "password": FieldBox(self.new, self),
            "password_again": FieldBox(self.again, self),
        }
        self.banner = make_banner(self)
        form = QFormLayout()
        form.addRow(
            "Kata sandi &sementara:" if forced else "Kata sandi &lama:", self.boxes["old_password"]
        )
        form.addRow("Kata sandi &baru:", self.boxes["password"])
        form.addRow("&Ulangi kata sandi baru:", self.boxes["password_again"])

        self.save_button = QPushButton("&Simpan kata sandi", self)
        self.save_button.setObjectName("savePassword")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("&Keluar dari aplikasi" if forced else "&Batal", self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(rules)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.navigator = EnterNavigator(self, self.submit)
        self.navigator.set_chain([self.old, self.new, self.again], tail=[self.save_button])
        self.setMinimumWidth(460)
        self.old.setFocus()

    def _password_edit(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def submit(self) -> None:
        for box in self.boxes.values():
            box.clear_message()
        self.banner.clear_message()
        old, new = self.old.text(), self.new.text()
        problem = password_problem(new)
        if problem:
            self._fail("password", problem)
            return
        if new != self.again.text():
            self._fail("password_again", "Kedua kata sandi baru tidak sama.")
            return
        if new == old:
            self._fail("password", "Kata sandi baru harus berbeda dari yang lama.")
            return
        try:
            self._s.users.change_password(self._actor, old, new)
        except ValidationError as exc:
            self._fail(exc.field or "", exc.message)
            return
        except UserError as exc:
            self.banner.show_error(exc.message)
            return
        except Exception as exc:
            report_error(self, exc)
            return
        self.accept()

    def _fail(self, field: str, text: str) -> None:
        box = self.boxes.get(field)
        if box is None:
            self.banner.show_error(text)
            return
        box.show_error(text)
        editor = box.editor
        assert isinstance(editor, QLineEdit)
        editor.selectAll()
        editor.setFocus()


def must_change_password(services: Services, actor: Actor) -> bool:
    """True when ``actor`` logged in with a temporary password (for the shell, after login)."""
    return UserAdminService(services).must_change_password(actor.id)


def require_password_change(
    services: Services, actor: Actor, parent: QWidget | None = None
) -> bool:
    """Right after login: make a user holding a temporary password choose their own.

    Returns True when the user may go on (nothing to change, or changed now) and False when
    they closed the dialog instead (the shell then ends the session). Modal: call it before the
    main window is shown.
    """
    if not must_change_password(services, actor):
        return True
    dialog = ChangePasswordDialog(services, actor, forced=True, parent=parent)
    return dialog.exec() == QDialog.DialogCode.Accepted
