"""The "Data pribadi" tab (UU 27/2022): the applicant's report by NIK (Ps 32), and the
applicants whose retention period is over, with erasure.

The office's rules are shown as the office file sets them (years kept, roles that see a NIK in
full), so the administrator sees what the services enforce. Everything is read and done
through ``services.pdp_report`` and ``services.retention`` off the GUI thread; the services
check the roles and write the audit entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.errors import UserError, ValidationError
from desktop_perizinan.services.retention import DueApplicant
from desktop_perizinan.ui.common.documents import open_pdf
from desktop_perizinan.ui.pengaturan.common import make_banner, stretch_column
from desktop_perizinan.ui.widgets.form import FieldBox
from desktop_perizinan.ui.widgets.messages import report_error
from desktop_perizinan.ui.widgets.reason_dialog import ReasonDialog
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView
from desktop_perizinan.ui.worker import Task, run_in_background

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.pdp_report import PdpReport

DUE_COLUMNS: tuple[Column[DueApplicant], ...] = (
    Column("NIK", lambda r: r.nik_masked),
    Column("Nama pemohon", lambda r: r.name, stretch=True),
    Column("Permohonan", lambda r: str(r.cases), sort_key=lambda r: r.cases, align_right=True),
    Column(
        "Kegiatan terakhir",
        lambda r: f"{r.last_activity:%d-%m-%Y}",
        sort_key=lambda r: r.last_activity,
    ),
    Column("Retensi habis", lambda r: f"{r.due_since:%d-%m-%Y}", sort_key=lambda r: r.due_since),
)


class PersonalDataTab(QWidget):
    """Laporan Pasal 32 and the retention list (see the module docstring)."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personalDataTab")
        self._s = services
        self._actor = actor
        self.task: Task | None = None
        self.report_task: Task | None = None
        self.viewer: QWidget | None = None
        self.erase_dialog: ReasonDialog | None = None

        layout = QVBoxLayout(self)
        self.banner = make_banner(self)
        layout.addWidget(self.banner)
        roles = ", ".join(
            services.office.role_name(r) for r in services.personal_data.full_nik_roles()
        )
        self.rules = QLabel(
            f"NIK lengkap hanya tampil untuk: {roles}; pengguna lain melihat NIK tersamar "
            f"(1211••••••••0002). Data pemohon disimpan {services.retention.years()} tahun "
            "sejak kegiatan terakhirnya. Keduanya diatur di [data_pribadi] pada forms/_kantor.toml. "
            "Setiap tampilan data pemohon, lampiran, dokumen dan ekspor tercatat di log audit.",
            self,
        )
        self.rules.setObjectName("pdpRules")
        self.rules.setWordWrap(True)
        layout.addWidget(self.rules)

        report_box = QGroupBox("Laporan data pribadi untuk pemohon (Pasal 32 UU PDP)", self)
        report_layout = QHBoxLayout(report_box)
        nik_label = QLabel("&NIK:", report_box)
        report_layout.addWidget(nik_label)
        self.nik = QLineEdit(report_box)
        self.nik.setObjectName("pdpNik")
        self.nik.setMaxLength(24)
        self.nik.setPlaceholderText("16 angka, dari KTP pemohon")
        self.nik_box = FieldBox(self.nik)
        nik_label.setBuddy(self.nik)
        report_layout.addWidget(self.nik_box, 1)
        self.report_button = QPushButton("&Buat laporan", report_box)
        self.report_button.setObjectName("pdpMakeReport")
        self.report_button.clicked.connect(self.make_report)
        self.nik.returnPressed.connect(self.make_report)
        report_layout.addWidget(self.report_button)
        layout.addWidget(report_box)

        due_box = QGroupBox("Pemohon yang masa retensinya habis", self)
        due_layout = QVBoxLayout(due_box)
        self.model: RowsModel[DueApplicant] = RowsModel(DUE_COLUMNS, due_box)
        self.table = RowsView(self.model, due_box)
        self.table.setObjectName("retentionTable")
        stretch_column(self.table, 1)
        due_layout.addWidget(self.table, 1)
        self.summary = QLabel(due_box)
        self.summary.setObjectName("retentionSummary")
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        self.erase_button = QPushButton("&Hapus data pribadi…", due_box)
        self.erase_button.setObjectName("eraseApplicant")
        self.erase_button.setToolTip(
            "Menghapus nama, NIK, alamat, telepon, isian, lampiran dan isi dokumen pemohon "
            "terpilih. Nomor registrasi, nomor izin dan baris buku agenda tetap (dianonimkan)."
        )
        self.erase_button.clicked.connect(self.ask_erase)
        row.addWidget(self.erase_button)
        due_layout.addLayout(row)
        layout.addWidget(due_box, 1)

    # ---------------------------------------------------------------- the list

    def refresh(self) -> None:
        services, actor = self._s, self._actor
        self.summary.setText("Memuat…")

        def loaded(rows: list[DueApplicant]) -> None:
            self.model.set_rows(rows)
            self.summary.setText(
                f"{len(rows)} pemohon melewati masa retensi."
                if rows
                else "Tidak ada pemohon yang melewati masa retensi."
            )
            self.erase_button.setEnabled(bool(rows))

        def failed(exc: BaseException) -> None:
            self.summary.setText("")
            if isinstance(exc, UserError):
                self.banner.show_error(exc.message)
            else:
                report_error(self, exc)

        self.task = run_in_background(
            lambda: services.retention.due(actor), on_success=loaded, on_failure=failed, owner=self
        )

    def ask_erase(self) -> ReasonDialog | None:
        row = self.table.current_row()
        if row is None:
            return None
        services, actor, applicant_id = self._s, self._actor, row.id
        dialog = ReasonDialog(
            "Hapus data pribadi pemohon",
            f"Data pribadi {row.name} (NIK {row.nik_masked}, {row.cases} permohonan) akan "
            "dihapus: nama, NIK, alamat, telepon, isian permohonan, lampiran dan isi dokumen. "
            "Nomor registrasi, nomor izin dan baris buku tetap, dianonimkan. Tidak dapat "
            "dibatalkan.",
            lambda reason: services.retention.erase(actor, applicant_id, reason),
            self,
        )
        dialog.ok_button.setText("&Hapus")

        def erased() -> None:
            self.banner.show_ok(f"Data pribadi pemohon {row.nik_masked} telah dihapus.")
            self.refresh()

        dialog.accepted.connect(erased)
        dialog.finished.connect(lambda _r: setattr(self, "erase_dialog", None))
        self.erase_dialog = dialog
        dialog.open()
        return dialog

    # ---------------------------------------------------------------- the report

    def make_report(self) -> None:
        if self.report_task is not None and self.report_task.running:
            return
        self.nik_box.clear_message()
        self.banner.clear_message()
        services, actor, nik = self._s, self._actor, self.nik.text()
        self.report_button.setEnabled(False)

        def made(report: PdpReport) -> None:
            self.report_button.setEnabled(True)
            self.banner.show_ok(
                f"Laporan {report.name} dibuat ({report.events} kegiatan tercatat)."
            )
            self.viewer = open_pdf(self.window(), report.pdf, f"Laporan data pribadi {report.name}")

        def failed(exc: BaseException) -> None:
            self.report_button.setEnabled(True)
            if isinstance(exc, ValidationError) and exc.field == "nik":
                self.nik_box.show_error(exc.message)
            elif isinstance(exc, UserError):
                self.banner.show_error(exc.message)
            else:
                report_error(self, exc)

        self.report_task = run_in_background(
            lambda: services.pdp_report.make(actor, nik),
            on_success=made,
            on_failure=failed,
            owner=self,
        )
