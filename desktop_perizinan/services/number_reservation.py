"""A letter's number taken in its own short transaction, before the step that prints it.

Why: on PostgreSQL the counter row stays locked from ``numbering.take_number`` until the
transaction commits. A step that numbers a letter and then renders it, and maybe sends it to
BSrE (seconds, up to the gateway's time-out), would make every other PC numbering in the same
book wait for that answer. So the step's use case (``services.step_reservation``) first takes
the number for the document in a transaction of its own (the counter is locked only there,
for one statement and the commit), and the step's transaction then *claims* that line: it
renders, signs and stores without touching the counter.

If the step then fails (BSrE refuses, the gateway is down, the PC dies), the line stays in
the book for that same document, as a paper agenda book keeps a number written against a
letter that is still waiting for its signature: the next attempt at that document, by anyone,
claims the same line (no gap, no duplicate, no second number for one letter). The line keeps
the moment and the clerk of the taking; the letter is dated that day, like every letter
numbered before its signature. A line that will never be used (the case withdrawn) is voided
with a reason in the Buku screen, like any spoiled number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import AgendaEntry, Case, Document, NumberBook
from desktop_perizinan.services import numbering

#: Why a reserved line is voided when the document is numbered from another book instead.
BOOK_CHANGED = "Nomor dicadangkan untuk surat ini tidak dipakai: buku agenda langkahnya berubah."


def reserved_line(session: Session, document_id: int) -> AgendaEntry | None:
    """The line taken for ``document_id`` and not yet carried by it (the caller knows the
    document has no number), or None."""
    return session.scalars(
        select(AgendaEntry)
        .where(
            AgendaEntry.document_id == document_id,
            AgendaEntry.voided.is_(False),
            AgendaEntry.imported.is_(False),
            AgendaEntry.origin == "app",
        )
        .order_by(AgendaEntry.id)
    ).first()


def kept_number(session: Session, document_id: int, book_code: str) -> str | None:
    """The number already kept in ``book_code`` for a document without one (an earlier
    attempt failed after taking it): the number its numbering step will print."""
    line = reserved_line(session, document_id)
    if line is None:
        return None
    code = session.scalar(select(NumberBook.code).where(NumberBook.id == line.book_id))
    return line.number if code == book_code else None


def reserve(
    session: Session, book_code: str, case: Case, doc: Document, *, when: datetime, by: int
) -> AgendaEntry | None:
    """Take the number for a document that has none and no reserved line yet (the caller
    holds the case's lock and commits right after); the new line, or None if one was kept."""
    if reserved_line(session, doc.id) is not None:
        return None
    return take_for_letter(session, book_code, case, doc, when=when, by=by)


def take_for_letter(
    session: Session, book_code: str, case: Case, doc: Document, *, when: datetime, by: int
) -> AgendaEntry:
    """A new line in ``book_code`` for the letter ``doc`` of ``case``: what the book records
    of a letter (its title, the applicant it is addressed to), however it is taken."""
    return numbering.take_number(
        session,
        book_code,
        when=when,
        taken_by=by,
        case_id=case.id,
        document_id=doc.id,
        subject=doc.title,
        addressee=case.applicant.name,
    )


def claim(
    session: Session, document_id: int, book_code: str, *, when: datetime, by: int
) -> AgendaEntry | None:
    """The reserved line of ``document_id`` in ``book_code``, to be used now; None when there
    is none. A line reserved in another book (the permit-type file changed in between) is
    voided with :data:`BOOK_CHANGED` and None returned: the caller takes a new number."""
    line = reserved_line(session, document_id)
    if line is None:
        return None
    code = session.scalar(select(NumberBook.code).where(NumberBook.id == line.book_id))
    if code != book_code:
        numbering.void_entry(session, line, reason=BOOK_CHANGED, when=when, by=by)
        return None
    return line
