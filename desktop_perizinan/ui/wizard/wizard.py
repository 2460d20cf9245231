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

from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.errors import UserError, ValidationError
from desktop_perizinan.local_config import (
    DEFAULT_PG_PORT,
    DatabaseChoice,
    LocalConfig,
    LocalConfigError,
    PostgresChoice,
    ProbeResult,
    SqliteChoice,
    check_sqlite_folder,
    default_sqlite_folder,
    explicit_url,
    load_config,
    probe_database,
    save_config,
)
from desktop_perizinan.services.passwords import password_problem
from desktop_perizinan.ui.pengaturan.common import make_banner
from desktop_perizinan.ui.pengaturan.profile_form import HeadForm, LetterheadForm, empty_profile
from desktop_perizinan.ui.theme import app_icon, set_role
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.ui.worker import Task, run_in_background

if TYPE_CHECKING:
    from desktop_perizinan.ui.widgets.messages import Banner

PAGE_DATABASE, PAGE_PROFILE, PAGE_HEAD, PAGE_ADMIN, PAGE_JOIN = range(5)
TITLE = "Penyiapan Perizinan Desktop"


@dataclass(frozen=True)
class AdminInput:
    username: str
    full_name: str
    password: str


def set_up_office(
    url: str,
    forms_dir: Path,
    admin: AdminInput | None,
    profile: OfficeProfile | None,
    config: LocalConfig | None,
) -> str:
    """What Selesai does (on a worker thread); returns the URL the app should open.

    ``admin`` None: the database is already set up, only this PC's configuration is written.
    """
    if admin is not None:
        from desktop_perizinan.services.actor import ADMIN_ROLE, SYSTEM
        from desktop_perizinan.services.app import Services

        services = Services.open(url, forms_dir)
        try:
            if services.users.any_user():
                raise UserError(
                    "Basis data ini ternyata sudah berisi pengguna (mungkin baru saja disiapkan "
                    "dari PC lain). Kembali ke halaman Basis data dan pilih lagi: PC ini cukup "
                    "disambungkan."
                )
            actor = services.users.create(
                SYSTEM,
                username=admin.username,
                full_name=admin.full_name,
                password=admin.password,
                roles=frozenset({ADMIN_ROLE}),
            )
            if profile is not None:
                services.settings.save_office_profile(actor, profile)
        finally:
            services.close()
    if config is not None:
        save_config(config)
    return url


# ============================================================================ page 1


