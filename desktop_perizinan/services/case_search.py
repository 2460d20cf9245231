"""Paged, filtered search over every case, for the Permohonan table (200,000 cases and more).

The table asks for one page at a time (``search_page``) and for the total separately
(``count``), so opening it or typing a letter costs one short indexed query, never a load of
the whole table. "Contains" search by name, NIK, registration or permit number uses the
trigram index made by migration 0002: FTS5 on SQLite, ``pg_trgm`` on PostgreSQL. Words shorter
than three letters (which a trigram index cannot serve) fall back to ``LIKE``.

Also here: :class:`DeskLookups`, the few read-only look-ups the back-office step dialogs need
that :mod:`services.queries` does not give yet (an attachment's bytes, the draft text to edit,
the number a numbering step will take). Each opens its own short reading session and returns
plain values, so no widget holds a session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    Text,
    column,
    func,
    select,
    table,
    text,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import (
    Applicant,
    Attachment,
    AttachmentBlob,
    Case,
    NumberBook,
    StepRecord,
)
from desktop_perizinan.errors import NotFound, ValidationError
from desktop_perizinan.privacy import mask_nik
from desktop_perizinan.services import numbering
from desktop_perizinan.workflow.definition import (
    Action,
    CaseStatus,
    DocumentKind,
    PermitType,
    Step,
    StepNo,
)
from desktop_perizinan.workflow.placeholders import fill
from desktop_perizinan.workflow.validators import drop_control_characters

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

#: "newest": newest entered first (id order; the table's default, and the order the trigram
#: index can stream in, so a broad search stops after one page instead of sorting every hit).
SortKey = Literal["newest", "received_desc", "received_asc", "due_asc", "due_desc"]
#: Words shorter than this cannot use a trigram index.
TRIGRAM = 3


@dataclass(frozen=True)
class CaseFilters:
    """What the Permohonan screen filters on; the default is "every case, newest first"."""

    text: str = ""
    form_code: str | None = None
    status: CaseStatus | None = None
    step_id: str | None = None
    received_from: date | None = None
    received_to: date | None = None  # inclusive
    overdue: bool = False  # the open step is past its due time
    sort: SortKey = "newest"

    def words(self) -> list[str]:
        """The search words, lower case. Control characters are dropped first: a barcode
        scanner configured with a NUL or another control suffix must still find the case,
        and a NUL would end FTS5's query string early (SQLite) or be refused (PostgreSQL)."""
        return drop_control_characters(" ".join(self.text.split())).lower().split()


@dataclass(frozen=True)
class CaseRow:
    id: int
    reference: str
    reg_number: str | None
    applicant_name: str
    applicant_nik: str
    form_code: str
    permit_name: str
    status: CaseStatus
    step_no: int
    step_name: str
    received_at: datetime
    due_at: datetime | None  # the whole service's due time
    step_due_at: datetime | None  # the open step's due time (running cases)
    permit_number: str | None
    overdue: bool


