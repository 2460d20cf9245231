"""Laporan > TTE menunggu: letters signed wet during a TTE gateway outage whose electronic
signature is still owed on the same number (issue 12, ``services.tte_outage``).

Not tied to the report period: an owed TTE stays owed until it is attached, whatever month
the letter was signed in, so the list is always every waiting letter, oldest first, with how
many days it has waited. The TTE itself is signed or attached from Tugas > "TTE menunggu".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_perizinan.errors import UserError
from desktop_perizinan.services import tte_outage
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.formatting import short_datetime
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services


class PendingTteTab(QWidget):
    """The waiting list, read again each time the tab is shown (and on ``reload()``)."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pendingTteTab")
        self._s = services
        now = services.now
        self.model: RowsModel[tte_outage.PendingTte] = RowsModel(
            [
                Column("Nomor", lambda r: r.number or "(belum bernomor)"),
                Column("Perihal", lambda r: r.title, stretch=True, tooltip=lambda r: r.title),
                Column("No. registrasi", lambda r: r.reg_number),
                Column("Pemohon", lambda r: r.applicant),
                Column("Ditandatangani basah", lambda r: short_datetime(r.signed_wet_at)),
                Column(
                    "Menunggu",
                    lambda r: f"{r.days_waiting(now())} hari",
                    sort_key=lambda r: r.signed_wet_at,
                    align_right=True,
                ),
            ]
        )
        self.table = RowsView(self.model, self)
        self.model.setParent(self.table)
        self.table.setObjectName("pendingTte")
        self.summary = QLabel()
        self.summary.setObjectName("pendingTteSummary")
        self.summary.setWordWrap(True)
        note = QLabel(
            "Surat yang ditandatangani basah karena layanan TTE mati, menunggu TTE pada nomor "
            "yang sama. Tandatangani atau lampirkan TTE-nya di Tugas > TTE menunggu."
        )
        note.setWordWrap(True)
        set_role(note, "hint")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        try:
            rows = tte_outage.pending(self._s)
        except UserError as exc:
            self.summary.setText(exc.message)
            set_role(self.summary, "error")
            return
        self.model.set_rows(rows)
        if rows:
            oldest = max(r.days_waiting(self._s.now()) for r in rows)
            self.summary.setText(
                f"{len(rows)} surat menunggu TTE; yang terlama sudah {oldest} hari."
            )
            set_role(self.summary, "warning")
        else:
            self.summary.setText("Tidak ada surat yang menunggu TTE.")
            set_role(self.summary, "ok")


__all__ = ["PendingTteTab"]