class DatabasePage(QWizardPage):
    """Where the office's data lives: this PC (SQLite) or the office's PostgreSQL server."""

    def __init__(self, notice: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("databasePage")
        self.setTitle("Basis data")
        self.setSubTitle(
            "Tentukan di mana data kantor disimpan. Pilihan ini hanya untuk PC ini; PC lain "
            "disiapkan sendiri-sendiri."
        )
        self.probe: ProbeResult | None = None
        self.tested: tuple[PostgresChoice, ProbeResult] | None = None
        self.test_task: Task | None = None

        self.notice = make_banner(self, "configNotice")
        if notice:
            self.notice.show_error(notice)

        self.local = QRadioButton("&PC ini saja (SQLite)", self)
        self.local.setObjectName("chooseLocal")
        self.server = QRadioButton("&Server kantor (PostgreSQL)", self)
        self.server.setObjectName("chooseServer")
        group = QButtonGroup(self)
        group.addButton(self.local)
        group.addButton(self.server)
        self.local.setChecked(True)
        local_hint = QLabel(
            "Untuk satu PC: data disimpan dalam satu berkas di PC ini, tanpa memasang apa pun.",
            self,
        )
        server_hint = QLabel(
            "Untuk beberapa PC dalam jaringan kantor: semua PC memakai satu server PostgreSQL.",
            self,
        )
        for hint in (local_hint, server_hint):
            hint.setWordWrap(True)
            set_role(hint, "hint")

        # --- this PC
        self.folder = QLineEdit(str(default_sqlite_folder()), self)
        self.folder.setObjectName("sqliteFolder")
        self.browse_button = QPushButton("Pilih &folder…", self)
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self.open_folder_dialog)
        self.folder_box = FieldBox(self.folder, self)
        self.folder_dialog: QFileDialog | None = None
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_box, 1)
        folder_row.addWidget(self.browse_button, 0, Qt.AlignmentFlag.AlignTop)
        self.local_panel = QWidget(self)
        local_form = QFormLayout(self.local_panel)
        local_form.setContentsMargins(24, 0, 0, 0)
        local_form.addRow("Folder data:", folder_row)
        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setInterval(400)
        self.check_timer.timeout.connect(self.check_local)
        self.folder.textChanged.connect(lambda _t: self._local_edited())

        # --- the office server
        self.host = QLineEdit(self)
        self.host.setObjectName("pgHost")
        self.host.setPlaceholderText("nama atau alamat IP server, misalnya 192.168.1.10")
        self.port = QSpinBox(self)
        self.port.setObjectName("pgPort")
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PG_PORT)
        self.port.setGroupSeparatorShown(False)
        self.database = QLineEdit("perizinan", self)
        self.database.setObjectName("pgDatabase")
        self.user = QLineEdit("perizinan", self)
        self.user.setObjectName("pgUser")
        self.password = QLineEdit(self)
        self.password.setObjectName("pgPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.test_button = QPushButton("&Uji koneksi", self)
        self.test_button.setObjectName("testConnection")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel(self)
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.server_panel = QWidget(self)
        server_grid = QGridLayout(self.server_panel)
        server_grid.setContentsMargins(24, 0, 0, 0)
        server_grid.addWidget(QLabel("Server:", self), 0, 0)
        server_grid.addWidget(self.host, 0, 1)
        server_grid.addWidget(QLabel("Port:", self), 0, 2)
        server_grid.addWidget(self.port, 0, 3)
        server_grid.addWidget(QLabel("Basis data:", self), 1, 0)
        server_grid.addWidget(self.database, 1, 1, 1, 3)
        server_grid.addWidget(QLabel("Pengguna:", self), 2, 0)
        server_grid.addWidget(self.user, 2, 1, 1, 3)
        server_grid.addWidget(QLabel("Kata sandi:", self), 3, 0)
        server_grid.addWidget(self.password, 3, 1, 1, 3)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.test_result, 1)
        server_grid.addLayout(test_row, 4, 1, 1, 3)
        server_grid.setColumnStretch(1, 1)
        for edit in (self.host, self.database, self.user, self.password):
            edit.textChanged.connect(lambda _t: self._server_edited())
        self.port.valueChanged.connect(lambda _v: self._server_edited())

        self.status = QLabel(self)
        self.status.setObjectName("databaseStatus")
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.local)
        layout.addWidget(_indented(local_hint))
        layout.addWidget(self.local_panel)
        layout.addSpacing(8)
        layout.addWidget(self.server)
        layout.addWidget(_indented(server_hint))
        layout.addWidget(self.server_panel)
        layout.addStretch(1)
        layout.addWidget(self.status)
        self.local.toggled.connect(lambda _on: self._mode_changed())
        self._mode_changed()

    # ---------------------------------------------------------------- state

    def load(self, choice: DatabaseChoice) -> None:
        """Start from an earlier choice (a configuration whose database turned out empty)."""
        if isinstance(choice, SqliteChoice):
            self.local.setChecked(True)
            self.folder.setText(str(choice.folder))
        else:
            self.server.setChecked(True)
            self.host.setText(choice.host)
            self.port.setValue(choice.port)
            self.database.setText(choice.database)
            self.user.setText(choice.user)
            self.password.setText(choice.password)

    def choice(self) -> DatabaseChoice:
        if self.local.isChecked():
            return SqliteChoice(Path(self.folder.text().strip()).expanduser())
        return PostgresChoice(
            host=self.host.text().strip(),
            port=self.port.value(),
            database=self.database.text().strip(),
            user=self.user.text().strip(),
            password=self.password.text(),
        )

    def _mode_changed(self) -> None:
        local = self.local.isChecked()
        self.local_panel.setEnabled(local)
        self.server_panel.setEnabled(not local)
        self.probe = None
        if local:
            self.check_timer.start()
        self._show_status()
        self.completeChanged.emit()

    def _local_edited(self) -> None:
        self.probe = None
        self.folder_box.clear_message()
        self.check_timer.start()
        self._show_status()
        self.completeChanged.emit()

    def _server_edited(self) -> None:
        if self.tested is not None:
            self.tested = None
            self.test_result.clear()
        self.probe = None
        self._show_status()
        self.completeChanged.emit()

    def _show_status(self) -> None:
        if self.probe is None:
            self.status.clear()
            set_role(self.status, "")
            return
        self.status.setText(self.probe.summary())
        set_role(self.status, "ok")

    # ---------------------------------------------------------------- this PC

    def open_folder_dialog(self) -> QFileDialog:
        dialog = QFileDialog(self, "Pilih folder data")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setDirectory(self.folder.text())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.folder.setText)
        self.folder_dialog = dialog
        dialog.open()
        return dialog

    def check_local(self) -> bool:
        """Refuse a network share or an unusable folder; look at an existing file (local and
        quick, so it runs here rather than on a worker)."""
        self.check_timer.stop()
        if not self.local.isChecked():
            return True
        self.folder_box.clear_message()
        self.probe = None
        try:
            check_sqlite_folder(self.folder.text())
            choice = self.choice()
            assert isinstance(choice, SqliteChoice)
            self.probe = probe_database(choice.url)
        except UserError as exc:
            self.folder_box.show_error(exc.message)
            self._show_status()
            self.completeChanged.emit()
            return False
        self.folder_box.show_hint(f"Berkas basis data: {choice.path}")
        self._show_status()
        self.completeChanged.emit()
        return True

    # ---------------------------------------------------------------- the server

    def test_connection(self) -> None:
        """Connect on a worker thread and say what happened, in words."""
        choice = self.choice()
        assert isinstance(choice, PostgresChoice)
        if not choice.host:
            self._test_failed("Isi nama atau alamat server.")
            self.host.setFocus()
            return
        if not choice.database:
            self._test_failed("Isi nama basis data.")
            self.database.setFocus()
            return
        if self.test_task is not None and self.test_task.running:
            return
        self.test_button.setEnabled(False)
        self.test_result.setText(f"Menghubungi {choice.host}:{choice.port}…")
        set_role(self.test_result, "hint")
        self.tested = None
        self.completeChanged.emit()
        url = choice.url

        def succeeded(probe: ProbeResult) -> None:
            self.test_button.setEnabled(True)
            if self.choice() != choice:  # edited meanwhile: this answer is about another server
                self.test_result.clear()
                return
            self.tested = (choice, probe)
            self.probe = probe
            self.test_result.setText(f"Koneksi berhasil. {probe.summary()}")
            set_role(self.test_result, "ok")
            self._show_status()
            self.completeChanged.emit()

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            self._test_failed(str(exc) if isinstance(exc, UserError) else f"Koneksi gagal: {exc}")

        self.test_task = run_in_background(
            lambda: probe_database(url), on_success=succeeded, on_failure=failed, owner=self
        )

    def _test_failed(self, text: str) -> None:
        self.tested = None
        self.probe = None
        self.test_result.setText(text)
        set_role(self.test_result, "error")
        self._show_status()
        self.completeChanged.emit()

    # ---------------------------------------------------------------- QWizardPage

    def isComplete(self) -> bool:
        if self.local.isChecked():
            return bool(self.folder.text().strip()) and not self.folder_box.error
        return self.tested is not None and self.tested[0] == self.choice()

    def validatePage(self) -> bool:
        if self.local.isChecked():
            if not self.check_local():
                return False
        elif self.tested is None or self.tested[0] != self.choice():
            self._test_failed("Tekan 'Uji koneksi' dulu; lanjut setelah koneksi berhasil.")
            return False
        return True

    def nextId(self) -> int:
        """A database that is already set up needs no office pages: only "connect this PC"."""
        if self.probe is not None and self.probe.set_up:
            return PAGE_JOIN
        return PAGE_PROFILE


