"""Which database this PC uses: the one setting that belongs to the PC, not to the office.

Everything an office shares (its profile, users, permit types, books) lives in the database, so
every PC of a LAN sees the same. *Which* database to open cannot live in the database, so it is
kept here, in a small JSON file in ``platformdirs.user_config_dir("perizinan", "DPMPTSP")``
(``%LOCALAPPDATA%\\DPMPTSP\\perizinan`` on Windows, ``~/.config/perizinan`` on Linux). The first-run
wizard writes it; :func:`configured_url` is what ``db.engine.resolve_url`` consults after
``--db`` and ``PERIZINAN_DB_URL`` and before the default SQLite file.

Why JSON and not QSettings: the core (the command line, backups) must find the database without
Qt (STYLE point 1). Why the database as parts (host, port, ...) rather than one URL: a password
with ``@`` or ``/`` in it would break a hand-built URL; ``URL.create`` quotes it properly.

The file is written atomically (a temporary file, flushed to disk, renamed over the old one): a
power cut while the wizard finishes leaves either the old file or the new one, never half of
one that would stop the app at the next start. It may hold the PostgreSQL password, so on POSIX
it is readable by its owner only (a Windows profile folder is private already).

Also here, because the wizard and the launcher need them without opening the application's
services: :func:`probe_database` (can this PC reach that database, and is it set up already?)
and :func:`needs_first_run`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, inspect, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from desktop_perizinan.errors import DatabaseError, UserError, ValidationError

APP_NAME = "perizinan"
APP_AUTHOR = "DPMPTSP"
CONFIG_FILE = "perizinan.json"
FORMAT_VERSION = 1
SQLITE_FILE = "perizinan.sqlite3"
DEFAULT_PG_PORT = 5432
#: Seconds the connection test waits for a server (the app itself waits longer).
PROBE_TIMEOUT = 5

SQLITE_ON_SHARE = (
    "Folder {folder} ada di jaringan (folder bersama). SQLite rusak bila dibuka beberapa PC "
    "sekaligus, jadi basis data SQLite harus di disk PC ini. Untuk beberapa PC dalam satu "
    "kantor, pilih 'Server kantor (PostgreSQL)' dan arahkan semua PC ke server itu."
)


class LocalConfigError(UserError):
    """The configuration file of this PC exists but cannot be used."""


# ============================================================================ the choice


@dataclass(frozen=True)
class SqliteChoice:
    """The embedded database: one file in a folder on this PC."""

    folder: Path

    @property
    def path(self) -> Path:
        return self.folder / SQLITE_FILE

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def describe(self) -> str:
        return f"SQLite di PC ini: {self.path}"


@dataclass(frozen=True)
class PostgresChoice:
    """An office PostgreSQL server shared by every PC of the LAN."""

    host: str
    port: int = DEFAULT_PG_PORT
    database: str = "perizinan"
    user: str = "perizinan"
    #: Never in a repr: a choice printed in a log line or a traceback must not carry it.
    password: str = field(default="", repr=False)

    @property
    def url(self) -> str:
        return self.sqlalchemy_url().render_as_string(hide_password=False)

    def sqlalchemy_url(self) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username=self.user or None,
            password=self.password or None,
            host=self.host,
            port=self.port,
            database=self.database,
        )

    def describe(self) -> str:
        return f"PostgreSQL {self.host}:{self.port}/{self.database} (pengguna {self.user})"


DatabaseChoice = SqliteChoice | PostgresChoice


@dataclass(frozen=True)
class LocalConfig:
    database: DatabaseChoice
    saved_at: str = ""

    @property
    def url(self) -> str:
        return self.database.url


# ============================================================================ the file


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, APP_AUTHOR))


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def default_sqlite_folder() -> Path:
    """The data folder the app uses when nothing else is chosen (``db.engine``'s default)."""
    from desktop_perizinan.paths import default_sqlite_path

    return default_sqlite_path().parent


def _to_json(config: LocalConfig) -> dict[str, Any]:
    db = config.database
    if isinstance(db, SqliteChoice):
        database: dict[str, Any] = {"backend": "sqlite", "folder": str(db.folder)}
    else:
        database = {
            "backend": "postgresql",
            "host": db.host,
            "port": db.port,
            "database": db.database,
            "user": db.user,
            "password": db.password,
        }
    return {"version": FORMAT_VERSION, "saved_at": config.saved_at, "database": database}


def _from_json(data: Any, path: Path) -> LocalConfig:
    def broken(why: str) -> LocalConfigError:
        return LocalConfigError(
            f"Berkas konfigurasi PC ini ({path}) tidak dapat dipakai: {why}. Hapus berkas itu "
            "dan buka aplikasi lagi untuk menjalankan penyiapan, atau perbaiki isinya."
        )

    if not isinstance(data, Mapping) or not isinstance(data.get("database"), Mapping):
        raise broken("bagian 'database' tidak ada")
    version = data.get("version", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise broken(f"versi {version!r} dibuat oleh aplikasi yang lebih baru")
    db = data["database"]
    saved_at = str(data.get("saved_at", ""))
    backend = db.get("backend")
    if backend == "sqlite":
        folder = db.get("folder")
        if not isinstance(folder, str) or not folder.strip():
            raise broken("folder SQLite kosong")
        return LocalConfig(SqliteChoice(Path(folder)), saved_at)
    if backend == "postgresql":
        host, port = db.get("host"), db.get("port", DEFAULT_PG_PORT)
        if not isinstance(host, str) or not host.strip():
            raise broken("alamat server PostgreSQL kosong")
        if not isinstance(port, int) or not 0 < port < 65536:
            raise broken(f"port {port!r} tidak sah")
        texts = {k: db.get(k, "") for k in ("database", "user", "password")}
        if not all(isinstance(v, str) for v in texts.values()) or not texts["database"]:
            raise broken("nama basis data, pengguna atau kata sandi tidak sah")
        return LocalConfig(PostgresChoice(host, port, **texts), saved_at)
    raise broken(f"jenis basis data {backend!r} tidak dikenal")


def load_config(path: Path | None = None) -> LocalConfig | None:
    """The configuration of this PC, or None when it was never set up.

    Raises :class:`LocalConfigError` for a file that exists but is unreadable: silently
    falling back to an empty local database would look to a clerk like all the data had gone.
    """
    path = path or config_path()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LocalConfigError(
            f"Berkas konfigurasi PC ini ({path}) tidak dapat dibaca: {exc.strerror or exc}."
        ) from exc
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise LocalConfigError(
            f"Berkas konfigurasi PC ini ({path}) rusak (bukan JSON yang sah, baris {exc.lineno}"
            "). Hapus berkas itu dan buka aplikasi lagi untuk menjalankan penyiapan."
            if isinstance(exc, json.JSONDecodeError)
            else f"Berkas konfigurasi PC ini ({path}) rusak."
        ) from exc
    return _from_json(data, path)


def save_config(config: LocalConfig, path: Path | None = None) -> Path:
    """Write atomically (temporary file, fsync, rename); owner-only on POSIX."""
    path = path or config_path()
    if not config.saved_at:
        config = LocalConfig(config.database, datetime.now().replace(microsecond=0).isoformat())
    text = json.dumps(_to_json(config), indent=2, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            if os.name == "posix":
                tmp.chmod(0o600)
            os.replace(tmp, path)
        finally:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
        if os.name == "posix":
            with suppress(OSError):
                directory = os.open(path.parent, os.O_RDONLY)
                try:
                    os.fsync(directory)
                finally:
                    os.close(directory)
    except OSError as exc:
        raise LocalConfigError(
            f"Konfigurasi PC ini tidak dapat disimpan di {path.parent}: {exc.strerror or exc}."
        ) from exc
    return path


def configured_url(path: Path | None = None) -> str | None:
    """The database URL this PC was set up with, or None (then the default SQLite is used).

    For ``db.engine.resolve_url``: ``--db``, then ``PERIZINAN_DB_URL``, then this, then the
    SQLite file in the data folder.
    """
    config = load_config(path)
    return None if config is None else config.url


# ============================================================================ checks


def check_sqlite_folder(folder: Path | str) -> None:
    """Refuse a folder where the embedded database must not (or cannot) be kept.

    A network share is refused with the reason (SQLite's locking does not hold across PCs and
    the file gets corrupted); so is a folder that cannot be created or written to, because the
    wizard would otherwise only fail at the very end.
    """
    from desktop_perizinan import paths

    text = str(folder).strip()
    if not text:
        raise ValidationError("Pilih folder tempat basis data disimpan.", "folder")
    folder = Path(text).expanduser()
    if not folder.is_absolute():
        raise ValidationError("Tulis folder lengkap, misalnya C:\\Perizinan\\data.", "folder")
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if paths.is_network_path(folder) or paths.is_network_path(existing):
        raise ValidationError(SQLITE_ON_SHARE.format(folder=folder), "folder")
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"{folder} adalah berkas, bukan folder.", "folder")
    target = folder / SQLITE_FILE
    if target.exists() and target.is_dir():
        raise ValidationError(f"{target} adalah folder, bukan berkas basis data.", "folder")
    if not os.access(existing, os.W_OK):
        raise ValidationError(
            f"Folder {existing} tidak dapat ditulisi oleh akun ini; pilih folder lain.", "folder"
        )


@dataclass(frozen=True)
class ProbeResult:
    """What a look at a database found, before the application opens (and migrates) it."""

    url: str
    backend: str  # "sqlite" or "postgresql"
    exists: bool  # SQLite: the file is there; PostgreSQL: always True once connected
    has_schema: bool  # the application's tables are there
    users: int
    server: str = ""  # e.g. "PostgreSQL 15.6"

    @property
    def set_up(self) -> bool:
        """Another PC (or an earlier run) already set this database up."""
        return self.users > 0

    def summary(self) -> str:
        """One sentence for the wizard."""
        if self.backend == "sqlite":
            where = "Berkas basis data"
            if not self.exists:
                return "Berkas basis data belum ada; akan dibuat saat Selesai."
        else:
            where = f"Tersambung ke {self.server or 'PostgreSQL'}"
        if self.users:
            return (
                f"{where} sudah disiapkan: {self.users} pengguna terdaftar. PC ini cukup "
                "disambungkan; profil kantor dan pengguna tidak diubah."
            )
        if self.has_schema:
            return f"{where} sudah berisi tabel aplikasi tetapi belum ada pengguna."
        return f"{where} masih kosong; tabel aplikasi dibuat saat Selesai."


def probe_database(url: str, *, timeout: int = PROBE_TIMEOUT) -> ProbeResult:
    """Connect (read only, without creating or migrating anything) and count the users.

    Raises :class:`~desktop_perizinan.errors.DatabaseError` with the reason in words (server
    unreachable, wrong password, no such database, not a SQLite file...).
    """
    from desktop_perizinan.db.errors import check_url, describe_url, translate_error
    from desktop_perizinan.db.models import User

    parsed = check_url(url)
    backend = parsed.get_backend_name()
    where = describe_url(parsed)
    if backend == "sqlite":
        path = Path(parsed.database or "")
        if not path.exists():
            return ProbeResult(url, backend, False, False, 0)
        uri = f"{path.resolve().as_uri()}?mode=ro"
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, timeout=timeout),
            poolclass=NullPool,
        )
    else:
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(
            parsed,
            poolclass=NullPool,
            connect_args={"connect_timeout": timeout, "application_name": "perizinan-setup"},
        )
    try:
        with engine.connect() as connection:
            server = ""
            if backend == "postgresql":
                version = str(connection.scalar(select(func.version())) or "")
                server = " ".join(version.split()[:2])
            has_schema = inspect(connection).has_table(User.__tablename__)
            users = (
                int(connection.scalar(select(func.count()).select_from(User)) or 0)
                if has_schema
                else 0
            )
    except UserError:
        raise
    except Exception as exc:
        translated = translate_error(exc, where)
        if translated is not None:
            raise translated from exc
        first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
        raise DatabaseError(
            f"Basis data ({where}) tidak dapat dibuka: {first or type(exc).__name__}"
        ) from exc
    finally:
        engine.dispose()
    return ProbeResult(url, backend, True, has_schema, users, server)


