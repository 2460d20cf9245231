"""The books an office keeps: the agenda (numbering) books and the expedition book."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import select

from desktop_perizinan.db.models import AgendaEntry, Case, ExpeditionEntry, NumberBook, User

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services


@dataclass(frozen=True)
class BookInfo:
    code: str
    title: str
    pattern: str
    yearly: bool


@dataclass(frozen=True)
class AgendaRow:
    id: int
    seq: int
    number: str
    taken_at: datetime
    subject: str
    addressee: str
    reg_number: str | None
    taken_by: str
    voided: bool
    void_reason: str | None


@dataclass(frozen=True)
class ExpeditionRow:
    id: int
    number: str
    title: str
    sent_at: datetime
    sent_by: str
    way: str
    recipient_name: str | None
    received_at: datetime | None
    reg_number: str | None


class BookService:
    def __init__(self, services: Services) -> None:
        self._s = services

    def books(self) -> list[BookInfo]:
        with self._s.db.reading() as session:
            return [
                BookInfo(b.code, b.title, b.pattern, b.yearly)
                for b in session.scalars(select(NumberBook).order_by(NumberBook.id))
            ]

    def agenda(self, book_code: str, year: int | None) -> list[AgendaRow]:
        """A book's lines for a year (or all lines of a book not counted per year)."""
        with self._s.db.reading() as session:
            book = session.scalars(select(NumberBook).where(NumberBook.code == book_code)).one()
            users = {u.id: u.full_name for u in session.scalars(select(User))}
            query = (
                select(AgendaEntry, Case.reg_number)
                .outerjoin(Case, Case.id == AgendaEntry.case_id)
                .where(AgendaEntry.book_id == book.id)
                .order_by(AgendaEntry.year, AgendaEntry.seq)
            )
            if book.yearly and year is not None:
                query = query.where(AgendaEntry.year == year)
            return [
                AgendaRow(
                    e.id,
                    e.seq,
                    e.number,
                    e.taken_at,
                    e.subject,
                    e.addressee,
                    reg,
                    users.get(e.taken_by or 0, "Impor" if e.imported else "-"),
                    e.voided,
                    e.void_reason,
                )
                for e, reg in session.execute(query)
            ]

    def expedition(self, year: int | None) -> list[ExpeditionRow]:
        with self._s.db.reading() as session:
            users = {u.id: u.full_name for u in session.scalars(select(User))}
            query = (
                select(ExpeditionEntry, Case.reg_number)
                .join(Case, Case.id == ExpeditionEntry.case_id)
                .order_by(ExpeditionEntry.sent_at, ExpeditionEntry.id)
            )
            rows = []
            for e, reg in session.execute(query):
                if year is not None and e.sent_at.year != year:
                    continue
                rows.append(
                    ExpeditionRow(
                        e.id,
                        e.number,
                        e.title,
                        e.sent_at,
                        users.get(e.sent_by, "-"),
                        e.note or "",
                        e.recipient_name,
                        e.received_at,
                        reg,
                    )
                )
            return rows

    def export_agenda(
        self,
        book_code: str,
        year: int | None,
        dest: Path | BinaryIO,
        *,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int:
        from desktop_perizinan.documents.xlsx_books import Column, write_book_xlsx

        book = next(b for b in self.books() if b.code == book_code)
        rows = self.agenda(book_code, year)
        office = self._s.settings.office_profile()
        columns = [
            Column("No. Urut", 9, "int"),
            Column("Nomor", 32, "text"),
            Column("Tanggal", 13, "date"),
            Column("Perihal", 44, "text"),
            Column("Kepada / Pemohon", 30, "text"),
            Column("No. Registrasi", 20, "text"),
            Column("Petugas", 22, "text"),
            Column("Keterangan", 30, "text"),
        ]
        data = (
            (
                r.seq,
                r.number,
                r.taken_at.date(),
                r.subject,
                r.addressee,
                r.reg_number or "",
                r.taken_by,
                f"DIBATALKAN: {r.void_reason}" if r.voided else "",
            )
            for r in rows
        )
        return write_book_xlsx(
            dest,
            title=book.title,
            office_name=office.office_name,
            year=year if book.yearly else None,
            columns=columns,
            rows=data,
            paper=office.paper,
            progress=progress,
            cancelled=cancelled,
        )

    def export_expedition(
        self,
        year: int | None,
        dest: Path | BinaryIO,
        *,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int:
        from desktop_perizinan.documents.xlsx_books import Column, write_book_xlsx

        office = self._s.settings.office_profile()
        columns = [
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
        data = (
            (
                i,
                r.sent_at,
                r.number,
                r.title,
                r.reg_number or "",
                r.way,
                r.recipient_name or "",
                r.received_at,
                r.sent_by,
            )
            for i, r in enumerate(self.expedition(year), start=1)
        )
        return write_book_xlsx(
            dest,
            title="Buku Ekspedisi",
            office_name=office.office_name,
            year=year,
            columns=columns,
            rows=data,
            paper=office.paper,
            progress=progress,
            cancelled=cancelled,
        )
