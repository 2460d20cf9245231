"""Numbers from outside the app (issue 13.6): hand-issued numbers, reservations, gap report.

Other offices' complaint: a letter numbered by hand during an outage, or a number held for a
letter the Kadis dictates elsewhere, later collides with the automatic counter. Here both are
lines of the same agenda book, taken through the same counter (``numbering.take_number``), so
the book stays one gapless sequence:

* **Catat nomor manual**: the clerk records a number already written on a letter (its date,
  subject, who issued it, why by hand). It must be the book's *next* number: an earlier one is
  already in the book (refused, with the line that holds it), a later one would leave a gap.
* **Pesan nomor**: the next number is taken now for a letter written elsewhere, until an office
  setting's number of hours has passed. Used in time, it gets its subject; not used, it is
  voided with a reason by the sweep (run before every reservation, manual line and gap report,
  when the Buku screen refreshes, and by ``perizinan nomor kedaluwarsa``). It is never reused.
* **Laporan celah**: for a book and year, every voided, reserved and hand-issued line, and any
  true gap (there should be none; one means the database was edited by hand).

A yearly book's year is closed once the calendar year is over: nothing is added to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import AgendaEntry, NumberBook, User
from desktop_perizinan.errors import NotFound, ValidationError
from desktop_perizinan.services import audit, numbering, settings
from desktop_perizinan.services.actor import ADMIN_ROLE, SYSTEM, Actor
from desktop_perizinan.workflow.placeholders import format_number

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

#: Who may record hand-issued numbers and reserve numbers: the keeper of the agenda books.
ROLES = ("ksb_umum", ADMIN_ROLE)
RESERVATION_HOURS_KEY = "reservation_hours"
DEFAULT_RESERVATION_HOURS = 24
MAX_RESERVATION_HOURS = 24 * 30

MANUAL, RESERVED, APP = "manual", "reserved", "app"


@dataclass(frozen=True)
class OutsideLine:
    """What the clerk is told after recording or reserving a number."""

    id: int
    number: str
    seq: int
    reserved_until: datetime | None = None


@dataclass(frozen=True)
class GapLine:
    """One line of the gap report."""

    seq: int
    number: str
    kind: str  # Bahasa Indonesia, as printed: see GapReport.KINDS
    taken_at: datetime | None
    subject: str
    who: str
    note: str


@dataclass(frozen=True)
class GapReport:
    book_code: str
    book_title: str
    year: int
    last: int
    lines: list[GapLine]

    KINDS = ("celah", "dibatalkan", "dipesan", "dipesan, terpakai", "manual")

    @property
    def gaps(self) -> int:
        return sum(1 for line in self.lines if line.kind == "celah")

    def count(self, kind: str) -> int:
        return sum(1 for line in self.lines if line.kind == kind)

    def summary(self) -> str:
        year = f" tahun {self.year}" if self.year else ""
        return (
            f"{self.book_title}{year}: {self.last} nomor, {self.gaps} celah, "
            f"{self.count('dibatalkan')} dibatalkan, {self.count('dipesan')} masih dipesan, "
            f"{self.count('dipesan, terpakai')} pesanan terpakai, {self.count('manual')} manual."
        )


def _text(value: str, label: str, field: str, *, minimum: int = 1, maximum: int = 500) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        need = "wajib diisi" if minimum == 1 else f"wajib diisi (minimal {minimum} karakter)"
        raise ValidationError(f"{label} {need}.", field)
    if len(value) > maximum:
        raise ValidationError(f"{label} terlalu panjang (paling banyak {maximum} karakter).", field)
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
        raise ValidationError(f"{label} memuat karakter kendali yang tidak sah.", field)
    return value


def _book_year(book: NumberBook, when: date | datetime, today: date) -> int:
    """The book's year for ``when``; refuses a closed (past) or not yet opened year."""
    if not book.yearly:
        return 0
    if when.year < today.year:
        raise ValidationError(
            f"Buku {book.title} tahun {when.year} sudah ditutup; nomor tidak dapat ditambahkan "
            "ke tahun yang sudah lewat.",
            "date",
        )
    if when.year > today.year:
        raise ValidationError(
            f"Buku {book.title} tahun {when.year} belum dibuka.",
            "date",
        )
    return when.year


