"""The PostgreSQL pool's pre-ping: skipped for a connection handed back a moment ago, never for
one the server has dropped (issue 14: a round trip per use case in a batch bought nothing).

Real server, real psycopg connections. The spy only counts calls to our own ping function, so
the tests can tell "no round trip" from "a round trip that happened to succeed".
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from desktop_perizinan.db import engine as engine_module
from desktop_perizinan.db.engine import Database

pytestmark = pytest.mark.pg


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    calls: list[object] = []
    real = engine_module._ping_without_transaction

    def counting(dbapi_connection):  # type: ignore[no-untyped-def]
        calls.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(engine_module, "_ping_without_transaction", counting)
    return calls


def backend_pid(db: Database) -> int:
    with db.transaction() as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_url: str, pings: list[object]) -> None:
    db = Database(pg_url)
    try:
        first = backend_pid(db)
        for _ in range(5):
            assert backend_pid(db) == first  # the same pooled connection every time
        assert pings == []
    finally:
        db.dispose()


def test_a_connection_idle_for_longer_is_pinged(
    pg_url: str, pings: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "RECENTLY_USED_S", 0.0)
    db = Database(pg_url)
    try:
        first = backend_pid(db)
        assert backend_pid(db) == first
        assert len(pings) == 1
    finally:
        db.dispose()


def test_a_backend_killed_right_after_use_is_replaced_without_an_error(
    pg_url: str, pings: list[object]
) -> None:
    """The server closing the socket makes it readable: the checkout pings, the ping fails,
    and the pool reconnects, so the clerk's next action simply works."""
    db = Database(pg_url)
    admin = Database(pg_url)
    try:
        victim = backend_pid(db)
        with admin.transaction() as session:
            killed = session.execute(text("SELECT pg_terminate_backend(:p, 5000)"), {"p": victim})
            assert killed.scalar_one() is True
        replacement = backend_pid(db)  # within the "moment ago" window, and no exception
        assert replacement != victim
        assert len(pings) == 1
    finally:
        db.dispose()
        admin.dispose()
