"""The agenda books as Excel workbooks: written in streaming mode, read back for an import.

The books (surat keluar, izin, register permohonan) run to 100,000 rows in a busy year, so the
writer uses openpyxl's write-only mode: rows go to disk as they come and memory stays flat.
That mode fixes the order of things: the sheet view (frozen header) and the column widths must
be set before the first row, the autofilter, merges and print settings may follow the rows.

Paper: Excel has no F4 (215 × 330 mm) paper code. Folio 8.5 × 13 in (216 × 330 mm, code 14) is
the closest, and is what Indonesian offices pick in Excel for "F4"; it is used here for F4.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal

from desktop_perizinan.errors import UserError

ColumnKind = Literal["text", "date", "datetime", "int"]

#: openpyxl paperSize codes: 9 = A4, 14 = Folio 8.5 × 13 in (the nearest to F4, see above).
PAPER_CODES = {"A4": 9, "F4": 14}

DATE_FORMAT = "DD-MM-YYYY"
DATETIME_FORMAT = "DD-MM-YYYY HH:MM"
INT_FORMAT = "0"

#: Rows between two looks at ``cancelled()`` and two ``progress()`` calls.
CHECK_EVERY = 1000

#: Header row of the table; rows above it hold the title, the office and the year.
HEADER_ROW = 5

# Characters XML 1.0 forbids; a pasted name may carry them and openpyxl would refuse the cell.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Cancelled(UserError):
    """The user cancelled the export; the partial file must be discarded by the caller."""

    def __init__(self, rows_written: int) -> None:
        super().__init__(f"Ekspor dibatalkan setelah {rows_written} baris.")
        self.rows_written = rows_written


@dataclass(frozen=True)
class Column:
    """One column of a book: title, width in characters and how values are stored.

    ``text`` values are stored as text even when they look like numbers, so "0042" keeps its
    zeros and a NIK is not turned into 1.21E+15; ``date``/``datetime`` as real Excel dates
    with a day-month-year format; ``int`` as numbers. ``number_format`` overrides the format.
    """

    title: str
    width: float = 15
    kind: ColumnKind = "text"
    number_format: str | None = None


def _sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Buku"
    return cleaned[:31]


def write_book_xlsx(
    dest: Path | IO[bytes],
    *,
    title: str,
    office_name: str,
    year: int | None,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    paper: str = "F4",
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    footer_note: str = "",
) -> int:
    """Write one book to ``dest`` and return the number of data rows written.

    ``footer_note`` (the audit anchor, ``JANGKAR-AUDIT v1 ...``) is printed small in the left
    footer of every page, where ``perizinan audit verify --anchor`` reads it back.

    Landscape, fitted to the page width, the header row repeated on every printed page, a
    frozen header, an autofilter and thin borders. ``progress(n)`` is called every
    :data:`CHECK_EVERY` rows and at the end; if ``cancelled()`` turns true, :class:`Cancelled`
    is raised and nothing is saved (a file ``dest`` is left as it was before the call).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    if paper not in PAPER_CODES:
        raise ValueError(f"paper must be one of {tuple(PAPER_CODES)}")
    if not columns:
        raise ValueError("a book needs at least one column")

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(title))
    ncols = len(columns)
    last_col = get_column_letter(ncols)

    # --- what must precede the rows: view and column widths
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    # Write-only mode writes <sheetPr> with the first row: fit-to-page must be set before it.
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    for i, col in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = col.width

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="E8E8E8")
    wrap_center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    top = Alignment(vertical="top")

    def titled(value: str, size: int, bold: bool) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        cell.font = Font(size=size, bold=bold)
        return cell

    ws.append([titled(title.upper(), 14, True)])
    ws.append([titled(office_name, 11, False)])
    ws.append([titled(f"Tahun {year}", 11, False)] if year else [])
    ws.append([])
    header = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=col.title)
        cell.data_type = "s"
        cell.font = header_font
        cell.fill = header_fill
        cell.border = border
        cell.alignment = wrap_center
        header.append(cell)
    ws.append(header)

    # One prototype cell per column: values are set on a fresh cell that copies its style id,
    # which is far cheaper than assigning border, format and alignment to each of a million.
    formats = {
        "text": "@",
        "date": DATE_FORMAT,
        "datetime": DATETIME_FORMAT,
        "int": INT_FORMAT,
    }
    prototypes = []
    for col in columns:
        proto = WriteOnlyCell(ws)
        proto.border = border
        proto.alignment = top
        proto.number_format = col.number_format or formats[col.kind]
        prototypes.append(proto)
    kinds = [col.kind for col in columns]

    # Speed: openpyxl's public write-only path sets each value through a setter that raises
    # and catches an exception per cell, and looks the style id up per cell; a 100,000-row
    # book took 2x a bare write. These cells arrive ready (value, type, style id) and
    # ``_values_to_row`` only places them. It leans on openpyxl 3.1 internals, hence the pin
    # in pyproject.toml; tests/documents/test_documents_xlsx.py reads every kind back.
    from openpyxl.cell.cell import Cell

    class _Styled(Cell):
        """A cell whose style id is known up front (openpyxl looks it up per cell)."""

        __slots__ = ("_sid",)

        @property
        def style_id(self) -> int:  # type: ignore[override]
            return self._sid

        @property
        def has_style(self) -> bool:  # type: ignore[override]
            return True

    style_ids = [p.style_id for p in prototypes]
    style_arrays = [p._style for p in prototypes]

    def _values_to_row(cells: Any, row_idx: int) -> Any:  # the cells are ready: just place them
        for col_idx, cell in enumerate(cells, 1):
            cell.column = col_idx
            cell.row = row_idx
            yield cell

    ws._values_to_row = _values_to_row

    def make_cell(index: int, value: Any) -> Any:
        cell = _Styled(ws, style_array=style_arrays[index])
        cell._sid = style_ids[index]
        if value is None or value == "":
            return cell
        kind = kinds[index]
        if kind == "text" or not (kind == "int" or isinstance(value, date | datetime)):
            cell._value = _ILLEGAL.sub("", str(value))[:32767]
            cell.data_type = "s"
        elif kind == "int":
            cell._value = int(value)
            cell.data_type = "n"
        else:
            cell._value = value.date() if kind == "date" and isinstance(value, datetime) else value
            cell.data_type = "d"
        return cell

    count = 0
    try:
        for row in rows:
            if len(row) > ncols:
                raise ValueError(f"row {count + 1} has {len(row)} values for {ncols} columns")
            values = list(row) + [None] * (ncols - len(row))
            ws.append([make_cell(i, v) for i, v in enumerate(values)])
            count += 1
            if count % CHECK_EVERY == 0:
                if cancelled is not None and cancelled():
                    raise Cancelled(count)
                if progress is not None:
                    progress(count)
        if cancelled is not None and cancelled():
            raise Cancelled(count)
    except BaseException:
        _discard(ws)
        raise

    # --- what may follow the rows: filter, merges, print settings
    last_row = HEADER_ROW + max(count, 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{last_row}"
    if ncols > 1:
        ws.merged_cells.add(f"A1:{last_col}1")
        ws.merged_cells.add(f"A2:{last_col}2")
        if year:
            ws.merged_cells.add(f"A3:{last_col}3")
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_CODES[paper]
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Halaman &P dari &N"
    ws.oddFooter.center.size = 8
    if footer_note:
        ws.oddFooter.left.text = footer_note[:200]  # Excel allows 255 characters in all
        ws.oddFooter.left.size = 6

    wb.save(dest)
    if progress is not None:
        progress(count)
    return count


def _discard(ws: Any) -> None:
    """Remove the temporary file a write-only sheet streams into (openpyxl only does it at
    exit, and a cancelled 100,000-row export should not leave 50 MB behind until then)."""
    writer = getattr(ws, "_writer", None)
    if writer is None:
        return
    rows = getattr(ws, "_rows", None)
    if rows is not None:  # end the row stream first, or it complains when collected
        with contextlib.suppress(Exception):
            rows.close()
        ws._rows = None
    with contextlib.suppress(Exception):
        writer.close()
    with contextlib.suppress(Exception):
        writer.cleanup()


def read_ledger_xlsx(
    path: Path | str | IO[bytes], *, sheet: str | None = None, header_row: int | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Read an agenda book (ours or an office's old ledger) as headers and rows.

    The header row is ``header_row`` (1-based) if given, else the first row with at least two
    filled cells that are all text (title rows above a table have one cell). Empty rows are
    skipped; each row is cut or padded to the width of the header. Dates come back as
    ``datetime`` where the cell is a real date, and as text where the ledger typed them.
    """
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException, ...
        raise UserError(f"Berkas Excel tidak dapat dibaca: {exc}") from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise UserError(f"Lembar kerja {sheet!r} tidak ada di berkas Excel.")
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        headers: list[str] | None = None
        data: list[tuple[Any, ...]] = []
        for index, values in enumerate(ws.iter_rows(values_only=True), 1):
            filled = [v for v in values if v is not None and str(v).strip() != ""]
            if headers is None:
                is_header = (
                    index == header_row
                    if header_row is not None
                    else len(filled) >= 2 and all(isinstance(v, str) for v in filled)
                )
                if is_header:
                    headers = [str(v).strip() if v is not None else "" for v in values]
                    while headers and not headers[-1]:
                        headers.pop()
                continue
            if not filled:
                continue
            row = tuple(values[: len(headers)])
            data.append(row + (None,) * (len(headers) - len(row)))
        if headers is None:
            raise UserError("Baris judul kolom tidak ditemukan di berkas Excel.")
        return headers, data
    finally:
        wb.close()
