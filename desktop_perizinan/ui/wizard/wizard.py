"""The first-run wizard: the database, the letterhead, the head of office, the first administrator.

Four pages, in the order an office sets itself up:

1. **Basis data** — "PC ini" (SQLite in the data folder, or a folder of the user's choice that
   is refused when it is on a network share: SQLite's locking does not hold across PCs and the
   file gets corrupted) or "Server kantor (PostgreSQL)", which must pass "Uji koneksi" first
   (run off the GUI thread: a server that does not answer would freeze the window for the
   connect timeout). A database that is already set up (a second PC joining the LAN) skips
   the office pages: a last page says so, and Selesai only records the choice for this PC.
2. **Profil kantor dan kop surat**, 3. **Kepala kantor** — the office profile (the same forms as
   Pengaturan › Profil kantor).
4. **Administrator pertama** — username, name, password twice.

Selesai opens the services on the chosen database (creating and migrating it), creates the
administrator (the very first user may be created by ``SYSTEM``), saves the profile, and only
then writes this PC's configuration (atomically): a setup that fails half-way leaves no
configuration pointing at an empty database, and running the wizard again simply resumes.
All of that runs on a worker thread; the window stays responsive and says what it is doing.

With ``fixed_url`` (``--db`` or ``PERIZINAN_DB_URL`` named the database for this run) the
database page is skipped and no configuration is written: the choice was made outside the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.errors import UserError, ValidationError
from desktop_perizinan.local_config import (
    DatabaseChoice,
    LocalConfig,
    LocalConfigError,
    explicit_url,
    load_config,
)
from desktop_perizinan.ui.pengaturan.profile_form import empty_profile
from desktop_perizinan.ui.theme import app_icon
from desktop_perizinan.ui.wizard.common import (
    PAGE_ADMIN,
    PAGE_DATABASE,
    PAGE_HEAD,
    PAGE_JOIN,
    PAGE_PROFILE,
    TITLE,
)
from desktop_perizinan.ui.wizard.database_page import DatabasePage
from desktop_perizinan.ui.wizard.office_pages import AdminPage, HeadPage, JoinPage, ProfilePage
from desktop_perizinan.ui.wizard.setup import AdminInput, set_up_office
from desktop_perizinan.ui.worker import Task, run_in_background

if TYPE_CHECKING:
    from desktop_perizinan.ui.widgets.messages import Banner

__all__ = [
    "PAGE_ADMIN",
    "PAGE_DATABASE",
    "PAGE_HEAD",
    "PAGE_JOIN",
    "PAGE_PROFILE",
    "AdminInput",
    "FirstRunWizard",
    "run_first_run_wizard",
    "set_up_office",
]


# ============================================================================ the wizard


class FirstRunWizard(QWizard):
    """Set up this PC and, for a new database, the office. ``url`` is set once it succeeded."""

    finished_setup = Signal(str)

    def __init__(
        self,
        *,
        forms_dir: Path | None = None,
        fixed_url: str | None = None,
        notice: str = "",
        start_from: DatabaseChoice | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        from desktop_perizinan.paths import forms_dir as default_forms_dir

        self.setObjectName("firstRunWizard")
        self.setWindowTitle(TITLE)
        self.setWindowIcon(app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, app_icon().pixmap(48, 58))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, False)
        self.setButtonText(QWizard.WizardButton.NextButton, "&Lanjut >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Kembali")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Selesai")
        self.setButtonText(QWizard.WizardButton.CancelButton, "&Batal")
        self.forms_dir = forms_dir or default_forms_dir()
        self.fixed_url = fixed_url
        self.url: str | None = None
        self.task: Task | None = None

        self.database_page = DatabasePage(notice, self)
        self.profile_page = ProfilePage(self)
        self.head_page = HeadPage(self)
        self.admin_page = AdminPage(self)
        self.join_page = JoinPage(self)
        self.setPage(PAGE_DATABASE, self.database_page)
        self.setPage(PAGE_PROFILE, self.profile_page)
        self.setPage(PAGE_HEAD, self.head_page)
        self.setPage(PAGE_ADMIN, self.admin_page)
        self.setPage(PAGE_JOIN, self.join_page)
        if start_from is not None:
            self.database_page.load(start_from)
        if fixed_url is not None:
            self.setStartId(PAGE_PROFILE)
        self.profile_page.form.load(empty_profile())
        self.head_page.form.load(empty_profile())
        self.resize(820, 640)

    def describe_database(self) -> str:
        if self.fixed_url is not None:
            from desktop_perizinan.db.errors import describe_url

            return f"{describe_url(self.fixed_url)}, ditentukan lewat --db/PERIZINAN_DB_URL"
        return self.database_page.choice().describe()

    def profile(self) -> OfficeProfile:
        profile = self.profile_page.form.apply(empty_profile())
        return self.head_page.form.apply(profile)

    def accept(self) -> None:
        """Selesai: do the setup on a worker; close only when it succeeded."""
        if self.url is not None:
            super().accept()
            return
        if self.task is not None and self.task.running:
            return
        if not self.validateCurrentPage():
            return
        if self.fixed_url is not None:
            url, config = self.fixed_url, None
        else:
            choice = self.database_page.choice()
            url, config = choice.url, LocalConfig(choice)
        joining = self.currentId() == PAGE_JOIN  # an already set-up database
        admin = None if joining else self.admin_page.credentials()
        roles = None if joining or self.fixed_url else self.database_page.roles_request()
        profile = None if joining else self.profile()
        key_file = self.join_page.audit_key_file() if joining else None
        forms_dir = self.forms_dir
        page = self.currentPage()
        self._busy(True, "Menyiapkan basis data… (pertama kali dapat memakan waktu sebentar)")

        def done(result: str) -> None:
            self._busy(False, "")
            self.url = result
            self.finished_setup.emit(result)
            super(FirstRunWizard, self).accept()

        def failed(exc: BaseException) -> None:
            self._busy(False, "")
            if isinstance(exc, ValidationError) and self.admin_page.show_error(exc):
                return
            text = exc.message if isinstance(exc, UserError) else f"Penyiapan gagal: {exc}"
            banner = self._banner_of(page)
            banner.show_error(text)

        self.task = run_in_background(
            lambda: set_up_office(url, forms_dir, admin, profile, config, roles, key_file),
            on_success=done,
            on_failure=failed,
            owner=self,
        )

    def _banner_of(self, page: QWizardPage) -> Banner:
        if page is self.join_page:
            return self.join_page.banner
        return self.admin_page.banner

    def _busy(self, busy: bool, text: str) -> None:
        for which in (
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.BackButton,
            QWizard.WizardButton.CancelButton,
        ):
            button = self.button(which)
            if button is not None:
                button.setEnabled(not busy)
        banner = self._banner_of(self.currentPage())
        if busy:
            banner.show_ok(text)
        else:
            banner.clear_message()
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def reject(self) -> None:
        if self.task is not None and self.task.running:
            return  # the setup is under way: let it finish rather than leave it half-done
        super().reject()


def run_first_run_wizard(
    parent: QWidget | None = None,
    *,
    cli_url: str | None = None,
    forms_dir: Path | None = None,
) -> str | None:
    """Show the wizard (modal) and return the database URL to open, or None when cancelled.

    ``cli_url`` is the ``--db`` value of this run: with it (or ``PERIZINAN_DB_URL``) the
    database is fixed and only the office is set up. Otherwise an earlier configuration of
    this PC, if readable, pre-fills the database page; an unreadable one is explained there.
    """
    notice = ""
    start_from: DatabaseChoice | None = None
    fixed = explicit_url(cli_url)
    if fixed is None:
        try:
            config = load_config()
        except LocalConfigError as exc:
            notice = f"{exc.message} Penyiapan ini akan menulis konfigurasi baru."
        else:
            start_from = config.database if config is not None else None
    wizard = FirstRunWizard(
        forms_dir=forms_dir,
        fixed_url=fixed,
        notice=notice,
        start_from=start_from,
        parent=parent,
    )
    if wizard.exec() == QDialog.DialogCode.Accepted:
        return wizard.url
    return None
