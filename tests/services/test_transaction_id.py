"""Each ``Database.transaction()`` on PostgreSQL learns its transaction id with its BEGIN
(``db/commit_outcome.py``): in the same message whatever the connection's settings, never
twice for a savepoint, and a server that refuses an id is reported as what it is.

Real server; the id query is watched with SQLAlchemy's own statement events, which see only
what goes through SQLAlchemy (the id sent with BEGIN does not).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from desktop_perizinan.db import commit_outcome
from desktop_perizinan.db.engine import Database
from desktop_perizinan.errors import DatabaseError

pytestmark = pytest.mark.pg


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url)
    yield database
    database.dispose()


@pytest.fixture
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    yield seen
    event.remove(db.engine, "before_cursor_execute", listen)


def test_a_savepoint_asks_for_no_id_of_its_own(db: Database, statements: list[str]) -> None:
    with db.transaction() as session:
        session.execute(text("SELECT 1"))
        top = session.info[commit_outcome.XID_KEY]
        with session.begin_nested():
            session.execute(text("SELECT 2"))
        assert session.info[commit_outcome.XID_KEY] == top
    assert not [s for s in statements if "xact_id" in s]


def test_an_isolation_level_goes_into_the_same_begin(db: Database, statements: list[str]) -> None:
    with db.transaction() as session:
        connection = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        level = connection.execute(text("SHOW transaction_isolation")).scalar_one()
        xid = connection.execute(text("SELECT pg_current_xact_id()")).scalar_one()
        assert int(str(xid)) == session.info[commit_outcome.XID_KEY]
    assert level == "repeatable read"
    assert [s for s in statements if "xact_id" in s] == ["SELECT pg_current_xact_id()"]  # ours


def test_a_server_that_refuses_an_id_gets_its_own_sentence(pg_url: str) -> None:
    """A standby (or a server in recovery) refuses transaction ids. The BEGIN that went through
    with the refused id query is rolled back, so the clerk reads what the server said, not
    "current transaction is aborted" from a second statement."""
    name = make_url(pg_url).database
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE SCHEMA standby"))
        connection.execute(
            text(
                "CREATE FUNCTION standby.pg_current_xact_id() RETURNS xid8 LANGUAGE plpgsql "
                "AS $$ BEGIN RAISE EXCEPTION 'cannot assign TransactionIds during recovery' "
                "USING ERRCODE = '25000'; END $$"
            )
        )
        connection.execute(
            text(f'ALTER DATABASE "{name}" SET search_path = standby, pg_catalog, public')
        )
    admin.dispose()
    db = Database(pg_url)
    try:
        with pytest.raises(DatabaseError) as caught, db.transaction() as session:
            session.execute(text("SELECT 1"))
        assert caught.value.message.startswith("Server basis data hanya menerima pembacaan")
        with db.reading() as session:  # reading needs no id and still works
            assert session.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        db.dispose()