def _indented(widget: QWidget) -> QWidget:
    holder = QWidget(widget.parentWidget())
    row = QHBoxLayout(holder)
    row.setContentsMargins(24, 0, 0, 0)
    row.addWidget(widget)
    return holder


# ============================================================================ pages 2 and 3


class ProfilePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profilePage")
        self.setTitle("Profil kantor dan kop surat")
        self.setSubTitle(
            "Dicetak di kepala setiap surat, resi dan izin. Dapat diubah lagi kapan saja di "
            "Pengaturan › Profil kantor."
        )
        self.form = LetterheadForm(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)

    def validatePage(self) -> bool:
        if self.form.check():
            return True
        first = self.form.first_error()
        if first is not None:
            first.setFocus()
        return False


class HeadPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("headPage")
        self.setTitle("Kepala kantor")
        self.setSubTitle(
            "Penanda tangan surat izin dan surat penolakan; namanya dicetak di bawah tanda "
            "tangan persis seperti ditulis di sini."
        )
        self.form = HeadForm(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addStretch(1)

    def validatePage(self) -> bool:
        if self.form.check():
            return True
        first = self.form.first_error()
        if first is not None:
            first.setFocus()
        return False


# ============================================================================ page 4


class AdminPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adminPage")
        self.setTitle("Administrator pertama")
        self.setSubTitle(
            "Akun untuk mengatur pengguna lain, profil kantor dan jenis izin. Pengguna lain "
            "ditambahkan sesudahnya di Pengaturan › Pengguna."
        )
        self.username = QLineEdit("admin", self)
        self.username.setObjectName("adminUsername")
        self.full_name = QLineEdit(self)
        self.full_name.setObjectName("adminFullName")
        self.password = QLineEdit(self)
        self.password.setObjectName("adminPassword")
        self.again = QLineEdit(self)
        self.again.setObjectName("adminPasswordAgain")
        for edit in (self.password, self.again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.boxes = {
            "username": FieldBox(self.username, self),
            "full_name": FieldBox(self.full_name, self),
            "password": FieldBox(self.password, self),
            "password_again": FieldBox(self.again, self),
        }
        rules = QLabel("Kata sandi minimal 8 karakter, memuat huruf dan angka.", self)
        set_role(rules, "hint")
        form = QFormLayout()
        form.addRow("Nama &pengguna:", self.boxes["username"])
        form.addRow("Nama &lengkap:", self.boxes["full_name"])
        form.addRow("&Kata sandi:", self.boxes["password"])
        form.addRow("&Ulangi kata sandi:", self.boxes["password_again"])
        form.addRow("", rules)
        self.summary = QLabel(self)
        self.summary.setObjectName("setupSummary")
        self.summary.setWordWrap(True)
        set_role(self.summary, "hint")
        self.banner: Banner = make_banner(self, "setupBanner")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.summary)
        layout.addWidget(self.banner)
        self.setFinalPage(True)

    def initializePage(self) -> None:
        wizard = self.wizard()
        assert isinstance(wizard, FirstRunWizard)
        self.summary.setText(
            f"Selesai akan menyiapkan basis data ({wizard.describe_database()}), membuat akun "
            "administrator ini, dan menyimpan profil kantor."
        )
        self.full_name.setFocus()

    def show_error(self, exc: ValidationError) -> bool:
        box = self.boxes.get(exc.field or "")
        if box is None:
            return False
        box.show_error(exc.message)
        box.editor.setFocus()
        return True

    def validatePage(self) -> bool:
        for box in self.boxes.values():
            box.clear_message()
        username = self.username.text().strip().lower()
        problems: list[ValidationError] = []
        if not username or not username.replace(".", "").replace("_", "").isalnum():
            problems.append(
                ValidationError(
                    "Nama pengguna hanya boleh huruf, angka, titik dan garis bawah.", "username"
                )
            )
        if not self.full_name.text().strip():
            problems.append(ValidationError("Nama lengkap wajib diisi.", "full_name"))
        problem = password_problem(self.password.text())
        if problem:
            problems.append(ValidationError(problem, "password"))
        elif self.password.text() != self.again.text():
            problems.append(ValidationError("Kedua kata sandi tidak sama.", "password_again"))
        for exc in reversed(problems):  # the first problem ends with the focus
            self.show_error(exc)
        return not problems

    def nextId(self) -> int:
        return -1

    def credentials(self) -> AdminInput:
        return AdminInput(
            self.username.text().strip().lower(),
            " ".join(self.full_name.text().split()),
            self.password.text(),
        )


class JoinPage(QWizardPage):
    """The database already holds an office: this PC only needs to remember it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("joinPage")
        self.setTitle("Sambungkan PC ini")
        self.setSubTitle(
            "Basis data ini sudah disiapkan dari PC lain. Profil kantor, pengguna dan jenis izin "
            "tidak diubah."
        )
        self.summary = QLabel(self)
        self.summary.setObjectName("joinSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        after = QLabel(
            "Tekan Selesai, lalu masuk dengan akun yang dibuat administrator kantor untuk Anda.",
            self,
        )
        after.setWordWrap(True)
        set_role(after, "hint")
        self.banner: Banner = make_banner(self, "joinBanner")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(after)
        layout.addStretch(1)
        layout.addWidget(self.banner)
        self.setFinalPage(True)

    def initializePage(self) -> None:
        wizard = self.wizard()
        assert isinstance(wizard, FirstRunWizard)
        probe = wizard.database_page.probe
        self.summary.setText(
            f"<b>{escape(wizard.describe_database())}</b><br>{escape(probe.summary() if probe else '')}"
        )


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
        profile = None if joining else self.profile()
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
            lambda: set_up_office(url, forms_dir, admin, profile, config),
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
