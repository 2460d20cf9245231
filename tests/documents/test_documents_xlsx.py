"""The agenda books in Excel: written in streaming mode, read back with openpyxl."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_perizinan.documents.xlsx_books import (
    CHECK_EVERY,
    HEADER_ROW,
    Cancelled,
    Column,
    read_ledger_xlsx,
    write_book_xlsx,
)
from desktop_perizinan.errors import UserError

COLUMNS = [
    Column("No. Urut", 8, "int"),
    Column("Nomor", 30, "text"),
    Column("Tanggal", 12, "date"),
    Column("Waktu", 16, "datetime"),
    Column("Kepada", 40, "text"),
    Column("Urut lama", 10, "text"),
]


def _rows(n: int) -> list[tuple[object, ...]]:
    return [
        (
            i,
            f"503/{i:04d}/DPMPTSPK/2026",
            date(2026, 1, 2),
            datetime(2026, 1, 2, 9, 30),
            "Ni Luh Putu Ayu Saraswati Dewi-Hernández O'Brien" if i % 2 else "=SUM(A1:A9)",
            f"{i:05d}",
        )
        for i in range(1, n + 1)
    ]


def test_round_trip(tmp_path: Path) -> None:
    dest = tmp_path / "buku.xlsx"
    seen: list[int] = []
    count = write_book_xlsx(
        dest,
        title="Buku Agenda Surat Keluar",
        office_name="DINAS PENANAMAN MODAL, PTSP DAN KETENAGAKERJAAN",
        year=2026,
        columns=COLUMNS,
        rows=_rows(2500),
        paper="F4",
        progress=seen.append,
    )
    assert count == 2500
    assert seen == [1000, 2000, 2500]

    wb = load_workbook(dest)
    ws = wb.worksheets[0]
    assert ws.title == "Buku Agenda Surat Keluar"
    assert ws["A1"].value == "BUKU AGENDA SURAT KELUAR"
    assert ws["A2"].value.startswith("DINAS PENANAMAN MODAL")
    assert ws["A3"].value == "Tahun 2026"
    assert [c.value for c in ws[HEADER_ROW]] == [c.title for c in COLUMNS]
    assert ws[HEADER_ROW][0].font.b
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:F{HEADER_ROW + 2500}"
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 14  # Folio 8.5 x 13 in: the nearest to F4
    assert ws.column_dimensions["E"].width == 40

    first = ws[HEADER_ROW + 1]
    assert first[0].value == 1
    assert first[1].value == "503/0001/DPMPTSPK/2026"
    assert first[2].value == datetime(2026, 1, 2)  # a real date...
    assert first[2].number_format == "DD-MM-YYYY"  # ...shown day first
    assert first[3].value == datetime(2026, 1, 2, 9, 30)
    assert first[5].value == "00001"  # leading zeros kept: stored as text
    assert first[5].data_type == "s"
    assert first[1].border.left.style == "thin"
    second = ws[HEADER_ROW + 2]
    assert second[4].value == "=SUM(A1:A9)" and second[4].data_type == "s"  # never a formula
    wb.close()


def test_a4_and_no_year_to_a_stream() -> None:
    buffer = io.BytesIO()
    count = write_book_xlsx(
        buffer,
        title="Buku Ekspedisi",
        office_name="X",
        year=None,
        columns=COLUMNS,
        rows=iter(_rows(3)),
        paper="A4",
    )
    assert count == 3
    ws = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    assert ws.page_setup.paperSize == 9
    assert ws["A3"].value is None


def test_empty_book_and_short_rows(tmp_path: Path) -> None:
    dest = tmp_path / "kosong.xlsx"
    assert (
        write_book_xlsx(dest, title="Kosong", office_name="X", year=2026, columns=COLUMNS, rows=[])
        == 0
    )
    dest2 = tmp_path / "pendek.xlsx"
    write_book_xlsx(
        dest2, title="Pendek", office_name="X", year=2026, columns=COLUMNS, rows=[(1, "A")]
    )
    _headers, rows = read_ledger_xlsx(dest2)
    assert rows == [(1, "A", None, None, None, None)]
    with pytest.raises(ValueError):
        write_book_xlsx(
            dest2, title="x", office_name="x", year=None, columns=COLUMNS, rows=[tuple(range(9))]
        )


def test_cancel_stops_and_saves_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "batal.xlsx"
    produced = 0

    def rows():  # an endless book: only cancelling ends it
        nonlocal produced
        while True:
            produced += 1
            yield (produced, "x", None, None, "y", "0")

    with pytest.raises(Cancelled) as info:
        write_book_xlsx(
            dest,
            title="Batal",
            office_name="X",
            year=2026,
            columns=COLUMNS,
            rows=rows(),
            cancelled=lambda: produced >= 2 * CHECK_EVERY,
        )
    assert info.value.rows_written == 2 * CHECK_EVERY
    assert isinstance(info.value, UserError)
    assert not dest.exists()


def test_read_ledger_finds_the_header_under_title_rows(tmp_path: Path) -> None:
    dest = tmp_path / "ledger.xlsx"
    write_book_xlsx(
        dest, title="Buku Izin", office_name="X", year=2019, columns=COLUMNS, rows=_rows(5)
    )
    headers, rows = read_ledger_xlsx(dest)
    assert headers == [c.title for c in COLUMNS]
    assert len(rows) == 5
    assert rows[0][1] == "503/0001/DPMPTSPK/2026"
    assert rows[0][5] == "00001"
    assert rows[4][2] == datetime(2026, 1, 2)


def test_read_ledger_of_an_office_sheet(tmp_path: Path) -> None:
    """An old ledger typed by hand: header in row 2, a blank row, dates as text."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["AGENDA SURAT KELUAR 2019"])
    ws.append(["No", "Nomor Surat", "Tanggal", "Perihal"])
    ws.append([1, "503/001/2019", "12 Mei 2019", "Izin"])
    ws.append([])
    ws.append([2, "503/002/2019", datetime(2019, 5, 13), "Izin"])
    path = tmp_path / "lama.xlsx"
    wb.save(path)
    headers, rows = read_ledger_xlsx(path)
    assert headers == ["No", "Nomor Surat", "Tanggal", "Perihal"]
    assert rows == [
        (1, "503/001/2019", "12 Mei 2019", "Izin"),
        (2, "503/002/2019", datetime(2019, 5, 13), "Izin"),
    ]
    assert read_ledger_xlsx(path, header_row=2)[0] == headers


