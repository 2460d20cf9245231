"""Gapless numbering in the agenda books.

A number is taken inside the caller's transaction: the book's counter row for the year is
locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite transactions here already hold the
write lock from ``BEGIN IMMEDIATE``), incremented, and the agenda line is written with a unique
constraint on (book, year, seq). If the transaction rolls back, so does the counter: no gap.
A spoiled number is voided with a reason and stays in the book; it is never reused.
"""

from __future__ import annotations

import string
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import AgendaEntry, NumberBook, NumberCounter
from desktop_perizinan.db.upsert import insert_if_absent
from desktop_perizinan.errors import NotFound, ValidationError
from desktop_perizinan.workflow.placeholders import format_number


def pattern_placeholders(pattern: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(pattern) if name}


def counter_year(book: NumberBook, when: datetime) -> int:
    return when.year if book.yearly else 0


def book_by_code(session: Session, code: str) -> NumberBook:
    book = session.scalars(select(NumberBook).where(NumberBook.code == code)).first()
    if book is None:
        raise NotFound(f"Buku agenda '{code}' belum terdaftar.")
    return book


def _lock_counter(session: Session, book: NumberBook, year: int) -> NumberCounter:
    insert_if_absent(
        session, NumberCounter, {"book_id": book.id, "year": year, "last": 0}, ["book_id", "year"]
    )
    counter = session.scalars(
        select(NumberCounter)
        .where(NumberCounter.book_id == book.id, NumberCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return counter


def peek_number(session: Session, book_code: str, when: datetime) -> str:
    """The number that would be taken now (shown before the clerk confirms)."""
    book = book_by_code(session, book_code)
    year = counter_year(book, when)
    counter = session.get(NumberCounter, (book.id, year))
    return format_number(book.pattern, (counter.last if counter else 0) + 1, when)


def take_number(
    session: Session,
    book_code: str,
    *,
    when: datetime,
    taken_by: int | None,
    case_id: int | None = None,
    document_id: int | None = None,
    subject: str = "",
    addressee: str = "",
) -> AgendaEntry:
    """Take the next number of a book inside the caller's transaction."""
    book = book_by_code(session, book_code)
    year = counter_year(book, when)
    counter = _lock_counter(session, book, year)
    counter.last += 1
    entry = AgendaEntry(
        book_id=book.id,
        year=year,
        seq=counter.last,
        number=format_number(book.pattern, counter.last, when),
        taken_at=when,
        taken_by=taken_by,
        case_id=case_id,
        document_id=document_id,
        subject=subject,
        addressee=addressee,
    )
    session.add(entry)
    session.flush()
    return entry


def void_entry(
    session: Session, entry: AgendaEntry, *, reason: str, when: datetime, by: int
) -> None:
    """Void a spoiled number; it stays in the book with its reason and is never reused."""
    reason = reason.strip()
    if len(reason) < 5:
        raise ValidationError("Alasan pembatalan nomor wajib diisi (minimal 5 karakter).", "reason")
    if entry.voided:
        raise ValidationError(f"Nomor {entry.number} sudah dibatalkan sebelumnya.")
    entry.voided = True
    entry.void_reason = reason
    entry.voided_at = when
    entry.voided_by = by


def sync_book(session: Session, code: str, title: str, pattern: str, yearly: bool) -> NumberBook:
    """Create or update a book from configuration (the counter is never touched)."""
    book = session.scalars(select(NumberBook).where(NumberBook.code == code)).first()
    if book is None:
        book = NumberBook(code=code, title=title, pattern=pattern, yearly=yearly)
        session.add(book)
    else:
        book.title, book.pattern, book.yearly = title, pattern, yearly
    return book
