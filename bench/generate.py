"""Generate office-scale data: ten years of cases with their history, for the benchmarks.

    python bench/generate.py --db URL --cases 200000 [--seed N] [--start 2017-01-02]
                             [--until "2026-11-20 16:00"] [--chunk 2000]

The database must be empty of cases (a fresh file or database; it is migrated here). The
history is *simulated*, not driven through the services: driving 200,000 cases through
``CaseWorkService.act`` would render millions of PDFs and take days. Instead every case walks
its permit type's SOP through the real engine (``workflow.engine.apply_outcome``), every due
time is the office calendar's (checked equal to ``WorkCalendar.add`` by the tests), and the rows
are written with SQLAlchemy Core bulk inserts, one transaction per chunk of cases.

What is written, so that the application sees an ordinary busy office:

* applicants with valid NIKs (Dairi 1211…, Pasuruan 3514…), about a third of them returning;
* cases of the three shipped permit types from ``--start`` to ``--until`` (default: now), with
  their field values, requirement checks and full step history (started, due, done, late);
  both Dairi branches (permit, rejection), paraf returns ("kembalikan"), files incomplete at the
  counter and completed on a later visit, files returned by verification, withdrawals, files
  still waiting for the applicant and files still open at ``--until``;
* the agenda books: registration, permit books and outgoing letters, gapless per year in the
  order the numbers were taken, a few voided numbers with their reason, and ``number_counter``
  rows equal to the last number of each book and year, so a new intake continues the series;
* the expedition book for every delivered permit and rejection letter.

What is deliberately *not* written (say so when quoting figures):

* no PDFs. ``document`` rows exist only where a book line points at one (numbered letters:
  permits, rejections, requests for recommendation); they have no ``document_version``, so
  opening their PDF says "Dokumen tidak ditemukan". A case still open at a paraf, signature or
  numbering step gets one draft version with its text and an empty ``pdf`` (the next paraf
  re-renders it), plus the paraf rows of that version, so the back office can carry on.
  Receipts, disposition sheets, inspection reports, klarifikasi slips and tanda terima are not
  stored for generated history.
* no attachments and no SKRD (the shipped types are free);
* the audit log is sparse: only the demo users' creation and one ``data.generate`` entry that
  records this run (the chain verifies). Generated steps have no audit entries.
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
import time
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import _common  # first: puts the checkout on sys.path
from sqlalchemy import Engine, Table, func, insert, select, text, update

from desktop_perizinan.db.models import (
    AgendaEntry,
    Applicant,
    Case,
    Document,
    DocumentVersion,
    ExpeditionEntry,
    NumberBook,
    NumberCounter,
    Paraf,
    RequirementCheck,
    StepRecord,
    User,
)
from desktop_perizinan.services import audit
from desktop_perizinan.services.actor import SYSTEM, Actor
from desktop_perizinan.services.app import DEFAULT_FORMS_DIR, Services
from desktop_perizinan.services.demo import create_demo_users, sample_field_values
from desktop_perizinan.services.intake import COUNTER_ACTIONS, search_text
from desktop_perizinan.services.steps import acting_role
from desktop_perizinan.services.users import actor_of
from desktop_perizinan.workflow import engine
from desktop_perizinan.workflow.calendar import WorkCalendar
from desktop_perizinan.workflow.definition import (
    TARGET_APPLICANT,
    Action,
    CaseStatus,
    DocumentKind,
    PermitType,
    Step,
)
from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.paths import service_total
from desktop_perizinan.workflow.placeholders import fill, format_number

# ------------------------------------------------------------------------------ the office mix

#: Share of cases per permit type (Dairi's 23-step SOP is the office's main work).
TYPE_WEIGHTS = {"DAIRI-LKS-ASING": 0.4, "PASURUAN-STP-LKS-ASING": 0.3, "PASURUAN-NIK-KESENIAN": 0.3}
P_RETURNING = 0.35  # the applicant has been here before (found by NIK)
P_RENEWAL = 0.2  # for types with renewal-only requirements
P_DARING = 0.35  # received through the online portal, where the type allows it
P_INCOMPLETE = 0.10  # klarifikasi at the counter
P_NEVER_RETURNS = 0.12  # of the incomplete ones: the file waits for ever (or is withdrawn)
P_STALE_WITHDRAWN = 0.5  # of those, withdrawn by the counter three months later
P_WITHDRAWN = 0.015  # withdrawn while in the back office
P_REJECTED = 0.15  # Dairi: the technical team recommends "tolak"
P_PARAF_RETURN = 0.06  # the first paraf returns the draft once ("kembalikan")
P_VERIFY_RETURN = 0.03  # verification sends the file back to the applicant
P_LATE = 0.12  # a step is done after its due time
P_LATE_SIGN = 0.25  # the head's signature is late more often
P_VOID = 0.002  # a letter number is spoiled and voided before the right one is taken
YEARLY_GROWTH = 0.05  # more applications every year

DAY_MINUTES = 510  # the Dairi Monday–Thursday day: what "1 Hari" means for random delays

REJECTION_REASONS = (
    "Lembaga belum memiliki mitra kerja lokal yang terdaftar di Dinas Sosial Kabupaten Dairi.",
    "Program kerja tahunan tidak sesuai dengan kebutuhan daerah.",
    "Hasil peninjauan lapangan: kantor lembaga tidak ditemukan di alamat yang dicantumkan.",
    "Surat izin prinsip Menteri Luar Negeri telah habis masa berlakunya.",
)
RETURN_NOTES = (
    "Perbaiki penulisan nama lembaga dan lengkapi dasar hukum.",
    "Tanggal pada konsideran keliru; sesuaikan dengan rekomendasi Tim Teknis.",
    "Nama mitra kerja lokal tidak sama dengan proposal.",
)
VERIFY_NOTES = (
    "Isian alamat tidak sesuai dengan dokumen.",
    "Proposal tidak ditandatangani penanggung jawab lembaga.",
    "Fotokopi KTP tidak terbaca; mohon dilampirkan ulang.",
)
WITHDRAW_REASONS = (
    "Pemohon menarik permohonan karena lembaga batal beroperasi.",
    "Pemohon mengajukan ulang dengan jenis izin lain.",
    "Permohonan ganda; diajukan ulang dengan nomor registrasi lain.",
)
STALE_REASON = "Berkas tidak dilengkapi pemohon dalam tiga bulan; permohonan ditutup."
VOID_REASON = "Draf rusak saat dicetak; nomor diganti nomor berikutnya."

MALE = ("Benget", "Hotman", "Jonner", "Marisi", "Bonar", "Sahat", "Togar", "Parulian", "Lamhot",
        "Tigor", "Poltak", "Ramses", "Hasudungan", "Mangasi", "Agus", "Budi", "Eko", "Wahyu",
        "Ahmad", "Muhammad", "Yohanes", "Sugeng", "Slamet", "Bambang", "Hadi", "Imam", "Rudi",
        "Hendra", "Kusnadi", "Mulyono")  # fmt: skip
FEMALE = ("Marlina", "Tiurma", "Lestari", "Rina", "Rosmawati", "Duma", "Romauli", "Nurhayati",
          "Sondang", "Dormauli", "Lasma", "Nurmala", "Sarma", "Rotua", "Herlina", "Siti", "Sri",
          "Dewi", "Endang", "Lilik", "Fitri", "Anik", "Yuliana", "Ratna", "Ni Luh Putu Ayu")  # fmt: skip
SURNAMES = {
    "dairi": ("Simanjuntak", "Sitorus", "Sinaga", "Pasaribu", "Tamba", "Sianturi", "Boangmanalu",
              "Situmorang", "Simamora", "Manik", "Padang", "Capah", "Berutu", "Solin", "Angkat",
              "Bancin", "Kudadiri", "Ujung", "Sitohang", "Nainggolan", "Siregar", "Harahap",
              "Lumbantobing", "Hutagalung", "Sihombing", "Tumangger", "Cibro", "Limbong",
              "Matanari", "Sagala"),
    "pasuruan": ("Santoso", "Wibowo", "Setiawan", "Prasetyo", "Hidayat", "Maimunah", "Rahmawati",
                 "Susanto", "Kurniawan", "Saputra", "Wahyuni", "Hariyanto", "Purnomo", "Utomo",
                 "Nugroho", "Firmansyah", "Kristiawan", "Handayani", "Mahmud", "O'Brien"),
}  # fmt: skip
REGION = {  # NIK prefix (province + regency), towns, street names
    "dairi": ("1211", ("Sidikalang", "Sumbul", "Tigalingga", "Parbuluan", "Silima Pungga-Pungga"),
              ("Jl. Sisingamangaraja", "Jl. Pahlawan", "Jl. Runding", "Jl. Sudirman")),
    "pasuruan": ("3514", ("Bangil", "Pandaan", "Gempol", "Grati", "Purwosari", "Raci"),
                 ("Jl. Raya", "Jl. Pattimura", "Jl. Diponegoro", "Dusun Krajan")),
}  # fmt: skip
ORG_WORDS = ("Kasih", "Harapan", "Pelita", "Sejahtera", "Peduli", "Cahaya", "Anak", "Bangsa",
             "Nusantara", "Insani", "Mandiri", "Lestari", "Damai", "Bersama")  # fmt: skip
COUNTRIES = ("Belanda", "Jerman", "Jepang", "Korea Selatan", "Australia", "Norwegia", "Swiss",
             "Amerika Serikat", "Singapura", "Inggris")  # fmt: skip

ORG_FIELDS = ("nama_lembaga", "nama_organisasi")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ the calendar


class FastCalendar:
    """The office's :class:`WorkCalendar`, tabulated for a range of dates.

    ``WorkCalendar.add`` costs about 15 µs; the generator needs it a few million times. Here the
    same days (taken from ``WorkCalendar.hours_on``, holidays included) become a table of
    working-minute positions, so ``add`` and ``late_minutes`` are a lookup and a bisection.
    Results are equal to the application's for times on whole minutes (checked in
    ``tests/bench``); the application's own calendar stays the reference.
    """

    def __init__(self, calendar: WorkCalendar, first: date, last: date) -> None:
        self.first = first
        self._base = first.toordinal()
        days = (last - first).days + 1
        self._midnight: list[datetime] = []  # per working day
        self._open: list[int] = []
        self._close: list[int] = []
        self._cum_start: list[int] = []
        self._cum_end: list[int] = []
        self._widx: list[int] = []  # per calendar day: its working index, or -1
        self._next: list[int] = []  # per calendar day: first working index on or after it
        total = 0
        for offset in range(days):
            day = first + timedelta(days=offset)
            span = calendar.hours_on(day)
            if span is None:
                self._widx.append(-1)
                continue
            self._widx.append(len(self._open))
            self._midnight.append(datetime.combine(day, datetime.min.time()))
            self._open.append(span[0])
            self._close.append(span[1])
            self._cum_start.append(total)
            total += span[1] - span[0]
            self._cum_end.append(total)
        following = len(self._open)
        self._next = [0] * days
        for offset in range(days - 1, -1, -1):
            if self._widx[offset] >= 0:
                following = self._widx[offset]
            self._next[offset] = following
        self._minutes = [timedelta(minutes=m) for m in range(24 * 60 + 1)]

    @property
    def working_days(self) -> int:
        return len(self._open)

    def working_day(self, index: int) -> tuple[datetime, int, int]:
        """(midnight, opening minute, closing minute) of the ``index``-th working day."""
        return self._midnight[index], self._open[index], self._close[index]

    def _split(self, t: datetime) -> tuple[int, int]:
        offset = t.toordinal() - self._base
        if not 0 <= offset < len(self._widx):
            raise ValueError(f"{t} di luar rentang kalender generator")
        return offset, t.hour * 60 + t.minute

    def _at(self, w: int, minute: int) -> datetime:
        return self._midnight[w] + self._minutes[minute]

    def _opening(self, t: datetime) -> tuple[int, int]:
        """``WorkCalendar.next_opening`` as (working index, minute of day)."""
        offset, clock = self._split(t)
        w = self._widx[offset]
        if w >= 0:
            if clock < self._open[w]:
                return w, self._open[w]
            if clock < self._close[w]:
                return w, clock
            return w + 1, self._open[w + 1]
        w = self._next[offset]
        return w, self._open[w]

    def position(self, t: datetime) -> int:
        """Working minutes from the first tabulated day to ``t`` (as ``WorkCalendar._position``)."""
        offset, clock = self._split(t)
        w = self._widx[offset]
        if w < 0:
            return self._cum_start[self._next[offset]]
        return self._cum_start[w] + min(max(clock, self._open[w]), self._close[w]) - self._open[w]

    def at_position(self, position: int) -> datetime:
        """The instant ``position`` working minutes in; at a day's end, its closing time."""
        w = bisect_left(self._cum_end, position)
        return self._at(w, self._open[w] + position - self._cum_start[w])

    def add(self, start: datetime, duration: Duration) -> datetime:
        """Exactly ``WorkCalendar.add`` (see its rules), on whole minutes."""
        w, clock = self._opening(start)
        if duration.is_zero():  # "0 Hari": within the same working day
            return self._at(w, self._close[w])
        if duration.days:
            w += duration.days
            clock = min(max(clock, self._open[w]), self._close[w])
        if not duration.minutes:
            return self._at(w, clock)
        target = self._cum_start[w] + clock - self._open[w] + duration.minutes
        w = bisect_left(self._cum_end, target, lo=w)
        return self._at(w, self._open[w] + target - self._cum_start[w])

    def late_minutes(self, due: datetime, done: datetime) -> int:
        """Exactly ``WorkCalendar.late_minutes`` on whole minutes."""
        if done <= due:
            return 0
        return max(0, self.position(done) - self.position(due))

    def after(self, start: datetime, minutes: int) -> datetime:
        """``minutes`` of working time after ``start`` (may end exactly at a closing time)."""
        w, clock = self._opening(start)
        return self.at_position(self._cum_start[w] + clock - self._open[w] + minutes)


