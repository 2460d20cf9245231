"""Page 1 of the wizard: where the office's data lives (this PC or the office server)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
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
    QWizardPage,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.local_config import (
    DEFAULT_PG_PORT,
    DatabaseChoice,
    PostgresChoice,
    ProbeResult,
    SqliteChoice,
    check_sqlite_folder,
    default_sqlite_folder,
    probe_database,
)
from desktop_perizinan.services.passwords import password_problem
from desktop_perizinan.ui.pengaturan.common import make_banner
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.ui.wizard.common import PAGE_JOIN, PAGE_PROFILE, indented
from desktop_perizinan.ui.wizard.setup import RolesInput
from desktop_perizinan.ui.worker import Task, run_in_background

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
        # Issue 16: a new office database gets an owner role (migrations) and an application
        # role (the PCs), which may only add to the audit log, never change it.
        self.make_roles = QCheckBox(
            "Buat peran &pemilik dan peran aplikasi (disarankan untuk basis data baru)", self
        )
        self.make_roles.setObjectName("pgMakeRoles")
        self.make_roles.setToolTip(
            "Pengguna di atas harus administrator server. PC hanya menyimpan peran aplikasi, "
            "yang tidak dapat mengubah atau menghapus log audit; kata sandi pemilik disimpan "
            "administrator, untuk pembaruan skema."
        )
        self.owner_password = QLineEdit(self)
        self.owner_password.setObjectName("pgOwnerPassword")
        self.owner_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.owner_password.setPlaceholderText("kata sandi peran pemilik (simpan baik-baik)")
        self.owner_box = FieldBox(self.owner_password, self)
        self.owner_box.setEnabled(False)
        self.make_roles.toggled.connect(self._roles_toggled)
        self.owner_password.textChanged.connect(lambda _t: self.owner_box.clear_message())
        server_grid.addWidget(self.make_roles, 5, 1, 1, 3)
        server_grid.addWidget(QLabel("Sandi pemilik:", self), 6, 0)
        server_grid.addWidget(self.owner_box, 6, 1, 1, 3)
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
        layout.addWidget(indented(local_hint))
        layout.addWidget(self.local_panel)
        layout.addSpacing(8)
        layout.addWidget(self.server)
        layout.addWidget(indented(server_hint))
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

    def _roles_toggled(self, on: bool) -> None:
        self.owner_box.setEnabled(on)
        self.owner_box.clear_message()
        if on:
            self.owner_password.setFocus()

    def roles_request(self) -> RolesInput | None:
        """The owner/application roles to create, when asked for (office server only)."""
        if self.local.isChecked() or not self.make_roles.isChecked():
            return None
        return RolesInput(self.owner_password.text())

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
        elif self.make_roles.isChecked():
            problem = password_problem(self.owner_password.text())
            if problem:
                self.owner_box.show_error(problem)
                self.owner_password.setFocus()
                return False
        return True

    def nextId(self) -> int:
        """A database that is already set up needs no office pages: only "connect this PC"."""
        if self.probe is not None and self.probe.set_up:
            return PAGE_JOIN
        return PAGE_PROFILE
