"""The books of the demo office exported to Excel and read back: row for row what the database
holds, numbers as text, voided numbers with their reason, ready to print; on both databases."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_perizinan.documents.xlsx_books import Cancelled
from desktop_perizinan.services.book_export import (
    EXPEDITION,
    BookExportService,
    agenda_cells,
    default_file_name,
    expedition_cells,
)
from desktop_perizinan.services.demo import run_demo

HEADER_ROW = 5
VOID_REASON = "Salah ketik alamat tujuan, surat dicetak ulang"


@pytest.fixture
def demo(services, clock):  # type: ignore[no-untyped-def]
    """The demo scenario, plus one voided number in the outgoing-letter book."""
    run_demo(services, clock)
    umum = services.users.login("umum", "rahasia123")
    entry = services.books.agenda("surat_keluar", 2026)[1]
    services.work.void_number(umum, entry.id, VOID_REASON)
    return services


def _read(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(BytesIO(data)).active


def _body(ws):  # type: ignore[no-untyped-def]
    return [
        tuple(c.value for c in row)
        for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=ws.max_row)
    ]


@pytest.mark.parametrize("book", ["registrasi", "surat_keluar", "izin_lks_asing", "stp_lks_asing"])
def test_agenda_book_matches_the_database_row_for_row(demo, book):
    service = BookExportService(demo)
    info = next(b for b in service.books() if b.code == book)
    year = 2026 if info.yearly else None
    buffer = BytesIO()
    progress: list[int] = []
    count = service.export_agenda(book, year, buffer, progress=progress.append)
    expected = demo.books.agenda(book, year)  # the core's own reading of the book
    assert count == len(expected) > 0 and progress[-1] == count

    ws = _read(buffer.getvalue())
    assert ws["A1"].value == info.title.upper()
    assert ws["A2"].value == demo.settings.office_profile().office_name
    assert ws["A3"].value == ("Tahun 2026" if year else None)
    assert [c.value for c in ws[HEADER_ROW]][:3] == ["No. Urut", "Nomor", "Tanggal"]
    rows = _body(ws)
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert got == (
            want.seq,
            want.number,
            datetime.combine(want.taken_at.date(), datetime.min.time()),
            want.subject or None,
            want.addressee or None,
            want.reg_number,
            want.taken_by,
            f"DIBATALKAN: {want.void_reason}" if want.voided else None,
        )
    # Numbers are text (leading zeros kept), dates real dates shown day-month-year.
    number_cells = [row[1] for row in ws.iter_rows(min_row=HEADER_ROW + 1)]
    assert all(c.data_type == "s" and c.number_format == "@" for c in number_cells)
    assert ws.cell(row=HEADER_ROW + 1, column=3).number_format == "DD-MM-YYYY"
    # Ready to print: frozen header, filter, widths, borders, landscape F4, header repeated.
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:H{HEADER_ROW + len(rows)}"
    assert ws.column_dimensions["B"].width == 32
    assert ws.cell(row=HEADER_ROW + 1, column=2).border.left.style == "thin"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 14
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0


def test_book_is_fitted_to_the_page_width(demo):
    buffer = BytesIO()
    BookExportService(demo).export_agenda("surat_keluar", 2026, buffer)
    assert _read(buffer.getvalue()).sheet_properties.pageSetUpPr.fitToPage


def test_voided_number_keeps_its_place_and_shows_its_reason(demo):
    buffer = BytesIO()
    BookExportService(demo).export_agenda("surat_keluar", 2026, buffer)
    rows = _body(_read(buffer.getvalue()))
    assert [r[0] for r in rows] == [1, 2, 3]  # no gap, nothing reused
    assert rows[1][1] == "503/002/DPMPTSPK/2026"
    assert rows[1][7] == f"DIBATALKAN: {VOID_REASON}"
    assert rows[0][7] is None and rows[2][7] is None


def test_expedition_book_matches_the_database(demo):
    service = BookExportService(demo)
    buffer = BytesIO()
    assert service.export_expedition(2026, buffer) == 2
    ws = _read(buffer.getvalue())
    assert ws["A1"].value == "BUKU EKSPEDISI"
    expected = demo.books.expedition(2026)
    assert _body(ws) == [
        tuple(None if v == "" else v for v in expedition_cells(i, r))
        for i, r in enumerate(expected, start=1)
    ]
    assert ws.cell(row=HEADER_ROW + 1, column=3).data_type == "s"
    assert ws.cell(row=HEADER_ROW + 1, column=2).number_format == "DD-MM-YYYY HH:MM"


def test_export_to_a_file_and_the_other_year_is_empty(demo, tmp_path):
    service = BookExportService(demo)
    path = tmp_path / default_file_name("Buku Agenda Surat Keluar", 2026)
    assert path.name == "Buku Agenda Surat Keluar 2026.xlsx"
    result = service.export("surat_keluar", 2026, path)
    assert result.rows == 3 and result.title == "Buku Agenda Surat Keluar" and path.is_file()
    assert service.export(EXPEDITION, 2025, tmp_path / "e.xlsx").rows == 0
    assert service.count("surat_keluar", 2026) == 3 and service.count(EXPEDITION, 2026) == 2
    assert service.years("surat_keluar") == [2026] and service.years(EXPEDITION) == [2026]


def test_cancelled_export_writes_nothing(demo, tmp_path):
    path = tmp_path / "batal.xlsx"
    with pytest.raises(Cancelled):
        BookExportService(demo).export("surat_keluar", 2026, path, cancelled=lambda: True)
    assert not path.exists()
    path.write_bytes(b"lama")  # an older file at the same place is left as it was
    with pytest.raises(Cancelled):
        BookExportService(demo).export(EXPEDITION, 2026, path, cancelled=lambda: True)
    assert path.read_bytes() == b"lama"


def test_screen_rows_and_search(demo):
    service = BookExportService(demo)
    rows = service.agenda("surat_keluar", 2026)
    assert rows == demo.books.agenda("surat_keluar", 2026)  # the same lines as the core's
    assert [r.number for r in service.agenda("surat_keluar", 2026, "penolakan")] == [
        "503/003/DPMPTSPK/2026"
    ]
    assert [r.seq for r in service.agenda("surat_keluar", 2026, "SALAH ketik")] == [2]
    assert service.agenda("surat_keluar", 2026, "tidak-ada-kata-ini") == []
    # Words must all match (anywhere: number, subject, addressee, registration, reason).
    assert len(service.agenda("registrasi", 2026, "REG 2026")) == 4
    assert len(service.agenda("registrasi", 2026, "REG Simamora")) == 1
    assert [r.recipient_name for r in service.expedition(2026, "penolakan")] == [
        "Benget Tua Simamora"
    ]
    assert service.agenda("surat_keluar", 2026, "50%") == []  # LIKE wildcards are escaped


def test_cells_helpers(demo):
    row = BookExportService(demo).agenda("surat_keluar", 2026)[1]
    cells = agenda_cells(row)
    assert cells[1] == "503/002/DPMPTSPK/2026" and cells[-1].startswith("DIBATALKAN: ")
    assert Path(default_file_name("Buku: Izin/LKS", None)).suffix == ".xlsx"