class OutsideNumberService:
    def __init__(self, services: Services) -> None:
        self._s = services

    # ------------------------------------------------------------------ office setting

    def reservation_hours(self) -> int:
        """How long a reserved number waits for its letter before it is voided."""
        with self._s.db.reading() as session:
            return self._hours(session)

    @staticmethod
    def _hours(session: Session) -> int:
        value = settings.get_value(session, RESERVATION_HOURS_KEY, DEFAULT_RESERVATION_HOURS)
        return int(value) if isinstance(value, int) and value > 0 else DEFAULT_RESERVATION_HOURS

    def set_reservation_hours(self, actor: Actor, hours: int) -> None:
        actor.require(ADMIN_ROLE, what="mengubah batas waktu nomor pesanan")
        if not isinstance(hours, int) or not 1 <= hours <= MAX_RESERVATION_HOURS:
            raise ValidationError(
                f"Batas waktu nomor pesanan harus 1 sampai {MAX_RESERVATION_HOURS} jam.", "hours"
            )
        now = self._s.now()
        with self._s.db.transaction() as session:
            settings.set_value(session, RESERVATION_HOURS_KEY, hours)
            audit.append(session, actor, "nomor.batas_pesanan", at=now, jam=hours)

    # ------------------------------------------------------------------ hand-issued numbers

    def next_number(self, book_code: str, when: date) -> tuple[int, str]:
        """The sequence number and number a line dated ``when`` would get now."""
        with self._s.db.reading() as session:
            book = numbering.book_by_code(session, book_code)
            year = when.year if book.yearly else 0
            seq = numbering.last_number(session, book, year) + 1
            return seq, format_number(book.pattern, seq, when)

    def record_manual(
        self,
        actor: Actor,
        book_code: str,
        *,
        number: str | int,
        letter_date: date,
        subject: str,
        addressee: str = "",
        issued_by: str,
        reason: str,
    ) -> OutsideLine:
        """Record a number already written by hand on a letter dated ``letter_date``."""
        actor.require(*ROLES, what="mencatat nomor yang diterbitkan di luar aplikasi")
        subject = _text(subject, "Perihal surat", "subject")
        addressee = (addressee or "").strip()
        issued_by = _text(issued_by, "Nama yang menerbitkan nomor", "issued_by", maximum=200)
        reason = _text(reason, "Alasan penomoran manual", "reason", minimum=5)
        now = self._s.now()
        if letter_date > now.date():
            raise ValidationError("Tanggal surat tidak boleh sesudah hari ini.", "date")
        given = str(number).strip()
        if not given:
            raise ValidationError("Nomor surat wajib diisi.", "number")
        self.expire_due(now)
        with self._s.db.transaction() as session:
            book = numbering.book_by_code(session, book_code)
            year = _book_year(book, letter_date, now.date())
            numbering._lock_counter(session, book, year)  # no one numbers while we judge
            last = numbering.last_number(session, book, year)
            seq = self._judge_manual(session, book, year, last, given, letter_date)
            when = datetime.combine(letter_date, time(0, 0))
            entry = numbering.take_number(
                session,
                book_code,
                when=when,
                taken_by=_user_id(actor),
                subject=subject,
                addressee=addressee,
                origin=MANUAL,
                note=reason,
                issued_by_name=issued_by,
                recorded_at=now,
            )
            assert entry.seq == seq
            audit.append(
                session,
                actor,
                "nomor.manual",
                at=now,
                buku=book_code,
                nomor=entry.number,
                tanggal=letter_date.isoformat(),
                oleh=issued_by,
                alasan=reason,
            )
            return OutsideLine(entry.id, entry.number, entry.seq)

    @staticmethod
    def _judge_manual(
        session: Session, book: NumberBook, year: int, last: int, given: str, when: date
    ) -> int:
        """The sequence number meant by ``given`` (digits or the full number), if it is next."""
        expected = format_number(book.pattern, last + 1, when)
        if given.isdigit():
            seq = int(given)
        elif given == expected:
            seq = last + 1
        else:
            seq = None
            for candidate in range(max(1, last - 5000), last + 1):  # a number already taken?
                if format_number(book.pattern, candidate, when) == given:
                    seq = candidate
                    break
            if seq is None:
                raise ValidationError(
                    f"Nomor '{given}' tidak sesuai pola buku {book.title} untuk tanggal ini; "
                    f"nomor berikutnya adalah {expected}.",
                    "number",
                )
        if seq <= last:
            held = session.scalars(
                select(AgendaEntry).where(
                    AgendaEntry.book_id == book.id, AgendaEntry.year == year, AgendaEntry.seq == seq
                )
            ).first()
            what = f", {held.taken_at:%d-%m-%Y}, perihal: {held.subject or '-'}" if held else ""
            raise ValidationError(
                f"Nomor {format_number(book.pattern, seq, when)} sudah ada di buku "
                f"{book.title}{what}. Tidak ada yang diubah; nomor berikutnya adalah {expected}.",
                "number",
            )
        if seq > last + 1:
            raise ValidationError(
                f"Nomor berikutnya di buku {book.title} adalah {expected}; catat nomor manual "
                "berurutan mulai dari nomor itu agar buku tidak bercelah.",
                "number",
            )
        return seq

    # ------------------------------------------------------------------ reservations

    def reserve(
        self,
        actor: Actor,
        book_code: str,
        *,
        purpose: str,
        requested_by: str,
        letter_date: date | None = None,
    ) -> OutsideLine:
        """Take the next number now for a letter written elsewhere (``purpose``)."""
        actor.require(*ROLES, what="memesan nomor surat")
        purpose = _text(purpose, "Keperluan nomor pesanan", "purpose", minimum=5)
        requested_by = _text(requested_by, "Nama pemesan", "requested_by", maximum=200)
        now = self._s.now()
        letter_date = letter_date or now.date()
        self.expire_due(now)
        with self._s.db.transaction() as session:
            book = numbering.book_by_code(session, book_code)
            _book_year(book, letter_date, now.date())
            hours = self._hours(session)
            until = now + timedelta(hours=hours)
            when = now if letter_date == now.date() else datetime.combine(letter_date, time(0, 0))
            entry = numbering.take_number(
                session,
                book_code,
                when=when,
                taken_by=_user_id(actor),
                subject=purpose,
                origin=RESERVED,
                note=purpose,
                issued_by_name=requested_by,
                recorded_at=now,
                reserved_until=until,
            )
            audit.append(
                session,
                actor,
                "nomor.pesan",
                at=now,
                buku=book_code,
                nomor=entry.number,
                untuk=requested_by,
                sampai=until.isoformat(timespec="minutes"),
            )
            return OutsideLine(entry.id, entry.number, entry.seq, until)

    def use_reservation(
        self, actor: Actor, entry_id: int, *, subject: str, addressee: str = ""
    ) -> str:
        """The letter for a reserved number was written: record its subject; the number."""
        actor.require(*ROLES, what="memakai nomor pesanan")
        subject = _text(subject, "Perihal surat", "subject")
        now = self._s.now()
        self.expire_due(now)
        with self._s.db.transaction() as session:
            entry = session.scalars(
                select(AgendaEntry)
                .where(AgendaEntry.id == entry_id)
                .with_for_update(of=AgendaEntry)
                .execution_options(populate_existing=True)
            ).first()
            if entry is None or entry.origin != RESERVED:
                raise NotFound("Nomor pesanan tidak ditemukan.")
            if entry.voided:
                raise ValidationError(
                    f"Nomor {entry.number} sudah dibatalkan ({entry.void_reason}); pesan nomor "
                    "baru."
                )
            if entry.used_at is not None:
                raise ValidationError(f"Nomor pesanan {entry.number} sudah dipakai.")
            entry.used_at = now
            entry.subject = subject
            entry.addressee = (addressee or "").strip()
            audit.append(session, actor, "nomor.pakai", at=now, nomor=entry.number)
            return entry.number

    def open_reservations(self, book_code: str) -> list[OutsideLine]:
        """Reserved numbers still waiting for their letter, oldest first."""
        with self._s.db.reading() as session:
            book = numbering.book_by_code(session, book_code)
            rows = session.scalars(
                select(AgendaEntry)
                .where(
                    AgendaEntry.book_id == book.id,
                    AgendaEntry.origin == RESERVED,
                    AgendaEntry.used_at.is_(None),
                    AgendaEntry.voided.is_(False),
                )
                .order_by(AgendaEntry.year, AgendaEntry.seq)
            )
            return [OutsideLine(e.id, e.number, e.seq, e.reserved_until) for e in rows]

    def expire_due(self, now: datetime | None = None) -> int:
        """Void every reservation past its time, in a transaction of its own; how many were
        voided. Also run before each use case here that numbers: voiding appends to the audit
        log, and the audit head must never be held by a transaction that then waits for a
        book's counter (every numbering use case locks the counter first, then the audit
        head; the other order deadlocks with it)."""
        when = self._s.now() if now is None else now
        with self._s.db.transaction() as session:
            return self._expire(session, when)

    @staticmethod
    def _expire(session: Session, now: datetime) -> int:
        due = list(
            session.scalars(
                select(AgendaEntry)
                .where(
                    AgendaEntry.origin == RESERVED,
                    AgendaEntry.used_at.is_(None),
                    AgendaEntry.voided.is_(False),
                    AgendaEntry.reserved_until < now,
                )
                .order_by(AgendaEntry.id)
                .with_for_update(skip_locked=True, of=AgendaEntry)
            )
        )
        for entry in due:
            assert entry.reserved_until is not None
            reason = (
                f"Nomor pesanan tidak dipakai sampai batas waktunya "
                f"({entry.reserved_until:%d-%m-%Y %H:%M}); dibatalkan otomatis."
            )
            numbering.void_entry(session, entry, reason=reason, when=now, by=None)
            audit.append(session, SYSTEM, "nomor.kedaluwarsa", at=now, nomor=entry.number)
        return len(due)

    # ------------------------------------------------------------------ gap report

    def gap_report(self, book_code: str, year: int | None) -> GapReport:
        """Voided, reserved and hand-issued lines of a book's year, and any true gap."""
        now = self._s.now()
        self.expire_due()
        with self._s.db.reading() as session:
            book = numbering.book_by_code(session, book_code)
            year = (year or now.year) if book.yearly else 0
            last = numbering.last_number(session, book, year)
            names = dict(session.execute(select(User.id, User.full_name)).all())
            entries = session.scalars(
                select(AgendaEntry)
                .where(AgendaEntry.book_id == book.id, AgendaEntry.year == year)
                .order_by(AgendaEntry.seq)
            ).all()
            seen = {e.seq for e in entries}
            lines = [
                GapLine(seq, "", "celah", None, "", "", "nomor tidak ada di buku")
                for seq in range(1, last + 1)
                if seq not in seen
            ]
            for e in entries:
                kind = _kind(e)
                if kind is None:
                    continue
                who = e.issued_by_name or names.get(e.taken_by or 0, "")
                note = e.void_reason if e.voided else (e.note or "")
                if e.origin == RESERVED and not e.voided:
                    note = (
                        f"dipakai {e.used_at:%d-%m-%Y %H:%M}"
                        if e.used_at is not None
                        else f"berlaku sampai {e.reserved_until:%d-%m-%Y %H:%M}"
                    )
                lines.append(GapLine(e.seq, e.number, kind, e.taken_at, e.subject, who, note or ""))
            lines.sort(key=lambda line: line.seq)
            return GapReport(book.code, book.title, year, last, lines)


def _user_id(actor: Actor) -> int | None:
    """The user to name in the book: none for the command line's system actor."""
    return None if actor.id == SYSTEM.id else actor.id


def _kind(entry: AgendaEntry) -> str | None:
    if entry.voided:
        return "dibatalkan"
    if entry.origin == RESERVED:
        return "dipesan, terpakai" if entry.used_at is not None else "dipesan"
    if entry.origin == MANUAL:
        return "manual"
    return None
