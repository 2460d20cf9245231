"""A COMMIT whose answer is lost on the wire (power cut, LAN cable) is looked up, not guessed.

The app talks to the session's PostgreSQL through :class:`wire_cut.WireCut`, a real TCP relay
that cuts the connection exactly at the COMMIT message: after relaying it (the server commits,
its answer never arrives) or before (the server rolls back). What the clerk is told must be
true: a saved application is confirmed with its number (so she prints the resi and does not
type it in again), an unsaved one is reported as not saved, and one the server cannot speak
for yet is reported as uncertain. Nothing in the app is patched.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lan_support import (
    KESENIAN,
    cases_at_number_step,
    counts,
    intake_request,
    nik,
    office_problems,
    open_office,
    stored_cases,
)
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from wire_cut import WireCut

from desktop_perizinan.db import commit_outcome
from desktop_perizinan.db.engine import UNKNOWN_OUTCOME, Database
from desktop_perizinan.db.errors import LOST_CONNECTION
from desktop_perizinan.db.models import AgendaEntry
from desktop_perizinan.errors import DatabaseError
from desktop_perizinan.services.casework import ActRequest

pytestmark = pytest.mark.pg


@pytest.fixture
def relay(pg_url: str) -> Iterator[tuple[WireCut, str]]:
    """The relay, and the office URL that goes through it."""
    direct = make_url(pg_url)
    with WireCut((direct.host or "127.0.0.1", direct.port or 5432)) as cut:
        yield cut, direct.set(port=cut.port).render_as_string(hide_password=False)


@pytest.fixture
def office(relay: tuple[WireCut, str], pg_url: str) -> Iterator[tuple]:
    """The relay, the direct URL (what the tests check with), the app's Services through the
    relay and its counter clerk."""
    cut, url = relay
    services, users = open_office(url, everyone=False)
    try:
        yield cut, pg_url, services, users["front_office"]
    finally:
        services.close()


def submit(services, clerk, index: int):
    return services.intake.submit(
        clerk, intake_request(services, KESENIAN, nik(70, index), f"Pemohon Kabel {index}")
    )


def test_a_commit_that_took_effect_is_confirmed_to_the_clerk(office) -> None:
    cut, url, services, clerk = office
    submit(services, clerk, 0)
    before = counts(url)

    cut.arm("after")
    result = submit(services, clerk, 1)  # the answer to COMMIT never arrives

    assert cut.cuts == 1
    assert stored_cases(url)[result.case_id] == result.reg_number
    assert result.reg_number is not None and result.reg_number.endswith("/00002")
    assert counts(url)["cases"] == before["cases"] + 1
    # The same pool carries on, and the book has no hole and no twin.
    assert submit(services, clerk, 2).reg_number.endswith("/00003")
    assert office_problems(url) == []


def test_a_commit_that_never_reached_the_server_is_reported_as_not_saved(office) -> None:
    cut, url, services, clerk = office
    submit(services, clerk, 0)
    before = counts(url)

    cut.arm("before")
    with pytest.raises(DatabaseError) as caught:
        submit(services, clerk, 1)

    assert caught.value.message.startswith(LOST_CONNECTION)
    assert "tidak tersimpan" in caught.value.message
    assert counts(url) == before
    assert submit(services, clerk, 2).reg_number.endswith("/00002")
    assert office_problems(url) == []


def test_an_outcome_the_server_cannot_tell_in_time_is_reported_as_uncertain(office) -> None:
    cut, url, services, clerk = office
    submit(services, clerk, 0)
    services.db.commit_check_s = 1.0
    cut.arm("after", then_refuse_s=3.0)  # the server "stays down" longer than the clerk waits

    with pytest.raises(DatabaseError) as caught:
        submit(services, clerk, 1)

    message = caught.value.message
    assert message.startswith(UNKNOWN_OUTCOME) and "belum dapat dipastikan" in message
    assert "tidak tersimpan sama sekali" not in message  # that would be a lie here
    assert len(stored_cases(url)) == 2  # it was saved: the message told her to look first
    assert office_problems(url) == []


def test_a_number_whose_commit_answer_was_lost_is_in_the_book_once(relay, pg_url: str) -> None:
    """A casework step that takes a letter number: the cut lands on the first COMMIT of the
    step (its number's own short transaction), and the step still ends with that number,
    printed once in the book."""
    cut, via = relay
    url = pg_url
    services, users = open_office(via)
    try:
        (step_id,) = cases_at_number_step(services, users, 1)
        agenda_before = counts(url)["agenda"]

        cut.arm("after")
        result = services.work.act(users["front_office"], ActRequest(step_id, "dinomori"))
    finally:
        services.close()

    numbers = [d.number for d in result.documents if d.number]
    assert cut.cuts == 1 and len(numbers) == 1
    db = Database(url)
    try:
        with db.reading() as session:
            lines = session.scalar(select(func.count()).where(AgendaEntry.number == numbers[0]))
    finally:
        db.dispose()
    assert lines == 1
    assert counts(url)["agenda"] == agenda_before + 1
    assert office_problems(url) == []


def test_the_transaction_id_comes_with_begin_in_one_message(pg_url: str) -> None:
    """No round trip is added for the id: psycopg sends no BEGIN of its own afterwards (a
    second BEGIN would make the server warn "there is already a transaction in progress")."""
    db = Database(pg_url)
    notices: list[str] = []
    try:
        with db.transaction() as session:
            dbapi = session.connection().connection.dbapi_connection
            dbapi.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
            current = session.execute(text("SELECT pg_current_xact_id()")).scalar_one()
            assert int(str(current)) == session.info[commit_outcome.XID_KEY]
        with db.transaction() as session:  # the next one, on the same pooled connection
            assert session.connection().connection.dbapi_connection is dbapi
            current = session.execute(text("SELECT pg_current_xact_id()")).scalar_one()
            assert int(str(current)) == session.info[commit_outcome.XID_KEY]
    finally:
        db.dispose()
    assert notices == []
