"""The numbering statement on the driver's cursor keeps SQLAlchemy's meaning (issue 14).

Real PostgreSQL: a backend killed under the statement is a lost connection with its sentence
and a pool that reconnects; a failing statement is SQLAlchemy's error class; values are
converted as SQLAlchemy converts them; anyone listening to statements still sees it.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    bindparam,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy import exc as sa_exc

from desktop_perizinan.db import fast_statement
from desktop_perizinan.db.engine import Database
from desktop_perizinan.db.errors import LOST_CONNECTION
from desktop_perizinan.db.migrate import upgrade
from desktop_perizinan.errors import DatabaseError
from desktop_perizinan.services import numbering

WHEN = datetime(2026, 12, 7, 9, 30)
TYPED = select(
    bindparam("flag", type_=Boolean),
    bindparam("at", type_=DateTime),
    bindparam("n", type_=Integer) + 1,
)


@pytest.fixture
def office_db(pg_url: str):
    db = Database(pg_url)
    upgrade(db.engine)
    with db.transaction() as session:
        numbering.sync_book(session, "uji", "Buku uji", "UJI/{urut:03}/{tahun}", True)
    yield db
    db.dispose()


def take(db: Database) -> str:
    with db.transaction() as session:
        return numbering.take_number(session, "uji", when=WHEN, taken_by=None).number


@pytest.mark.pg
def test_a_backend_killed_under_the_statement_is_a_lost_connection_then_it_goes_on(
    office_db: Database, pg_url: str
) -> None:
    assert take(office_db) == "UJI/001/2026"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with pytest.raises(DatabaseError) as caught, office_db.transaction() as session:
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            numbering.take_number(session, "uji", when=WHEN, taken_by=None)
    finally:
        admin.dispose()
    assert caught.value.message.startswith(LOST_CONNECTION)
    assert isinstance(caught.value.__cause__, sa_exc.DBAPIError)
    assert caught.value.__cause__.connection_invalidated
    assert take(office_db) == "UJI/002/2026"  # nothing of the lost attempt, and no gap


@pytest.mark.pg
def test_a_failing_statement_is_sqlalchemys_error_and_the_use_case_rolls_back(
    office_db: Database,
) -> None:
    broken = select(func.no_such_function(bindparam("n", type_=Integer)))
    with pytest.raises(sa_exc.ProgrammingError) as caught, office_db.transaction() as session:
        fast_statement.first_row(session.connection(), broken, {"n": 1})
    assert not caught.value.connection_invalidated
    assert take(office_db) == "UJI/001/2026"


@pytest.mark.pg
def test_values_are_converted_as_sqlalchemy_converts_them(office_db: Database) -> None:
    params = {"flag": 1, "at": WHEN, "n": 41}
    with office_db.transaction() as session:
        direct = fast_statement.first_row(session.connection(), TYPED, params)
        usual = tuple(session.connection().execute(TYPED, params).one())
    assert direct == usual == (True, WHEN, 42)
    refused = {**params, "flag": "ya"}
    with pytest.raises(sa_exc.StatementError), office_db.transaction() as session:
        session.connection().execute(TYPED, refused)  # what SQLAlchemy says ...
    with pytest.raises(sa_exc.StatementError), office_db.transaction() as session:
        fast_statement.first_row(session.connection(), TYPED, refused)  # ... and the same here


@pytest.mark.pg
def test_a_listener_still_sees_the_numbering_statement(office_db: Database) -> None:
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement.lstrip()[:11])

    take(office_db)  # the direct path is compiled and warm
    event.listen(office_db.engine, "before_cursor_execute", listen)
    try:
        assert take(office_db) == "UJI/002/2026"
    finally:
        event.remove(office_db.engine, "before_cursor_execute", listen)
    assert "WITH bumped" in seen


def test_sqlite_goes_through_sqlalchemy_with_the_same_answer(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        with db.transaction() as session:
            row = fast_statement.first_row(
                session.connection(), TYPED, {"flag": True, "at": WHEN, "n": 1}
            )
    finally:
        db.dispose()
    assert row == (True, WHEN, 2)
