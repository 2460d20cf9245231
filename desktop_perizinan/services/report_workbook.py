"""The Laporan as an Excel workbook's context (sheets, columns, native charts): a pure mapping
from a :class:`~desktop_perizinan.services.report_rows.ReportBundle` to what
``documents/xlsx_reports`` writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_perizinan.services.report_rows import MONTHS, ReportBundle

if TYPE_CHECKING:
    from desktop_perizinan.documents.xlsx_reports import ReportWorkbook


def _clock_text(minutes: int) -> str:
    """Minutes as hours and minutes of the clock ("8 jam 30 menit"), never as days."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} jam" + (f" {rest} menit" if rest else "")


def _blocks(keys: list[str]) -> list[tuple[str, tuple[int, int]]]:
    """Runs of equal keys as (key, (first, last)) row ranges: one chart per permit type."""
    blocks: list[tuple[str, tuple[int, int]]] = []
    for index, key in enumerate(keys):
        if blocks and blocks[-1][0] == key:
            blocks[-1] = (key, (blocks[-1][1][0], index))
        else:
            blocks.append((key, (index, index)))
    return blocks


def percent(share: float | None) -> float | None:
    return None if share is None else round(share, 4)


def report_workbook(bundle: ReportBundle) -> ReportWorkbook:
    """The plain context of the report workbook: sheets of rows and the charts over them."""
    from desktop_perizinan.documents.xlsx_reports import (
        ChartSpec,
        ReportColumn,
        ReportSheet,
        ReportWorkbook,
    )

    period = bundle.period
    hours = 60

    def as_hours(minutes: int | None) -> float | None:
        return None if minutes is None else round(minutes / hours, 1)

    recap_rows = [
        (r.permit_name, r.received, r.issued, r.rejected, r.withdrawn, r.in_progress)
        for r in bundle.recap.rows
    ]
    t = bundle.recap.total
    recap_sheet = ReportSheet(
        name="Rekap",
        title=f"Rekapitulasi Permohonan per Jenis Izin — {period.label}",
        columns=(
            ReportColumn("Jenis Izin", 48),
            ReportColumn("Diterima", 11, "int"),
            ReportColumn("Terbit", 11, "int"),
            ReportColumn("Ditolak", 11, "int"),
            ReportColumn("Ditarik", 11, "int"),
            ReportColumn("Dalam Proses", 13, "int"),
        ),
        rows=tuple(recap_rows),
        total=("Jumlah", t.received, t.issued, t.rejected, t.withdrawn, t.in_progress),
        notes=(
            "Diterima: permohonan yang masuk dalam periode. Terbit/Ditolak/Ditarik: yang "
            "selesai dalam periode. Dalam proses: yang belum selesai pada akhir periode.",
        ),
        charts=(
            ChartSpec(
                title="Permohonan per jenis izin",
                categories_col=0,
                value_cols=(1, 2, 3),
                y_title="Permohonan",
                horizontal=True,
            ),
        ),
    )
    month_sheet = ReportSheet(
        name="Per Bulan",
        title=f"Permohonan per Bulan — Tahun {period.year}",
        columns=(
            ReportColumn("Bulan", 14),
            ReportColumn("Diterima", 11, "int"),
            ReportColumn("Terbit", 11, "int"),
            ReportColumn("Ditolak", 11, "int"),
            ReportColumn("Ditarik", 11, "int"),
            ReportColumn("Dalam Proses", 13, "int"),
        ),
        rows=tuple(
            (MONTHS[m.month - 1], m.received, m.issued, m.rejected, m.withdrawn, m.in_progress)
            for m in bundle.months
        ),
        charts=(
            ChartSpec(
                title=f"Diterima dan selesai per bulan, {period.year}",
                categories_col=0,
                value_cols=(1, 2, 3),
                y_title="Permohonan",
            ),
        ),
    )
    comp = bundle.compliance
    step_sheet = ReportSheet(
        name="Kepatuhan Langkah",
        title=f"Kepatuhan Waktu terhadap Mutu Baku SOP per Langkah — {period.label}",
        columns=(
            ReportColumn("Jenis Izin", 34),
            ReportColumn("No.", 6, "int"),
            ReportColumn("Langkah", 40),
            ReportColumn("Pelaksana", 26),
            ReportColumn("Mutu Baku", 12),
            ReportColumn("Baku (jam kerja)", 12, "decimal"),
            ReportColumn("Selesai", 9, "int"),
            ReportColumn("Tepat Waktu", 10, "int"),
            ReportColumn("% Tepat Waktu", 11, "percent"),
            ReportColumn("Median Nyata (jam kerja)", 13, "decimal"),
            ReportColumn("Median Nyata", 18),
        ),
        rows=tuple(
            (
                s.permit_name,
                s.step_no,
                s.step_name,
                s.role_name,
                s.standard,
                as_hours(s.standard_minutes),
                s.done,
                s.on_time,
                percent(s.share),
                as_hours(s.median_minutes),
                bundle.minutes_text(s.median_minutes),
            )
            for s in comp.steps
        ),
        notes=(
            "Tepat waktu: langkah selesai paling lambat pada batas waktu yang dihitung dari mutu "
            "baku dalam jam kerja kantor; satu hari kerja = "
            f"{_clock_text(bundle.day_minutes)}."
        ),
        charts=tuple(
            ChartSpec(
                title=f"{name}: mutu baku dan median waktu nyata per langkah (jam kerja)",
                categories_col=2,
                value_cols=(5, 9),
                y_title="Jam kerja",
                horizontal=True,
                rows=block,
            )
            for name, block in _blocks([s.permit_name for s in comp.steps])
        ),
    )
    role_sheet = ReportSheet(
        name="Kepatuhan Pelaksana",
        title=f"Kepatuhan Waktu per Pelaksana — {period.label}",
        columns=(
            ReportColumn("Pelaksana", 36),
            ReportColumn("Selesai", 9, "int"),
            ReportColumn("Tepat Waktu", 10, "int"),
            ReportColumn("% Tepat Waktu", 11, "percent"),
            ReportColumn("Median Baku (jam kerja)", 13, "decimal"),
            ReportColumn("Median Nyata (jam kerja)", 13, "decimal"),
        ),
        rows=tuple(
            (
                r.role_name,
                r.done,
                r.on_time,
                percent(r.share),
                as_hours(r.median_standard_minutes),
                as_hours(r.median_minutes),
            )
            for r in comp.roles
        ),
        charts=(
            ChartSpec(
                title="Persentase langkah tepat waktu per pelaksana",
                categories_col=0,
                value_cols=(3,),
                y_title="% tepat waktu",
                horizontal=True,
                percent=True,
            ),
        ),
    )
    total_sheet = ReportSheet(
        name="Waktu Total",
        title=f"Waktu Pelayanan: Total SOP dan Waktu Nyata — {period.label}",
        columns=(
            ReportColumn("Jenis Izin", 40),
            ReportColumn("Akhir", 9),
            ReportColumn("Total SOP", 20),
            ReportColumn("Total SOP (jam kerja)", 12, "decimal"),
            ReportColumn("Selesai", 9, "int"),
            ReportColumn("Dalam Batas SOP", 11, "int"),
            ReportColumn("% Dalam Batas", 11, "percent"),
            ReportColumn("Median Nyata (jam kerja)", 13, "decimal"),
            ReportColumn("Median Nyata", 20),
            ReportColumn("Terlama (jam kerja)", 12, "decimal"),
        ),
        rows=tuple(
            (
                f"{r.permit_name}",
                r.ending,
                r.stated,
                as_hours(r.stated_minutes),
                r.closed,
                r.within,
                percent(r.share),
                as_hours(r.median_minutes),
                bundle.minutes_text(r.median_minutes),
                as_hours(r.longest_minutes),
            )
            for r in comp.totals
        ),
        notes=("Waktu nyata: dari permohonan diterima sampai selesai, dalam jam kerja.",),
        charts=(
            ChartSpec(
                title="Total SOP dan median waktu nyata (jam kerja)",
                categories_col=0,
                value_cols=(3, 7),
                y_title="Jam kerja",
                horizontal=True,
            ),
        ),
    )
    overdue_sheet = ReportSheet(
        name="Terlambat",
        title=f"Langkah Terlambat per {bundle.generated_at:%d-%m-%Y %H:%M}",
        columns=(
            ReportColumn("No. Registrasi", 20),
            ReportColumn("Pemohon", 32),
            ReportColumn("Jenis Izin", 34),
            ReportColumn("No.", 6, "int"),
            ReportColumn("Langkah", 36),
            ReportColumn("Pelaksana", 26),
            ReportColumn("Batas Waktu", 16, "datetime"),
            ReportColumn("Terlambat", 18),
        ),
        rows=tuple(
            (
                r.reference,
                r.applicant_name,
                r.permit_name,
                r.step_no,
                r.step_name,
                r.role_name,
                r.due_at,
                bundle.minutes_text(r.late_minutes),
            )
            for r in bundle.overdue
        ),
        empty_text="Tidak ada langkah yang terlambat.",
    )
    return ReportWorkbook(
        title="Laporan Pelayanan Perizinan",
        office_name=bundle.office_name,
        period_text=period.label,
        generated_text=f"Dibuat {bundle.generated_at:%d-%m-%Y %H:%M}",
        sheets=(recap_sheet, month_sheet, step_sheet, role_sheet, total_sheet, overdue_sheet),
    )
