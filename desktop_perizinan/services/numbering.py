"""Gapless numbering in the agenda books.

A number is taken inside the caller's transaction in one statement: ``UPDATE number_counter
SET last = last + 1 ... RETURNING last`` (PostgreSQL, and SQLite >= 3.35; SQLite transactions
here already hold the write lock from ``BEGIN IMMEDIATE``). The row lock that this UPDATE takes
on PostgreSQL is what serialises the clerks, so nothing else happens while it is held: the
agenda line is written with one Core ``INSERT`` (no ORM flush) under the unique constraint on
(book, year, seq), then the caller commits. The book was read and the connection checked out
(pool pre-ping included) *before* the counter is touched. If the transaction rolls back, so
does the counter: no gap. A spoiled number is voided with a reason and stays in the book; it is
never reused.
"""

from __future__ import annotations

import functools
import string
import weakref
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Insert,
    Integer,
    Text,
    bindparam,
    cast,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from desktop_perizinan.db import fast_statement
from desktop_perizinan.db.models import AgendaEntry, NumberBook, NumberCounter
from desktop_perizinan.db.upsert import insert_if_absent
from desktop_perizinan.errors import NotFound, ValidationError
from desktop_perizinan.workflow.placeholders import format_number, number_values

_COUNTER = NumberCounter.__table__
_AGENDA = AgendaEntry.__table__
_BOOK = NumberBook.__table__
#: Every other column of a new line, given explicitly (the statement sets each column itself).
_PLAIN_LINE: dict[str, object] = {
    "imported": False,
    "voided": False,
    "void_reason": None,
    "voided_at": None,
    "voided_by": None,
    "origin": "app",
    "note": None,
    "issued_by_name": None,
    "recorded_at": None,
    "reserved_until": None,
    "used_at": None,
}


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
    """Lock a counter row and return it as an ORM object (bulk users: the ledger import)."""
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


def _advance(session: Session, book_id: int, year: int, step: int = 1) -> int:
    """Add ``step`` to the counter in one statement (taking its row lock); the new last."""
    where = (_COUNTER.c.book_id == book_id) & (_COUNTER.c.year == year)
    bump = update(_COUNTER).where(where).values(last=_COUNTER.c.last + step)
    if session.get_bind().dialect.update_returning:
        last = session.execute(bump.returning(_COUNTER.c.last)).scalar()
    else:  # SQLite < 3.35: BEGIN IMMEDIATE already holds the write lock
        last = (
            session.execute(select(_COUNTER.c.last).where(where)).scalar()
            if session.execute(bump).rowcount
            else None
        )
    if last is None:  # the book's first number of the year: create the row, then bump it
        insert_if_absent(
            session,
            NumberCounter,
            {"book_id": book_id, "year": year, "last": 0},
            ["book_id", "year"],
        )
        return _advance(session, book_id, year, step)
    return int(last)


def last_number(session: Session, book: NumberBook, year: int) -> int:
    """The last sequence number taken in a book for a year (0 before the first)."""
    value = session.execute(
        select(_COUNTER.c.last).where(_COUNTER.c.book_id == book.id, _COUNTER.c.year == year)
    ).scalar()
    return int(value or 0)


def peek_number(session: Session, book_code: str, when: datetime) -> str:
    """The number that would be taken now (shown before the clerk confirms)."""
    book = book_by_code(session, book_code)
    year = counter_year(book, when)
    return format_number(book.pattern, last_number(session, book, year) + 1, when)


@dataclass(frozen=True)
class _KnownBook:
    """A book as this process last read it; the one-statement path re-checks it in SQL."""

    id: int
    code: str
    pattern: str
    yearly: bool


#: engine -> book code -> the book as last read. Never trusted blindly: the statement only
#: bumps the counter if the book still has this id, code, pattern and yearly flag, and falls
#: back to reading the book otherwise (a pattern changed in Pengaturan). Keyed by the engine
#: object (weakly), not its URL: rendering or hashing a URL cost 8–80 µs a number.
_KNOWN_BOOKS: weakref.WeakKeyDictionary[object, dict[str, _KnownBook]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class TakenNumber:
    """A line just written to an agenda book: what the caller prints and records.

    A value rather than the ORM row: making the row a persistent object of the session cost
    more, inside the counter's lock, than the statement that took the number (issue 14). A
    caller that must change the line (a void) loads it: ``session.get(AgendaEntry, id)``.
    """

    id: int
    book_id: int
    year: int
    seq: int
    number: str
    taken_at: datetime
    taken_by: int | None
    case_id: int | None
    document_id: int | None


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
    **extra: object,
) -> TakenNumber:
    """Take the next number of a book inside the caller's transaction.

    ``extra`` are further agenda columns (the origin of a reserved or hand-issued number).
    What comes back is the line as a value (:class:`TakenNumber`), not an ORM object.
    """
    line: dict[str, object] = {
        "taken_at": when,
        "taken_by": taken_by,
        "case_id": case_id,
        "document_id": document_id,
        "subject": subject,
        "addressee": addressee,
        **_PLAIN_LINE,
        **extra,
    }
    session.flush()  # pending work of the use case goes out before the lock, not inside it
    bind = session.get_bind()
    one_statement = bind.dialect.name == "postgresql"
    known_books = _KNOWN_BOOKS.get(bind)
    if known_books is None:
        known_books = _KNOWN_BOOKS.setdefault(bind, {})
    known = known_books.get(book_code)
    values = row = None
    if known is not None and one_statement:  # the usual case: one round trip, then COMMIT
        values, row = _take_known(session, known, line, when)
    if row is None:
        book = book_by_code(session, book_code)
        known = _KnownBook(book.id, book.code, book.pattern, book.yearly)
        known_books[book_code] = known
        if one_statement:  # None again only for the book's first number of the year
            values, row = _take_known(session, known, line, when)
    if row is not None:
        assert values is not None
        values["id"], values["seq"], values["number"] = row
    else:
        year = when.year if known.yearly else 0
        values = {"book_id": known.id, "year": year, **line}
        seq = _advance(session, known.id, year)  # the lock starts here ...
        values["seq"] = seq
        values["number"] = format_number(known.pattern, seq, when)
        values["id"] = session.execute(
            insert(_AGENDA).values(values).returning(_AGENDA.c.id)
        ).scalar()
    # ... and ends at the caller's commit: nothing else is sent in between.
    if values["number"] != format_number(known.pattern, int(values["seq"]), when):  # type: ignore[call-overload]
        raise AssertionError("nomor dari basis data tidak sesuai pola buku")  # rolls back
    return TakenNumber(
        id=int(values["id"]),  # type: ignore[call-overload]
        book_id=known.id,
        year=int(values["year"]),  # type: ignore[call-overload]
        seq=int(values["seq"]),  # type: ignore[call-overload]
        number=str(values["number"]),
        taken_at=when,
        taken_by=taken_by,
        case_id=case_id,
        document_id=document_id,
    )


