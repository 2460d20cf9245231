"""The office-scale generator at a tiny scale: the database it leaves is one the app accepts.

Checked on SQLite and PostgreSQL (``db_url``): gapless books whose counters equal their last
number, step times equal to the office calendar's, valid and reused NIKs, the queries the
screens run, a new intake continuing the registration numbering, open and waiting cases that
the back office and the counter can carry on, and an audit chain that verifies.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from generate import DatabaseNotEmpty, FastCalendar, generate
from sqlalchemy import func, select

from desktop_perizinan.db.models import (
    AgendaEntry,
    Applicant,
    Case,
    Document,
    ExpeditionEntry,
    NumberBook,
    NumberCounter,
    StepRecord,
    User,
)
from desktop_perizinan.services import audit
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import DEMO_APPLICANTS, CaseDriver, SteppingClock
from desktop_perizinan.services.users import actor_of
from desktop_perizinan.workflow.calendar import WorkCalendar
from desktop_perizinan.workflow.definition import CaseStatus
from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.loader import load_forms
from desktop_perizinan.workflow.paths import service_total
from desktop_perizinan.workflow.placeholders import format_number
from desktop_perizinan.workflow.validators import parse_nik

FORMS = Path(__file__).resolve().parents[2] / "forms"
# Two calendar years, so the yearly books restart; dense enough to leave open and waiting files.
START = datetime(2025, 6, 2, 7, 30)
UNTIL = datetime(2026, 11, 20, 15, 0)  # a Friday afternoon
AFTER = datetime(2026, 11, 23, 8, 0)  # the next Monday morning
CASES = 300


def test_fast_calendar_equals_the_office_calendar() -> None:
    """The generator's tabulated calendar gives the application's due times and lateness."""
    forms = load_forms(FORMS)
    assert forms.office is not None
    calendar = WorkCalendar.from_office(forms.office)
    fast = FastCalendar(calendar, datetime(2016, 12, 1).date(), datetime(2028, 12, 31).date())
    durations = {s.time for pt in forms.types.values() for s in pt.steps}
    durations |= {service_total(pt) for pt in forms.types.values()}
    durations |= {Duration(0, 0), Duration(1, 0), Duration(0, 510), Duration(0, 511)}
    rng = random.Random(7)
    base = datetime(2017, 1, 1)
    for _ in range(4000):
        # Any minute of any day, with extra weight on the edges of the office day.
        day = base + timedelta(days=rng.randrange(0, 10 * 366))
        minute = rng.choice((rng.randrange(0, 1440), 450, 449, 960, 990, 959, 989))
        start = day + timedelta(minutes=minute)
        duration = rng.choice(sorted(durations))
        assert fast.add(start, duration) == calendar.add(start, duration), (start, duration)
        other = start + timedelta(minutes=rng.randrange(-20000, 20000))
        assert fast.late_minutes(start, other) == calendar.late_minutes(start, other), (
            start,
            other,
        )


@pytest.fixture
def generated(db_url: str) -> str:
    summary = generate(
        db_url, cases=CASES, seed=2, start=START, until=UNTIL, progress=lambda _: None
    )
    assert summary.cases == CASES
    return db_url


def _users(services: Services) -> dict[str, object]:
    with services.db.reading() as session:
        by_role = {}
        for user in session.scalars(select(User).order_by(User.id)):
            actor = actor_of(user)
            for role in actor.roles:
                by_role.setdefault(role, actor)
        return by_role


def test_generated_office_is_consistent(generated: str) -> None:
    clock = SteppingClock(AFTER)
    services = Services.open(generated, FORMS, clock=clock)
    try:
        with services.db.reading() as session:
            # --- the mix: every ending, and files still open or waiting at --until
            statuses = Counter(session.scalars(select(Case.status)))
            for status in CaseStatus:
                assert statuses[status.value] > 0, (status, statuses)
            assert session.scalar(select(func.count()).select_from(Case)) == CASES
            # --- applicants: valid NIKs, some of them returning
            niks = list(session.scalars(select(Applicant.nik)))
            assert 0 < len(niks) < CASES
            for nik in niks:
                parse_nik(nik)
            # --- the books: gapless per year, counters equal to the last number
            books = {b.id: b for b in session.scalars(select(NumberBook))}
            counters = {(c.book_id, c.year): c.last for c in session.scalars(select(NumberCounter))}
            entries = session.scalars(select(AgendaEntry).order_by(AgendaEntry.id)).all()
            by_book: dict[tuple[int, int], list[AgendaEntry]] = {}
            for entry in entries:
                by_book.setdefault((entry.book_id, entry.year), []).append(entry)
            assert set(by_book) == set(counters)
            years = {year for _, year in by_book if year}
            assert years == {2025, 2026}
            for key, rows in by_book.items():
                assert [r.seq for r in rows] == list(range(1, len(rows) + 1)), key
                assert counters[key] == len(rows)
                assert [r.taken_at for r in rows] == sorted(r.taken_at for r in rows), key
                book = books[key[0]]
                for row in rows:
                    assert row.number == format_number(book.pattern, row.seq, row.taken_at)
            assert any(e.voided and e.void_reason for e in entries) or len(entries) < 2000
            # --- every registration number is a line of the registration book
            registration = next(b.id for b in books.values() if b.code == "registrasi")
            lines = {e.number: e.case_id for e in entries if e.book_id == registration}
            cases = session.scalars(select(Case)).all()
            for case in cases:
                if case.reg_number is not None:
                    assert lines[case.reg_number] == case.id
                    assert case.due_at is not None
                    assert case.reg_number.lower() in case.search_text
            # --- the steps: times from the office calendar, one open step per running case
            records = session.scalars(select(StepRecord).order_by(StepRecord.id)).all()
            open_steps = Counter(r.case_id for r in records if r.done_at is None)
            for case in cases:
                expected = 1 if case.status == CaseStatus.RUNNING.value else 0
                assert open_steps[case.id] == expected, (case.id, case.status)
            calendar = services.calendar
            for record in records[:: max(1, len(records) // 600)]:
                pt = services.permit_type(
                    next(c.form_code for c in cases if c.id == record.case_id)
                )
                assert record.due_at == calendar.add(
                    record.started_at, pt.step(record.step_id).time
                )
                if record.done_at is not None:
                    assert record.done_at >= record.started_at
                    assert record.late_minutes == calendar.late_minutes(
                        record.due_at, record.done_at
                    )
            assert any((r.late_minutes or 0) > 0 for r in records)
            # --- the expedition book names the numbered letter it delivered
            for entry in session.scalars(select(ExpeditionEntry)):
                document = session.get(Document, entry.document_id)
                assert document is not None and document.number == entry.number
            some = cases[CASES // 2]
            some_id, some_nik, some_reg = some.id, some.applicant.nik, some.reg_number
            running = [c.id for c in cases if c.status == CaseStatus.RUNNING.value]
        # --- what the screens ask
        users = _users(services)
        for actor in users.values():
            services.queries.tasks(actor)  # type: ignore[arg-type]
        assert services.queries.tasks(users["front_office"]) or services.queries.tasks(  # type: ignore[arg-type]
            users["backoffice"]  # type: ignore[arg-type]
        )
        assert services.queries.search("")
        found = services.queries.search(some_nik)
        assert some_id in {row.id for row in found}
        if some_reg:
            assert services.queries.find_by_number(some_reg) == some_id
        assert services.queries.waiting_for_applicant()
        services.queries.case(some_id)
        # --- a new intake continues the registration numbering of the year
        last = counters[(registration, 2026)]
        driver = CaseDriver(services, users, clock)  # type: ignore[arg-type]
        result = driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[0])
        assert result.reg_number == f"REG/2026/{last + 1:05d}"
        # --- open files carry on in the back office (a few: each step renders a PDF)
        for case_id in running[-3:]:
            assert driver.run(case_id) in (CaseStatus.ISSUED, CaseStatus.REJECTED)
        # --- a file waiting for the applicant is completed at the counter
        waiting = services.queries.waiting_for_applicant()[0]
        view = services.queries.case(waiting.id)
        brought = frozenset(code for code, _name, present in view.requirements if not present)
        back = services.intake.complete_return(users["front_office"], waiting.id, brought)  # type: ignore[arg-type]
        assert back.complete and back.reg_number == f"REG/2026/{last + 2:05d}"
        with services.db.reading() as session:
            assert audit.verify_chain(session).ok
    finally:
        services.close()


def test_generator_refuses_a_database_that_has_cases(generated: str) -> None:
    with pytest.raises(DatabaseNotEmpty):
        generate(generated, cases=5, start=START, until=UNTIL, progress=lambda _: None)
