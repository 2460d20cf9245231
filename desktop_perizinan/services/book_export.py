"""The books on screen and in Excel, read in one streaming pass.

Loading a book as ORM objects is right for a few hundred lines and far too slow for a busy
office's year: 100,000 agenda lines took 6.6 s to load before a single cell was written. Here
the lines are read as plain
column tuples, in batches (``yield_per``; a server-side cursor on PostgreSQL), and handed to the
XLSX writer as they arrive, so an export costs what openpyxl costs and memory stays flat.

The screen uses the same queries with a search filter; the rows it gets are the
``AgendaRow``/``ExpeditionRow`` dataclasses of :mod:`books`, so both paths show the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Select, extract, func, or_, select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import (
    AgendaEntry,
    Case,
    DeferredTte,
    Document,
    ExpeditionEntry,
    NumberBook,
    User,
)
from desktop_perizinan.services import personal_data as pd
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.book_rows import (
    AgendaRow,
    BookInfo,
    ExpeditionRow,
    signature_note,
)
from desktop_perizinan.services.numbering import book_by_code

if TYPE_CHECKING:
    from desktop_perizinan.documents.xlsx_books import Column
    from desktop_perizinan.services.app import Services

#: Rows fetched per round trip while streaming a book.
BATCH = 5000

#: The code the screen uses for the expedition book (it has no number book of its own).
EXPEDITION = "@ekspedisi"

#: Shown in the Petugas column of a line that came from an imported paper ledger.
IMPORTED_BY = "Impor"

Progress = Callable[[int], None]
CancelCheck = Callable[[], bool]


def void_note(reason: str | None) -> str:
    """The Keterangan of a voided number, on screen and in Excel alike."""
    return f"DIBATALKAN: {reason or '-'}"


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: shown to the user when it is done."""

    path: Path
    rows: int
    title: str


def agenda_columns() -> list[Column]:
    """The columns of a printed agenda book (the paper ledgers' order: urut, nomor, tanggal...)."""
    from desktop_perizinan.documents.xlsx_books import Column

    return [
        Column("No. Urut", 9, "int"),
        Column("Nomor", 32, "text"),
        Column("Tanggal", 13, "date"),
        Column("Perihal", 44, "text"),
        Column("Kepada / Pemohon", 30, "text"),
        Column("No. Registrasi", 20, "text"),
        Column("Petugas", 22, "text"),
        Column("Keterangan", 30, "text"),
    ]


def expedition_columns() -> list[Column]:
    from desktop_perizinan.documents.xlsx_books import Column

    return [
        Column("No.", 7, "int"),
        Column("Tanggal Kirim", 15, "datetime"),
        Column("Nomor Surat", 32, "text"),
        Column("Perihal", 40, "text"),
        Column("No. Registrasi", 20, "text"),
        Column("Cara", 20, "text"),
        Column("Penerima", 28, "text"),
        Column("Tanggal Terima", 15, "datetime"),
        Column("Petugas", 22, "text"),
    ]


def agenda_cells(row: AgendaRow) -> tuple[Any, ...]:
    """One agenda line as the cells of its Excel row (voided lines keep their place)."""
    return (
        row.seq,
        row.number,
        row.taken_at.date(),
        row.subject,
        row.addressee,
        row.reg_number or "",
        row.taken_by,
        void_note(row.void_reason) if row.voided else row.outage_note,
    )


def expedition_cells(index: int, row: ExpeditionRow) -> tuple[Any, ...]:
    return (
        index,
        row.sent_at,
        row.number,
        row.title,
        row.reg_number or "",
        row.way,
        row.recipient_name or "",
        row.received_at,
        row.sent_by,
    )


def _words(text: str) -> list[str]:
    return text.split()


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