# ------------------------------------------------------------------------------ the rows


@dataclass
class PendingCase:
    """A simulated case whose rows wait until all its numbers are known."""

    case: dict[str, Any]
    applicant: dict[str, Any]
    checks: list[dict[str, Any]]
    records: list[dict[str, Any]]
    documents: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    parafs: list[dict[str, Any]] = field(default_factory=list)
    expeditions: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    agenda: list[dict[str, Any]] = field(default_factory=list)
    permit_doc: dict[str, Any] | None = None
    unresolved: int = 0


@dataclass(order=True)
class NumberEvent:
    """A number to take from a book at ``when``; resolved in taken order, per book and year."""

    when: datetime
    case_index: int
    order: int
    book: str = field(compare=False)
    target: dict[str, Any] | None = field(compare=False)  # gets "number" / "reg_number"
    key: str = field(compare=False)
    agenda: dict[str, Any] = field(compare=False)
    voided: bool = field(default=False, compare=False)


@dataclass
class Summary:
    cases: int = 0
    applicants: int = 0
    step_records: int = 0
    late_steps: int = 0
    requirement_checks: int = 0
    agenda_entries: int = 0
    voided_numbers: int = 0
    documents: int = 0
    document_versions: int = 0
    expedition_entries: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    last_numbers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process only (a PostgreSQL server works on top of it)
    simulate_seconds: float = 0.0
    insert_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return (
            self.cases
            + self.applicants
            + self.step_records
            + self.requirement_checks
            + self.agenda_entries
            + self.documents
            + self.document_versions
            + self.expedition_entries
        )


