"""UU PDP in the case view: the "Laporan data pribadi" button (Ps 32: the applicant's report,
made off the GUI thread by ``services.pdp_report`` and opened in the PDF preview), and the
logging of a document or attachment printed or saved from its preview. Kept apart from
``case_view`` so that module stays one job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPushButton, QWidget

from desktop_perizinan.errors import UserError
from desktop_perizinan.ui.common.documents import open_pdf
from desktop_perizinan.ui.widgets.messages import report_error, show_warning
from desktop_perizinan.ui.worker import Task, run_in_background

if TYPE_CHECKING:
    from desktop_perizinan.services.actor import Actor
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.pdp_report import PdpReport

TITLE = "Laporan data pribadi (Pasal 32 UU PDP)"
#: Who sees the button: ``services.pdp_report.REPORT_ROLES`` (the service checks the same);
#: repeated here so opening a case does not import the report stack.
REPORT_ROLES = frozenset({"front_office", "backoffice", "admin"})


class PdpReportButton(QPushButton):
    """Makes the report of the case's applicant and shows it."""

    def __init__(
        self, services: Services, actor: Actor, case_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__("Laporan data &pribadi…", parent)
        self.setObjectName("pdpReport")
        self.setToolTip(
            "Semua data yang disimpan kantor tentang pemohon ini dan riwayat pemrosesannya "
            "(siapa melihat, mengubah, mengekspor, kapan), untuk diserahkan kepada pemohon."
        )
        self._s, self._actor, self._case_id = services, actor, case_id
        self.task: Task | None = None
        self.viewer: QWidget | None = None
        self.setVisible(bool(actor.roles & REPORT_ROLES))
        self.clicked.connect(self.make)

    def make(self) -> None:
        if self.task is not None and self.task.running:
            return
        services, actor, case_id = self._s, self._actor, self._case_id
        self.setEnabled(False)

        def made(report: PdpReport) -> None:
            self.setEnabled(True)
            self.viewer = open_pdf(self.window(), report.pdf, f"Laporan data pribadi {report.name}")

        def failed(exc: BaseException) -> None:
            self.setEnabled(True)
            if isinstance(exc, UserError):
                self.viewer = show_warning(self.window(), TITLE, exc.message)
            else:
                self.viewer = report_error(self.window(), exc)

        self.task = run_in_background(
            lambda: services.pdp_report.make_for_case(actor, case_id),
            on_success=made,
            on_failure=failed,
            owner=self,
        )


def log_what_leaves(
    viewer: QWidget,
    services: Services,
    actor: Actor,
    *,
    document_id: int | None = None,
    attachment_id: int | None = None,
) -> None:
    """Log (``data_pribadi.cetak``) each print or save of the file shown in ``viewer``."""
    from desktop_perizinan.ui.pdf_preview import PdfPreviewDialog

    if not isinstance(viewer, PdfPreviewDialog):
        return  # a photo viewer has no print or save

    def log(how: str) -> None:
        try:
            services.personal_data.log_output(
                actor, how=how, document_id=document_id, attachment_id=attachment_id
            )
        except UserError as exc:
            viewer.banner.show_error(exc.message)

    viewer.printed.connect(lambda _pages: log("dicetak"))
    viewer.saved.connect(lambda path: log(f"disimpan ke {path}"))
