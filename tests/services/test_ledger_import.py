"""Importing an office's old Excel agenda ledger: every row judged, nothing half-imported,
numbering continuing after the last imported number; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from desktop_perizinan.db.models import AgendaEntry, AuditEntry, NumberCounter
from desktop_perizinan.errors import PermissionDenied, UserError, ValidationError
from desktop_perizinan.services import numbering
from desktop_perizinan.services.ledger_import import (
    ColumnMapping,
    LedgerImportService,
    guess_mapping,
    normalise_number,
    parse_ledger_date,
    pattern_regex,
)

BOOK = "surat_keluar"  # pattern 503/{urut:03}/DPMPTSPK/{tahun}, yearly

#: An old ledger as offices keep them: a title above the table, dates typed every which way.
LEDGER = [
    ("No", "Nomor Surat", "Tanggal", "Perihal", "Kepada"),
    (1, "503/001/DPMPTSPK/2025", datetime(2025, 1, 6), "Undangan rapat", "Camat Sidikalang"),
    (2, "503/002/DPMPTSPK/2025", "07-01-2025", "Rekomendasi", "Dinas Sosial"),
    (3, "503 / 003 / DPMPTSPK / 2025", "8 Januari 2025", "Pemberitahuan", "Kepala Desa"),
    (4, "503/004/DPMPTSPK/2025", 45666, "Izin reklame", "CV Maju"),  # Excel serial: 9 Jan 2025
    (5, "", "10-01-2025", "Tanpa nomor", "-"),  # bad: no number
    (6, "503/006/DPMPTSPK/2025", "32-13-2025", "Tanggal rusak", "-"),  # bad: date
    (7, "503/002/DPMPTSPK/2025", "13-01-2025", "Nomor ganda", "-"),  # bad: duplicate
    (8, "503/DPMPTSPK/008", "14-01-2025", "Pola lain", "-"),  # bad: pattern
    (9, "503/009/DPMPTSPK/2024", "15-01-2025", "Tahun salah", "-"),  # bad: year
    (10, "503/010/DPMPTSPK/2025", "16 Jan 2025", "Surat terakhir", "Bupati Dairi"),
    (11, "503/011/DPMPTSPK/2025", "kemarin sore", "Tanggal tak terbaca", "-"),  # bad: date
]


def write_ledger(path: Path, rows=LEDGER, *, sheet: str = "2025") -> Path:  # type: ignore[no-untyped-def]
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["BUKU AGENDA SURAT KELUAR"])
    ws.append(["Tahun 2025"])
    ws.append([])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


MAPPING = ColumnMapping(number=1, date=2, subject=3, addressee=4)


def _entries(services):  # type: ignore[no-untyped-def]
    with services.db.reading() as session:
        return session.execute(
            select(AgendaEntry.year, AgendaEntry.seq, AgendaEntry.number, AgendaEntry.imported,
                   AgendaEntry.case_id, AgendaEntry.taken_by, AgendaEntry.taken_at,
                   AgendaEntry.subject)
            .order_by(AgendaEntry.year, AgendaEntry.seq)
        ).all()  # fmt: skip


def _counter(services, year: int) -> int | None:  # type: ignore[no-untyped-def]
    with services.db.reading() as session:
        book = numbering.book_by_code(session, BOOK)
        counter = session.get(NumberCounter, (book.id, year))
        return None if counter is None else counter.last


def test_preview_lists_every_bad_row_with_its_reason(services, users, tmp_path):
    service = LedgerImportService(services)
    ledger = service.read(write_ledger(tmp_path / "lama.xlsx"))
    assert ledger.headers == ("No", "Nomor Surat", "Tanggal", "Perihal", "Kepada")
    assert len(ledger.rows) == 11
    plan = service.preview(BOOK, ledger, MAPPING)
    assert [(g.row_no, g.seq, g.year, g.taken_at.date()) for g in plan.good] == [
        (1, 1, 2025, date(2025, 1, 6)),
        (2, 2, 2025, date(2025, 1, 7)),
        (3, 3, 2025, date(2025, 1, 8)),
        (4, 4, 2025, date(2025, 1, 9)),
        (10, 10, 2025, date(2025, 1, 16)),
    ]
    assert plan.good[2].number == "503/003/DPMPTSPK/2025"  # spaces around "/" dropped
    reasons = {b.row_no: b.reason for b in plan.bad}
    assert reasons[5] == "nomor kosong"
    assert reasons[6] == 'tanggal "32-13-2025" tidak ada di kalender'
    assert reasons[7] == "nomor ganda: sama dengan baris 2"
    assert reasons[8] == "nomor tidak sesuai pola buku 503/{urut:03}/DPMPTSPK/{tahun}"
    assert reasons[9] == "tahun pada nomor (2024) berbeda dengan tanggal (15-01-2025)"
    assert reasons[11] == 'tanggal "kemarin sore" tidak terbaca (tulis misalnya 15-03-2019)'
    assert sorted(reasons) == [5, 6, 7, 8, 9, 11] and plan.total == 11 and not plan.clean
    # Gaps (5–9 are missing from the good rows) are warned about, and the counter continues
    # after the highest number.
    assert plan.warnings and "nomor urut 5, 6, 7, 8, 9" in plan.warnings[0]
    assert plan.continues == {2025: (10, "503/011/DPMPTSPK/2025")}


def test_nothing_is_imported_while_a_row_is_bad(services, users, tmp_path):
    service = LedgerImportService(services)
    ledger = service.read(write_ledger(tmp_path / "lama.xlsx"))
    with pytest.raises(ValidationError, match="6 baris bermasalah; tidak ada yang diimpor"):
        service.import_ledger(users["ksb_umum"], BOOK, ledger, MAPPING)
    assert _entries(services) == []
    assert _counter(services, 2025) in (None, 0)


def test_import_skipping_bad_rows_then_numbering_continues(services, users, clock, tmp_path):
    service = LedgerImportService(services)
    ledger = service.read(write_ledger(tmp_path / "lama.xlsx"))
    result = service.import_ledger(users["ksb_umum"], BOOK, ledger, MAPPING, skip_bad=True)
    assert (result.imported, result.skipped) == (5, 6)
    assert result.continues == {2025: (10, "503/011/DPMPTSPK/2025")}
    entries = _entries(services)
    assert [(e.seq, e.number) for e in entries] == [
        (1, "503/001/DPMPTSPK/2025"),
        (2, "503/002/DPMPTSPK/2025"),
        (3, "503/003/DPMPTSPK/2025"),
        (4, "503/004/DPMPTSPK/2025"),
        (10, "503/010/DPMPTSPK/2025"),
    ]
    assert all(e.imported and e.case_id is None and e.taken_by is None for e in entries)
    assert entries[0].taken_at == datetime(2025, 1, 6) and entries[4].subject == "Surat terakhir"
    assert _counter(services, 2025) == 10
    # The next number of that year is the one after the last imported.
    with services.db.transaction() as session:
        entry = numbering.take_number(
            session, BOOK, when=datetime(2025, 12, 30, 9, 0), taken_by=users["ksb_umum"].id
        )
        assert (entry.seq, entry.number) == (11, "503/011/DPMPTSPK/2025")
    # The book on screen shows them as imported; the audit log lists the skipped rows.
    book = services.books.agenda(BOOK, 2025)
    assert [r.taken_by for r in book][:5] == ["Impor"] * 5
    with services.db.reading() as session:
        detail = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "agenda.impor")
        ).one()
    assert '"diimpor":5' in detail and '"alasan":"nomor kosong"' in detail


def test_current_year_continues_at_the_counter(services, users, clock, tmp_path):
    """Paper stopped at 042 this year: the first number the application gives is 043."""
    rows = [("Nomor", "Tanggal", "Hal")] + [
        (f"503/{n:03}/DPMPTSPK/2026", f"{n % 28 + 1:02d}-01-2026", f"Surat {n}")
        for n in range(1, 43)
    ]
    service = LedgerImportService(services)
    ledger = service.read(write_ledger(tmp_path / "tahun-ini.xlsx", rows, sheet="2026"))
    mapping = ColumnMapping(**{k: v for k, v in guess_mapping(ledger.headers).items()
                               if v is not None})  # fmt: skip
    assert mapping == ColumnMapping(number=0, date=1, subject=2)
    result = service.import_ledger(users["admin"], BOOK, ledger, mapping)
    assert result.imported == 42 and result.skipped == 0
    with services.db.transaction() as session:
        entry = numbering.take_number(session, BOOK, when=clock(), taken_by=None)
        assert entry.number == "503/043/DPMPTSPK/2026"


def test_rows_clashing_with_the_book_are_bad(services, users, clock, tmp_path):
    # Three numbers already taken in the application this year.
    with services.db.transaction() as session:
        for _ in range(3):
            numbering.take_number(session, BOOK, when=clock(), taken_by=None)
    rows = [
        ("Nomor", "Tanggal"),
        ("503/002/DPMPTSPK/2026", "05-01-2026"),  # seq 2 is taken (the number is the same)
        ("503/004/DPMPTSPK/2026", "06-01-2026"),
    ]
    service = LedgerImportService(services)
    ledger = service.read(write_ledger(tmp_path / "x.xlsx", rows))
    plan = service.preview(BOOK, ledger, ColumnMapping(number=0, date=1))
    assert [(b.row_no, b.reason) for b in plan.bad] == [(1, "nomor ini sudah ada di buku")]
    assert plan.continues == {2026: (4, "503/005/DPMPTSPK/2026")}


def test_a_number_taken_between_preview_and_import_is_caught(services, users, clock, tmp_path):
    rows = [("Nomor", "Tanggal"), ("503/001/DPMPTSPK/2026", "05-01-2026")]
    service = LedgerImportService(services)
    ledger = service.read(write_ledger(tmp_path / "x.xlsx", rows))
    mapping = ColumnMapping(number=0, date=1)
    assert service.preview(BOOK, ledger, mapping).clean
    with services.db.transaction() as session:  # the counter, meanwhile
        numbering.take_number(session, BOOK, when=clock(), taken_by=None)
    with pytest.raises(ValidationError, match="1 baris bermasalah"):
        service.import_ledger(users["ksb_umum"], BOOK, ledger, mapping)
    with pytest.raises(ValidationError, match="Tidak ada baris"):
        service.import_ledger(users["ksb_umum"], BOOK, ledger, mapping, skip_bad=True)


def test_sequence_from_its_own_column(services, users, tmp_path):
    rows = [
        ("Urut", "Nomor", "Tgl"),
        (1, "SK-A/2025", "02/01/2025"),  # an old numbering scheme: the pattern does not read it
        (2, "SK-B/2025", "03/01/25"),
        ("x", "SK-C/2025", "04/01/2025"),  # bad: no sequence
        (4, "503/005/DPMPTSPK/2025", "05/01/2025"),  # bad: the pattern reads 5, the column 4
    ]
    service = LedgerImportService(services)
    ledger = service.read(write_ledger(tmp_path / "x.xlsx", rows))
    guess = guess_mapping(ledger.headers)
    assert (guess["seq"], guess["number"], guess["date"]) == (0, 1, 2)
    plan = service.preview(BOOK, ledger, ColumnMapping(number=1, date=2, seq=0))
    assert [(g.seq, g.number, g.taken_at.date()) for g in plan.good] == [
        (1, "SK-A/2025", date(2025, 1, 2)),
        (2, "SK-B/2025", date(2025, 1, 3)),
    ]
    assert [b.reason for b in plan.bad] == [
        'nomor urut "x" bukan bilangan bulat positif',
        "nomor urut pada kolom (4) berbeda dengan nomor urut pada nomor (5)",
    ]


def test_book_not_counted_per_year(services, users, clock, tmp_path):
    rows = [("Nomor", "Tanggal")] + [
        (f"500.16/{n}/STP-LKSA/DPMPTSP", f"0{n}-03-202{n}") for n in (1, 2, 3)
    ]
    service = LedgerImportService(services)
    ledger = service.read(write_ledger(tmp_path / "stp.xlsx", rows))
    result = service.import_ledger(
        users["ksb_umum"], "stp_lks_asing", ledger, ColumnMapping(number=0, date=1)
    )
    assert result.continues == {0: (3, "500.16/4/STP-LKSA/DPMPTSP")}
    with services.db.transaction() as session:
        entry = numbering.take_number(session, "stp_lks_asing", when=clock(), taken_by=None)
        assert entry.number == "500.16/4/STP-LKSA/DPMPTSP"


def test_only_the_book_keepers_import(services, users, tmp_path):
    service = LedgerImportService(services)
    ledger = service.read(write_ledger(tmp_path / "x.xlsx"))
    with pytest.raises(PermissionDenied):
        service.import_ledger(users["front_office"], BOOK, ledger, MAPPING, skip_bad=True)
    assert _entries(services) == []


def test_unreadable_files_and_bad_mappings(services, users, tmp_path):
    service = LedgerImportService(services)
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(b"bukan excel")
    with pytest.raises(UserError, match="tidak dapat dibaca"):
        service.read(broken)
    ledger = service.read(write_ledger(tmp_path / "x.xlsx"))
    with pytest.raises(ValidationError, match="harus berbeda"):
        service.preview(BOOK, ledger, ColumnMapping(number=1, date=1))
    with pytest.raises(ValidationError, match="tidak ada di berkas"):
        service.preview(BOOK, ledger, ColumnMapping(number=1, date=9))


# ---------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2025, 3, 15, 10, 0), date(2025, 3, 15)),
        (date(2025, 3, 15), date(2025, 3, 15)),
        (45731, date(2025, 3, 15)),
        ("15-03-2025", date(2025, 3, 15)),
        ("15/3/25", date(2025, 3, 15)),
        ("15.03.2025", date(2025, 3, 15)),
        ("2025-03-15", date(2025, 3, 15)),
        ("15 Maret 2025", date(2025, 3, 15)),
        ("15 Mar 2025", date(2025, 3, 15)),
        ("1 Agustus 2025", date(2025, 8, 1)),
        ("  ", None),
        (None, None),
    ],
)
def test_parse_ledger_date(value, expected):  # type: ignore[no-untyped-def]
    assert parse_ledger_date(value) == expected


@pytest.mark.parametrize(
    "value", ["32-01-2025", "15 Bulan 2025", "kemarin", "2025/13/01", "x-1-2025"]
)
def test_parse_ledger_date_refuses(value):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        parse_ledger_date(value)


def test_pattern_regex():
    regex = pattern_regex("503/{urut:03}/DPMPTSPK/{tahun}")
    match = regex.match("503/12/DPMPTSPK/2025")
    assert match is not None and match["urut"] == "12" and match["tahun"] == "2025"
    assert regex.match("503/012/DPMPTSPK/25") is None
    roman = pattern_regex("800/{urut}/{bulan_romawi}/{tahun}")
    assert roman.match("800/7/XII/2025")["bulan_romawi"] == "XII"  # type: ignore[index]
    assert pattern_regex("A.{urut}").match("A.5") and not pattern_regex("A.{urut}").match("AB5")
    assert normalise_number(" 503 / 7 /X ") == "503/7/X" and normalise_number(12.0) == "12"
