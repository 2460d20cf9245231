"""Pages 2-4 of the wizard (the letterhead, the head of office, the first administrator) and
the page a second PC sees when the database is already set up."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from desktop_perizinan.errors import ValidationError
from desktop_perizinan.services.passwords import password_problem
from desktop_perizinan.ui.pengaturan.common import make_banner
from desktop_perizinan.ui.pengaturan.profile_form import HeadForm, LetterheadForm
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.ui.wizard.setup import AdminInput

if TYPE_CHECKING:
    from desktop_perizinan.ui.widgets.messages import Banner
    from desktop_perizinan.ui.wizard.wizard import FirstRunWizard


# ============================================================================ pages 2 and 3


class _FormPage(QWizardPage):
    """A page holding one settings form (``self.form``): Next checks it and puts the cursor
    on the first field in error."""

    form: LetterheadForm | HeadForm

    def validatePage(self) -> bool:
        if self.form.check():
            return True
        first = self.form.first_error()
        if first is not None:
            first.setFocus()
        return False


class ProfilePage(_FormPage):
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


class HeadPage(_FormPage):
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
        wizard = cast("FirstRunWizard", self.wizard())
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


KEY_HINT = (
    "Dari PC pertama: perizinan audit kunci ekspor BERKAS. Tanpa kunci kantor, entri audit PC "
    "ini tidak dapat diperiksa keasliannya di PC lain."
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
        # Issue 16: every PC of an office signs audit entries with the same office key.
        self.key_file = QLineEdit(self)
        self.key_file.setObjectName("joinAuditKey")
        self.key_file.setPlaceholderText("berkas kunci audit kantor (.json)")
        self.key_box = FieldBox(self.key_file, self)
        self.key_box.show_hint(KEY_HINT)
        self.key_button = QPushButton("Pilih &berkas…", self)
        self.key_button.setAutoDefault(False)
        self.key_button.clicked.connect(self.open_key_dialog)
        self.key_dialog: QFileDialog | None = None
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_box, 1)
        key_row.addWidget(self.key_button, 0, Qt.AlignmentFlag.AlignTop)
        key_label = QLabel("&Kunci audit:", self)
        key_label.setBuddy(self.key_file)
        key_form = QFormLayout()
        key_form.addRow(key_label, key_row)
        self.key_file.textChanged.connect(lambda _t: self.key_box.show_hint(KEY_HINT))
        self.banner: Banner = make_banner(self, "joinBanner")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(after)
        layout.addSpacing(8)
        layout.addLayout(key_form)
        layout.addStretch(1)
        layout.addWidget(self.banner)
        self.setFinalPage(True)

    def open_key_dialog(self) -> QFileDialog:
        dialog = QFileDialog(self, "Pilih berkas kunci audit kantor")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter("Kunci audit (*.json)")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.key_file.setText)
        self.key_dialog = dialog
        dialog.open()
        return dialog

    def audit_key_file(self) -> Path | None:
        text = self.key_file.text().strip()
        return Path(text).expanduser() if text else None

    def validatePage(self) -> bool:
        path = self.audit_key_file()
        if path is not None and not path.is_file():
            self.key_box.show_error(f"Berkas {path} tidak ditemukan.")
            self.key_file.setFocus()
            return False
        return True

    def initializePage(self) -> None:
        wizard = cast("FirstRunWizard", self.wizard())
        probe = wizard.database_page.probe
        self.summary.setText(
            f"<b>{escape(wizard.describe_database())}</b><br>{escape(probe.summary() if probe else '')}"
        )
