"""The report workbook: tables a Kadis can print, with native Excel bar charts over them.

Pure: a :class:`ReportWorkbook` (plain data, built by ``services.reports.report_workbook``) in,
an ``.xlsx`` out. Charts are openpyxl ``BarChart`` objects that point at the table's own cells,
so an office that corrects a figure in Excel sees the chart follow, and a chart copied into a
Word report stays a chart rather than a picture.

Reports are small (tens of rows), so the normal (not write-only) workbook is used: charts need
cell references, and write-only mode cannot place them after the rows.

openpyxl 3.1 writes chart axes with ``delete`` unset, which recent Excel reads as "hidden": the
axes are therefore switched on explicitly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal

from desktop_perizinan.documents.xlsx_books import PAPER_CODES, Cancelled

ReportKind = Literal["text", "int", "decimal", "percent", "datetime", "date"]

_FORMATS: dict[str, str] = {
    "text": "@",
    "int": "0",
    "decimal": "0.0",
    "percent": "0%",
    "datetime": "DD-MM-YYYY HH:MM",
    "date": "DD-MM-YYYY",
}

#: Rows above the table: report title, office, sheet title, period, blank.
HEADER_ROW = 6

#: Height of a default worksheet row in centimetres (15 points), to stack charts below a table.
_ROW_CM = 0.53

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: Series colours: readable in print and for the common colour blindness (blue, orange, grey...).
SERIES_COLOURS = ("2F5F9E", "E08A1E", "7F7F7F", "4F9A5B", "B3261E", "8064A2")


@dataclass(frozen=True)
class ReportColumn:
    title: str
    width: float = 14
    kind: ReportKind = "text"


@dataclass(frozen=True)
class ChartSpec:
    """A clustered bar chart over columns of the sheet's table.

    ``categories_col`` and ``value_cols`` are 0-based column indexes; ``rows`` limits the chart
    to a block of the table's rows (0-based, inclusive), e.g. the steps of one permit type.
    """

    title: str
    categories_col: int
    value_cols: tuple[int, ...]
    y_title: str = ""
    horizontal: bool = False
    percent: bool = False
    rows: tuple[int, int] | None = None


@dataclass(frozen=True)
class ReportSheet:
    name: str
    title: str
    columns: tuple[ReportColumn, ...]
    rows: tuple[tuple[Any, ...], ...]
    total: tuple[Any, ...] | None = None
    notes: tuple[str, ...] = ()
    charts: tuple[ChartSpec, ...] = ()
    empty_text: str = "Tidak ada data untuk periode ini."


@dataclass(frozen=True)
class ReportWorkbook:
    title: str
    office_name: str
    period_text: str
    generated_text: str
    sheets: tuple[ReportSheet, ...] = field(default_factory=tuple)


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Laporan"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    return value


def chart_height_cm(spec: ChartSpec, categories: int) -> float:
    """Tall enough that every category label of a horizontal chart can be read."""
    if not spec.horizontal:
        return 8.5
    per_category = 0.45 + 0.25 * max(0, len(spec.value_cols) - 1)
    return max(6.0, min(26.0, 2.8 + per_category * categories))


def write_report_xlsx(
    dest: Path | IO[bytes],
    workbook: ReportWorkbook,
    *,
    paper: str = "F4",
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """Write the workbook; ``progress`` gets 0..100 per sheet done, ``cancelled()`` is looked
    at between sheets and before saving (then :class:`Cancelled` and nothing is written)."""
    from openpyxl import Workbook

    if paper not in PAPER_CODES:
        raise ValueError(f"paper must be one of {tuple(PAPER_CODES)}")
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    total = max(1, len(workbook.sheets))
    for index, sheet in enumerate(workbook.sheets):
        if cancelled is not None and cancelled():
            raise Cancelled(index)
        ws = wb.create_sheet(_sheet_name(sheet.name, used))
        _write_sheet(ws, workbook, sheet, paper)
        if progress is not None:
            progress((index + 1) * 100 // total)
    if cancelled is not None and cancelled():
        raise Cancelled(total)
    wb.save(dest)


def _write_sheet(ws: Any, book: ReportWorkbook, sheet: ReportSheet, paper: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    ncols = len(sheet.columns)
    last_col = get_column_letter(ncols)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    heads = (
        (book.title.upper(), Font(size=14, bold=True)),
        (book.office_name, Font(size=11)),
        (sheet.title, Font(size=12, bold=True)),
        (f"Periode: {book.period_text}   ·   {book.generated_text}", Font(size=10, italic=True)),
    )
    for row, (text, font) in enumerate(heads, start=1):
        cell = ws.cell(row=row, column=1, value=_clean(text))
        cell.font = font
        if ncols > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)

    for i, col in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
        cell = ws.cell(row=HEADER_ROW, column=i, value=col.title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8E8E8")
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[HEADER_ROW].height = 30

    body = list(sheet.rows)
    row_no = HEADER_ROW
    for values in body:
        row_no += 1
        _write_row(ws, row_no, sheet.columns, values, border, bold=False)
    if sheet.total is not None and body:
        row_no += 1
        _write_row(ws, row_no, sheet.columns, sheet.total, border, bold=True)
    if not body:
        row_no += 1
        cell = ws.cell(row=row_no, column=1, value=sheet.empty_text)
        cell.font = Font(italic=True)
        if ncols > 1:
            ws.merge_cells(start_row=row_no, start_column=1, end_row=row_no, end_column=ncols)
    last_data = HEADER_ROW + len(body)

    for note in sheet.notes:
        row_no += 2 if note is sheet.notes[0] else 1
        cell = ws.cell(row=row_no, column=1, value=_clean(note))
        cell.font = Font(size=9, italic=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if ncols > 1:
            ws.merge_cells(start_row=row_no, start_column=1, end_row=row_no, end_column=ncols)
        ws.row_dimensions[row_no].height = 26

    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    if body:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{last_data}"
        anchor_row = row_no + 2
        for spec in sheet.charts:
            first, last = spec.rows if spec.rows is not None else (0, len(body) - 1)
            if first > last or last >= len(body):
                continue
            chart = _bar_chart(ws, spec, HEADER_ROW + 1 + first, HEADER_ROW + 1 + last)
            ws.add_chart(chart, f"A{anchor_row}")
            anchor_row += math.ceil(chart.height / _ROW_CM) + 2

    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_CODES[paper]
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Halaman &P dari &N"
    ws.oddFooter.center.size = 8


def _write_row(
    ws: Any,
    row_no: int,
    columns: Sequence[ReportColumn],
    values: Sequence[Any],
    border: Any,
    *,
    bold: bool,
) -> None:
    from openpyxl.styles import Alignment, Font

    for i, col in enumerate(columns, start=1):
        value = values[i - 1] if i - 1 < len(values) else None
        if isinstance(value, datetime) and col.kind == "date":
            value = value.date()
        elif isinstance(value, date | datetime) and col.kind not in ("date", "datetime"):
            value = value.strftime("%d-%m-%Y %H:%M" if isinstance(value, datetime) else "%d-%m-%Y")
        cell = ws.cell(row=row_no, column=i, value=_clean(value))
        if col.kind == "text" and value is not None:
            cell.data_type = "s"  # a name starting with "=" is text, not a formula
        cell.number_format = _FORMATS[col.kind]
        cell.border = border
        cell.alignment = Alignment(vertical="top", wrap_text=col.kind == "text")
        if bold:
            cell.font = Font(bold=True)


def _bar_chart(ws: Any, spec: ChartSpec, first_row: int, last_row: int) -> Any:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import StrRef
    from openpyxl.chart.label import DataLabelList
    from openpyxl.chart.series import SeriesLabel

    chart = BarChart()
    chart.type = "bar" if spec.horizontal else "col"
    chart.grouping = "clustered"
    chart.title = spec.title
    chart.y_axis.title = spec.y_title or None
    chart.legend.position = "b"
    sheet_ref = "'" + ws.title.replace("'", "''") + "'"
    for col in spec.value_cols:
        data = Reference(ws, min_col=col + 1, max_col=col + 1, min_row=first_row, max_row=last_row)
        chart.add_data(data, titles_from_data=False)
        # The series is named by the column's header cell (a block of rows has no header).
        header = f"{sheet_ref}!${_letter(col)}${HEADER_ROW}"
        chart.series[-1].tx = SeriesLabel(strRef=StrRef(header))
    categories = Reference(
        ws,
        min_col=spec.categories_col + 1,
        max_col=spec.categories_col + 1,
        min_row=first_row,
        max_row=last_row,
    )
    chart.set_categories(categories)
    for index, series in enumerate(chart.series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if spec.horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # first row at the top, as in the table
    if spec.percent:
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.y_axis.number_format = "0%"
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.gapWidth = 60
    chart.width = 24
    chart.height = chart_height_cm(spec, last_row - first_row + 1)
    return chart


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col + 1)