def _take_known(
    session: Session, known: _KnownBook, line: dict[str, object], when: datetime
) -> tuple[dict[str, object], tuple[int, int, str] | None]:
    """The agenda values and, if the one statement could run, (id, seq, number)."""
    year = when.year if known.yearly else 0
    values: dict[str, object] = {"book_id": known.id, "year": year, **line}
    split = _split_pattern(known.pattern, when)
    if split is None:
        return values, None
    return values, _take_in_one_statement(session, values, known, split)


def _split_pattern(pattern: str, when: datetime) -> tuple[str, int, str] | None:
    """``pattern`` as (text before {urut}, zero-padded width, text after) for ``when``.

    None when the pattern cannot be rebuilt in SQL (a second {urut}, an alignment, a
    conversion): the number is then formatted in Python between two statements.
    """
    values = number_values(0, when)
    parts: list[str] = [""]
    width = 0
    try:
        for literal, name, spec, conversion in string.Formatter().parse(pattern):
            parts[-1] += literal
            if name is None:
                continue
            if conversion:
                return None
            if name == "urut":
                if len(parts) == 2 or not (spec == "" or (spec[:1] == "0" and spec.isdigit())):
                    return None
                width = int(spec or "0")
                parts.append("")
            else:
                parts[-1] += format(values[name], spec)
    except (KeyError, ValueError):
        return None
    if len(parts) != 2:
        return None
    return parts[0], width, parts[1]


def _take_in_one_statement(
    session: Session, values: dict[str, object], known: _KnownBook, split: tuple[str, int, str]
) -> tuple[int, int, str] | None:
    """PostgreSQL: bump the counter and write the line in one round trip (a data-modifying
    CTE). None when the book has no counter row for the year yet, or is no longer ``known``
    (the caller reads the book again)."""
    prefix, width, suffix = split
    params = {f"v_{k}": v for k, v in values.items()}
    params.update(v_prefix=prefix, v_width=width, v_suffix=suffix)
    params.update(v_code=known.code, v_pattern=known.pattern, v_yearly=known.yearly)
    # On the driver's cursor: SQLAlchemy's execution path cost a third of a number's CPU here,
    # inside the counter's lock (db/fast_statement.py, issue 14).
    row = fast_statement.first_row(session.connection(), _one_statement(tuple(values)), params)
    return None if row is None else (int(row[0]), int(row[1]), str(row[2]))


@functools.cache
def _one_statement(columns: tuple[str, ...]) -> Insert:
    """The CTE for these columns, built once per process (compiled once by the cache)."""
    bumped = (
        update(_COUNTER)
        .where(
            _COUNTER.c.book_id == bindparam("v_book_id", type_=Integer),
            _COUNTER.c.year == bindparam("v_year", type_=Integer),
            exists().where(
                _BOOK.c.id == bindparam("v_book_id", type_=Integer),
                _BOOK.c.code == bindparam("v_code", type_=Text),
                _BOOK.c.pattern == bindparam("v_pattern", type_=Text),
                _BOOK.c.yearly == bindparam("v_yearly", type_=Boolean),
            ),
        )
        .values(last=_COUNTER.c.last + 1)
        .returning(_COUNTER.c.last)
        .cte("bumped")
    )
    digits = cast(bumped.c.last, Text)
    width = func.greatest(bindparam("v_width", type_=Integer), func.length(digits))
    number = (
        bindparam("v_prefix", type_=Text)
        + func.lpad(digits, width, "0")
        + bindparam("v_suffix", type_=Text)
    )
    chosen = [cast(bindparam(f"v_{k}"), _AGENDA.c[k].type).label(k) for k in columns]
    return (
        insert(_AGENDA)
        .from_select(
            [*columns, "seq", "number"],
            select(*chosen, bumped.c.last, number.label("number")),
        )
        .returning(_AGENDA.c.id, _AGENDA.c.seq, _AGENDA.c.number)
    )


def void_entry(
    session: Session, entry: AgendaEntry, *, reason: str, when: datetime, by: int | None
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
