"""Engines and sessions for the two deployments: embedded SQLite and an office PostgreSQL.

SQLite runs in WAL mode with ``synchronous=NORMAL`` and every transaction starts with
``BEGIN IMMEDIATE``: the write lock is taken up front, so two clerks numbering at once queue
instead of failing half-way with "database is locked" on the lock upgrade. PostgreSQL runs
at READ COMMITTED; the places that must serialise (number counters, the audit head) lock
their row with ``SELECT ... FOR UPDATE``.
"""

from __future__ import annotations

import os
import select
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from desktop_perizinan import paths
from desktop_perizinan.db import commit_outcome
from desktop_perizinan.errors import DatabaseError
from desktop_perizinan.paths import ENV_DB_URL as ENV_URL
from desktop_perizinan.paths import default_sqlite_path

#: The start of the message for a COMMIT whose outcome the server could not tell in time.
UNKNOWN_OUTCOME = "Koneksi ke server basis data terputus tepat saat menyimpan"

#: Kept under its old name for callers that import it from here.
is_network_path = paths.is_network_path


def resolve_url(cli_url: str | None = None) -> str:
    """``--db URL``, else ``PERIZINAN_DB_URL``, else this PC's configuration (chosen in the
    first-run wizard), else the SQLite file in the data folder."""
    if cli_url:
        return cli_url
    env = os.environ.get(ENV_URL)
    if env:
        return env
    from desktop_perizinan.local_config import configured_url

    configured = configured_url()
    if configured:
        return configured
    path = default_sqlite_path()
    return f"sqlite:///{path}"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """An engine configured for this application; refuses SQLite on a network share."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            if paths.is_network_path(path.parent if not path.exists() else path):
                raise DatabaseError(
                    f"Basis data SQLite tidak boleh diletakkan di folder jaringan ({path}): "
                    "SQLite rusak bila dibuka beberapa PC sekaligus. Untuk beberapa PC, "
                    "gunakan server PostgreSQL kantor; untuk satu PC, simpan di disk lokal."
                )
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(
            parsed,
            pool_size=pool_size,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": 10,
                "application_name": "perizinan",
                # A pulled cable or a server PC without power sends nothing: without these a
                # statement or COMMIT would wait for TCP's own timeout (about 15 minutes)
                # before the clerk hears anything (see db/commit_outcome.py).
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 3,
                "keepalives_count": 3,
                "tcp_user_timeout": 15000,
            },
        )
        engine.dialect.do_ping = _ping_unless_just_used  # type: ignore[method-assign]
        event.listen(engine, "checkin", _note_checkin)
        return engine
    raise DatabaseError(
        f"Jenis basis data '{backend}' tidak didukung. Gunakan SQLite atau PostgreSQL."
    )


#: A connection handed back to the pool less than this long ago is not pinged again (seconds).
RECENTLY_USED_S = 1.0
#: When each pooled psycopg connection was last handed back, healthy (weakly held).
_CHECKED_IN: weakref.WeakKeyDictionary[object, float] = weakref.WeakKeyDictionary()


def _note_checkin(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Remember when a connection came back idle; one that failed is pinged as before (its
    socket is looked at on the next checkout, where it matters)."""
    if dbapi_connection is not None and _idle(dbapi_connection):
        _CHECKED_IN[dbapi_connection] = time.monotonic()


def _idle(dbapi_connection) -> bool:  # type: ignore[no-untyped-def]
    """libpq calls the connection open and outside a transaction (no round trip)."""
    from psycopg.pq import ConnStatus, TransactionStatus

    pgconn = dbapi_connection.pgconn
    return pgconn.status == ConnStatus.OK and pgconn.transaction_status == TransactionStatus.IDLE


def _idle_and_ok(dbapi_connection) -> bool:  # type: ignore[no-untyped-def]
    """The connection as seen from this side, without a round trip: idle (:func:`_idle`), and
    nothing waits to be read on its socket.

    An idle connection is never sent anything; a server that shuts down or kills the backend
    sends its FATAL message and closes the socket, which makes it readable at once: that case
    gets the real ping (and the pool's reconnect) as before.
    """
    if not _idle(dbapi_connection):
        return False
    try:
        readable, _, _ = select.select([dbapi_connection.pgconn.socket], [], [], 0)
    except Exception:  # a closed or broken socket: let the real ping decide
        return False
    return not readable