class CaseSearch:
    """``search_page`` and ``count`` over the same filters (see module docstring)."""

    def __init__(self, services: Services) -> None:
        self._s = services
        self._fts: bool | None = None
        self._types: dict[int, PermitType] = {}
        self._steps: dict[tuple[int, str, int], tuple[str, str, StepNo | int]] = {}

    # ------------------------------------------------------------------ public

    def search_page(self, filters: CaseFilters, offset: int, limit: int) -> list[CaseRow]:
        """One page of rows. Run on every keystroke, so it stays on SQLAlchemy Core: plain
        columns of the tables (no ORM entities, no ORM result loading), two short statements
        (the page, then the open steps' due times of the page's cases), and per row only
        dictionary look-ups for what the permit type says (issue 14: the ORM path spent about
        ten times the bare query's time on the same page)."""
        now = self._s.now()
        with self._s.db.reading() as session:
            query = (
                select(
                    _P.c.id,
                    _P.c.reg_number,
                    _P.c.form_code,
                    _P.c.form_version_id,
                    _P.c.status,
                    _P.c.current_step,
                    _P.c.current_step_no,
                    _P.c.received_at,
                    _P.c.due_at,
                    _P.c.permit_number,
                    _A.c.name,
                    _A.c.nik,
                )
                .join(_A, _A.c.id == _P.c.applicant_id)
                .offset(max(0, offset))
                .limit(max(0, limit))
            )
            query, streamed = self._where(session, query, filters, now)
            if streamed is not None:
                query = query.order_by(streamed.desc())
            else:
                query = query.order_by(*self._order(filters.sort))
            connection = session.connection()
            rows = connection.execute(query).all()
            step_due: dict[int, datetime] = {}
            if rows:
                step_due = dict(
                    connection.execute(
                        select(_S.c.case_id, func.min(_S.c.due_at))
                        .where(_S.c.case_id.in_([r[0] for r in rows]), _S.c.done_at.is_(None))
                        .group_by(_S.c.case_id)
                    ).all()
                )
            result = []
            for (
                case_id,
                reg_number,
                form_code,
                version,
                status,
                step_id,
                step_no,
                received_at,
                due_at,
                permit_number,
                name,
                nik,
            ) in rows:
                permit_name, step_name, label = self._step(session, version, step_id, step_no)
                due = step_due.get(case_id)
                result.append(
                    CaseRow(
                        id=case_id,
                        reference=reg_number or f"K-{received_at:%Y}-{case_id:06d}",
                        reg_number=reg_number,
                        applicant_name=name,
                        applicant_nik=mask_nik(nik),  # lists never need it (UU PDP)
                        form_code=form_code,
                        permit_name=permit_name,
                        status=_STATUS[status],
                        step_no=label,
                        step_name=step_name,
                        received_at=received_at,
                        due_at=due_at,
                        step_due_at=due,
                        permit_number=permit_number,
                        overdue=due is not None and due < now,
                    )
                )
            return result

    def count(
        self,
        filters: CaseFilters,
        *,
        cap: int | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int | None:
        """How many cases match. With ``cap``, counting stops after ``cap + 1`` hits (a result
        above ``cap`` means "more than ``cap``"): the table's label only needs to know that a
        broad search has thousands, and an uncapped count over 200,000 cases kept a core busy
        while the clerk typed the next letter (issue 14).

        ``cancelled``: asked now and then while counting (from the counting thread); once it
        says True the count stops and ``None`` is returned. On SQLite a count with no hits
        scans every case (~0.2 s at 200,000) on the clerk's own cores, so a newer filter must
        be able to stop it; PostgreSQL counts on the server and is only skipped when
        cancelled before it starts."""
        now = self._s.now()
        with self._s.db.reading() as session:
            connection = session.connection()
            if cap is None:
                query, _streamed = self._where(session, select(func.count(_P.c.id)), filters, now)
            else:
                hits, _streamed = self._where(session, select(_P.c.id), filters, now)
                limited = hits.limit(cap + 1).subquery()
                query = select(func.count()).select_from(limited)
            if cancelled is None:
                return int(connection.scalar(query) or 0)
            if cancelled():
                return None
            with _stoppable(connection, cancelled):
                try:
                    return int(connection.scalar(query) or 0)
                except OperationalError:
                    if cancelled():
                        return None  # interrupted by the progress handler
                    raise

    @property
    def uses_index(self) -> bool:
        """Whether text search runs on a trigram index (FTS5 or pg_trgm) on this database."""
        with self._s.db.reading() as session:
            if session.get_bind().dialect.name == "sqlite":
                return self._has_fts(session)
            return bool(
                session.scalar(
                    text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_permohonan_search_trgm'")
                )
            )

    # ------------------------------------------------------------------ internals

    def _order(self, sort: SortKey) -> tuple[ColumnElement[object], ...]:
        match sort:
            case "received_asc":
                return (_P.c.received_at.asc(), _P.c.id.asc())
            case "due_asc":
                return (_P.c.due_at.asc().nulls_last(), _P.c.id.asc())
            case "due_desc":
                return (_P.c.due_at.desc().nulls_last(), _P.c.id.desc())
            case "received_desc":
                return (_P.c.received_at.desc(), _P.c.id.desc())
            case _:
                return (_P.c.id.desc(),)

    def _where(
        self, session: Session, query: Select[tuple[object, ...]], f: CaseFilters, now: datetime
    ) -> tuple[Select[tuple[object, ...]], ColumnElement[int] | None]:
        """The filters as WHERE clauses. The second value is the FTS rowid column when the
        query is driven by the trigram index in id order (SQLite, "newest" order): the caller
        orders by it, and SQLite then reads hits newest first and stops after one page."""
        if f.form_code:
            query = query.where(_P.c.form_code == f.form_code)
        if f.status is not None:
            query = query.where(_P.c.status == f.status.value)
        if f.step_id:
            query = query.where(_P.c.current_step == f.step_id)
        if f.received_from is not None:
            query = query.where(_P.c.received_at >= datetime.combine(f.received_from, time.min))
        if f.received_to is not None:
            end = datetime.combine(f.received_to + timedelta(days=1), time.min)
            query = query.where(_P.c.received_at < end)
        if f.overdue:
            late = select(_S.c.case_id).where(_S.c.done_at.is_(None), _S.c.due_at < now)
            query = query.where(_P.c.id.in_(late))
        streamed: ColumnElement[int] | None = None
        words = f.words()
        if words:
            long_words = [w for w in words if len(w) >= TRIGRAM]
            short_words = [w for w in words if len(w) < TRIGRAM]
            if (
                long_words
                and session.get_bind().dialect.name == "sqlite"
                and self._has_fts(session)
            ):
                match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
                if f.sort == "newest":
                    query = query.join(_FTS, _FTS.c.rowid == _P.c.id).where(
                        _FTS.c.permohonan_fts.op("MATCH")(match)
                    )
                    streamed = _FTS.c.rowid
                else:
                    hits = select(_FTS.c.rowid).where(_FTS.c.permohonan_fts.op("MATCH")(match))
                    query = query.where(_P.c.id.in_(hits))
            else:
                short_words = words
            for word in short_words:
                query = query.where(_P.c.search_text.like(_contains(word), escape="\\"))
        return query, streamed

    def _has_fts(self, session: Session) -> bool:
        if self._fts is None:
            self._fts = bool(
                session.scalar(
                    text(
                        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'permohonan_fts'"
                    )
                )
            )
        return self._fts

    def _step(
        self, session: Session, form_version_id: int, step_id: str, step_no: int
    ) -> tuple[str, str, StepNo | int]:
        """(permit name, step name, the step's SOP label) for a row, from a dictionary after
        the first row of each permit version and step."""
        key = (form_version_id, step_id, step_no)
        known = self._steps.get(key)
        if known is None:
            pt = self._permit_type(session, form_version_id)
            try:
                step = pt.step(step_id)
                known = (pt.name, step.name, StepNo(step_no, str(step.no)))  # the SOP's label
            except KeyError:
                known = (pt.name, step_id, step_no)
            self._steps[key] = known
        return known

    def _permit_type(self, session: Session, form_version_id: int) -> PermitType:
        pt = self._types.get(form_version_id)
        if pt is None:
            case = session.scalars(
                select(Case).where(Case.form_version_id == form_version_id).limit(1)
            ).one()
            pt = self._types[form_version_id] = self._s.definition_for(session, case)
        return pt


@contextmanager
def _stoppable(connection: Connection, cancelled: Callable[[], bool]) -> Iterator[None]:
    """On SQLite, let ``cancelled`` interrupt the statements run inside (SQLite's progress
    handler, on this connection only and removed again before the connection goes back to
    the pool). Elsewhere nothing: the statement runs to its end."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    raw.set_progress_handler(lambda: 1 if cancelled() else 0, _PROGRESS_STEPS)
    try:
        yield
    finally:
        raw.set_progress_handler(None, 0)


#: SQLite virtual-machine steps between two questions "cancelled?" (each takes the GIL):
#: well under a millisecond of counting.
_PROGRESS_STEPS = 20_000

#: The tables themselves: Core columns, so a page is plain rows (no ORM compile or loading).
_P = Case.__table__
_A = Applicant.__table__
_S = StepRecord.__table__
_STATUS = {status.value: status for status in CaseStatus}

#: The FTS5 table of migration 0002 (SQLite only), for joins; its hidden column of the same
#: name takes MATCH.
_FTS = table("permohonan_fts", column("rowid", Integer), column("permohonan_fts", Text))


def _contains(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# ---------------------------------------------------------------------- desk look-ups


@dataclass(frozen=True)
class AttachmentData:
    file_name: str
    mime: str
    data: bytes


@dataclass(frozen=True)
class NumberPreview:
    """The number a numbering step will take if nobody else takes one first."""

    book_code: str
    book_title: str
    number: str


class DeskLookups:
    """Read-only look-ups for the step dialogs (see the module docstring)."""

    def __init__(self, services: Services) -> None:
        self._s = services

    def attachment(self, attachment_id: int) -> AttachmentData:
        with self._s.db.reading() as session:
            row = session.execute(
                select(Attachment.file_name, Attachment.mime, AttachmentBlob.data)
                .join(AttachmentBlob, AttachmentBlob.id == Attachment.blob_id)
                .where(Attachment.id == attachment_id)
            ).first()
            if row is None:
                raise NotFound("Lampiran tidak ditemukan.")
            return AttachmentData(row.file_name, row.mime, bytes(row.data))

    def draft_text(self, case_id: int, kind: str, *, standard: bool = False) -> str:
        """The text the drafter edits: the last draft's own text when the letter is being
        redrafted after a return (so corrections are not lost), else the permit type's wording
        filled in for this case; ``standard=True`` always gives the latter."""
        with self._s.db.reading() as session:
            case = self._case(session, case_id)
            docs = self._s.documents
            if not standard:
                doc = docs.current_document(session, case_id, kind)
                if doc is not None and doc.status != "final" and doc.versions:
                    body = doc.versions[-1].body.get("body")
                    if body:
                        return str(body)
            pt = self._s.definition_for(session, case)
            template = (
                pt.wording.permit_body
                if kind == DocumentKind.PERMIT.value
                else pt.wording.rejection_body
            )
            # The same values the service fills a draft with when no text is given.
            values = docs._wording_values(session, case, pt)
            return fill(template, values).strip("\n")

    def number_preview(self, case_id: int) -> NumberPreview:
        """The book and number the case's open numbering step would take now."""
        now = self._s.now()
        with self._s.db.reading() as session:
            case = self._case(session, case_id)
            pt = self._s.definition_for(session, case)
            step = pt.step(case.current_step)
            if Action.NUMBER not in (step.actions or (step.action,)):  # composite rows too
                raise ValidationError("Langkah yang terbuka bukan langkah penomoran.")
            book = pt.number_book(step)
            title = session.scalar(select(NumberBook.title).where(NumberBook.code == book)) or book
            kept = self._kept_number(session, case, step, book)
            return NumberPreview(book, title, kept or numbering.peek_number(session, book, now))

    def _kept_number(self, session: Session, case: Case, step: Step, book: str) -> str | None:
        """The number kept for the step's letter by an attempt that failed after taking it
        (``services.number_reservation``): that one is printed, not the book's next."""
        from desktop_perizinan.services.number_reservation import kept_number

        kind = step.document
        doc = self._s.documents.current_document(session, case.id, kind.value) if kind else None
        if doc is None or doc.number is not None:
            return None
        return kept_number(session, doc.id, book)

    def _case(self, session: Session, case_id: int) -> Case:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(f"Permohonan {case_id} tidak ditemukan.")
        return case


__all__ = [
    "AttachmentData",
    "CaseFilters",
    "CaseRow",
    "CaseSearch",
    "DeskLookups",
    "NumberPreview",
]
