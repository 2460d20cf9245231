"""Pengaturan: the administrator's screen (office profile, users, permit types, audit) and the
password change every user can open."""

from desktop_perizinan.ui.pengaturan.password import (
    ChangePasswordDialog,
    must_change_password,
    require_password_change,
)
from desktop_perizinan.ui.pengaturan.screen import SettingsScreen

__all__ = [
    "ChangePasswordDialog",
    "SettingsScreen",
    "must_change_password",
    "require_password_change",
]
