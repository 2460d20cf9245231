"""Import of an office's old agenda ledger (an Excel book kept before this application).

The clerk picks the file, says which column holds the number, the date, the subject and the
addressee, and where the sequence number comes from (read out of the number with the book's
pattern, or a column of its own). :meth:`LedgerImportService.preview` checks every row and
lists the bad ones with their reason; :meth:`LedgerImportService.import_ledger` writes the
good ones and moves the book's counter past the last imported number, in one transaction.

Bad rows: all or nothing, unless the clerk says otherwise. A ledger is a legal record: importing
part of it silently would leave holes that nobody notices until an auditor does. So the import
refuses while any row is bad, and the clerk either fixes the file or explicitly confirms that the
listed rows be skipped (``skip_bad=True``); the skipped rows and their reasons are then written
to the audit log with the import, so the hole is documented. Either way the import is one
transaction: an error half-way leaves the book exactly as it was.

Checks are repeated inside the import transaction after the counters are locked (the same
``SELECT ... FOR UPDATE`` as :func:`numbering.take_number`), so a number taken at the counter
between the preview and the import is caught instead of duplicated.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import insert, select

from desktop_perizinan.db.models import AgendaEntry, NumberBook
from desktop_perizinan.errors import UserError, ValidationError
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import ADMIN_ROLE, Actor
from desktop_perizinan.services.ledger_cells import (
    _ROMAN,
    NotOnTheCalendar,
    _positive_int,
    cell_text,
    guess_mapping,
    normalise_number,
    parse_ledger_date,
    pattern_regex,
)
from desktop_perizinan.services.numbering import _lock_counter, book_by_code
from desktop_perizinan.workflow.placeholders import format_number

#: The cell readers are imported from here by the import wizard and the tests.
__all__ = [
    "BadRow",
    "ColumnMapping",
    "ImportPlan",
    "ImportResult",
    "LedgerFile",
    "LedgerImportService",
    "PlannedRow",
    "cell_text",
    "guess_mapping",
    "ledger_sheet_names",
    "normalise_number",
    "parse_ledger_date",
    "pattern_regex",
]

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_perizinan.services.app import Services

#: Longest number the agenda table holds (``AgendaEntry.number``).
MAX_NUMBER_LENGTH = 120

#: Gaps listed per year before "dan N lainnya".
MAX_GAPS_SHOWN = 10

FIELD_LABELS = {
    "number": "Nomor",
    "date": "Tanggal",
    "subject": "Perihal",
    "addressee": "Kepada",
    "seq": "No. Urut",
}


# ---------------------------------------------------------------------- plain data


@dataclass(frozen=True)
class LedgerFile:
    """An Excel ledger as read: its header row and its data rows (empty rows dropped)."""

    name: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    sheet: str | None = None


@dataclass(frozen=True)
class ColumnMapping:
    """Which column (0-based index into the headers) holds what; ``seq`` None: the sequence is
    read out of the number with the book's pattern."""

    number: int
    date: int
    subject: int | None = None
    addressee: int | None = None
    seq: int | None = None


@dataclass(frozen=True)
class PlannedRow:
    """A good row: what it will become in the book."""

    row_no: int  # 1-based among the data rows of the sheet (empty rows not counted)
    year: int  # 0 for a book not counted per year
    seq: int
    number: str
    taken_at: datetime
    subject: str
    addressee: str


