"""Pengaturan > Tanda tangan elektronik > Penanda tangan: how each signer signs.

Per signer (the users whose roles sign a step of some permit type): the own PKCS#12 file, or
BSrE through the regency's Esign Client Service — its address, API version, the NIK or e-mail
BSrE knows the signer by, the gateway's HTTP Basic user, passphrase or TOTP, and the
signature's appearance (invisible, or visible at page + coordinates or at a marker
character). Nothing secret is typed here: the passphrase is asked at each signing.

"Tes koneksi" asks the gateway's certificate-status endpoint with what is on the screen (saved
or not) and says in words whether the signer can sign. Saving is for administrators only (the
service refuses anyone else); a setting that cannot work is refused beside its field.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import FieldErrors, UserError
from desktop_perizinan.services import esign
from desktop_perizinan.services.actor import ADMIN_ROLE
from desktop_perizinan.services.esign.signer_config import (
    API_VERSIONS,
    APPEARANCES,
    BACKENDS,
    LABELS,
    PLACEMENTS,
    SECRET_KINDS,
)
from desktop_perizinan.ui.pengaturan.common import make_banner
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.ui.widgets.messages import report_error
from desktop_perizinan.ui.worker import Task, run_in_background
from desktop_perizinan.workflow.definition import Action

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services


def signers(services: Services) -> list[Actor]:
    """Active users holding a role that signs a step of some permit type."""
    roles: set[str] = set()
    for pt in services.forms.types.values():
        for step in pt.steps:
            if step.action is Action.SIGN:
                roles.update(services.office.roles_acting_for(step.actor))
    found: dict[int, Actor] = {}
    for role in sorted(roles):
        for user in services.users.user_names(role):
            found.setdefault(user.id, user)
    return sorted(found.values(), key=lambda a: a.full_name)


def _combo(values: tuple[str, ...]) -> QComboBox:
    combo = QComboBox()
    for value in values:
        combo.addItem(LABELS.get(value, value), value)
    return combo


def _spin(maximum: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, maximum)
    spin.setMaximumWidth(110)
    return spin


class SignerSettings(QWidget):
    """The per-signer form (see the module docstring)."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signerSettings")
        self._s = services
        self._actor = actor
        self.task: Task | None = None
        self.signers = signers(services)
        self.banner = make_banner(self, "signerBanner")
        self.boxes: dict[str, FieldBox] = {}

        self.signer = QComboBox()
        self.signer.setObjectName("signerChoice")
        for user in self.signers:
            self.signer.addItem(f"{user.full_name} ({user.username})", user.id)
        self.backend = _combo(BACKENDS)
        self.backend.setObjectName("signerBackend")
        self.gateway_url = QLineEdit()
        self.gateway_url.setObjectName("gatewayUrl")
        self.gateway_url.setPlaceholderText("mis. http://10.0.0.5:8080")
        self.api_version = _combo(API_VERSIONS)
        self.api_version.setObjectName("apiVersion")
        self.nik = QLineEdit()
        self.nik.setObjectName("signerNik")
        self.nik.setMaxLength(16)
        self.nik.setPlaceholderText("16 angka, seperti terdaftar di BSrE")
        self.email = QLineEdit()
        self.email.setObjectName("signerEmail")
        self.email.setPlaceholderText("Untuk API versi 2 bila tanpa NIK")
        self.gateway_user = QLineEdit()
        self.gateway_user.setObjectName("gatewayUser")
        self.gateway_user.setPlaceholderText(
            "Pengguna HTTP Basic gateway; kata sandinya dari PERIZINAN_BSRE_PASSWORD di PC ini"
        )
        self.secret_kind = _combo(SECRET_KINDS)
        self.appearance = _combo(APPEARANCES)
        self.appearance.setObjectName("appearance")
        self.placement = _combo(PLACEMENTS)
        self.page = _spin(999)
        self.page.setMinimum(1)
        self.x_axis, self.y_axis, self.width_, self.height_ = (_spin(2000) for _ in range(4))
        self.marker = QLineEdit()
        self.marker.setMaxLength(1)
        self.marker.setMaximumWidth(60)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form = form
        form.addRow("Penanda tangan", self.signer)
        self._add(form, "backend", "Cara tanda tangan", self.backend)
        self._add(form, "gateway_url", "Alamat Esign Client Service", self.gateway_url)
        self._add(form, "api_version", "Versi API", self.api_version)
        self._add(form, "nik", "NIK penanda tangan", self.nik)
        self._add(form, "email", "E-mail (API v2)", self.email)
        self._add(form, "gateway_user", "Pengguna gateway", self.gateway_user)
        self._add(form, "secret_kind", "Diminta saat menandatangani", self.secret_kind)
        self._add(form, "appearance", "Tampilan", self.appearance)
        self._add(form, "placement", "Letak tampilan", self.placement)
        coordinates = QWidget()
        line = QHBoxLayout(coordinates)
        line.setContentsMargins(0, 0, 0, 0)
        for label, spin in (
            ("Hal.", self.page),
            ("x", self.x_axis),
            ("y", self.y_axis),
            ("lebar", self.width_),
            ("tinggi", self.height_),
        ):
            line.addWidget(QLabel(label))
            line.addWidget(spin)
        line.addStretch(1)
        self._add(form, "page", "Koordinat (titik PDF)", coordinates)
        for key in ("x_axis", "y_axis", "width", "height"):
            self.boxes[key] = self.boxes["page"]
        self._add(form, "marker", "Karakter penanda", self.marker)

        self.test_button = QPushButton("&Tes koneksi")
        self.test_button.setObjectName("testGateway")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_connection)
        self.save_button = QPushButton("Simpan &cara tanda tangan")
        self.save_button.setObjectName("saveSigner")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.state = QLabel()
        self.state.setObjectName("gatewayState")
        self.state.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)

        box = QGroupBox("Cara tanda tangan elektronik per penanda tangan", self)
        inner = QVBoxLayout(box)
        inner.addLayout(form)
        inner.addLayout(buttons)
        inner.addWidget(self.state)
        note = QLabel(
            "Passphrase atau kode TOTP tidak pernah disimpan: diminta setiap kali "
            "menandatangani. Bila layanan TTE mati, langkah Tanda tangan menawarkan tanda "
            "tangan basah dengan TTE menyusul pada nomor yang sama."
        )
        note.setWordWrap(True)
        set_role(note, "hint")
        inner.addWidget(note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(box)
        layout.addStretch(1)

        admin = actor.has(ADMIN_ROLE)
        self.save_button.setEnabled(admin)
        if not admin:
            self.save_button.setToolTip("Hanya administrator yang dapat mengubah pengaturan ini.")
        self.signer.currentIndexChanged.connect(lambda _i: self.load())
        for combo in (self.backend, self.api_version, self.appearance, self.placement):
            combo.currentIndexChanged.connect(lambda _i: self._update())
        self.load()

    def _add(self, form: QFormLayout, key: str, label: str, editor: QWidget) -> None:
        box = FieldBox(editor)
        self.boxes[key] = box
        form.addRow(label, box)

    def _row(self, key: str, visible: bool) -> None:
        box = self.boxes[key]
        box.setVisible(visible)
        label = self.form.labelForField(box)
        if label is not None:
            label.setVisible(visible)

    def _update(self) -> None:
        bsre = self.backend.currentData() == esign.BACKEND_BSRE
        visible = self.appearance.currentData() == "visible"
        marker = self.placement.currentData() == "penanda"
        for key in ("gateway_url", "api_version", "nik", "gateway_user", "appearance"):
            self._row(key, bsre)
        self._row("email", bsre and self.api_version.currentData() == "v2")
        self._row("secret_kind", bsre and self.api_version.currentData() == "v2")
        self._row("placement", bsre and visible)
        self._row("page", bsre and visible and not marker)
        self._row("marker", bsre and visible and marker)
        self.test_button.setEnabled(bsre and self.task is None)

    # ---------------------------------------------------------------- values

    @property
    def user_id(self) -> int | None:
        value = self.signer.currentData()
        return int(value) if value is not None else None

    def load(self) -> None:
        """Show the chosen signer's stored settings (PKCS#12 defaults without a row)."""
        self.banner.clear_message()
        self.state.clear()
        for box in self.boxes.values():
            box.clear_message()
        if self.user_id is None:
            self.setEnabled(False)
            self.banner.show_error("Belum ada pengguna dengan peran penanda tangan.")
            return
        try:
            config = esign.get_signer_config(self._s, self.user_id)
        except UserError as exc:
            self.banner.show_error(exc.message)
            return
        for combo, value in (
            (self.backend, config.backend),
            (self.api_version, config.api_version),
            (self.secret_kind, config.secret_kind),
            (self.appearance, config.appearance),
            (self.placement, config.placement),
        ):
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self.gateway_url.setText(config.gateway_url)
        self.nik.setText(config.nik)
        self.email.setText(config.email)
        self.gateway_user.setText(config.gateway_user)
        self.page.setValue(config.page)
        self.x_axis.setValue(config.x_axis)
        self.y_axis.setValue(config.y_axis)
        self.width_.setValue(config.width)
        self.height_.setValue(config.height)
        self.marker.setText(config.marker)
        self._update()

    def config(self) -> esign.SignerConfig:
        """What is on the screen, as a :class:`SignerConfig` (not saved)."""
        assert self.user_id is not None
        api = str(self.api_version.currentData())
        return esign.SignerConfig(
            user_id=self.user_id,
            backend=self.backend.currentData(),
            gateway_url=self.gateway_url.text().strip(),
            api_version=api,  # type: ignore[arg-type]
            nik=self.nik.text().strip(),
            email=self.email.text().strip() if api == "v2" else "",
            gateway_user=self.gateway_user.text().strip(),
            secret_kind=self.secret_kind.currentData() if api == "v2" else "passphrase",
            appearance=self.appearance.currentData(),
            placement=self.placement.currentData(),
            page=self.page.value(),
            x_axis=self.x_axis.value(),
            y_axis=self.y_axis.value(),
            width=self.width_.value(),
            height=self.height_.value(),
            marker=self.marker.text().strip(),
        )

    def _show_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            box = self.boxes.get(key)
            if box is not None and box.isVisible():
                box.show_error(message)
            else:
                self.banner.show_error(message)

    # ---------------------------------------------------------------- actions

    def save(self) -> bool:
        self.banner.clear_message()
        for box in self.boxes.values():
            box.clear_message()
        config = self.config()
        if config.backend == esign.BACKEND_PKCS12:
            config = replace(esign.SignerConfig(user_id=config.user_id))
        try:
            esign.save_signer_config(self._s, self._actor, config)
        except FieldErrors as exc:
            self._show_errors(exc.errors)
            return False
        except UserError as exc:
            self.banner.show_error(exc.message)
            return False
        except Exception as exc:
            report_error(self, exc)
            return False
        name = self.signer.currentText()
        self.banner.show_ok(f"Cara tanda tangan {name} tersimpan: {LABELS[config.backend]}.")
        return True

    def test_connection(self) -> None:
        """Ask the gateway's status endpoint with the settings on the screen."""
        from desktop_perizinan.services.esign.bsre_backend import check_signer_status

        self.banner.clear_message()
        for box in self.boxes.values():
            box.clear_message()
        config = replace(self.config(), backend=esign.BACKEND_BSRE)
        problems = config.problems()
        if problems:
            self._show_errors(problems)
            return
        self.state.setText(f"Menghubungi {config.gateway_url}…")
        set_role(self.state, "hint")
        self.test_button.setEnabled(False)
        self.task = run_in_background(
            lambda: check_signer_status(config, read_timeout=10.0, retries=1),
            on_success=self._tested,
            on_failure=self._test_failed,
            owner=self,
        )

    def _tested(self, status: object) -> None:
        self.task = None
        self._update()
        who = self.nik.text().strip() or self.email.text().strip()
        self.state.setText(
            f"Terhubung ke {self.gateway_url.text().strip()}: sertifikat {who} aktif ({status}) "
            "dan dapat menandatangani."
        )
        set_role(self.state, "ok")

    def _test_failed(self, exc: BaseException) -> None:
        self.task = None
        self._update()
        if isinstance(exc, UserError):
            self.state.setText(exc.message)
            set_role(self.state, "error")
        else:
            self.state.clear()
            report_error(self, exc)


__all__ = ["SignerSettings", "signers"]
