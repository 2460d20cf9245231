"""kill -9 in the middle of the work, on SQLite and on PostgreSQL.

A counter PC (a spawned process with its own ``Services``) is killed with SIGKILL — no
``finally``, no rollback, no goodbye to the server — at a chosen point inside a transaction
(paused there by a hook, so the kill always lands inside) or at random moments of a busy loop.
Afterwards: everything that was confirmed to the clerk is there, nothing half-done is (no case
without its steps and checks, no number taken and lost: every book gapless), the audit chain
verifies, and the next clerk carries on with the next number.
"""

from __future__ import annotations

import os
import random
import signal
import time

import pytest
from lan_support import (
    KESENIAN,
    SPAWN,
    cases_at_number_step,
    committed,
    counts,
    intake_request,
    nik,
    office_problems,
    open_office,
    stored_cases,
    victim_intakes,
    victim_numbering,
)
from sqlalchemy import select

from desktop_perizinan.db.engine import Database
from desktop_perizinan.db.models import AgendaEntry, NumberBook

pytestmark = pytest.mark.slow


def kill_when(ready, process, *, delay: float = 0.0) -> None:
    deadline = time.monotonic() + 180
    while not ready.wait(timeout=0.5):
        assert process.is_alive(), f"the victim died by itself (exit {process.exitcode})"
        assert time.monotonic() < deadline, "the victim never got there"
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.join(timeout=60)
    assert process.exitcode == -signal.SIGKILL


def book_numbers(url: str, code: str) -> list[str]:
    db = Database(url)
    try:
        with db.reading() as session:
            return list(
                session.scalars(
                    select(AgendaEntry.number)
                    .join(NumberBook, NumberBook.id == AgendaEntry.book_id)
                    .where(NumberBook.code == code)
                    .order_by(AgendaEntry.seq)
                )
            )
    finally:
        db.dispose()


@pytest.mark.parametrize(
    "pause",
    [
        pytest.param("intake", id="after-the-case-is-written"),
        pytest.param("number", id="after-the-number-is-taken"),
    ],
)
def test_kill_9_inside_an_intake(office, tmp_path, pause):
    url, services, users = office
    progress = tmp_path / "terkonfirmasi.txt"
    ready = SPAWN.Event()
    victim = SPAWN.Process(target=victim_intakes, args=(url, str(progress), pause, 3, ready))
    victim.start()
    kill_when(ready, victim)

    confirmed = committed(progress)
    assert len(confirmed) == 3
    stored = stored_cases(url)
    assert {int(case): reg for case, reg in confirmed} == stored  # all of it, nothing more
    assert counts(url)["agenda"] == 3
    assert office_problems(url) == []
    # The counter carries on: the next number follows, no gap, no lock left behind.
    result = services.intake.submit(
        users["front_office"], intake_request(services, KESENIAN, nik(9, 0), "Sesudah")
    )
    assert result.reg_number is not None and result.reg_number.endswith("/00004")
    assert office_problems(url) == []


def test_kill_9_at_random_moments_of_a_busy_counter(office, tmp_path):
    url, services, users = office
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    progress = tmp_path / "terkonfirmasi.txt"
    for _round in range(3):
        ready = SPAWN.Event()
        victim = SPAWN.Process(target=victim_intakes, args=(url, str(progress), "", -1, ready))
        victim.start()
        kill_when(ready, victim, delay=rng.uniform(0.05, 1.5))
        confirmed = {int(case): reg for case, reg in committed(progress)}
        stored = stored_cases(url)
        assert all(stored.get(case) == reg for case, reg in confirmed.items()), seed
        # The kill may land between a commit and its confirmation: at most one more case.
        assert 0 <= len(stored) - len(confirmed) <= 1, seed
        assert office_problems(url) == [], seed
        progress.write_text(
            "".join(f"{case}\t{reg}\n" for case, reg in stored.items()), encoding="utf-8"
        )
    services.intake.submit(
        users["front_office"], intake_request(services, KESENIAN, nik(9, 1), "Sesudah")
    )
    assert office_problems(url) == [], seed


@pytest.fixture
def full_office(db_url):
    services, users = open_office(db_url)
    yield db_url, services, users
    services.close()


def test_kill_9_while_numbering_a_permit(full_office, tmp_path):
    url, services, users = full_office
    step_ids = cases_at_number_step(services, users, 3)
    book = services.permit_type(KESENIAN).numbering.book
    progress = tmp_path / "terkonfirmasi.txt"
    ready = SPAWN.Event()
    victim = SPAWN.Process(target=victim_numbering, args=(url, str(progress), step_ids, 2, ready))
    victim.start()
    kill_when(ready, victim)

    numbered = [number for _step, number in committed(progress)]
    assert len(numbered) == 2
    assert book_numbers(url, book) == numbered  # the third number died with its transaction
    assert office_problems(url) == []
    # The third permit, numbered again by a colleague, takes number 3: no gap, no reuse.
    from desktop_perizinan.services.casework import ActRequest

    result = services.work.act(users["front_office"], ActRequest(step_ids[2], "dinomori"))
    third = next(d.number for d in result.documents if d.number)
    assert book_numbers(url, book) == [*numbered, third]
    assert int(third.split("/")[1]) == 3
    assert office_problems(url) == []
