"""A letter's number taken in its own short transaction, before the step that prints it.

Why: on PostgreSQL the counter row stays locked from ``numbering.take_number`` until the
transaction commits. A step that numbers a letter and then renders it, and maybe sends it to
BSrE (seconds, up to the gateway's time-out), would make every other PC numbering in the same
book wait for that answer.

How: ``CaseWorkService.act`` runs the step with ``session.info[APART]`` set. When the step
reaches the letter's number (``LetterLifecycle._take_number``) and no line is kept for the
letter yet, it raises :class:`NumberNeeded`: everything the step checks before its number has
passed by then (case, roles, lifecycle, earlier actions of a composite row, attachments, an
own PKCS#12 certificate), and nothing of the attempt is kept (the transaction rolls back).
``act`` then takes the number in a transaction of its own (:func:`reserve_needed`: the
counter is locked for one statement, the audit entry and the commit) and runs the step again;
this time the step *claims* the line and renders, signs and stores without touching the
counter. A letter drafted in that same step did not exist before it, so it cannot be kept
for: the step runs a third way, with its number taken inside (still gapless).

If the step then fails (BSrE refuses, the gateway is down, the PC dies), the line stays in
the book for that same letter, as a paper agenda book keeps a number written against a
letter that is still waiting for its signature ("menunggu TTD" in the Buku): the next attempt
at that letter, by anyone, claims the same line (no gap, no duplicate, no second number for
one letter). The line keeps the moment and the clerk of the taking; the letter is dated that
day, like every letter numbered before its signature. A line that will never be used (the
case withdrawn) is voided with a reason in the Buku screen, like any spoiled number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import AgendaEntry, Case, Document, NumberBook
from desktop_perizinan.services import audit, numbering
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.steps import lock_case

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
    return line.number if _book_code(session, line) == book_code else None


#: ``session.info`` key: this transaction takes a letter's number apart (see the docstring).
APART = "numbers_apart"


class NumberNeeded(Exception):
    """Raised inside a step's transaction: the letter needs a number taken apart first."""

    def __init__(self, document_id: int, case_id: int, book_code: str) -> None:
        super().__init__(f"document {document_id} needs a number from {book_code}")
        self.document_id = document_id
        self.case_id = case_id
        self.book_code = book_code


def reserve_needed(session: Session, actor: Actor, need: NumberNeeded, *, when: datetime) -> bool:
    """Take the number ``need`` asks for, in the caller's short transaction, and audit it;
    False when the letter does not exist outside the failed attempt (drafted in that step).

    The case is locked first, as the step does, so two PCs acting on the same step take one
    number between them: the second finds the first's line and takes none. A line kept in
    another book (the permit-type file changed in between) is voided, with its audit entry,
    and a new one taken from the step's book.
    """
    case = lock_case(session, need.case_id)
    doc = session.get(Document, need.document_id)
    if doc is None or doc.case_id != case.id or not doc.versions:
        return False
    if doc.number is not None:
        return True  # numbered meanwhile by another PC: the step's next run says so
    line = reserved_line(session, doc.id)
    if line is not None:
        if _book_code(session, line) == need.book_code:
            return True
        numbering.void_entry(session, line, reason=BOOK_CHANGED, when=when, by=actor.id)
        audit.append(
            session, actor, "agenda.batal", at=when, case_id=case.id,
            nomor=line.number, alasan=BOOK_CHANGED,
        )  # fmt: skip
    take_for_letter(session, need.book_code, case, doc, when=when, by=actor)
    return True


def take_for_letter(
    session: Session, book_code: str, case: Case, doc: Document, *, when: datetime, by: Actor
) -> numbering.TakenNumber:
    """A new line in ``book_code`` for the letter ``doc`` of ``case``, and its audit entry:
    what the book records of a letter (its title, the applicant it is addressed to), however
    it is taken. The audit log knows of every number taken, also one whose step then fails
    (BSrE refuses); appended after the number, as every use case locks a counter before the
    audit head."""
    line = numbering.take_number(
        session,
        book_code,
        when=when,
        taken_by=by.id,
        case_id=case.id,
        document_id=doc.id,
        subject=doc.title,
        addressee=case.applicant.name,
    )
    audit.append(
        session, by, "nomor.untuk_surat", at=when, case_id=case.id,
        buku=book_code, nomor=line.number, dokumen=doc.title,
    )  # fmt: skip
    return line


def claim(session: Session, document_id: int, book_code: str) -> AgendaEntry | None:
    """The line kept for ``document_id`` in ``book_code``, to be used now; None when there
    is none in that book (:func:`reserve_needed` voids a line kept in another book)."""
    line = reserved_line(session, document_id)
    if line is None or _book_code(session, line) != book_code:
        return None
    return line


def _book_code(session: Session, line: AgendaEntry) -> str | None:
    return session.scalar(select(NumberBook.code).where(NumberBook.id == line.book_id))
