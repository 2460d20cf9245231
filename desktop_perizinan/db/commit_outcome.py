"""Whether a PostgreSQL COMMIT whose reply never arrived took effect.

A server that loses power, or a LAN cable pulled, at the moment of COMMIT leaves the client
with a broken connection and no answer, while the server may already have made the
transaction durable. Telling the clerk "nothing was saved" then is wrong: she types the
application again and the office has two cases, the first with a registration number no resi
was ever printed for. PostgreSQL answers the question exactly (``pg_xact_status``, made for
this): each ``Database.transaction()`` learns its transaction id when it begins, and a COMMIT
lost on the wire is looked up by that id once the server answers again.

The id costs no extra round trip: psycopg opens a transaction by sending ``BEGIN`` on its own
before the first statement; here that same ``BEGIN`` (with the connection's isolation level,
read-only and deferrable settings) is sent together with the id query in one message, after
which psycopg sees the transaction open and sends nothing more. Where psycopg would send no
``BEGIN`` (autocommit, pipeline mode) or the message fails, the id is asked in a statement of
its own.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

#: Where a write session keeps its transaction id (``Session.info``).
XID_KEY = "perizinan.xid"
#: How long a use case waits for the server to say whether its lost COMMIT took effect (the
#: clerk sees the busy cursor): a server process restarted, or a LAN blip, is back within it;
#: a server PC rebooting is not, and the clerk is told the outcome is not known yet.
RESOLVE_WITHIN_S = 20.0
#: Between two attempts to ask a server that is not back yet.
RETRY_EVERY_S = 0.5


def _queries(connection: Connection) -> tuple[str, str]:
    """The id query and the status query for this server (xid8 functions from 13 on)."""
    version = connection.dialect.server_version_info or (0,)
    if version >= (13,):
        return "SELECT pg_current_xact_id()", "SELECT pg_xact_status(CAST(:xid AS xid8))"
    return "SELECT txid_current()", "SELECT txid_status(CAST(:xid AS bigint))"


def note_transaction_id(session: Session, transaction: SessionTransaction, connection: Any) -> None:
    """``after_begin`` of a write session: open the transaction and remember its id (a
    savepoint has its transaction's id already)."""
    if transaction.nested:
        return
    id_query, _ = _queries(connection)
    dbapi = connection.connection.dbapi_connection
    xid = _begin_with_id(dbapi, id_query)
    if xid is None:
        xid = int(connection.exec_driver_sql(id_query).scalar_one())
    session.info[XID_KEY] = xid


def _begin_with_id(dbapi: Any, id_query: str) -> int | None:
    """``BEGIN`` (as psycopg would send it) and the id query in one message straight on libpq;
    None where that cannot be done or failed, the transaction then left as it was found. The
    caller then asks in a statement of its own, through SQLAlchemy, which reports a lost or
    read-only server as it reports any error (raised here, it would bypass that)."""
    import psycopg
    from psycopg.pq import ExecStatus, TransactionStatus

    pgconn = dbapi.pgconn
    begin = _begin_command(dbapi)
    if begin is None or pgconn.transaction_status != TransactionStatus.IDLE:
        return None
    try:
        result = pgconn.exec_(begin + b"; " + id_query.encode())
    except psycopg.Error:
        return None  # a broken connection: the statement of its own reports it
    if result.status == ExecStatus.TUPLES_OK:
        return int(result.get_value(0, 0))
    if pgconn.transaction_status == TransactionStatus.INERROR:
        pgconn.exec_(b"ROLLBACK")  # BEGIN went through, the id did not: as before the message
    return None


def _begin_command(dbapi: Any) -> bytes | None:
    """psycopg's own start of a transaction for this connection, from its public settings
    (``psycopg.Connection._get_tx_start_command`` builds the same), or None where psycopg
    would not send one (autocommit, a pipeline)."""
    from psycopg import IsolationLevel

    if dbapi.autocommit or getattr(dbapi, "_pipeline", None) is not None:
        return None
    parts = [b"BEGIN"]
    if dbapi.isolation_level is not None:
        level = IsolationLevel(dbapi.isolation_level).name.replace("_", " ")
        parts.append(b"ISOLATION LEVEL " + level.encode())
    if dbapi.read_only is not None:
        parts.append(b"READ ONLY" if dbapi.read_only else b"READ WRITE")
    if dbapi.deferrable is not None:
        parts.append(b"DEFERRABLE" if dbapi.deferrable else b"NOT DEFERRABLE")
    return b" ".join(parts)


def lost_commit_took_effect(engine: Engine, xid: int, *, within_s: float) -> bool | None:
    """True if transaction ``xid`` committed, False if it did not (and never will), None if
    the server could not tell within ``within_s`` seconds (down, or the transaction still
    open on a server that has not noticed the lost connection yet)."""
    deadline = time.monotonic() + within_s
    while True:
        status = _status(engine, xid)
        if status in ("committed", "aborted"):
            log.warning("COMMIT tanpa jawaban: transaksi %s ternyata %s", xid, status)
            return status == "committed"
        if status == "unknown" or time.monotonic() >= deadline:
            log.warning("COMMIT tanpa jawaban: status transaksi %s belum diketahui", xid)
            return None
        time.sleep(RETRY_EVERY_S)


def _status(engine: Engine, xid: int) -> str:
    """``committed``, ``aborted``, ``in progress``, ``unreachable`` (not back yet: ask again)
    or ``unknown`` (the server answered but cannot tell: asking again will not help)."""
    try:
        with engine.connect() as connection:
            _, status_query = _queries(connection)
            status = connection.execute(text(status_query), {"xid": str(xid)}).scalar()
    except sa_exc.DBAPIError as exc:
        connecting = exc.statement is None
        return "unreachable" if connecting or exc.connection_invalidated else "unknown"
    return "unknown" if status is None else str(status)