class DatabaseNotEmpty(RuntimeError):
    """The generator only fills an empty database (it owns the numbering of the books)."""


TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (
        Applicant,
        Case,
        RequirementCheck,
        Document,
        DocumentVersion,
        Paraf,
        StepRecord,
        AgendaEntry,
        ExpeditionEntry,
    )
)


class Generator:
    """Simulates the cases in the order they were received and writes them chunk by chunk."""

    def __init__(
        self,
        services: Services,
        users: dict[str, Actor],
        *,
        cases: int,
        seed: int,
        start: datetime,
        until: datetime,
        chunk: int = 2000,
        progress: Callable[[str], None] = log,
    ) -> None:
        self.s = services
        self.users = users
        self.total = cases
        self.seed = seed
        self.start = start
        self.until = until
        self.chunk = chunk
        self.progress = progress
        self.rng = random.Random(seed)
        self.office = services.office
        # Due dates run past --until (a case opened today is due next week): tabulate beyond.
        self.cal = FastCalendar(services.calendar, start.date() - timedelta(days=7),
                                until.date() + timedelta(days=3 * 366))  # fmt: skip
        self.types = [
            services.permit_type(code) for code in TYPE_WEIGHTS if code in services.forms.types
        ]
        if not self.types:
            raise RuntimeError("tidak ada jenis izin bawaan yang dapat dipakai generator")
        self.weights = [TYPE_WEIGHTS[pt.code] for pt in self.types]
        self.totals = {pt.code: service_total(pt) for pt in self.types}
        self.form_versions = {pt.code: services.form_version_id(pt.code) for pt in self.types}
        self.profile = services.settings.office_profile()
        self.summary = Summary()
        self.books: dict[str, tuple[int, str, bool]] = {}
        self.counters: dict[tuple[int, int], int] = {}
        self.heap: list[NumberEvent] = []
        self.pending: dict[int, PendingCase] = {}
        self.ready: list[PendingCase] = []
        self.new_applicants: list[dict[str, Any]] = []
        self.applicants: dict[str, list[dict[str, Any]]] = {"dairi": [], "pasuruan": []}
        self.niks: set[str] = set()
        self.ids: dict[str, int] = {}
        self._roles: dict[int, str] = {}

    # -------------------------------------------------------------- set-up

    def _prepare(self, engine: Engine) -> None:
        with engine.connect() as connection:
            existing = connection.scalar(select(func.count()).select_from(Case.__table__))
            if existing:
                raise DatabaseNotEmpty(
                    f"Basis data sudah berisi {existing} permohonan; generator hanya mengisi "
                    "basis data kosong (ia menentukan penomoran buku agenda)."
                )
            for table in TABLES:
                top = connection.scalar(select(func.max(table.c.id))) or 0
                self.ids[table.name] = int(top)
            for book_id, code, pattern, yearly in connection.execute(
                select(NumberBook.id, NumberBook.code, NumberBook.pattern, NumberBook.yearly)
            ):
                self.books[code] = (book_id, pattern, yearly)
            for book_id, year, last in connection.execute(
                select(NumberCounter.book_id, NumberCounter.year, NumberCounter.last)
            ):
                self.counters[(book_id, year)] = last

    def role_of(self, step: Step) -> str:
        """``services.steps.acting_role``, remembered per step (asked millions of times)."""
        role = self._roles.get(id(step))
        if role is None:
            role = self._roles[id(step)] = acting_role(self.office, step)
        return role

    def _next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # -------------------------------------------------------------- when

    def _received_times(self) -> list[datetime]:
        """Arrival instants over the working days, growing a little every year."""
        cal = self.cal
        first = cal.position(self.start)
        last = cal.position(self.until)
        days: list[int] = []
        weights: list[float] = []
        for w in range(cal.working_days):
            midnight, opening, closing = cal.working_day(w)
            day_start = cal.position(midnight + timedelta(minutes=opening))
            if day_start < first or day_start >= last:
                continue
            days.append(w)
            weights.append((1 + YEARLY_GROWTH) ** (midnight.year - self.start.year))
        if not days:
            raise ValueError("rentang --start sampai --until tidak memuat hari kerja")
        chosen = self.rng.choices(days, weights=weights, k=self.total)
        times = []
        for w in chosen:
            midnight, opening, closing = cal.working_day(w)
            minute = self.rng.randrange(opening, max(opening + 1, closing - 10))
            times.append(midnight + timedelta(minutes=minute))
        times = [t for t in times if self.start <= t <= self.until] or [self.start]
        while len(times) < self.total:  # the last day's tail fell after --until
            times.append(times[-1])
        times.sort()
        return times

    def _delay(self, step: Step, rng: random.Random) -> int:
        """Working minutes a step really took: mostly within its standard, sometimes late."""
        standard = step.time.days * DAY_MINUTES + step.time.minutes
        if step.action is Action.HANDOVER and rng.random() < 0.5:
            return int(rng.uniform(0.3, 5.0) * DAY_MINUTES)  # collected on a later visit
        late = P_LATE_SIGN if step.action is Action.SIGN else P_LATE
        if rng.random() < late:
            return max(2, int(standard * rng.uniform(1.05, 2.5)))
        return max(1, int(standard * rng.uniform(0.15, 0.95)))

    # -------------------------------------------------------------- who

    def _applicant(self, pt: PermitType, when: datetime, rng: random.Random) -> dict[str, Any]:
        region = "dairi" if pt.code.startswith("DAIRI") else "pasuruan"
        known = self.applicants[region]
        if known and rng.random() < P_RETURNING:
            applicant = rng.choice(known)
            applicant["updated_at"] = max(applicant["updated_at"], when)
            return applicant
        prefix, towns, streets = REGION[region]
        female = rng.random() < 0.45
        while True:
            birth = date(rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28))
            nik = (
                f"{prefix}{rng.randint(1, 15):02d}{birth.day + (40 if female else 0):02d}"
                f"{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"
            )
            if nik not in self.niks:
                break
        self.niks.add(nik)
        first = rng.choice(FEMALE if female else MALE)
        name = f"{first} {rng.choice(SURNAMES[region])}"
        applicant = {
            "id": self._next_id("applicant"),
            "nik": nik,
            "name": name,
            "address": f"{rng.choice(streets)} No. {rng.randint(1, 250)}, {rng.choice(towns)}",
            "phone": f"08{rng.randint(11, 99)}{rng.randint(10_000_000, 99_999_999)}",
            "email": f"{first.split()[0].lower()}{rng.randint(1, 999)}@contoh.id"
            if rng.random() < 0.4
            else "",
            "created_at": when,
            "updated_at": when,
        }
        known.append(applicant)
        self.new_applicants.append(applicant)
        return applicant

    def _field_values(
        self, pt: PermitType, rng: random.Random, applicant: dict[str, Any]
    ) -> dict[str, Any]:
        values: dict[str, Any] = sample_field_values(pt, rng.randrange(1000))
        words = rng.sample(ORG_WORDS, 2)
        for key in values:
            if key in ORG_FIELDS:
                values[key] = (
                    f"Yayasan {words[0]} {words[1]} {rng.choice(('Internasional', 'Foundation', 'Stichting', 'e.V.'))}"
                )
            elif key == "nama_kelompok":
                values[key] = (
                    f"Sanggar {rng.choice(('Tari', 'Karawitan', 'Reog', 'Jaranan', 'Ludruk'))} {words[0]} {words[1]}"
                )
            elif key == "negara_asal":
                values[key] = rng.choice(COUNTRIES)
            elif key == "mitra_lokal":
                values[key] = f"Yayasan {words[1]} {rng.choice(('Dairi', 'Pasuruan', 'Nusantara'))}"
            elif key == "nama_ketua":
                values[key] = applicant["name"]
        return values

    # -------------------------------------------------------------- one case

    def _simulate(self, index: int, received: datetime) -> PendingCase:
        rng = random.Random(self.seed * 1_000_003 + index)
        pt = rng.choices(self.types, weights=self.weights)[0]
        applicant = self._applicant(pt, received, rng)
        renewal = any(r.renewal_only for r in pt.requirements) and rng.random() < P_RENEWAL
        channel = (
            "daring" if "daring" in pt.channels and rng.random() < P_DARING else pt.channels[0]
        )
        requirements = pt.requirements_for(renewal)
        mandatory = [r for r in requirements if r.mandatory]
        missing = set()
        if mandatory and rng.random() < P_INCOMPLETE:
            missing = {
                r.code for r in rng.sample(mandatory, min(len(mandatory), rng.choice((1, 1, 2))))
            }
        clerk = self.users[self.office.applicant_recorded_by]
        case_id = self._next_id("permohonan")
        case: dict[str, Any] = {
            "id": case_id,
            "reg_number": None,
            "form_code": pt.code,
            "form_version_id": self.form_versions[pt.code],
            "applicant_id": applicant["id"],
            "channel": channel,
            "renewal": renewal,
            "status": CaseStatus.RUNNING.value,
            "current_step": pt.first_step.id,
            "current_step_no": pt.first_step.no,
            "field_values": self._field_values(pt, rng, applicant),
            "received_at": received,
            "due_at": None,
            "closed_at": None,
            "permit_number": None,
            "created_by": clerk.id,
            "search_text": "",
            "row_version": 1,
        }
        checks = [
            {
                "id": self._next_id("requirement_check"),
                "case_id": case_id,
                "code": r.code,
                "name": r.name,
                "mandatory": r.mandatory,
                "present": r.code not in missing,
                "checked_at": received,
                "checked_by": clerk.id,
            }
            for r in requirements
        ]
        pending = PendingCase(case, applicant, checks, [])
        walk = _Walk(self, pending, pt, rng, index)
        walk.run(received, missing)
        return pending

    # -------------------------------------------------------------- numbers

    def push(self, event: NumberEvent, pending: PendingCase) -> None:
        pending.unresolved += 1
        heapq.heappush(self.heap, event)

    def _resolve_until(self, watermark: datetime | None) -> None:
        """Give numbers to every event before ``watermark`` (no later case can precede them)."""
        while self.heap and (watermark is None or self.heap[0].when < watermark):
            event = heapq.heappop(self.heap)
            book_id, pattern, yearly = self.books[event.book]
            year = event.when.year if yearly else 0
            seq = self.counters.get((book_id, year), 0) + 1
            self.counters[(book_id, year)] = seq
            number = format_number(pattern, seq, event.when)
            pending = self.pending[event.case_index]
            row = dict(event.agenda)
            row.update(
                id=self._next_id("agenda_entry"),
                book_id=book_id,
                year=year,
                seq=seq,
                number=number,
                taken_at=event.when,
                imported=False,
                voided=event.voided,
            )
            if event.voided:
                self.summary.voided_numbers += 1
                row.update(
                    void_reason=VOID_REASON,
                    voided_at=event.when + timedelta(minutes=5),
                    voided_by=self.users["ksb_umum"].id,
                    document_id=None,
                )
            else:
                row.update(void_reason=None, voided_at=None, voided_by=None)
            pending.agenda.append(row)
            if event.target is not None:
                event.target[event.key] = number
            self.summary.last_numbers[event.book] = number
            pending.unresolved -= 1
            if pending.unresolved == 0:
                self.ready.append(self.pending.pop(event.case_index))

    # -------------------------------------------------------------- writing

    def _rows_of(self, ready: list[PendingCase]) -> dict[str, list[dict[str, Any]]]:
        rows: dict[str, list[dict[str, Any]]] = {table.name: [] for table in TABLES}
        rows["applicant"] = self.new_applicants
        self.new_applicants = []
        for p in ready:
            case = p.case
            permit = p.permit_doc["number"] if p.permit_doc else None
            case["permit_number"] = permit
            case["search_text"] = search_text(
                p.applicant["name"], p.applicant["nik"], case["reg_number"]
            )
            if permit:
                case["search_text"] += " " + permit.lower()
            rows["permohonan"].append(case)
            rows["requirement_check"] += p.checks
            rows["document"] += p.documents
            for version in p.versions:
                body = version["body"]
                body["body"] = body["body"].replace("{nomor_registrasi}", case["reg_number"] or "")
            rows["document_version"] += p.versions
            rows["paraf"] += p.parafs
            rows["step_record"] += p.records
            rows["agenda_entry"] += p.agenda
            for entry, doc in p.expeditions:
                entry["number"] = doc["number"]
                rows["expedition_entry"].append(entry)
            status = case["status"]
            self.summary.by_status[status] = self.summary.by_status.get(status, 0) + 1
            self.summary.by_type[case["form_code"]] = (
                self.summary.by_type.get(case["form_code"], 0) + 1
            )
            self.summary.late_steps += sum(1 for r in p.records if (r["late_minutes"] or 0) > 0)
        return rows

    def _flush(self, engine: Engine) -> None:
        if not self.ready and not self.new_applicants:
            return
        started = time.perf_counter()
        ready, self.ready = self.ready, []
        rows = self._rows_of(ready)
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                # A bigger page cache for this connection only: the indexes of a 1 GB file
                # are updated at random places, and the default 2 MB cache thrashes.
                connection.exec_driver_sql("PRAGMA cache_size=-262144")
            for table in TABLES:
                batch = rows[table.name]
                if batch:
                    connection.execute(insert(table), batch)
        s = self.summary
        s.cases += len(rows["permohonan"])
        s.applicants += len(rows["applicant"])
        s.requirement_checks += len(rows["requirement_check"])
        s.step_records += len(rows["step_record"])
        s.agenda_entries += len(rows["agenda_entry"])
        s.documents += len(rows["document"])
        s.document_versions += len(rows["document_version"])
        s.expedition_entries += len(rows["expedition_entry"])
        s.insert_seconds += time.perf_counter() - started

    def _finish(self, engine: Engine) -> None:
        """Counters equal to the books, sequences past the explicit ids, planner statistics."""
        with engine.begin() as connection:
            existing = {
                (b, y)
                for b, y in connection.execute(select(NumberCounter.book_id, NumberCounter.year))
            }
            table = NumberCounter.__table__
            for (book_id, year), last in sorted(self.counters.items()):
                if (book_id, year) in existing:
                    connection.execute(
                        update(table)
                        .where(table.c.book_id == book_id, table.c.year == year)
                        .values(last=last)
                    )
                else:
                    connection.execute(insert(table).values(book_id=book_id, year=year, last=last))
            if engine.dialect.name == "postgresql":
                for t in TABLES:
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                            f"GREATEST((SELECT MAX(id) FROM {t.name}), 1))"
                        )
                    )
        if engine.dialect.name == "postgresql":
            # What autovacuum would do on the office server within minutes of such a load.
            # SQLite is left without ANALYZE: the application never runs it there.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))

    # -------------------------------------------------------------- the run

    def run(self) -> Summary:
        began, cpu = time.perf_counter(), time.process_time()
        engine = self.s.db.engine
        self._prepare(engine)
        received = self._received_times()
        step = max(1, self.total // 10)
        for index, when in enumerate(received):
            self.pending[index] = pending = self._simulate(index, when)
            if pending.unresolved == 0:
                self.ready.append(self.pending.pop(index))
            watermark = received[index + 1] if index + 1 < len(received) else None
            self._resolve_until(watermark)
            if len(self.ready) >= self.chunk:
                self._flush(engine)
            if (index + 1) % step == 0:
                self.progress(
                    f"  {index + 1:>7} / {self.total} permohonan ({when:%Y-%m-%d}), "
                    f"{time.perf_counter() - began:.1f} s"
                )
        self._resolve_until(None)
        assert not self.pending, "every number event is resolved at the end"
        self._flush(engine)
        self._finish(engine)
        self.summary.seconds = time.perf_counter() - began
        self.summary.cpu_seconds = time.process_time() - cpu
        self.summary.simulate_seconds = self.summary.seconds - self.summary.insert_seconds
        return self.summary


class _Walk:
    """One case through its SOP, the way intake and ``CaseWorkService.act`` would record it."""

    def __init__(
        self, gen: Generator, pending: PendingCase, pt: PermitType, rng: random.Random, index: int
    ) -> None:
        self.g = gen
        self.p = pending
        self.pt = pt
        self.rng = rng
        self.index = index
        self.case = pending.case
        self.state = engine.start_state(pt)
        self.record: dict[str, Any] | None = None
        self.events = 0
        self.docs: dict[str, dict[str, Any]] = {}  # current document per kind
        self.drafts: dict[int, list[tuple[str, int, datetime]]] = {}  # doc id -> parafs
        self.draft_count: dict[int, int] = {}
        self.draft_author: dict[int, int] = {}
        self.returned_once = False

    # ---------------------------------------------------------------- recording

    def _user(self, step: Step) -> Actor:
        return self.g.users[self.g.role_of(step)]

    def _open(self, step: Step, now: datetime) -> None:
        record = {
            "id": self.g._next_id("step_record"),
            "case_id": self.case["id"],
            "step_id": step.id,
            "step_no": step.no,
            "name": step.name,
            "role": self.g.role_of(step),
            "standard": step.time_text,
            "started_at": now,
            "due_at": self.g.cal.add(now, step.time),
            "done_at": None,
            "done_by": None,
            "outcome": None,
            "note": None,
            "late_minutes": None,
            "data": {},
        }
        self.p.records.append(record)
        self.record = record
        self.case["current_step"] = step.id
        self.case["current_step_no"] = step.no

    def _close(
        self, outcome: str, note: str | None, now: datetime, user: Actor
    ) -> engine.Transition:
        record = self.record
        assert record is not None
        transition = engine.apply_outcome(self.pt, self.state, outcome, note)
        record.update(
            done_at=now,
            done_by=user.id,
            outcome=outcome,
            note=(note or "").strip() or None,
            late_minutes=self.g.cal.late_minutes(record["due_at"], now),
        )
        self.state = transition.after
        self.case["status"] = transition.after.status.value
        self.record = None
        if transition.next_step is not None:
            self._open(transition.next_step, now)
        else:
            self.case["current_step"] = transition.after.step_id
            self.case["current_step_no"] = self.pt.step(transition.after.step_id).no
        if transition.closed:
            self.case["closed_at"] = now
        return transition

    def _number(
        self,
        book: str,
        when: datetime,
        target: dict[str, Any] | None,
        key: str,
        agenda: dict[str, Any],
        *,
        voided: bool = False,
    ) -> None:
        self.events += 1
        event = NumberEvent(when, self.index, self.events, book, target, key, agenda, voided)
        self.g.push(event, self.p)

    def _document(self, kind: str, title: str, now: datetime) -> dict[str, Any]:
        doc = {
            "id": self.g._next_id("document"),
            "case_id": self.case["id"],
            "kind": kind,
            "title": title,
            "number": None,
            "status": "draf",
            "signed_by": None,
            "signed_at": None,
            "sign_mode": None,
            "verification_code": None,
            "created_at": now,
        }
        self.p.documents.append(doc)
        self.docs[kind] = doc
        return doc

    # ---------------------------------------------------------------- the walk

    def run(self, received: datetime, missing: set[str]) -> None:
        g, pt, rng = self.g, self.pt, self.rng
        self._open(pt.first_step, received)
        self._counter(received, missing)
        now = received
        if self.state.status is CaseStatus.WAITING_APPLICANT:
            back = (
                None
                if rng.random() < P_NEVER_RETURNS
                else g.cal.after(received, rng.randint(1, 15) * DAY_MINUTES + rng.randint(0, 300))
            )
            if back is None or back > g.until:
                self._stays_waiting(received)
                return
            now = back
            for check in self.p.checks:
                if not check["present"]:
                    check.update(present=True, checked_at=now)
            self.state = engine.applicant_returned(pt, self.state)
            self.case["status"] = self.state.status.value
            self._open(pt.step(self.state.step_id), now)
            self._counter(now, set())
        clerk = g.users[g.office.applicant_recorded_by]
        self._number(
            g.office.registration_book,
            now,
            self.case,
            "reg_number",
            {"taken_by": clerk.id, "case_id": self.case["id"], "document_id": None,
             "subject": f"Permohonan {pt.name}", "addressee": self.p.applicant["name"]},
        )  # fmt: skip
        self.case["due_at"] = g.cal.add(now, g.totals[pt.code])
        self._back_office()

    def _counter(self, now: datetime, missing: set[str]) -> None:
        """The counter's leading steps, all at the same moment (as ``IntakeService`` does)."""
        pt = self.pt
        clerk = self.g.users[self.g.office.applicant_recorded_by]
        while self.state.status is CaseStatus.RUNNING:
            step = pt.step(self.state.step_id)
            if step.action not in COUNTER_ACTIONS:
                return
            note = None
            outcome = step.outcomes[0].code
            if step.action is Action.COMPLETENESS:
                back = next((o for o in step.outcomes if o.target == TARGET_APPLICANT), None)
                onward = next((o for o in step.outcomes if o.target != TARGET_APPLICANT), None)
                if missing and back is not None:
                    outcome = back.code
                    names = [r.name for r in pt.requirements if r.code in missing]
                    note = "Belum lengkap: " + "; ".join(names)
                else:
                    outcome = (onward or step.outcomes[0]).code
            self._close(outcome, note, now, clerk)

    def _stays_waiting(self, received: datetime) -> None:
        """The applicant never came back: the file waits, or is closed months later."""
        g = self.g
        closing = g.cal.after(received, 63 * DAY_MINUTES + self.rng.randint(0, 400))
        if closing <= g.until and self.rng.random() < P_STALE_WITHDRAWN:
            self.state = engine.withdraw(self.state)
            self.case.update(status=self.state.status.value, closed_at=closing)

    def _choose(self, step: Step, now: datetime) -> tuple[str, str | None, datetime | None]:
        """The outcome taken at ``step``, its note, and when the applicant returns (if sent back)."""
        rng = self.rng
        onward = next(o for o in step.outcomes if not o.needs_note and o.target != TARGET_APPLICANT)
        if step.action is Action.VERIFICATION and rng.random() < P_VERIFY_RETURN:
            back = next((o for o in step.outcomes if o.target == TARGET_APPLICANT), None)
            returns = self.g.cal.after(now, rng.randint(2, 10) * DAY_MINUTES + rng.randint(0, 300))
            # A file still with the applicant at --until would need its stored receipt when it
            # comes back (generated history stores none): such files are verified instead.
            if back is not None and returns <= self.g.until:
                return back.code, rng.choice(VERIFY_NOTES), returns
        if step.action is Action.RECOMMENDATION and rng.random() < P_REJECTED:
            reject = next((o for o in step.outcomes if o.code == "tolak"), None)
            if reject is not None:
                return reject.code, rng.choice(REJECTION_REASONS), None
        if step.action is Action.PARAF and not self.returned_once and rng.random() < P_PARAF_RETURN:
            back = step.outcome("kembalikan")
            if back is not None:
                self.returned_once = True
                return back.code, rng.choice(RETURN_NOTES), None
        return onward.code, None, None

    def _back_office(self) -> None:
        g, pt, rng = self.g, self.pt, self.rng
        withdraw_at = rng.randint(0, 6) if rng.random() < P_WITHDRAWN else -1
        steps_done = 0
        while self.state.status is CaseStatus.RUNNING:
            record = self.record
            assert record is not None
            step = pt.step(self.state.step_id)
            user = self._user(step)
            started = record["started_at"]
            delay = g._delay(step, rng)
            done = g.cal.after(started, delay)
            if steps_done == withdraw_at:
                when = g.cal.after(started, max(1, delay // 2))
                if when <= g.until:
                    self._withdraw(when)
                else:
                    self._still_open(step)
                return
            if done > g.until:
                self._still_open(step)
                return
            outcome, note, returns = self._choose(step, done)
            self._effects(step, outcome, note, done, user)
            transition = self._close(outcome, note, done, user)
            steps_done += 1
            if transition.returned_to_applicant and returns is not None:
                self.state = engine.applicant_returned(pt, self.state)
                self.case["status"] = self.state.status.value
                self._open(pt.step(self.state.step_id), returns)

    def _withdraw(self, when: datetime) -> None:
        record = self.record
        assert record is not None
        clerk = self.g.users[self.g.office.applicant_recorded_by]
        reason = self.rng.choice(WITHDRAW_REASONS)
        record.update(
            done_at=when,
            done_by=clerk.id,
            outcome="ditarik",
            note=reason,
            late_minutes=self.g.cal.late_minutes(record["due_at"], when),
        )
        self.state = engine.withdraw(self.state)
        self.case.update(status=self.state.status.value, closed_at=when)
        self.record = None

    def _effects(
        self, step: Step, outcome: str, note: str | None, now: datetime, user: Actor
    ) -> None:
        """What the step's handler in ``services.casework`` records besides the step itself."""
        g, pt = self.g, self.pt
        record = self.record
        assert record is not None
        action = step.action
        if action is Action.DISPOSITION:
            to = [
                g.office.role_name(pt.step(o.target).actor)
                for o in step.outcomes
                if not o.target.startswith("@")
            ][:1]
            record["data"] = {"to": to, "instructions": ["Proses lebih lanjut"], "sifat": "Segera"}
        elif action is Action.RECOMMENDATION_REQUEST:
            kind = "permintaan_rekomendasi"
            doc = self._document(kind, "Surat Permintaan Rekomendasi", now)
            doc["status"] = "final"
            record["data"] = {"kepada": "Ketua Tim Teknis"}
            self._letter_number("surat_keluar", now, doc, user,
                                f"Permohonan rekomendasi teknis {pt.name}", "Ketua Tim Teknis")  # fmt: skip
        elif action is Action.INSPECTION:
            record["data"] = {"tanggal": now.date().isoformat(), "lokasi": self.case["field_values"].get("alamat_lembaga", "-"),
                              "kesimpulan": "Lembaga memenuhi persyaratan teknis."}  # fmt: skip
        elif action is Action.RECOMMENDATION:
            record["data"] = {"keputusan": outcome, "alasan": note or ""}
            values = dict(self.case["field_values"])
            values.update(_rekomendasi=outcome, _alasan=note or "")
            self.case["field_values"] = values
        elif action is Action.DRAFT:
            kind = step.document.value if step.document else DocumentKind.PERMIT.value
            doc = self.docs.get(kind)
            if doc is None or doc["status"] == "final":
                wording = pt.wording
                title = (
                    wording.permit_title
                    if kind == DocumentKind.PERMIT.value
                    else wording.rejection_subject
                )
                doc = self._document(kind, title, now)
            self.draft_count[doc["id"]] = self.draft_count.get(doc["id"], 0) + 1
            self.draft_author[doc["id"]] = user.id
            self.drafts[doc["id"]] = []
            rank = g.office.roles.get(step.actor)
            if rank is not None and rank.rank > 0:
                self.drafts[doc["id"]].append((step.actor, user.id, now))
            record["data"] = {"document_id": doc["id"], "version": self.draft_count[doc["id"]]}
        elif action is Action.PARAF:
            doc = self.docs[step.document.value]  # type: ignore[union-attr]
            if outcome == "paraf":
                self.drafts[doc["id"]].append((step.actor, user.id, now))
            record["data"] = {"document_id": doc["id"], "version": self.draft_count[doc["id"]],
                              "aksi": "kembalikan" if outcome == "kembalikan" else "paraf"}  # fmt: skip
        elif action is Action.SIGN:
            doc = self.docs[step.document.value]  # type: ignore[union-attr]
            if outcome != "kembalikan":
                doc.update(signed_by=user.id, signed_at=now, sign_mode="basah")
                record["data"] = {"document_id": doc["id"], "mode": "basah"}
        elif action is Action.NUMBER:
            kind = step.document
            doc = self.docs[kind.value]  # type: ignore[union-attr]
            book = step.book or (
                pt.numbering.book if kind is DocumentKind.PERMIT else "surat_keluar"
            )
            doc["status"] = "final"
            record["data"] = {"document_id": doc["id"]}
            self._letter_number(book, now, doc, user, doc["title"], self.p.applicant["name"])
            if kind is DocumentKind.PERMIT:
                self.p.permit_doc = doc
        elif action is Action.DELIVERY:
            doc = self.docs[step.document.value]  # type: ignore[union-attr]
            entry = {
                "id": g._next_id("expedition_entry"),
                "case_id": self.case["id"],
                "document_id": doc["id"],
                "number": None,
                "title": doc["title"],
                "sent_at": now,
                "sent_by": user.id,
                "recipient_name": None,
                "received_at": None,
                "note": "Diambil di loket",
            }
            self.p.expeditions.append((entry, doc))
            record["data"] = {"document_id": doc["id"], "cara": "Diambil di loket"}
        elif action is Action.HANDOVER:
            doc = self.docs[step.document.value]  # type: ignore[union-attr]
            for entry, delivered in self.p.expeditions:
                if delivered is doc:
                    entry.update(recipient_name=self.p.applicant["name"], received_at=now)
            record["data"] = {"document_id": doc["id"], "penerima": self.p.applicant["name"]}

    def _letter_number(
        self,
        book: str,
        now: datetime,
        doc: dict[str, Any],
        user: Actor,
        subject: str,
        addressee: str,
    ) -> None:
        agenda = {"taken_by": user.id, "case_id": self.case["id"], "document_id": doc["id"],
                  "subject": subject, "addressee": addressee}  # fmt: skip
        if self.rng.random() < P_VOID:
            # A spoiled number: taken just before the right one, voided, kept in the book.
            self._number(book, now, None, "", agenda, voided=True)
        self._number(book, now, doc, "number", agenda)

    def _still_open(self, step: Step) -> None:
        """Open at ``--until``: a letter in its paraf chain needs its draft to carry on."""
        if step.document is None or step.action not in (Action.PARAF, Action.SIGN, Action.NUMBER):
            return
        doc = self.docs.get(step.document.value)
        if doc is None or doc["status"] == "final":
            return
        values = self._wording_values()
        template = (
            self.pt.wording.permit_body
            if doc["kind"] == DocumentKind.PERMIT.value
            else self.pt.wording.rejection_body
        )
        version_id = self.g._next_id("document_version")
        author = self.draft_author.get(doc["id"], self.case["created_by"])
        self.p.versions.append(
            {
                "id": version_id,
                "document_id": doc["id"],
                "version": self.draft_count.get(doc["id"], 1),
                "body": {"kind": doc["kind"], "body": fill(template, values).strip("\n")},
                "pdf": b"",
                "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "final": False,
                "created_at": doc["created_at"],
                "created_by": author,
            }
        )
        for role, user_id, at in self.drafts.get(doc["id"], []):
            self.p.parafs.append(
                {
                    "id": self.g._next_id("paraf"),
                    "document_version_id": version_id,
                    "user_id": user_id,
                    "role": role,
                    "action": "paraf",
                    "note": None,
                    "at": at,
                }
            )

    def _wording_values(self) -> dict[str, Any]:
        """As ``DocumentService._wording_values``; the registration number is filled at flush."""
        from desktop_perizinan.documents.dates import format_date

        profile = self.g.profile
        applicant = self.p.applicant
        values: dict[str, Any] = {
            f.key: self.case["field_values"].get(f.key, "") for f in self.pt.fields
        }
        values.update(
            nama_pemohon=applicant["name"],
            nik_pemohon=applicant["nik"],
            alamat_pemohon=applicant["address"] or "-",
            telepon_pemohon=applicant["phone"] or "-",
            nomor_registrasi="{nomor_registrasi}",
            tanggal_permohonan=format_date(self.case["received_at"].date()),
            jenis_izin=self.pt.name,
            nama_kantor=profile.office_name.title(),
            kabupaten=profile.regency.title(),
            alasan=self.case["field_values"].get("_alasan") or "-",
        )
        return values


# ------------------------------------------------------------------------------ entry points


def office_users(services: Services) -> dict[str, Actor]:
    """The users by role: the demo office's, created when the database has none."""
    with services.db.reading() as session:
        users = list(session.scalars(select(User).order_by(User.id)))
        by_role: dict[str, Actor] = {}
        for user in users:
            actor = actor_of(user)
            for role in actor.roles:
                by_role.setdefault(role, actor)
    if not users:
        return create_demo_users(services)
    return by_role


def generate(
    url: str,
    *,
    cases: int,
    seed: int = 1,
    start: datetime = datetime(2017, 1, 2, 7, 30),
    until: datetime | None = None,
    chunk: int = 2000,
    forms_dir: Path = DEFAULT_FORMS_DIR,
    progress: Callable[[str], None] = log,
) -> Summary:
    """Fill the (empty) database at ``url`` with ``cases`` simulated cases; see the module doc."""
    if until is None:
        until = datetime.now().replace(second=0, microsecond=0)
    if until <= start:
        raise ValueError("--until harus setelah --start")
    services = Services.open(url, forms_dir, clock=lambda: start)
    try:
        users = office_users(services)
        missing = {"front_office", "backoffice", "tim_teknis", "kabid", "sekretaris", "kadis",
                   "ksb_umum", "admin"} - users.keys()  # fmt: skip
        if missing:
            raise RuntimeError(f"tidak ada pengguna untuk peran: {', '.join(sorted(missing))}")
        generator = Generator(
            services, users, cases=cases, seed=seed, start=start, until=until, chunk=chunk,
            progress=progress,
        )  # fmt: skip
        summary = generator.run()
        with services.db.transaction() as session:
            audit.append(
                session,
                SYSTEM,
                "data.generate",
                at=until,
                permohonan=summary.cases,
                benih=seed,
                rentang=f"{start:%Y-%m-%d} s.d. {until:%Y-%m-%d %H:%M}",
                catatan="Riwayat dibuat oleh bench/generate.py: tanpa entri audit per langkah, "
                "tanpa PDF dan lampiran.",
            )
        return summary
    finally:
        services.close()


def _parse_when(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"tanggal/waktu tidak terbaca: {text!r} (contoh 2026-11-20 16:00)"
        ) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        required=True,
        help="SQLAlchemy URL of an empty database (sqlite:///file or postgresql+psycopg://...)",
    )
    parser.add_argument(
        "--cases", type=int, default=200_000, help="number of cases (default 200000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    parser.add_argument(
        "--start",
        type=_parse_when,
        default=datetime(2017, 1, 2, 7, 30),
        help="first day (default 2017-01-02)",
    )
    parser.add_argument(
        "--until",
        type=_parse_when,
        default=None,
        help="the moment the history stops (default: now)",
    )
    parser.add_argument(
        "--chunk", type=int, default=2000, help="cases per transaction (default 2000)"
    )
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases harus paling sedikit 1")
    log(f"generate: {args.cases} permohonan ke {_common.describe_url(args.db)} (seed {args.seed})")
    try:
        summary = generate(
            args.db,
            cases=args.cases,
            seed=args.seed,
            start=args.start,
            until=args.until,
            chunk=args.chunk,
        )
    except DatabaseNotEmpty as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    print_summary(summary, args.db)
    return 0


def print_summary(summary: Summary, url: str) -> None:
    s = summary
    print(f"Basis data: {_common.describe_url(url)}")
    print(
        f"Waktu: {s.seconds:.1f} s (CPU proses ini {s.cpu_seconds:.1f} s; simulasi "
        f"{s.simulate_seconds:.1f} s, insert {s.insert_seconds:.1f} s), "
        f"{s.rows / max(s.seconds, 1e-9):,.0f} baris/s"
    )
    _common.print_table(
        ("tabel", "baris"),
        [
            ("permohonan", s.cases),
            ("applicant", s.applicants),
            ("step_record", s.step_records),
            ("requirement_check", s.requirement_checks),
            ("agenda_entry", f"{s.agenda_entries} ({s.voided_numbers} dibatalkan)"),
            ("document (tanpa PDF)", s.documents),
            ("document_version (draf terbuka)", s.document_versions),
            ("expedition_entry", s.expedition_entries),
        ],
    )
    print("Status: " + ", ".join(f"{k} {v}" for k, v in sorted(s.by_status.items())))
    print("Jenis: " + ", ".join(f"{k} {v}" for k, v in sorted(s.by_type.items())))
    late = s.late_steps / max(1, s.step_records)
    print(f"Langkah terlambat: {s.late_steps} ({late:.1%})")
    print("Nomor terakhir: " + "; ".join(f"{k} {v}" for k, v in sorted(s.last_numbers.items())))


if __name__ == "__main__":
    sys.exit(main())
