"""The signing step's form: wet signature (print, sign, confirm) or electronic signing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.services import esign
from desktop_perizinan.services.app import Services
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.tugas.steps_base import StepEnv, StepForm, pick_certificate


def esign_available(services: Services) -> bool:
    """Whether PAdES signing can run here: the services sign with pyHanko, a dependency; a
    build without it offers wet signing only."""
    import importlib.util

    return importlib.util.find_spec("pyhanko") is not None


class SignForm(StepForm):
    """Wet signature (print, sign by hand, confirm) or electronic (when the app can).

    Electronic signing goes through the signer's backend (Pengaturan > Tanda tangan): the own
    PKCS#12 file and its passphrase, or BSrE's Esign Client Service with the passphrase (or
    TOTP) typed here each time. The secret goes with the request only: the field is emptied as
    soon as the request is built and nothing keeps it. When the gateway is down, the form
    offers outage mode: sign wet on the same number, the TTE attached later.
    """

    note_label = "Catatan"
    note_placeholder = "Wajib bila dikembalikan ke penyusun draf."

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        step = env.view.open_step
        self.config = esign.get_signer_config(env.services, env.actor.id)
        self.document_row(step.document if step else None, label="Surat")
        self.wet = QRadioButton("Tanda tangan &basah (cetak, tanda tangani)")
        self.electronic = QRadioButton("Tanda tangan &elektronik (TTE)")
        self.wet_deferred = QRadioButton("Tanda tangan basah, T&TE menyusul pada nomor yang sama")
        self.wet_deferred.setObjectName("wetDeferred")
        self.wet_deferred.hide()
        self.wet.setChecked(True)
        if not esign_available(env.services):
            self.electronic.setEnabled(False)
            self.electronic.setToolTip(
                "Tanda tangan elektronik belum tersedia di aplikasi ini; gunakan tanda tangan basah."
            )
        group = QButtonGroup(self)
        for button in (self.wet, self.electronic, self.wet_deferred):
            group.addButton(button)
        modes = QWidget()
        mode_layout = QVBoxLayout(modes)
        mode_layout.setContentsMargins(0, 0, 0, 0)
        mode_layout.addWidget(self.wet)
        mode_layout.addWidget(self.electronic)
        mode_layout.addWidget(self.wet_deferred)
        self.add_field("mode", "Cara", modes)
        self.outage = QLabel()
        self.outage.setObjectName("outageNote")
        self.outage.setWordWrap(True)
        set_role(self.outage, "warning")
        self.outage.hide()
        self.form.addRow("", self.outage)
        self._outage_reason = ""
        self.confirm = QCheckBox("Surat yang dicetak sudah saya tanda tangani")
        self.add_field("konfirmasi", "Konfirmasi", self.confirm)

        self.gateway = QLabel(self._gateway_text())
        self.gateway.setObjectName("gatewayInfo")
        self.gateway.setWordWrap(True)
        self.gateway_box = self.add_field("gateway", "Layanan TTE", self.gateway)
        self._p12: bytes = b""
        self.p12_button = QPushButton("Pilih sertifikat (.p12/.pfx)…")
        self.p12_button.clicked.connect(self._choose_p12)
        self.p12_box = self.add_field("p12", "Sertifikat", self.p12_button)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("signSecret")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.passphrase_box = self.add_field("passphrase", self._secret_label(), self.passphrase)
        if self.config.is_bsre:
            self.passphrase.setPlaceholderText("Diminta setiap kali menandatangani; tidak disimpan")
        #: Asks for the certificate file; replaced in tests.
        self.choose_certificate: Callable[[QWidget], str] = _choose_certificate_file
        for button in (self.wet, self.electronic, self.wet_deferred):
            button.toggled.connect(self._mode_changed)
        self._mode_changed()

    # ---------------------------------------------------------------- what is shown

    @property
    def secret_kind(self) -> str:
        return "totp" if self.config.is_bsre and self.config.secret_kind == "totp" else "passphrase"

    def _secret_label(self) -> str:
        if not self.config.is_bsre:
            return "Kata sandi sertifikat"
        return "Kode TOTP" if self.secret_kind == "totp" else "Passphrase TTE"

    def _gateway_text(self) -> str:
        config = self.config
        if not config.is_bsre:
            return ""
        who = f"NIK {config.nik}" if config.nik else config.email
        return f"BSrE, {config.gateway_url} (API {config.api_version}), {who}"

    def _set_row(self, box: QWidget, visible: bool) -> None:
        box.setVisible(visible)
        label = self.form.labelForField(box)
        if label is not None:
            label.setVisible(visible)

    def _mode_changed(self) -> None:
        electronic = self.electronic.isChecked()
        self.confirm.setEnabled(not electronic)
        self._set_row(self.gateway_box, electronic and self.config.is_bsre)
        self._set_row(self.p12_box, electronic and not self.config.is_bsre)
        self._set_row(self.passphrase_box, electronic)

    def _choose_p12(self) -> None:
        data = pick_certificate(self, self.choose_certificate, self.p12_box, self.p12_button)
        if data is not None:
            self._p12 = data

    # ---------------------------------------------------------------- the request

    def data(self) -> dict[str, Any]:
        if self.wet_deferred.isChecked():
            return {"mode": "basah", "tte_menyusul": True, "alasan": self._outage_reason}
        if self.wet.isChecked():
            return {"mode": "basah"}
        secret = self.passphrase.text()
        self.passphrase.clear()  # the request holds it for this call; the screen does not
        if self.config.is_bsre:
            return {"mode": "elektronik", self.secret_kind: secret}
        return {"mode": "elektronik", "p12": self._p12, "passphrase": secret}

    def check(self, outcome: str) -> bool:
        if outcome == "kembalikan":
            return True
        if not self.electronic.isChecked() and not self.confirm.isChecked():
            self.boxes["konfirmasi"].show_error(
                "Cetak surat, tanda tangani, lalu centang konfirmasi ini."
            )
            return False
        if self.electronic.isChecked() and not self.passphrase.text():
            self.passphrase_box.show_error(f"Isi {self._secret_label().lower()} Anda.")
            self.passphrase.setFocus()
            return False
        return True

    def request_failed(self, exc: BaseException) -> bool:
        """A wrong secret beside its field; a gateway outage offers the wet path."""
        if isinstance(exc, esign.WrongPassphrase):
            self.passphrase_box.show_error(exc.message)
            self.passphrase.setFocus()
            return True
        if isinstance(exc, esign.SigningError) and exc.gateway_down:
            self._outage_reason = exc.message
            self.outage.setText(
                exc.message
                + "\n\nSelama layanan TTE mati, Anda dapat menandatangani surat cetak secara "
                "basah. Nomor surat tetap satu; TTE dilampirkan kemudian pada nomor yang sama "
                "dan surat tercatat \u201cTTE menunggu\u201d di Buku Agenda dan Laporan."
            )
            self.outage.show()
            self.wet_deferred.show()
            self.wet_deferred.setChecked(True)
            self.confirm.setFocus()
            return True
        return False

    def first_input(self) -> QWidget | None:
        return self.confirm


def _choose_certificate_file(parent: QWidget) -> str:
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Pilih sertifikat elektronik", "", "Sertifikat (*.p12 *.pfx)"
    )
    return path