def explicit_url(
    cli_url: str | None = None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The database named for this run only (``--db``, then ``PERIZINAN_DB_URL``), or None."""
    from desktop_perizinan.paths import ENV_DB_URL as ENV_URL

    env = os.environ if environ is None else environ
    return cli_url or env.get(ENV_URL) or None


def needs_first_run(
    cli_url: str | None = None, *, environ: Mapping[str, str] | None = None
) -> bool:
    """True when the setup wizard should run before the login.

    That is when the database this run would use is known to hold no user: this PC was never
    set up and the default SQLite file has nobody in it, or the database named by ``--db`` /
    ``PERIZINAN_DB_URL`` / this PC's configuration is empty. A configuration file that cannot
    be read also asks for the wizard (which rewrites it). A database that cannot be reached
    (the server is off) does *not*: the normal start then says what is wrong.

    It connects to the database: for a PostgreSQL server this may take up to
    :data:`PROBE_TIMEOUT` seconds when the server does not answer.
    """
    url = explicit_url(cli_url, environ)
    if url is None:
        try:
            url = configured_url()
        except LocalConfigError:
            return True
    if url is None:
        url = SqliteChoice(default_sqlite_folder()).url
    try:
        make_url(url)
        probe = probe_database(url)
    except Exception:
        return False
    return not probe.set_up
