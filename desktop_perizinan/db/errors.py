"""Driver errors a clerk can do something about, turned into one clear Indonesian sentence.

SQLAlchemy and the drivers (psycopg, sqlite3) raise ``OperationalError`` and friends with an
English, multi-line text meant for programmers. Some of those are not bugs at all but the
office's daily weather: the server PC was switched off, the LAN cable came loose, another PC
holds the lock, the disk is full, someone pointed ``--db`` at a file that is not a database.
Those become a :class:`~desktop_perizinan.errors.DatabaseError` (a ``UserError``: the UI shows
it as it is, the command line prints it on one line). Everything else — an integrity error, a
programming error — is left alone: it is a bug and must be reported as one.

Because every use case runs in one transaction (``Database.transaction``), a translated error
always means "nothing of this action was saved", and the messages say so.

:func:`database_errors` is the one place to wire this: ``Database.transaction`` and
``Database.reading`` wrap their body in it, and so does anything that opens a connection
outside a use case (migrations, backups, the command line).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

from desktop_perizinan.errors import DatabaseError, UserError

#: The start of the message for a connection lost in the middle of an action.
LOST_CONNECTION = "Koneksi ke server basis data terputus"

#: SQLSTATE classes and codes (PostgreSQL) that mean "the server or the link went away".
_DISCONNECT_STATES = ("08", "57P01", "57P02", "57P03")
_CONFLICT_STATES = ("40001", "40P01")  # serialization failure, deadlock
_LOCK_STATES = ("55P03",)  # lock_not_available (lock_timeout)
_DISK_STATES = ("53100",)  # disk_full

_DISCONNECT_WORDS = (
    "server closed the connection",
    "terminating connection",
    "consuming input failed",
    "connection is closed",
    "connection is lost",
    "the connection is lost",
    "ssl connection has been closed",
    "could not receive data",
    "could not send data",
    "connection reset",
    "broken pipe",
    "connection timed out",
)
_CONNECT_WORDS = (
    "connection failed",
    "connection refused",
    "could not connect",
    "could not translate host name",
    "name or service not known",
    "no route to host",
    "network is unreachable",
    "timeout expired",
)


def describe_url(url: str | URL) -> str:
    """Where the database is, for a message: never the password."""
    try:
        parsed = make_url(url)
    except Exception:
        return "basis data"
    if parsed.get_backend_name() == "sqlite":
        return f"berkas {parsed.database}" if parsed.database else "SQLite di memori"
    host = parsed.host or "localhost"
    return f"server {host}:{parsed.port or 5432}, basis data {parsed.database or '-'}"


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", exc)
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")


def _text(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).lower()


def translate_error(exc: BaseException, where: str = "") -> DatabaseError | None:
    """The clear message for a driver error a user can act on, or None when it is a bug.

    ``where`` describes the database (see :func:`describe_url`) and is put in the message so
    that a clerk on a LAN knows which server to ask about.
    """
    if isinstance(exc, UserError):
        return None
    if not isinstance(exc, sa_exc.DBAPIError | sqlite3.Error) and not _is_psycopg(exc):
        return None
    if isinstance(exc, sa_exc.IntegrityError | sa_exc.ProgrammingError) and not _is_missing_table(
        exc
    ):
        return None
    state = _sqlstate(exc)
    text = _text(exc)
    at = f" ({where})" if where else ""
    nothing_saved = "Pekerjaan ini tidak tersimpan sama sekali"

    invalidated = bool(getattr(exc, "connection_invalidated", False))
    connecting = isinstance(exc, sa_exc.DBAPIError) and exc.statement is None
    if (
        "password authentication failed" in text
        or "no pg_hba.conf entry" in text
        or ("role" in text and "does not exist" in text)
    ):
        return DatabaseError(
            f"Server basis data menolak nama pengguna atau kata sandi{at}. Periksa alamat "
            "basis data pada pengaturan."
        )
    if "does not exist" in text and "database" in text and connecting:
        return DatabaseError(
            f"Basis data yang dituju tidak ada di server{at}. Periksa nama basis data pada "
            "pengaturan."
        )
    if connecting and any(word in text for word in _CONNECT_WORDS):
        return DatabaseError(
            f"Server basis data tidak dapat dihubungi{at}. Periksa bahwa PC server menyala "
            "dan kabel jaringan terpasang, lalu coba lagi."
        )
    if (
        invalidated
        or state.startswith(_DISCONNECT_STATES)
        or any(word in text for word in _DISCONNECT_WORDS)
    ):
        return DatabaseError(
            f"{LOST_CONNECTION}{at}. {nothing_saved}. Periksa jaringan atau server, lalu "
            "ulangi; aplikasi tersambung kembali sendiri bila server sudah menyala."
        )
    if state in _CONFLICT_STATES or "deadlock" in text:
        return DatabaseError(
            f"Pekerjaan ini bertabrakan dengan pekerjaan di PC lain dan dibatalkan{at}. "
            f"{nothing_saved}; silakan ulangi."
        )
    if state in _LOCK_STATES or "database is locked" in text or "database table is locked" in text:
        return DatabaseError(
            f"Basis data sedang dipakai terlalu lama oleh proses lain{at}. {nothing_saved}; "
            "coba lagi sebentar lagi."
        )
    if state in _DISK_STATES or "database or disk is full" in text or "no space left" in text:
        return DatabaseError(
            f"Disk tempat basis data penuh{at}. {nothing_saved}. Kosongkan ruang disk, lalu ulangi."
        )
    if "during recovery" in text or state == "25006":  # PostgreSQL: SQLite has no SQLSTATE
        return DatabaseError(
            f"Server basis data hanya menerima pembacaan{at} (server cadangan, sedang pemulihan, "
            "atau diatur hanya-baca). Hubungi pengelola server; pekerjaan ini tidak tersimpan."
        )
    if "readonly database" in text or "read-only" in text:
        return DatabaseError(
            f"Basis data hanya dapat dibaca{at}: periksa izin tulis berkas dan foldernya."
        )
    if "unable to open database file" in text:
        return DatabaseError(
            f"Berkas basis data tidak dapat dibuka{at}: periksa bahwa foldernya ada, berupa "
            "folder (bukan berkas), dan dapat ditulis."
        )
    if "file is not a database" in text or "malformed" in text or "file is encrypted" in text:
        return DatabaseError(
            f"Berkas ini bukan basis data Perizinan atau rusak{at}. Pulihkan dari cadangan "
            "dengan 'perizinan restore BERKAS'."
        )
    if _is_missing_table(exc):
        return DatabaseError(
            f"Basis data ini belum berisi tabel Perizinan{at}: belum pernah dibuka oleh "
            "aplikasi, atau bukan basis data aplikasi ini."
        )
    return None


def _is_psycopg(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] == "psycopg"


def _is_missing_table(exc: BaseException) -> bool:
    text = _text(exc)
    return _sqlstate(exc) == "42P01" or "no such table" in text


@contextmanager
def database_errors(where: str = "") -> Iterator[None]:
    """Re-raise driver errors a user can act on as :class:`DatabaseError`; others unchanged."""
    try:
        yield
    except (sa_exc.DBAPIError, sqlite3.Error) as exc:
        translated = translate_error(exc, where)
        if translated is None:
            raise
        raise translated from exc


def check_url(url: str, *, must_exist: bool = False) -> URL:
    """Parse a ``--db`` value; a clear message for a URL the app cannot use.

    ``must_exist``: for commands that only read (backup, audit verify), a SQLite file that is
    not there is an error rather than a new, empty database created by the attempt.
    """
    example = (
        "contoh: sqlite:///C:/Perizinan/perizinan.sqlite3 atau "
        "postgresql://pengguna@server-kantor:5432/perizinan"
    )
    try:
        parsed = make_url(url)
    except Exception:
        raise DatabaseError(f"Alamat basis data '{url}' tidak dapat dibaca ({example}).") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseError(
            f"Jenis basis data '{backend}' tidak didukung. Gunakan SQLite atau PostgreSQL "
            f"({example})."
        )
    if backend == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            raise DatabaseError(
                f"Alamat basis data '{url}' tidak menyebut berkas SQLite ({example})."
            )
        path = Path(database)
        if path.is_dir():
            raise DatabaseError(f"'{path}' adalah folder, bukan berkas basis data SQLite.")
        if must_exist and not path.is_file():
            raise DatabaseError(f"Berkas basis data '{path}' tidak ditemukan.")
        if path.exists():
            with path.open("rb") as handle:
                header = handle.read(16)
            if header and header != b"SQLite format 3\x00":
                raise DatabaseError(f"Berkas '{path}' bukan basis data SQLite.")
    elif not parsed.database:
        raise DatabaseError(
            f"Alamat basis data '{describe_url(parsed)}' tidak menyebut nama basis data."
        )
    return parsed
