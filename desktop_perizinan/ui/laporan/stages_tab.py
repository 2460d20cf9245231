"""Laporan > Batas Tahap: every running stage of every running case against its PP 28/2025
deadline (issue 13.5, ``services.stages``), most urgent first.

Like "TTE menunggu", not tied to the report period: a stage runs until the case leaves it, so
the list is always every open file now. A stage past its deadline is a *fiktif positif* risk:
the application counts as approved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.stages import StageRisk
from desktop_perizinan.ui.common.countdown import urgency_color
from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.formatting import short_datetime
from desktop_perizinan.ui.widgets.table import Column, RowsModel, RowsView

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services


class StageDeadlinesTab(QWidget):
    """The running stages, read again each time the tab is shown (and on ``reload()``)."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stageDeadlinesTab")
        self._s = services
        fmt = services.calendar.format_working_minutes

        def left(r: StageRisk) -> str:
            if r.fiktif_positif:
                return f"lewat {fmt(-r.remaining_minutes)} — risiko fiktif positif"
            return f"sisa {fmt(r.remaining_minutes)}"

        self.model: RowsModel[StageRisk] = RowsModel(
            [
                Column("No. registrasi", lambda r: r.reference),
                Column("Jenis izin", lambda r: r.permit_name, stretch=True),
                Column("Tahap", lambda r: r.stage),
                Column("Batas tahap", lambda r: short_datetime(r.due_at), lambda r: r.due_at),
                Column("Keadaan", lambda r: r.state),
                Column(
                    "Sisa / lewat",
                    left,
                    lambda r: r.remaining_minutes,
                    color=lambda r: urgency_color(r.remaining_minutes) if r.at_risk else None,
                ),
            ]
        )
        self.table = RowsView(self.model, self)
        self.model.setParent(self.table)
        self.table.setObjectName("stageDeadlines")
        self.summary = QLabel()
        self.summary.setObjectName("stageDeadlinesSummary")
        self.summary.setWordWrap(True)
        note = QLabel(
            "Batas setiap tahap (pendaftaran, penilaian dokumen, verifikasi, penerbitan) menurut "
            "PP 28/2025, dihitung dalam jam kerja kantor. Permohonan yang lewat batas tahapnya "
            "dianggap disetujui (fiktif positif)."
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
            rows = self._s.stages.running()
        except UserError as exc:
            self.summary.setText(exc.message)
            set_role(self.summary, "error")
            return
        self.model.set_rows(rows)
        late = sum(1 for r in rows if r.fiktif_positif)
        near = sum(1 for r in rows if r.at_risk) - late
        self.summary.setText(
            f"{len(rows)} tahap berjalan: {late} lewat batas (risiko fiktif positif), "
            f"{near} mendekati batas."
        )
        set_role(self.summary, "error" if late else ("warning" if near else "ok"))


__all__ = ["StageDeadlinesTab"]
