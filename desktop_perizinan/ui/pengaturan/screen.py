"""Pengaturan: the administrator's screen, four tabs composed from the services.

The screen holds no data of its own: each tab asks its service when it is shown (F5 and every
return to the screen refresh the tab on show), so two administrators on a LAN see each other's
changes. The services enforce every permission; this screen is shown to administrators only by
the navigation, and to anyone else it only says so.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.services.actor import ADMIN_ROLE
from desktop_perizinan.services.audit_view import AuditLogService
from desktop_perizinan.services.user_admin import UserAdminService
from desktop_perizinan.ui.pengaturan.audit_tab import AuditTab
from desktop_perizinan.ui.pengaturan.common import make_banner
from desktop_perizinan.ui.pengaturan.data_pribadi_tab import PersonalDataTab
from desktop_perizinan.ui.pengaturan.esign_tab import EsignTab
from desktop_perizinan.ui.pengaturan.forms_tab import FormsTab
from desktop_perizinan.ui.pengaturan.profile_tab import ProfileTab
from desktop_perizinan.ui.pengaturan.users_tab import UsersTab
from desktop_perizinan.ui.theme import icon, set_role
from desktop_perizinan.ui.worker import Task, run_in_background

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services

BACKUP_MODULE = "desktop_perizinan.services.backup"

TAB_PROFILE, TAB_USERS, TAB_FORMS, TAB_AUDIT = range(4)


def _backup_available() -> bool:
    try:
        return importlib.util.find_spec(BACKUP_MODULE) is not None
    except ModuleNotFoundError:
        return False


def default_forms_dir(services: Services) -> Path:
    """The folder the services loaded the permit types from (``Services.forms_dir`` when the
    core records it; else the folder the app uses by default)."""
    recorded = getattr(services, "forms_dir", None)
    if recorded:
        return Path(recorded)
    from desktop_perizinan.paths import forms_dir

    return forms_dir()


class SettingsScreen(QWidget):
    """Profil kantor, Pengguna, Jenis izin, Audit; and "Cadangkan sekarang"."""

    def __init__(
        self,
        services: Services,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        forms_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsScreen")
        self._s = services
        self._actor = actor
        self.backup_task: Task | None = None
        self._shown: set[int] = set()

        title = QLabel("Pengaturan", self)
        set_role(title, "title")
        subtitle = QLabel(f"Basis data: {services.db.describe()}", self)
        subtitle.setObjectName("databaseDescription")
        set_role(subtitle, "subtitle")
        subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        texts = QVBoxLayout()
        texts.addWidget(title)
        texts.addWidget(subtitle)
        header = QHBoxLayout()
        header.addLayout(texts, 1)
        self.backup_button = QPushButton(icon("basisdata"), "Cadangkan &sekarang", self)
        self.backup_button.setObjectName("backupNow")
        self.backup_button.setAutoDefault(False)
        self.backup_button.setToolTip(
            "Buat cadangan basis data yang diperiksa keutuhannya (sama dengan 'perizinan backup')."
        )
        self.backup_button.clicked.connect(self.backup_now)
        self.backup_button.setVisible(_backup_available() and actor.has(ADMIN_ROLE))
        header.addWidget(self.backup_button, 0, Qt.AlignmentFlag.AlignTop)
        self.banner = make_banner(self)
        self.banner.setObjectName("settingsBanner")

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.banner)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("settingsTabs")
        self.profile: ProfileTab | None = None
        self.users: UsersTab | None = None
        self.forms: FormsTab | None = None
        self.audit: AuditTab | None = None
        self.personal_data: PersonalDataTab | None = None
        if not actor.has(ADMIN_ROLE):
            notice = QLabel(
                "Pengaturan hanya untuk administrator. Minta administrator kantor bila profil "
                "kantor, pengguna atau jenis izin perlu diubah.",
                self,
            )
            notice.setWordWrap(True)
            notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(notice, 1)
            self.tabs.hide()
            return

        self.profile = ProfileTab(services, actor, self.tabs)
        self.users = UsersTab(services, actor, UserAdminService(services), self.tabs)
        self.forms = FormsTab(services, actor, forms_dir or default_forms_dir(services), self.tabs)
        self.audit = AuditTab(services, actor, AuditLogService(services), self.tabs)
        self.tabs.addTab(self.profile, icon("pengaturan"), "&Profil kantor")
        self.tabs.addTab(self.users, icon("pengguna"), "Pen&gguna")
        self.tabs.addTab(self.forms, icon("permohonan"), "&Jenis izin")
        self.tabs.addTab(self.audit, icon("buku"), "&Audit")
        self.tabs.addTab(EsignTab(services, actor), icon("kelengkapan"), "&Tanda tangan elektronik")
        self.personal_data = PersonalDataTab(services, actor, self.tabs)
        self.tabs.addTab(self.personal_data, icon("pengguna"), "&Data pribadi")
        self.tabs.currentChanged.connect(self._tab_changed)
        layout.addWidget(self.tabs, 1)
        self._shown.add(TAB_PROFILE)  # loaded by its constructor

    def _tab_changed(self, index: int) -> None:
        """A tab is loaded the first time it is shown, and again on every later show."""
        self._shown.add(index)
        self._refresh_tab(index)

    def _refresh_tab(self, index: int) -> None:
        tab = self.tabs.widget(index)
        refresh = getattr(tab, "refresh", None)
        if callable(refresh):
            refresh()

    def refresh(self) -> None:
        """F5 and every return to the screen (the main window calls it)."""
        if self.tabs.count():
            self._refresh_tab(self.tabs.currentIndex())

    def show_tab(self, index: int) -> QWidget:
        """Switch to a tab (loads it); returns the tab widget."""
        if self.tabs.currentIndex() == index:
            self._refresh_tab(index)
        else:
            self.tabs.setCurrentIndex(index)
        return self.tabs.widget(index)

    # ---------------------------------------------------------------- backup

    def backup_now(self) -> None:
        """A verified backup (``services.backup.create_backup``), off the GUI thread."""
        if self.backup_task is not None and self.backup_task.running:
            return
        from desktop_perizinan.services import backup

        url = self._s.db.url
        self.backup_button.setEnabled(False)
        self.banner.show_ok("Membuat cadangan dan memeriksanya…")

        def done(result: backup.BackupResult) -> None:
            self.backup_button.setEnabled(True)
            if result.verification.audit_ok:
                self.banner.show_ok(result.summary())
            else:
                self.banner.show_error(result.summary())

        def failed(exc: BaseException) -> None:
            self.backup_button.setEnabled(True)
            self.banner.show_error(f"Cadangan gagal: {exc}")

        self.backup_task = run_in_background(
            lambda: backup.create_backup(url), on_success=done, on_failure=failed, owner=self
        )
