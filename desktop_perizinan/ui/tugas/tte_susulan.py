"""TTE menunggu: the documents signed wet during a gateway outage, and linking their TTE.

One list (oldest first, with how many days each has waited); for the selected document:

- **Tandatangani TTE sekarang** — the wet signer, once the gateway is back, types the
  passphrase (or TOTP) and the stored final is signed through the same backend as the signing
  step (``tte_outage.sign_deferred``);
- **Simpan PDF untuk TTE…** — the final as one revision, to sign with BSrE's own tools;
- **Lampirkan PDF bertanda tangan…** — that signed file, validated before it is linked to the
  same number (``tte_outage.attach_tte``).

Every call runs off the GUI thread; refusals are shown as the service phrased them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.services import esign, tte_outage
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.ui.widgets.formatting import short_datetime
from desktop_perizinan.ui.widgets.messages import Banner, report_error
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView
from desktop_perizinan.ui.worker import Task, run_in_background


def may_handle(actor: Actor) -> bool:
    """Whether the desk offers the dialog (the services check again on every call)."""
    return bool(actor.roles.intersection(tte_outage.ATTACH_ROLES))


class DeferredTteDialog(QDialog):
    """The waiting list and the three ways to settle one (see the module docstring)."""

    #: A TTE was linked (the result); the caller may reload.
    linked = Signal(object)
    #: A call came back, either way (tests wait on it).
    settled = Signal()

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.task: Task | None = None
        self.setWindowTitle("TTE menunggu")
        self.config = esign.get_signer_config(services, actor.id)
        #: File dialogs; replaced in tests (a native dialog cannot be driven offscreen).
        self.choose_signed: Callable[[QWidget], str] = _choose_signed_pdf
        self.choose_target: Callable[[QWidget, str], str] = _choose_save_path

        layout = QVBoxLayout(self)
        self.title = QLabel()
        set_role(self.title, "title")
        layout.addWidget(self.title)
        hint = QLabel(
            "Surat yang ditandatangani basah karena layanan TTE mati. TTE-nya dilampirkan pada "
            "nomor yang sama; sampai itu, Buku Agenda dan Laporan mencatat \u201cTTE menunggu\u201d."
        )
        hint.setWordWrap(True)
        set_role(hint, "hint")
        layout.addWidget(hint)
        self.banner = Banner(self)
        layout.addWidget(self.banner)
        now = services.now()
        self.model: RowsModel[tte_outage.PendingTte] = RowsModel(
            [
                Column(
                    "Nomor", lambda r: r.number or "(belum bernomor)", tooltip=lambda r: r.reason
                ),
                Column("No. registrasi", lambda r: r.reg_number),
                Column("Pemohon", lambda r: r.applicant, stretch=True),
                Column("Ditandatangani basah", lambda r: short_datetime(r.signed_wet_at)),
                Column("Menunggu", lambda r: f"{r.days_waiting(now)} hari"),
            ]
        )
        self.table = RowsView(self.model, self)
        self.model.setParent(self.table)
        self.table.setObjectName("deferredTte")
        layout.addWidget(self.table, 1)

        form = QFormLayout()
        self.secret = QLineEdit()
        self.secret.setObjectName("deferredSecret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText(
            "Untuk \u201cTandatangani TTE sekarang\u201d; tidak disimpan"
        )
        self.secret_box = FieldBox(self.secret)
        label = "Kode TOTP" if self.config.secret_kind == "totp" else "Passphrase TTE"
        form.addRow(label if self.config.is_bsre else "Kata sandi sertifikat", self.secret_box)
        layout.addLayout(form)
        self.secret_row = (form.labelForField(self.secret_box), self.secret_box)

        buttons = QHBoxLayout()
        self.sign_button = QPushButton("Tanda&tangani TTE sekarang")
        self.sign_button.setObjectName("deferredSign")
        self.sign_button.clicked.connect(self.sign_now)
        self.save_button = QPushButton("&Simpan PDF untuk TTE…")
        self.save_button.clicked.connect(self.save_for_tte)
        self.attach_button = QPushButton("&Lampirkan PDF bertanda tangan…")
        self.attach_button.setObjectName("deferredAttach")
        self.attach_button.clicked.connect(self.attach)
        self.close_button = QPushButton("&Tutup")
        self.close_button.clicked.connect(self.accept)
        for button in (self.sign_button, self.save_button, self.attach_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update())
        self.resize(1040, 460)
        self.reload()

    # ---------------------------------------------------------------- state

    def reload(self) -> None:
        try:
            rows = tte_outage.pending(self.services)
        except UserError as exc:
            self.banner.show_error(exc.message)
            rows = []
        self.model.set_rows(rows)
        self.title.setText(f"{len(rows)} surat menunggu TTE")
        if rows:
            self.table.selectRow(0)
        self._update()

    def current(self) -> tte_outage.PendingTte | None:
        return self.table.current_row()

    def _update(self) -> None:
        item = self.current()
        numbered = item is not None and item.number is not None
        idle = self.task is None
        mine = item is not None and item.signer_id == self.actor.id
        self.sign_button.setEnabled(idle and numbered and mine)
        self.sign_button.setToolTip(
            "" if mine else "Hanya penanda tangan surat yang dapat menandatanganinya."
        )
        self.save_button.setEnabled(idle and numbered)
        self.attach_button.setEnabled(idle and numbered)
        for widget in self.secret_row:
            if widget is not None:
                widget.setVisible(mine)

    # ---------------------------------------------------------------- actions

    def _run(self, job: Callable[[], object], done: Callable[[object], None]) -> None:
        self.banner.clear_message()
        self.secret_box.clear_message()
        self.task = run_in_background(job, on_success=done, on_failure=self._failed, owner=self)
        self._update()

    def sign_now(self) -> None:
        item = self.current()
        if item is None or self.task is not None:
            return
        secret = self.secret.text()
        self.secret.clear()
        if not secret:
            self.secret_box.show_error("Isi passphrase Anda untuk menandatangani.")
            self.settled.emit()
            return
        key = "totp" if self.config.is_bsre and self.config.secret_kind == "totp" else "passphrase"
        services, actor, document_id = self.services, self.actor, item.document_id
        self._run(
            lambda: tte_outage.sign_deferred(services, actor, document_id, {key: secret}),
            self._linked,
        )

    def save_for_tte(self) -> None:
        item = self.current()
        if item is None or item.number is None:
            return
        name = f"{item.number}.pdf".replace("/", "-")
        path = self.choose_target(self, name)
        if not path:
            return
        try:
            data = tte_outage.pdf_for_tte(self.services, self.actor, item.document_id)
            Path(path).write_bytes(data)
        except UserError as exc:
            self.banner.show_error(exc.message)
            return
        except OSError as exc:
            self.banner.show_error(f"Berkas tidak dapat disimpan: {exc.strerror}.")
            return
        self.banner.show_ok(
            f"Tersimpan: {Path(path).name}. Tandatangani berkas ini dengan aplikasi BSrE, lalu "
            "lampirkan hasilnya di sini."
        )

    def attach(self) -> None:
        item = self.current()
        if item is None or self.task is not None:
            return
        path = self.choose_signed(self)
        if not path:
            return
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            self.banner.show_error(f"Berkas tidak dapat dibaca: {exc.strerror}.")
            return
        services, actor, document_id = self.services, self.actor, item.document_id
        self._run(lambda: tte_outage.attach_tte(services, actor, document_id, data), self._linked)

    def _linked(self, result: object) -> None:
        self.task = None
        assert isinstance(result, tte_outage.AttachResult)
        self.reload()
        self.banner.show_ok(result.message)
        self.linked.emit(result)
        self.settled.emit()

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self._update()
        if isinstance(exc, esign.WrongPassphrase):
            self.secret_box.show_error(exc.message)
            self.secret.setFocus()
        elif isinstance(exc, UserError):
            self.banner.show_error(exc.message)
        else:
            report_error(self, exc)
        self.settled.emit()


def _choose_signed_pdf(parent: QWidget) -> str:
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Pilih PDF bertanda tangan elektronik", "", "PDF (*.pdf *.PDF)"
    )
    return path


def _choose_save_path(parent: QWidget, name: str) -> str:
    path, _filter = QFileDialog.getSaveFileName(parent, "Simpan PDF untuk TTE", name, "PDF (*.pdf)")
    return path


__all__ = ["DeferredTteDialog", "may_handle"]
