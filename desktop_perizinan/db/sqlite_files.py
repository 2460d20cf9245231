"""Opening SQLite files without changing them: for backups, verification and restores.

The application's own engine (``db.engine.make_engine``) switches every file it opens to WAL
and may create it; a backup file, a file handed to ``perizinan audit verify`` (perhaps another
application's) or a restore target must not be created or changed by merely looking.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro``) that cannot create or change the file."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


def open_live(path: Path) -> sqlite3.Connection:
    """A connection to the live database that cannot create it. Read-write although only
    read: a read-only connection to a WAL database leaves its -wal and -shm files behind,
    while the last read-write connection to close tidies them away."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


@contextmanager
def sqlite_engine(path: Path, *, live: bool = False) -> Iterator[Engine]:
    """A throwaway SQLAlchemy engine on a file, read-only (or live, see :func:`open_live`);
    neither can create the file."""
    opener = open_live if live else open_readonly
    engine = create_engine("sqlite://", creator=lambda: opener(path), poolclass=NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def reading_engine(url: str) -> Iterator[Engine]:
    """An engine only to read ``url``: SQLite read-only (no WAL switch, nothing written),
    PostgreSQL the application's usual engine."""
    from desktop_perizinan.db.engine import make_engine, sqlite_path

    path = sqlite_path(url)
    if path is not None:
        with sqlite_engine(path) as engine:
            yield engine
        return
    engine = make_engine(url, pool_size=1)
    try:
        yield engine
    finally:
        engine.dispose()
