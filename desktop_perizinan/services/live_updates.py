"""Change notification: tell a running app that some case changed, whoever changed it.

Every use case writes an audit entry in its own transaction, so "a new audit entry was
committed" is the one change marker that covers every writer (this app on any PC, the command
line, an import). How it is watched depends on the database:

* PostgreSQL: migration 0002 puts an AFTER INSERT trigger on ``audit_log`` that sends
  ``NOTIFY perizinan_cases, '<case id>'``; PostgreSQL delivers it when the writer commits.
  :class:`PgNotifyWatcher` runs one daemon thread with its own psycopg connection that
  ``LISTEN``\\s and calls back for each notification (reconnecting, and calling back with
  ``None`` after a reconnect, since something may have been missed meanwhile).
* SQLite (one PC, possibly several windows or processes): :class:`AuditPoller` compares
  ``max(audit_log.id)`` (a rowid look-up, microseconds) with the last value seen; the caller
  polls it on a timer.

No Qt here (the core imports without it): callbacks are plain callables. On PostgreSQL they run
on the listener thread; the UI adapter (``ui.common.live``) turns them into a Qt signal, which
Qt delivers on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.engine import make_url

from desktop_perizinan.db.engine import Database
from desktop_perizinan.db.models import AuditEntry
from desktop_perizinan.services.personal_data import READ_ACTIONS

CHANNEL = "perizinan_cases"  # migration 0002's trigger sends on this channel
#: Called with the changed case's id, or None when it is unknown (or something may be missed).
ChangeCallback = Callable[[int | None], None]

log = logging.getLogger(__name__)


class ChangeWatcher(Protocol):
    #: True when changes arrive by themselves (callback on a thread); False when ``poll`` must
    #: be called on a timer.
    pushes: bool

    def start(self, callback: ChangeCallback) -> None: ...

    def poll(self) -> bool: ...

    def stop(self) -> None: ...


def change_marker(db: Database) -> int:
    """The id of the newest audit entry that changed something: it grows with every
    committed use case. Read backwards from the newest row (a rowid walk that stops at the
    first match), not ``max`` over a filtered table."""
    with db.reading() as session:
        newest = session.scalar(
            select(AuditEntry.id)
            # Reads of personal data change nothing another window shows (migration 0004
            # skips them in the PostgreSQL trigger too).
            .where(AuditEntry.action.not_in(READ_ACTIONS))
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        return int(newest or 0)


class AuditPoller:
    """Polls :func:`change_marker`; ``poll()`` calls back once when it has moved."""

    pushes = False

    def __init__(self, db: Database) -> None:
        self._db = db
        self._callback: ChangeCallback | None = None
        self._last = 0

    def start(self, callback: ChangeCallback) -> None:
        self._callback = callback
        self._last = change_marker(self._db)

    def poll(self) -> bool:
        """Check once; True (and the callback called) when something changed since last time."""
        try:
            marker = change_marker(self._db)
        except Exception:  # a locked or vanished file must not kill the timer; try again later
            log.warning("Pemeriksaan perubahan data gagal", exc_info=True)
            return False
        if marker == self._last:
            return False
        self._last = marker
        if self._callback is not None:
            self._callback(None)
        return True

    def stop(self) -> None:
        self._callback = None


class PgNotifyWatcher:
    """A LISTEN thread with its own connection (see the module docstring)."""

    pushes = True

    def __init__(self, db: Database, *, channel: str = CHANNEL, retry_seconds: float = 5.0) -> None:
        url = make_url(db.url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._channel = channel
        self._retry = retry_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._callback: ChangeCallback | None = None
        self.listening = threading.Event()  # set while LISTEN is active (tests wait on it)

    def start(self, callback: ChangeCallback) -> None:
        if self._thread is not None:
            return
        self._callback = callback
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="perizinan-listen", daemon=True)
        self._thread.start()

    def poll(self) -> bool:
        return False

    def stop(self) -> None:
        self._stop.set()
        self._callback = None
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=3)

    def _run(self) -> None:
        import psycopg

        first = True
        self._failures = 0
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self._dsn,
                    autocommit=True,
                    connect_timeout=10,
                    application_name="perizinan-listen",
                ) as conn:
                    conn.execute(f'LISTEN "{self._channel}"')
                    self.listening.set()
                    self._failures = 0
                    if not first:
                        self._emit(None)
                    first = False
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._emit(int(note.payload) if note.payload.isdigit() else None)
            except Exception:
                log.warning(
                    "Koneksi pemberitahuan PostgreSQL terputus; mencoba lagi", exc_info=True
                )
            finally:
                self.listening.clear()
            self._stop.wait(self._retry)

    def _emit(self, case_id: int | None) -> None:
        callback = self._callback
        if callback is None:
            return
        try:
            callback(case_id)
        except Exception:  # a receiver's bug must not end the listener
            log.exception("Penerima pemberitahuan perubahan gagal")


def watcher_for(db: Database) -> ChangeWatcher:
    """The right watcher for the database: LISTEN/NOTIFY on PostgreSQL, polling on SQLite."""
    if db.is_postgresql:
        return PgNotifyWatcher(db)
    return AuditPoller(db)
