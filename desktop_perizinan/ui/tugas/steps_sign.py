"""The signing step's form: wet signature (print, sign, confirm) or electronic signing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.services.app import Services
from desktop_perizinan.ui.tugas.steps_base import StepEnv, StepForm


def esign_available(services: Services) -> bool:
    """Whether PAdES signing can run here: the services sign with pyHanko, a dependency; a
    build without it offers wet signing only."""
    import importlib.util

    return importlib.util.find_spec("pyhanko") is not None


class SignForm(StepForm):
    """Wet signature (print, sign by hand, confirm) or electronic (when the app can): the
    signer's PKCS#12 file and passphrase go with the request and are never stored."""

    note_label = "Catatan"
    note_placeholder = "Wajib bila dikembalikan ke penyusun draf."

    def __init__(self, env: StepEnv, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        step = env.view.open_step
        self.document_row(step.document if step else None, label="Surat")
        self.wet = QRadioButton("Tanda tangan &basah (cetak, tanda tangani)")
        self.electronic = QRadioButton("Tanda tangan &elektronik (TTE)")
        self.wet.setChecked(True)
        if not esign_available(env.services):
            self.electronic.setEnabled(False)
            self.electronic.setToolTip(
                "Tanda tangan elektronik belum tersedia di aplikasi ini; gunakan tanda tangan basah."
            )
        group = QButtonGroup(self)
        group.addButton(self.wet)
        group.addButton(self.electronic)
        modes = QWidget()
        mode_layout = QVBoxLayout(modes)
        mode_layout.setContentsMargins(0, 0, 0, 0)
        mode_layout.addWidget(self.wet)
        mode_layout.addWidget(self.electronic)
        self.add_field("mode", "Cara", modes)
        self.confirm = QCheckBox("Surat yang dicetak sudah saya tanda tangani")
        self.add_field("konfirmasi", "Konfirmasi", self.confirm)

        self._p12: bytes = b""
        self.p12_button = QPushButton("Pilih sertifikat (.p12/.pfx)…")
        self.p12_button.clicked.connect(self._choose_p12)
        self.p12_box = self.add_field("p12", "Sertifikat", self.p12_button)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_box = self.add_field("passphrase", "Kata sandi sertifikat", self.passphrase)
        #: Asks for the certificate file; replaced in tests.
        self.choose_certificate: Callable[[QWidget], str] = _choose_certificate_file
        self.wet.toggled.connect(self._mode_changed)
        self._mode_changed()

    def _mode_changed(self) -> None:
        wet = self.wet.isChecked()
        self.confirm.setEnabled(wet)
        for box in (self.p12_box, self.passphrase_box):
            box.setVisible(not wet)
            label = self.form.labelForField(box)
            if label is not None:
                label.setVisible(not wet)

    def _choose_p12(self) -> None:
        path = self.choose_certificate(self)
        if not path:
            return
        try:
            self._p12 = Path(path).read_bytes()
        except OSError as exc:
            self.p12_box.show_error(f"Berkas sertifikat tidak dapat dibaca: {exc.strerror}.")
            return
        self.p12_button.setText(Path(path).name)
        self.p12_box.clear_message()

    def data(self) -> dict[str, Any]:
        if self.wet.isChecked():
            return {"mode": "basah"}
        return {"mode": "elektronik", "p12": self._p12, "passphrase": self.passphrase.text()}

    def check(self, outcome: str) -> bool:
        if outcome == "kembalikan":
            return True
        if self.wet.isChecked() and not self.confirm.isChecked():
            self.boxes["konfirmasi"].show_error(
                "Cetak surat, tanda tangani, lalu centang konfirmasi ini."
            )
            return False
        return True

    def first_input(self) -> QWidget | None:
        return self.confirm


def _choose_certificate_file(parent: QWidget) -> str:
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Pilih sertifikat elektronik", "", "Sertifikat (*.p12 *.pfx)"
    )
    return path