class BookExportService:
    """Read and export the books; no writes (voiding is ``services.work.void_number``)."""

    def __init__(self, services: Services) -> None:
        self._s = services

    # ------------------------------------------------------------------ what there is

    def books(self) -> list[BookInfo]:
        return self._s.books.books()

    def years(self, book_code: str) -> list[int]:
        """Years that have lines in a book (or the expedition book), newest first.

        The current year is always offered, so an empty new year can still be opened.
        """
        with self._s.db.reading() as session:
            if book_code == EXPEDITION:
                found = session.scalars(
                    select(extract("year", ExpeditionEntry.sent_at)).distinct()
                ).all()
            else:
                book = book_by_code(session, book_code)
                found = session.scalars(
                    select(AgendaEntry.year).where(AgendaEntry.book_id == book.id).distinct()
                ).all()
        years = {int(y) for y in found if y}
        years.add(self._s.now().year)
        return sorted(years, reverse=True)

    # ------------------------------------------------------------------ agenda

    def _agenda_query(self, book: NumberBook, year: int | None, search: str) -> Select[Any]:
        query = (
            select(
                AgendaEntry.id,
                AgendaEntry.seq,
                AgendaEntry.number,
                AgendaEntry.taken_at,
                AgendaEntry.subject,
                AgendaEntry.addressee,
                Case.reg_number,
                AgendaEntry.taken_by,
                AgendaEntry.imported,
                AgendaEntry.voided,
                AgendaEntry.void_reason,
                Document.sign_mode,
                DeferredTte.id,
                DeferredTte.attached_at,
                Document.signed_as,
                # Kept for a letter not yet signed (``number_reservation.reserved_line``).
                AgendaEntry.document_id.is_not(None)
                & Document.number.is_(None)
                & (AgendaEntry.origin == "app")
                & AgendaEntry.imported.is_(False),
            )
            .outerjoin(Case, Case.id == AgendaEntry.case_id)
            .outerjoin(Document, Document.id == AgendaEntry.document_id)
            .outerjoin(DeferredTte, DeferredTte.document_id == AgendaEntry.document_id)
            .where(AgendaEntry.book_id == book.id)
            .order_by(AgendaEntry.year, AgendaEntry.seq)
        )
        if book.yearly and year is not None:
            query = query.where(AgendaEntry.year == year)
        for word in _words(search):
            query = query.where(
                or_(
                    AgendaEntry.number.icontains(word, autoescape=True),
                    AgendaEntry.subject.icontains(word, autoescape=True),
                    AgendaEntry.addressee.icontains(word, autoescape=True),
                    AgendaEntry.void_reason.icontains(word, autoescape=True),
                    Case.reg_number.icontains(word, autoescape=True),
                )
            )
        return query

    def _stream_agenda(
        self, session: Session, book: NumberBook, year: int | None, search: str = ""
    ) -> Iterator[AgendaRow]:
        users = _user_names(session)
        result = session.execute(
            self._agenda_query(book, year, search).execution_options(yield_per=BATCH)
        )
        for (
            id_,
            seq,
            number,
            taken_at,
            subject,
            addressee,
            reg,
            by,
            imported,
            voided,
            reason,
            sign_mode,
            deferred,
            attached_at,
            signed_as,
            kept,
        ) in result:
            yield AgendaRow(
                id_,
                seq,
                number,
                taken_at,
                subject or "",
                addressee or "",
                reg,
                users.get(by or 0, IMPORTED_BY if imported else "-"),
                bool(voided),
                reason,
                signature_note(
                    sign_mode, deferred is not None, attached_at, bool(kept) and not voided
                ),
                signed_as or "",
            )

    def agenda(self, book_code: str, year: int | None, search: str = "") -> list[AgendaRow]:
        """A book's lines for a year (every line of a book not counted per year), filtered by
        every word of ``search`` (number, subject, addressee, registration number, reason)."""
        with self._s.db.reading() as session:
            book = book_by_code(session, book_code)
            return list(self._stream_agenda(session, book, year, search))

    def export_agenda(
        self,
        book_code: str,
        year: int | None,
        dest: Path | IO[bytes],
        *,
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
        with_nik: bool = False,
    ) -> int:
        """Write a book to XLSX, ready to print; returns the number of lines written.

        ``progress(n)`` is called every thousand lines; when ``cancelled()`` turns true the
        writer raises ``Cancelled`` and ``dest`` is not written. ``with_nik`` adds the
        applicants' NIKs as a last column (UU PDP: only when asked; ``export`` checks the
        role and logs it).
        """
        from desktop_perizinan.db.audit_anchor import current_anchor
        from desktop_perizinan.documents.xlsx_books import write_book_xlsx

        office = self._s.settings.office_profile()
        with self._s.db.reading() as session:
            book = book_by_code(session, book_code)
            title, yearly = book.title, book.yearly
            columns, niks = agenda_columns(), {}
            if with_nik:
                columns.append(pd.nik_column())
                niks = pd.niks_by_agenda_line(session, book.id, year if yearly else None)
            rows = (
                agenda_cells(r) + ((niks.get(r.id, ""),) if with_nik else ())
                for r in self._stream_agenda(session, book, year)
            )
            return write_book_xlsx(
                dest,
                title=title,
                office_name=office.office_name,
                year=year if yearly else None,
                columns=columns,
                rows=rows,
                paper=office.paper,
                progress=progress,
                cancelled=cancelled,
                # The audit head at printing time: an anchor outside the database (issue 16).
                footer_note=current_anchor(session, self._s.now()).line(),
            )

    def count(self, book_code: str, year: int | None) -> int:
        """Lines in a book for a year: the total a progress bar counts up to."""
        with self._s.db.reading() as session:
            if book_code == EXPEDITION:
                query = select(func.count(ExpeditionEntry.id))
                if year is not None:
                    low, high = _year_bounds(year)
                    query = query.where(
                        ExpeditionEntry.sent_at >= low, ExpeditionEntry.sent_at < high
                    )
                return int(session.scalar(query) or 0)
            book = book_by_code(session, book_code)
            query = select(func.count(AgendaEntry.id)).where(AgendaEntry.book_id == book.id)
            if book.yearly and year is not None:
                query = query.where(AgendaEntry.year == year)
            return int(session.scalar(query) or 0)

    # ------------------------------------------------------------------ expedition

    def _stream_expedition(
        self, session: Session, year: int | None, search: str = ""
    ) -> Iterator[ExpeditionRow]:
        users = _user_names(session)
        query = (
            select(
                ExpeditionEntry.id,
                ExpeditionEntry.number,
                ExpeditionEntry.title,
                ExpeditionEntry.sent_at,
                ExpeditionEntry.sent_by,
                ExpeditionEntry.note,
                ExpeditionEntry.recipient_name,
                ExpeditionEntry.received_at,
                Case.reg_number,
            )
            .join(Case, Case.id == ExpeditionEntry.case_id)
            .order_by(ExpeditionEntry.sent_at, ExpeditionEntry.id)
        )
        if year is not None:
            low, high = _year_bounds(year)
            query = query.where(ExpeditionEntry.sent_at >= low, ExpeditionEntry.sent_at < high)
        for word in _words(search):
            query = query.where(
                or_(
                    ExpeditionEntry.number.icontains(word, autoescape=True),
                    ExpeditionEntry.title.icontains(word, autoescape=True),
                    ExpeditionEntry.recipient_name.icontains(word, autoescape=True),
                    Case.reg_number.icontains(word, autoescape=True),
                )
            )
        for (
            id_,
            number,
            title,
            sent_at,
            sent_by,
            note,
            recipient,
            received_at,
            reg,
        ) in session.execute(query.execution_options(yield_per=BATCH)):
            yield ExpeditionRow(
                id_,
                number,
                title,
                sent_at,
                users.get(sent_by, "-"),
                note or "",
                recipient,
                received_at,
                reg,
            )

    def expedition(self, year: int | None, search: str = "") -> list[ExpeditionRow]:
        with self._s.db.reading() as session:
            return list(self._stream_expedition(session, year, search))

    def export_expedition(
        self,
        year: int | None,
        dest: Path | IO[bytes],
        *,
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
        with_nik: bool = False,
    ) -> int:
        from desktop_perizinan.db.audit_anchor import current_anchor
        from desktop_perizinan.documents.xlsx_books import write_book_xlsx

        office = self._s.settings.office_profile()
        with self._s.db.reading() as session:
            columns, niks = expedition_columns(), {}
            if with_nik:
                columns.append(pd.nik_column())
                niks = pd.niks_by_expedition_line(session)
            rows = (
                expedition_cells(i, r) + ((niks.get(r.id, ""),) if with_nik else ())
                for i, r in enumerate(self._stream_expedition(session, year), start=1)
            )
            return write_book_xlsx(
                dest,
                title="Buku Ekspedisi",
                office_name=office.office_name,
                year=year,
                columns=columns,
                rows=rows,
                paper=office.paper,
                progress=progress,
                cancelled=cancelled,
                # The audit head at printing time: an anchor outside the database (issue 16).
                footer_note=current_anchor(session, self._s.now()).line(),
            )

    # ------------------------------------------------------------------ one entry point

    def export(
        self,
        book_code: str,
        year: int | None,
        dest: Path,
        *,
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
        with_nik: bool = False,
        actor: Actor | None = None,
    ) -> ExportResult:
        """Export an agenda book or (``EXPEDITION``) the expedition book to ``dest``.

        Without NIKs unless ``with_nik`` (UU PDP): then ``actor`` must be a role that sees
        NIKs in full, and the export is logged (``data_pribadi.ekspor``) once written."""
        if with_nik:
            actor = self._s.personal_data.check_export_with_nik(actor)
        if book_code == EXPEDITION:
            rows = self.export_expedition(
                year, dest, progress=progress, cancelled=cancelled, with_nik=with_nik
            )
            title = "Buku Ekspedisi"
        else:
            rows = self.export_agenda(
                book_code, year, dest, progress=progress, cancelled=cancelled, with_nik=with_nik
            )
            title = next((b.title for b in self.books() if b.code == book_code), book_code)
        if with_nik and actor is not None:
            self._s.personal_data.log_export(
                actor, book_code=book_code, year=year, title=title, rows=rows
            )
        return ExportResult(dest, rows, title)


def default_file_name(title: str, year: int | None) -> str:
    """A file name an office would choose: ``Buku Agenda Surat Keluar 2026.xlsx``."""
    cleaned = "".join(ch if ch.isalnum() or ch in " -_." else " " for ch in title)
    cleaned = " ".join(cleaned.split()) or "Buku"
    return f"{cleaned} {year}.xlsx" if year else f"{cleaned}.xlsx"


def _user_names(session: Session) -> dict[int, str]:
    return {uid: name for uid, name in session.execute(select(User.id, User.full_name))}


__all__: Sequence[str] = (
    "EXPEDITION",
    "BookExportService",
    "ExportResult",
    "agenda_cells",
    "agenda_columns",
    "default_file_name",
    "expedition_cells",
    "expedition_columns",
    "void_note",
)