def _ping_unless_just_used(dbapi_connection) -> bool:  # type: ignore[no-untyped-def]
    """Pre-ping a pooled connection unless it finished a use case a moment ago.

    The ping is there for a connection that sat in the pool while the server restarted or the
    LAN dropped it: minutes, not milliseconds. A batch (signing a stack of letters, numbering,
    the benchmarks' eight clerks) checks the same connection out again within a millisecond of
    checking it in, and a round trip each time costs CPU and latency for nothing (issue 14).
    A server lost inside that second still fails the next statement, which the pool reports
    as a disconnect and replaces, and the clerk sees the usual sentence and tries again.
    """
    handed_back = _CHECKED_IN.pop(dbapi_connection, None)
    if (
        handed_back is not None
        and time.monotonic() - handed_back < RECENTLY_USED_S
        and _idle_and_ok(dbapi_connection)
    ):
        return True
    return _ping_without_transaction(dbapi_connection)


def _ping_without_transaction(dbapi_connection) -> bool:  # type: ignore[no-untyped-def]
    """Pre-ping in one round trip: an empty query straight on libpq (issue 14).

    The dialect's own ping runs ``;`` through a psycopg cursor, which first opens a transaction
    (BEGIN, the ping, later a ROLLBACK at check-in): three round trips before every use case.
    An empty query answers just as surely whether the server is there and opens nothing; a
    dead server raises the driver's OperationalError and the pool reconnects as before.
    """
    import psycopg

    result = dbapi_connection.pgconn.exec_(b"")
    if result.status != psycopg.pq.ExecStatus.EMPTY_QUERY:
        message = (result.error_message or b"").decode(errors="replace")
        raise psycopg.OperationalError(message or "ping gagal")
    return True


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # Readers (the lists on screen) must not queue behind writers: WAL lets them read.
        if conn.get_execution_options().get("read_only"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


class Database:
    """An engine and its session factory: what services receive (never a global)."""

    #: How long a use case whose COMMIT answer was lost waits to learn whether it took effect.
    commit_check_s: float = commit_outcome.RESOLVE_WITHIN_S

    def __init__(self, url: str) -> None:
        self.url = url
        self._description: str | None = None
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if is_postgresql(self.engine):
            event.listen(self.sessions, "after_begin", commit_outcome.note_transaction_id)
        self.read_sessions = sessionmaker(
            self.engine.execution_options(read_only=True), expire_on_commit=False
        )

    @property
    def is_postgresql(self) -> bool:
        return is_postgresql(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One use case, one transaction: commit on success, roll back on any error.

        A COMMIT whose answer was lost with the connection (PostgreSQL) is looked up before
        anything is said to the clerk (:mod:`commit_outcome`): if it took effect, the use case
        succeeded and returns as usual; if not, the usual "nothing saved" sentence is true."""
        from desktop_perizinan.db.errors import database_errors

        # A lost server or a locked file becomes a sentence, not a driver traceback.
        with database_errors(self.describe()), self.sessions() as session:
            session.begin()
            try:
                yield session
                session.flush()  # a refused row fails here, before the COMMIT
            except BaseException:
                session.rollback()
                raise
            self._commit(session)

    def _commit(self, session: Session) -> None:
        """COMMIT; one whose answer never came is looked up by its transaction id.

        When it took effect the session is only closed (by the caller's ``with``), not rolled
        back: what the use case returns stays as a commit leaves it (``expire_on_commit`` is
        off), where a rollback would expire it."""
        try:
            session.commit()
        except sa_exc.DBAPIError as exc:
            xid = session.info.get(commit_outcome.XID_KEY)
            outcome = (
                commit_outcome.lost_commit_took_effect(
                    self.engine, xid, within_s=self.commit_check_s
                )
                if xid is not None and exc.connection_invalidated
                else False
            )
            if outcome:
                return
            session.rollback()
            if outcome is None:
                raise DatabaseError(
                    f"{UNKNOWN_OUTCOME} ({self.describe()}): belum dapat dipastikan apakah "
                    "pekerjaan ini tersimpan. Setelah server menyala, periksa datanya (daftar "
                    "permohonan atau buku agenda) sebelum mengulang."
                ) from exc
            raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short session for queries; rolled back at the end."""
        from desktop_perizinan.db.errors import database_errors

        with database_errors(self.describe()), self.read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    def describe(self) -> str:
        """A short description for the status bar, without the password.

        Kept after the first call: every transaction passes it to ``database_errors``, and
        parsing the URL again each time was a tenth of a number's CPU (issue 14)."""
        if self._description is None:
            self._description = self._describe()
        return self._description

    def _describe(self) -> str:
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite":
            return f"SQLite {url.database}"
        return f"PostgreSQL {url.host}:{url.port or 5432}/{url.database}"

    def dispose(self) -> None:
        self.engine.dispose()