def test_read_ledger_refuses_a_non_excel_file(tmp_path: Path) -> None:
    bad = tmp_path / "bukan.xlsx"
    bad.write_text("ini bukan excel")
    with pytest.raises(UserError):
        read_ledger_xlsx(bad)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="butuh /proc (Linux)")
def test_hundred_thousand_rows_in_constant_memory(tmp_path: Path) -> None:
    """Written in a child process so that its peak resident memory is measured alone."""
    import subprocess
    import sys

    code = f"""
from datetime import date
from desktop_perizinan.documents.xlsx_books import Column, write_book_xlsx
cols = [Column("No", 6, "int"), Column("Nomor", 30), Column("Tanggal", 12, "date"),
        Column("Nama", 40), Column("NIK", 20), Column("Urut", 8)]
rows = ((i, f"503/{{i:05d}}/X/2026", date(2026, 1, 1), "Ni Luh Putu Ayu O'Brien",
         "1211014507900003", f"{{i:05d}}") for i in range(100_000))
n = write_book_xlsx({str(tmp_path / "besar.xlsx")!r}, title="Besar", office_name="X",
                    year=2026, columns=cols, rows=rows)
assert n == 100_000, n
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print(line.split()[1])
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
    )
    # VmHWM, not ru_maxrss: the latter keeps the forking pytest process's peak across exec
    peak_kib = int(done.stdout.split()[-1])
    assert peak_kib < 120 * 1024, f"peak {peak_kib / 1024:.0f} MiB"
    _headers, rows = read_ledger_xlsx(tmp_path / "besar.xlsx")
    assert len(rows) == 100_000
    assert rows[-1][5] == "99999"
