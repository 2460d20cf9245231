"""Batch signing on the Tugas desk: every draft waiting for the signer, signed in one action.

The list shows the drafts (all ticked); the signer types the passphrase (or TOTP, or picks the
.p12 and types its password) once; a progress dialog (QProgressDialog, with Batal) follows the
files one by one; the result lists each case: signed with its number, failed with the
service's Indonesian message (that case is unchanged), cancelled or not sent. The work runs on
the pool thread through ``services.batch_signing.sign_waiting``; the progress callback only
emits a signal, the cancel flag is a ``threading.Event`` the Batal button sets, and the
secret field is emptied as soon as the request is built.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError
from desktop_perizinan.services import batch_signing as bs
from desktop_perizinan.services import esign
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.tugas.steps_base import pick_certificate
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.ui.widgets.messages import Banner, report_error
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView
from desktop_perizinan.ui.worker import Task, run_in_background


class _Bridge(QObject):
    """Carries the service's progress calls from the pool thread to the GUI thread."""

    progressed = Signal(int, int, str)


class BatchSignDialog(QDialog):
    """Sign the drafts waiting for ``actor`` (see the module docstring)."""

    #: The batch ended (its report); the task list reloads.
    signed = Signal(object)
    #: The work came back, either way (tests wait on it).
    settled = Signal()

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.setWindowTitle("Tandatangani semua draf")
        self.config = esign.get_signer_config(services, actor.id)
        self.drafts = bs.waiting_drafts(services, actor)
        self.report: bs.BatchReport | None = None
        self.task: Task | None = None
        self.progress: QProgressDialog | None = None
        self._cancel = threading.Event()
        self._bridge = _Bridge(self)
        self._bridge.progressed.connect(self._on_progress)
        #: Asks for the certificate file; replaced in tests.
        self.choose_certificate: Callable[[QWidget], str] = _choose_certificate_file
        self._p12 = b""

        layout = QVBoxLayout(self)
        self.title = QLabel(f"{len(self.drafts)} draf menunggu tanda tangan Anda")
        self.title.setObjectName("batchTitle")
        set_role(self.title, "title")
        layout.addWidget(self.title)
        self.banner = Banner(self)
        layout.addWidget(self.banner)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages, 1)
        self.pages.addWidget(self._input_page())
        self.pages.addWidget(self._result_page())

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.sign_button = QPushButton()
        self.sign_button.setObjectName("batchSignButton")
        self.sign_button.setDefault(True)
        self.sign_button.clicked.connect(self.sign)
        self.close_button = QPushButton("&Tutup")
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.sign_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.list.itemChanged.connect(lambda _item: self._update_button())
        self._update_button()
        self.resize(900, 540)
        self.secret.setFocus()

    # ---------------------------------------------------------------- layout

    def _input_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("batchDrafts")
        for draft in self.drafts:
            item = QListWidgetItem(f"{draft.reg_number} — {draft.applicant} — {draft.title}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setToolTip(draft.permit_name)
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        if self.config.is_bsre:
            who = f"NIK {self.config.nik}" if self.config.nik else self.config.email
            how = QLabel(
                f"BSrE, {self.config.gateway_url} (API {self.config.api_version}), {who}. "
                + (
                    "Satu permintaan per berkas; nomor diambil saat berkas itu ditandatangani."
                    if self.config.api_version == "v1"
                    else "Nomor diambil saat berkas itu ditandatangani."
                )
            )
            how.setWordWrap(True)
            form.addRow("Layanan TTE", how)
        else:
            self.p12_button = QPushButton("Pilih sertifikat (.p12/.pfx)…")
            self.p12_button.clicked.connect(self._choose_p12)
            self.p12_box = FieldBox(self.p12_button)
            form.addRow("Sertifikat", self.p12_box)
        self.secret = QLineEdit()
        self.secret.setObjectName("batchSecret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("Diminta sekali untuk semua berkas ini; tidak disimpan")
        self.secret.returnPressed.connect(self.sign)
        self.secret_box = FieldBox(self.secret)
        form.addRow(self._secret_label(), self.secret_box)
        layout.addLayout(form)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel()
        self.summary.setObjectName("batchSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.results: RowsModel[bs.BatchResult] = RowsModel(
            [
                Column("No. registrasi", lambda r: r.draft.reg_number),
                Column("Pemohon", lambda r: r.draft.applicant),
                Column("Hasil", lambda r: r.status_label),
                Column(
                    "Nomor / keterangan",
                    lambda r: r.number or r.message,
                    stretch=True,
                    tooltip=lambda r: r.message,
                ),
            ]
        )
        self.results_view = RowsView(self.results, page)
        self.results_view.setObjectName("batchResults")
        self.results_view.setWordWrap(True)
        layout.addWidget(self.results_view, 1)
        # The whole message of the selected file (a refusal is longer than its cell).
        self.detail = QLabel()
        self.detail.setObjectName("batchDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        self.results_view.selectionModel().currentRowChanged.connect(
            lambda *_a: self._show_detail()
        )
        self.outage_note = QLabel(
            "Layanan TTE tidak dapat dihubungi. Berkas yang belum ditandatangani tetap di "
            "daftar tugas; bila layanan mati lama, tanda tangani basah dari langkah Tanda "
            "tangan (TTE menyusul pada nomor yang sama)."
        )
        self.outage_note.setObjectName("batchOutage")
        self.outage_note.setWordWrap(True)
        set_role(self.outage_note, "warning")
        self.outage_note.hide()
        layout.addWidget(self.outage_note)
        return page

    def _show_detail(self) -> None:
        result = self.results_view.current_row()
        if result is None:
            self.detail.clear()
            return
        self.detail.setText(
            f"{result.draft.reg_number} ({result.draft.title}): {result.status_label}. "
            f"{result.message}"
        )

    def _secret_label(self) -> str:
        if not self.config.is_bsre:
            return "Kata sandi sertifikat"
        return "Kode TOTP" if self.config.secret_kind == "totp" else "Passphrase TTE"

    def chosen(self) -> list[bs.WaitingDraft]:
        return [
            draft
            for row, draft in enumerate(self.drafts)
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]

    def _update_button(self) -> None:
        count = len(self.chosen())
        self.sign_button.setText(f"&Tandatangani {count} dokumen")
        self.sign_button.setEnabled(count > 0 and self.report is None and self.task is None)

    def _choose_p12(self) -> None:
        data = pick_certificate(self, self.choose_certificate, self.p12_box, self.p12_button)
        if data is not None:
            self._p12 = data

    # ---------------------------------------------------------------- signing

    def _secret_data(self) -> dict[str, Any]:
        secret = self.secret.text()
        self.secret.clear()  # held by the request for this batch only
        if not self.config.is_bsre:
            return {"p12": self._p12, "passphrase": secret}
        key = "totp" if self.config.secret_kind == "totp" else "passphrase"
        return {key: secret}

    def sign(self) -> None:
        drafts = self.chosen()
        if not drafts or self.task is not None or self.report is not None:
            return
        self.banner.clear_message()
        self.secret_box.clear_message()
        if not self.secret.text():
            self.secret_box.show_error(f"Isi {self._secret_label().lower()} Anda.")
            self.secret.setFocus()
            self.settled.emit()
            return
        data = self._secret_data()
        self._cancel.clear()
        self.progress = QProgressDialog(
            "Menyiapkan penandatanganan…", "Batal", 0, len(drafts), self
        )
        self.progress.setObjectName("batchProgress")
        self.progress.setWindowTitle("Menandatangani")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setMinimumWidth(440)
        self.progress.canceled.connect(self._on_cancel)
        self.progress.open()
        self.sign_button.setEnabled(False)
        services, actor, emit, cancelled = (
            self.services,
            self.actor,
            self._bridge.progressed.emit,
            self._cancel.is_set,
        )

        def work() -> bs.BatchReport:  # on the pool thread: no widget here
            return bs.sign_waiting(
                services, actor, drafts, data, progress=emit, cancelled=cancelled
            )

        self.task = run_in_background(
            work, on_success=self._done, on_failure=self._failed, owner=self
        )

    @Slot()
    def _on_cancel(self) -> None:
        self._cancel.set()
        if self.progress is not None:
            self.progress.setLabelText("Membatalkan setelah berkas yang sedang dikirim…")
            self.progress.show()  # stays up until the worker has stopped

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, label: str) -> None:
        progress = self.progress
        if progress is None or self._cancel.is_set():
            return
        # The label first: setValue() on a modal dialog processes events, and the batch's end
        # (which closes and forgets the dialog) may be delivered inside it.
        progress.setMaximum(total)
        if label:
            progress.setLabelText(f"Berkas {done + 1} dari {total}:\n{label}")
        progress.setValue(done)

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect(self._on_cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _done(self, report: bs.BatchReport) -> None:
        self._close_progress()
        self.task = None
        self.report = report
        self.summary.setText(report.summary)
        set_role(
            self.summary, "ok" if report.count(bs.SIGNED) == len(report.results) else "warning"
        )
        self.title.setText("Hasil penandatanganan")
        self.results.set_rows(list(report.results))
        first_failed = next((i for i, r in enumerate(report.results) if r.status != bs.SIGNED), 0)
        self.results_view.selectRow(first_failed)
        self._show_detail()
        self.outage_note.setVisible(report.gateway_down)
        self.pages.setCurrentIndex(1)
        self.sign_button.hide()
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.signed.emit(report)
        self.settled.emit()

    def _failed(self, exc: BaseException) -> None:
        self._close_progress()
        self.task = None
        self._update_button()
        if isinstance(exc, esign.WrongPassphrase) or (
            isinstance(exc, UserError) and getattr(exc, "field", None) in ("passphrase", "totp")
        ):
            self.secret_box.show_error(exc.message)
            self.secret.setFocus()
        elif isinstance(exc, UserError):
            self.banner.show_error(exc.message)
        else:
            report_error(self, exc)
        self.settled.emit()


def _choose_certificate_file(parent: QWidget) -> str:
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Pilih sertifikat elektronik", "", "Sertifikat (*.p12 *.pfx)"
    )
    return path


__all__ = ["BatchSignDialog"]