@dataclass(frozen=True)
class BadRow:
    row_no: int
    number: str
    date_text: str
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    """The preview: every row judged, and what the counter will say afterwards."""

    book_code: str
    book_title: str
    pattern: str
    good: tuple[PlannedRow, ...]
    bad: tuple[BadRow, ...]
    warnings: tuple[str, ...] = ()
    #: year -> (last sequence after the import, the next number the book will give)
    continues: dict[int, tuple[int, str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.good) + len(self.bad)

    @property
    def clean(self) -> bool:
        return not self.bad and bool(self.good)


@dataclass(frozen=True)
class ImportResult:
    book_code: str
    imported: int
    skipped: int
    continues: dict[int, tuple[int, str]]


# ---------------------------------------------------------------------- the checks


@dataclass(frozen=True)
class _Existing:
    """What the book already holds, for the duplicate checks."""

    numbers: dict[str, int]  # number -> seq
    seqs: dict[tuple[int, int], str]  # (year, seq) -> number
    last: dict[int, int]  # year -> counter


def judge_rows(
    book: NumberBook,
    ledger: LedgerFile,
    mapping: ColumnMapping,
    existing: _Existing,
) -> tuple[list[PlannedRow], list[BadRow], list[str]]:
    """Every row judged: the good rows, the bad ones with their reason, and the warnings."""
    width = len(ledger.headers)
    for name in ("number", "date", "subject", "addressee", "seq"):
        index = getattr(mapping, name)
        if index is not None and not 0 <= index < width:
            raise ValidationError(f"Kolom {FIELD_LABELS[name]} tidak ada di berkas.", name)
    chosen = [i for i in (mapping.number, mapping.date, mapping.seq) if i is not None]
    if len(set(chosen)) != len(chosen):
        raise ValidationError("Kolom nomor, tanggal dan nomor urut harus berbeda.")

    regex = pattern_regex(book.pattern)
    good: list[PlannedRow] = []
    bad: list[BadRow] = []
    seen_numbers: dict[str, int] = {}
    seen_seqs: dict[tuple[int, int], int] = {}
    for row_no, row in enumerate(ledger.rows, start=1):
        number = normalise_number(row[mapping.number])
        raw_date = row[mapping.date]
        date_text = cell_text(raw_date)

        def reject(
            reason: str, *, row_no: int = row_no, number: str = number, shown: str = date_text
        ) -> None:
            bad.append(BadRow(row_no, number, shown, reason))

        if not number:
            reject("nomor kosong")
            continue
        if len(number) > MAX_NUMBER_LENGTH:
            reject(f"nomor terlalu panjang (lebih dari {MAX_NUMBER_LENGTH} karakter)")
            continue
        try:
            when = parse_ledger_date(raw_date)
        except NotOnTheCalendar:
            reject(f'tanggal "{date_text}" tidak ada di kalender')
            continue
        except (ValueError, OverflowError):
            reject(f'tanggal "{date_text}" tidak terbaca (tulis misalnya 15-03-2019)')
            continue
        if when is None:
            reject("tanggal kosong")
            continue
        match = regex.match(number)
        if mapping.seq is not None:
            seq = _positive_int(row[mapping.seq])
            if seq is None:
                reject(f'nomor urut "{cell_text(row[mapping.seq])}" bukan bilangan bulat positif')
                continue
            if match is not None and int(match["urut"]) != seq:
                reject(
                    f"nomor urut pada kolom ({seq}) berbeda dengan nomor urut pada nomor "
                    f"({int(match['urut'])})"
                )
                continue
        else:
            if match is None:
                reject(f"nomor tidak sesuai pola buku {book.pattern}")
                continue
            seq = int(match["urut"])
            if seq <= 0:
                reject("nomor urut pada nomor harus lebih dari 0")
                continue
        problem = _date_disagrees(match, when) if match is not None else None
        if problem:
            reject(problem)
            continue
        year = when.year if book.yearly else 0
        key = (year, seq)
        year_text = f" tahun {year}" if year else ""
        if number in seen_numbers:
            reject(f"nomor ganda: sama dengan baris {seen_numbers[number]}")
            continue
        if key in seen_seqs:
            reject(f"nomor urut {seq}{year_text} ganda: sudah dipakai baris {seen_seqs[key]}")
            continue
        if number in existing.numbers:
            reject("nomor ini sudah ada di buku")
            continue
        if key in existing.seqs:
            reject(f"nomor urut {seq}{year_text} sudah ada di buku ({existing.seqs[key]})")
            continue
        seen_numbers[number] = row_no
        seen_seqs[key] = row_no
        good.append(
            PlannedRow(
                row_no,
                year,
                seq,
                number,
                datetime.combine(when, time()),
                cell_text(row[mapping.subject]) if mapping.subject is not None else "",
                cell_text(row[mapping.addressee]) if mapping.addressee is not None else "",
            )
        )
    return good, bad, _gap_warnings(good, existing)


def _date_disagrees(match: re.Match[str], when: date) -> str | None:
    groups = match.groupdict()
    if groups.get("tahun") and int(groups["tahun"]) != when.year:
        return f"tahun pada nomor ({groups['tahun']}) berbeda dengan tanggal ({when:%d-%m-%Y})"
    if groups.get("bulan") and int(groups["bulan"]) != when.month:
        return f"bulan pada nomor ({groups['bulan']}) berbeda dengan tanggal ({when:%d-%m-%Y})"
    roman = groups.get("bulan_romawi")
    if roman and roman.upper() != _ROMAN[when.month - 1]:
        return f"bulan pada nomor ({roman}) berbeda dengan tanggal ({when:%d-%m-%Y})"
    return None


def _gap_warnings(good: Iterable[PlannedRow], existing: _Existing) -> list[str]:
    """Sequences missing below the highest imported one: they stay empty lines of the book."""
    by_year: dict[int, set[int]] = defaultdict(set)
    for row in good:
        by_year[row.year].add(row.seq)
    warnings = []
    for year in sorted(by_year):
        present = by_year[year] | {s for (y, s) in existing.seqs if y == year}
        top = max(by_year[year])
        missing = [s for s in range(1, top + 1) if s not in present]
        if not missing:
            continue
        shown = ", ".join(str(s) for s in missing[:MAX_GAPS_SHOWN])
        more = (
            f" dan {len(missing) - MAX_GAPS_SHOWN} lainnya" if len(missing) > MAX_GAPS_SHOWN else ""
        )
        where = f"Tahun {year}" if year else "Buku"
        warnings.append(
            f"{where}: nomor urut {shown}{more} tidak ada di antara baris yang diimpor; nomor "
            "itu tidak akan dipakai lagi (penomoran berlanjut setelah nomor terakhir)."
        )
    return warnings


def _continues(
    book: NumberBook, good: Sequence[PlannedRow], existing: _Existing, today: date
) -> dict[int, tuple[int, str]]:
    """Per year: the counter after the import and the number the book will give next."""
    result: dict[int, tuple[int, str]] = {}
    for year in sorted({row.year for row in good}):
        last = max([existing.last.get(year, 0)] + [row.seq for row in good if row.year == year])
        sample_date = date(year, 1, 1) if year else today
        result[year] = (last, format_number(book.pattern, last + 1, sample_date))
    return result


def _load_existing(session: Session, book: NumberBook) -> _Existing:
    from desktop_perizinan.db.models import NumberCounter

    numbers: dict[str, int] = {}
    seqs: dict[tuple[int, int], str] = {}
    for year, seq, number in session.execute(
        select(AgendaEntry.year, AgendaEntry.seq, AgendaEntry.number).where(
            AgendaEntry.book_id == book.id
        )
    ):
        numbers[number] = seq
        seqs[(year, seq)] = number
    last = {
        year: value
        for year, value in session.execute(
            select(NumberCounter.year, NumberCounter.last).where(NumberCounter.book_id == book.id)
        )
    }
    return _Existing(numbers, seqs, last)


# ---------------------------------------------------------------------- the service


def ledger_sheet_names(path: Path | str) -> list[str]:
    """The worksheets of a ledger file (an office often kept one sheet per year)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except Exception as exc:  # BadZipFile, InvalidFileException, KeyError...
        raise UserError(f"Berkas Excel tidak dapat dibaca: {exc}") from exc
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


class LedgerImportService:
    def __init__(self, services: Services) -> None:
        self._s = services

    def read(
        self,
        path: Path | str | IO[bytes],
        *,
        sheet: str | None = None,
        header_row: int | None = None,
        name: str | None = None,
    ) -> LedgerFile:
        """Read a ledger (the header row is found by itself unless given)."""
        from desktop_perizinan.documents.xlsx_books import read_ledger_xlsx

        headers, rows = read_ledger_xlsx(path, sheet=sheet, header_row=header_row)
        if not rows:
            raise UserError("Berkas Excel tidak memuat baris data di bawah judul kolom.")
        shown = name or (Path(path).name if isinstance(path, str | Path) else "berkas")
        return LedgerFile(shown, tuple(headers), tuple(rows), sheet)

    def preview(self, book_code: str, ledger: LedgerFile, mapping: ColumnMapping) -> ImportPlan:
        """Judge every row against the book's pattern, the file itself and the book's lines."""
        with self._s.db.reading() as session:
            book = book_by_code(session, book_code)
            existing = _load_existing(session, book)
            good, bad, warnings = judge_rows(book, ledger, mapping, existing)
            return ImportPlan(
                book.code,
                book.title,
                book.pattern,
                tuple(good),
                tuple(bad),
                tuple(warnings),
                _continues(book, good, existing, self._s.now().date()),
            )

    def import_ledger(
        self,
        actor: Actor,
        book_code: str,
        ledger: LedgerFile,
        mapping: ColumnMapping,
        *,
        skip_bad: bool = False,
    ) -> ImportResult:
        """Write the good rows as imported lines and continue the counter after them.

        One transaction: the counters of every year involved are locked first (in year order,
        so two imports cannot deadlock), the rows are judged again against what the book holds
        now, and with any bad row left the import is refused unless ``skip_bad``.
        """
        actor.require("ksb_umum", ADMIN_ROLE, what="mengimpor buku agenda lama")
        now = self._s.now()
        with self._s.db.transaction() as session:
            book = book_by_code(session, book_code)
            # Lock first, judge after: nothing can be numbered in between.
            first_pass = judge_rows(book, ledger, mapping, _load_existing(session, book))[0]
            counters = {
                year: _lock_counter(session, book, year)
                for year in sorted({row.year for row in first_pass})
            }
            existing = _load_existing(session, book)
            good, bad, _warnings = judge_rows(book, ledger, mapping, existing)
            if bad and not skip_bad:
                raise ValidationError(
                    f"{len(bad)} baris bermasalah; tidak ada yang diimpor. Perbaiki berkasnya, "
                    "atau setujui untuk melewati baris bermasalah."
                )
            if not good:
                raise ValidationError("Tidak ada baris yang dapat diimpor.")
            for year in sorted({row.year for row in good} - counters.keys()):
                counters[year] = _lock_counter(session, book, year)
            session.execute(
                insert(AgendaEntry),
                [
                    {
                        "book_id": book.id,
                        "year": row.year,
                        "seq": row.seq,
                        "number": row.number,
                        "taken_at": row.taken_at,
                        "taken_by": None,
                        "case_id": None,
                        "document_id": None,
                        "subject": row.subject,
                        "addressee": row.addressee,
                        "imported": True,
                        "voided": False,
                        "void_reason": None,
                        "voided_at": None,
                        "voided_by": None,
                    }
                    for row in good
                ],
            )
            continues = _continues(book, good, existing, now.date())
            for year, (last, _next) in continues.items():
                counter = counters[year]
                counter.last = max(counter.last, last)
            audit.append(
                session,
                actor,
                "agenda.impor",
                at=now,
                buku=book.code,
                berkas=ledger.name,
                lembar=ledger.sheet,
                diimpor=len(good),
                dilewati=[{"baris": b.row_no, "nomor": b.number, "alasan": b.reason} for b in bad],
                berlanjut={str(y): last for y, (last, _n) in continues.items()},
            )
            return ImportResult(book.code, len(good), len(bad), continues)
