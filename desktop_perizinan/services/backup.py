"""Backups and verified restores, for both deployments.

SQLite (one PC)
    The online backup API (``sqlite3.Connection.backup``) copies the database in one step
    from a single read transaction: in WAL mode readers never block writers, so a backup taken
    while the app runs is a consistent snapshot and nobody waits. The copy is switched to the
    rollback journal so the backup is one self-contained file.

PostgreSQL (the LAN)
    ``pg_dump --format=custom`` (found on ``PATH``, in ``/usr/lib/postgresql/*/bin`` or in the
    Windows PostgreSQL folder) and ``pg_restore``. Without them the message says what to
    install; nothing else is attempted.

Every backup is written under a temporary name, flushed to disk (fsync), **verified** and
only then renamed into place, so a file with a backup's name is always a complete, checked
backup — a power cut leaves at worst a stray ``.tmp``. Verification reads the copy, not the
source: SQLite's ``PRAGMA integrity_check`` or a full ``pg_restore`` pass over every data block;
the Alembic revision must be readable; the hash-chained audit log is walked. A broken audit
chain does not stop a backup (losing the data would be worse) but is reported with it.

A restore checks the backup first (integrity, a SHA-256 recorded beside it, a revision this
version of the app knows — a backup from a newer version is refused), refuses to overwrite a
database that holds data unless told to (``--yes``), and then backs up what it is about to
overwrite. Backups live in ``user_data_dir/backups`` (``PERIZINAN_BACKUP_DIR`` overrides) with
timestamped names; automatic ones (taken when the app closes) are rotated, the last
:data:`AUTO_KEEP` kept; manual, pre-migration and pre-restore backups are never deleted.
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from desktop_perizinan import __version__
from desktop_perizinan.db.errors import check_url, database_errors, describe_url, translate_error
from desktop_perizinan.errors import DatabaseError, UserError

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

log = logging.getLogger(__name__)

ENV_BACKUP_DIR = "PERIZINAN_BACKUP_DIR"
ENV_PG_BINDIR = "PERIZINAN_PG_BINDIR"

KIND_MANUAL = "manual"
KIND_AUTO = "otomatis"
KIND_PRE_MIGRATION = "pra-migrasi"
KIND_PRE_RESTORE = "pra-pulih"
KINDS = (KIND_MANUAL, KIND_AUTO, KIND_PRE_MIGRATION, KIND_PRE_RESTORE)

#: Automatic backups kept by :func:`rotate` (manual ones are never deleted).
AUTO_KEEP = 10

SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".dump"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
MANIFEST_SUFFIX = ".json"

_NAME = re.compile(
    r"^perizinan-(?P<kind>[a-z]+(?:-[a-z]+)*)-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?"
    r"(?P<suffix>\.sqlite3|\.dump)$"
)

#: Tables whose rows mean "this database is in use" (a freshly created one has none).
_DATA_TABLES = {"permohonan": "permohonan", "app_user": "pengguna", "audit_log": "entri audit"}


class BackupError(DatabaseError):
    """A backup or restore that cannot be done; nothing was overwritten."""


# ============================================================================ results


@dataclass(frozen=True)
class Verification:
    """What reading a backup back proved about it."""

    backend: str  # "sqlite" or "postgresql"
    revision: str
    revision_known: bool
    audit_entries: int
    audit_last_hash: str
    audit_problems: tuple[str, ...]

    @property
    def audit_ok(self) -> bool:
        return not self.audit_problems


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str
    size: int
    seconds: float
    sha256: str
    verification: Verification

    def summary(self) -> str:
        """One line for the command line and the status bar."""
        v = self.verification
        audit = (
            f"{v.audit_entries} entri audit utuh"
            if v.audit_ok
            else f"PERINGATAN: log audit rusak ({len(v.audit_problems)} masalah)"
        )
        return (
            f"Cadangan dibuat: {self.path} ({format_size(self.size)}, "
            f"{format_seconds(self.seconds)}; revisi {v.revision}, {audit})."
        )


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    target: str
    seconds: float
    verification: Verification
    safety_copy: Path | None

    def summary(self) -> str:
        saved = f" Isi lama dicadangkan di {self.safety_copy}." if self.safety_copy else ""
        return (
            f"Dipulihkan: {self.source.name} ke {self.target} "
            f"({format_seconds(self.seconds)}; revisi {self.verification.revision}).{saved}"
        )


@dataclass(frozen=True)
class BackupEntry:
    """A backup found in the backups folder (for ``perizinan backup --list`` and the UI)."""

    path: Path
    kind: str
    created: datetime
    size: int
    manifest: dict[str, Any] | None


@dataclass(frozen=True)
class AutoBackup:
    """What happened at closing time: the UI shows ``message`` when ``ok`` is False."""

    result: BackupResult | None
    message: str
    ok: bool


# ============================================================================ small helpers


def format_size(size: int) -> str:
    """``12,3 MB`` — Indonesian decimal comma."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text_value = f"{value:.0f}" if unit == "B" else f"{value:.1f}"
            return f"{text_value.replace('.', ',')} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def format_seconds(seconds: float) -> str:
    return f"{seconds:.1f} detik".replace(".", ",")


def default_backup_dir() -> Path:
    """``PERIZINAN_BACKUP_DIR``, else ``backups`` beside the embedded database."""
    override = os.environ.get(ENV_BACKUP_DIR)
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("perizinan", "DPMPTSP")) / "backups"


def backup_path(directory: Path, kind: str, backend: str, when: datetime) -> Path:
    """A fresh timestamped name in ``directory`` (``-2``, ``-3``... within the same second)."""
    suffix = SQLITE_SUFFIX if backend == "sqlite" else PG_SUFFIX
    stem = f"perizinan-{kind}-{when:%Y%m%d-%H%M%S}"
    candidate = directory / f"{stem}{suffix}"
    n = 2
    while candidate.exists():
        candidate = directory / f"{stem}-{n}{suffix}"
        n += 1
    return candidate


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX); Windows has no directory handles to flush."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The JSON written beside a backup, or None (a copied file may come without it)."""
    try:
        data = json.loads(_manifest_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_manifest(
    result: BackupResult, source: str, contents: dict[str, Any] | None = None
) -> None:
    manifest = {
        "app_version": __version__,
        "created_at": datetime.now().isoformat(timespec="seconds"),
        "kind": result.kind,
        "source": source,
        "size": result.size,
        "sha256": result.sha256,
        "seconds": round(result.seconds, 3),
        **asdict(result.verification),
        # What the backup holds (UU PDP): personal data, and how much of it.
        "isi": contents or {},
    }
    target = _manifest_path(result.path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, target)


def _sqlite_file(url: URL) -> Path:
    assert url.database
    return Path(url.database)


def _open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection (for backup files) that cannot create the file."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


def _open_live(path: Path) -> sqlite3.Connection:
    """A connection to the live database that cannot create it. Read-write although only
    read: a read-only connection to a WAL database leaves its -wal and -shm files behind,
    while the last read-write connection to close tidies them away."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


@contextmanager
def _sqlite_engine(path: Path, *, live: bool = False) -> Iterator[Engine]:
    """A throwaway SQLAlchemy engine on a backup file (read-only) or on a live database (see
    :func:`_open_live`), for the ORM-based checks; neither can create the file."""
    opener = _open_live if live else _open_readonly
    engine = create_engine("sqlite://", creator=lambda: opener(path), poolclass=NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


def _sqlite_failure(exc: sqlite3.Error, path: Path, what: str) -> BackupError:
    """A sqlite3 error during a backup or restore, as one sentence."""
    translated = translate_error(exc, describe_url(f"sqlite:///{path}"))
    return BackupError(f"{what}: {translated.message if translated else exc}")


def _revision_known(revision: str) -> bool:
    from alembic.script import ScriptDirectory

    from desktop_perizinan.db.migrate import alembic_config

    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except Exception:
        return False
    return True


# ============================================================================ PostgreSQL tools


def _version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"[/\\](\d+(?:\.\d+)*)[/\\]bin[/\\]", path)
    return tuple(int(p) for p in match.group(1).split(".")) if match else (0,)


#: Where the PostgreSQL client programs live when they are not on ``PATH`` (Debian, RHEL).
PG_SEARCH_PATTERNS: tuple[str, ...] = ("/usr/lib/postgresql/*/bin/{exe}", "/usr/pgsql-*/bin/{exe}")


def find_pg_tool(name: str) -> Path:
    """``pg_dump`` or ``pg_restore``: ``PERIZINAN_PG_BINDIR``, ``PATH``, then the usual folders."""
    exe = f"{name}.exe" if sys.platform == "win32" else name
    override = os.environ.get(ENV_PG_BINDIR)
    if override:
        candidate = Path(override) / exe
        if candidate.is_file():
            return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    patterns = [pattern.format(exe=exe) for pattern in PG_SEARCH_PATTERNS]
    if sys.platform == "win32":  # pragma: no cover - Windows only
        for root in (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMW6432")):
            if root:
                patterns.append(os.path.join(root, "PostgreSQL", "*", "bin", exe))
    candidates = [p for pattern in patterns for p in glob.glob(pattern)]
    if candidates:
        return Path(max(candidates, key=_version_key))
    raise BackupError(
        f"Program {name} dari PostgreSQL tidak ditemukan di PC ini, jadi basis data server "
        "tidak dapat dicadangkan atau dipulihkan dari sini. Pasang PostgreSQL client tools "
        "(Debian/Ubuntu: apt install postgresql-client; Windows: pilih 'Command Line Tools' "
        "saat memasang PostgreSQL), atau jalankan perintah ini di PC server."
    )


def _libpq_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _pg_connection(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string and the environment for the tools.

    The password goes through ``PGPASSWORD``, never on the command line (other users of the
    PC could read it from the process list).
    """
    parts = {
        "host": url.host,
        "port": str(url.port) if url.port else None,
        "user": url.username,
        "dbname": url.database,
    }
    for key, value in url.query.items():
        if isinstance(value, str) and key not in parts:
            parts[key] = value
    conninfo = " ".join(f"{k}={_libpq_quote(v)}" for k, v in parts.items() if v)
    env = dict(os.environ)
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    env["PGCLIENTENCODING"] = "UTF8"
    return conninfo, env


def _tool_failure(tool: str, stderr: str) -> BackupError:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    detail = lines[-1] if lines else "tanpa keterangan"
    if "version mismatch" in stderr:
        return BackupError(
            f"{tool} di PC ini lebih lama daripada server PostgreSQL; pasang PostgreSQL "
            f"client tools versi yang sama dengan server ({detail})."
        )
    if "could not connect" in stderr or "connection to server" in stderr:
        return BackupError(f"{tool} tidak dapat terhubung ke server basis data ({detail}).")
    return BackupError(f"{tool} gagal: {detail}")


# ============================================================================ backup


def create_backup(
    url: str,
    *,
    out: Path | None = None,
    directory: Path | None = None,
    kind: str = KIND_MANUAL,
    now: datetime | None = None,
) -> BackupResult:
    """Back up the database at ``url``; return the verified backup.

    ``out`` is a file to write (refused when it exists) or a folder to put a timestamped file
    in; otherwise the file goes to ``directory`` (default :func:`default_backup_dir`).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown backup kind {kind!r}")
    parsed = check_url(url, must_exist=True)
    backend = parsed.get_backend_name()
    when = now or datetime.now()
    _check_source(parsed)  # before any folder or file is made
    target = _backup_target(out, directory, kind, backend, when)
    started = time.perf_counter()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        if backend == "sqlite":
            _sqlite_copy(_sqlite_file(parsed), tmp)
        else:
            _pg_dump(parsed, tmp)
        _fsync_file(tmp)
        verification = verify_backup(tmp)
        digest = _sha256(tmp)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        raise BackupError(
            f"Cadangan tidak dapat ditulis ke {target.parent}: {exc.strerror or exc}."
        ) from exc
    finally:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
    result = BackupResult(
        target, kind, target.stat().st_size, time.perf_counter() - started, digest, verification
    )
    with suppress(OSError):  # the backup itself is complete; the manifest is a convenience
        from desktop_perizinan.services.personal_data import backup_contents

        _write_manifest(result, describe_url(parsed), backup_contents(url))
    log.info("backup %s (%s bytes, %.2f s)", target, result.size, result.seconds)
    return result


def _backup_target(
    out: Path | None, directory: Path | None, kind: str, backend: str, when: datetime
) -> Path:
    if out is not None:
        out = Path(out)
        if out.is_dir():
            return backup_path(out, kind, backend, when)
        if out.exists():
            raise BackupError(f"Berkas {out} sudah ada; pilih nama lain agar tidak tertimpa.")
        if not out.parent.is_dir():
            raise BackupError(f"Folder {out.parent} tidak ada; buat dulu atau pilih folder lain.")
        return out
    folder = Path(directory) if directory is not None else default_backup_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(
            f"Folder cadangan {folder} tidak dapat dibuat: {exc.strerror or exc}."
        ) from exc
    if not folder.is_dir():
        raise BackupError(f"{folder} bukan folder; cadangan tidak dapat disimpan di sana.")
    return backup_path(folder, kind, backend, when)


def _sqlite_copy(source: Path, tmp: Path) -> None:
    """The online backup API, in one step: one consistent snapshot, writers never wait."""
    try:
        with closing(_open_live(source)) as src, closing(sqlite3.connect(tmp)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            dst.commit()
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc, source, "Cadangan gagal dibuat") from exc


def _check_source(url: URL) -> None:
    """Is there a Perizinan database to back up? PostgreSQL: the tools are here and the
    server answers (its failures have Indonesian messages); SQLite: the file is one of ours."""
    if url.get_backend_name() == "postgresql":
        find_pg_tool("pg_dump")
        _check_reachable(url)
        return
    path = _sqlite_file(url)
    try:
        with closing(_open_live(path)) as connection:
            found = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc, path, "Cadangan tidak dapat dibuat") from exc
    if not found:
        raise BackupError(f"Berkas {path} bukan basis data Perizinan (tidak ada revisi skema).")


def _pg_dump(url: URL, tmp: Path) -> None:
    tool = find_pg_tool("pg_dump")
    conninfo, env = _pg_connection(url)
    completed = subprocess.run(
        [str(tool), "--format=custom", "--no-password", f"--file={tmp}", f"--dbname={conninfo}"],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    if completed.returncode != 0:
        raise _tool_failure("pg_dump", completed.stderr)


def _check_reachable(url: URL) -> None:
    """Connect once through SQLAlchemy first: its failures have Indonesian messages."""
    from desktop_perizinan.db.engine import make_engine

    engine = make_engine(url.render_as_string(hide_password=False), pool_size=1)
    try:
        with database_errors(describe_url(url)), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    finally:
        engine.dispose()


# ============================================================================ verification


def verify_backup(path: Path) -> Verification:
    """Read a backup back: integrity, revision, audit chain. Raises :class:`BackupError`."""
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} adalah folder, bukan berkas cadangan.")
    if not path.is_file():
        raise BackupError(f"Berkas cadangan {path} tidak ditemukan.")
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise BackupError(f"Berkas cadangan {path} tidak dapat dibaca: {exc.strerror}.") from exc
    manifest = read_manifest(path)
    if manifest and manifest.get("sha256") and manifest["sha256"] != _sha256(path):
        raise BackupError(
            f"Berkas cadangan {path.name} berubah atau rusak sejak dibuat (sidik SHA-256 tidak "
            "cocok dengan catatannya). Pakai cadangan lain."
        )
    if head.startswith(SQLITE_MAGIC):
        return _verify_sqlite(path)
    if head.startswith(PG_MAGIC):
        return _verify_pg(path)
    raise BackupError(
        f"Berkas {path.name} bukan cadangan Perizinan (bukan berkas SQLite maupun pg_dump)."
    )


def _verify_sqlite(path: Path) -> Verification:
    damaged = f"Cadangan {path.name} rusak"
    try:
        with closing(_open_readonly(path)) as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
            if rows != [("ok",)]:
                first = rows[0][0] if rows else "tidak ada jawaban"
                raise BackupError(f"{damaged}: pemeriksaan integritas gagal ({first}).")
            tables = {
                r[0]
                for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "alembic_version" not in tables:
                raise BackupError(
                    f"Berkas {path.name} bukan basis data Perizinan (tidak ada revisi skema)."
                )
            revisions = [
                r[0] for r in connection.execute("SELECT version_num FROM alembic_version")
            ]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{damaged}: {exc}.") from exc
    if len(revisions) != 1:
        raise BackupError(f"{damaged}: revisi skema tidak terbaca ({len(revisions)} baris).")
    revision = revisions[0]
    with _sqlite_engine(path) as engine, Session(engine) as session:
        entries, last_hash, problems = _audit_report(session, tables)
    return Verification("sqlite", revision, _revision_known(revision), entries, last_hash, problems)


def _audit_report(session: Session, tables: set[str]) -> tuple[int, str, tuple[str, ...]]:
    from desktop_perizinan.db.models import AuditHead
    from desktop_perizinan.services.audit import GENESIS, verify_chain

    if "audit_log" not in tables or "audit_head" not in tables:
        return 0, GENESIS, ("Tabel log audit tidak ada di cadangan.",)
    try:
        report = verify_chain(session)
        head = session.get(AuditHead, 1)
    except SQLAlchemyError as exc:  # e.g. an older schema whose audit table differs
        detail = str(getattr(exc, "orig", exc)).splitlines()[0]
        return 0, GENESIS, (f"Log audit tidak dapat diperiksa: {detail}.",)
    return report.entries, head.last_hash if head else GENESIS, report.problems


_COPY = re.compile(r"^COPY (?:public\.)?\"?(\w+)\"? \(([^)]*)\) FROM stdin;$")
_COPY_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))")
_COPY_CHARS = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_WANTED = ("alembic_version", "audit_log", "audit_head")


def _copy_value(field: str) -> str | None:
    if field == r"\N":
        return None

    def replace(match: re.Match[str]) -> str:
        octal, hexa, char = match.groups()
        if octal:
            return chr(int(octal, 8))
        if hexa:
            return chr(int(hexa, 16))
        return _COPY_CHARS.get(char, char)

    return _COPY_ESCAPE.sub(replace, field) if "\\" in field else field


def _pg_tables(path: Path) -> dict[str, list[dict[str, str | None]]]:
    """Stream the whole archive through ``pg_restore`` (this reads and decompresses every
    block, which is the integrity check) and keep the rows of the few tables we verify."""
    tool = find_pg_tool("pg_restore")
    found: dict[str, list[dict[str, str | None]]] = {}
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as stderr:
        process = subprocess.Popen(
            [str(tool), "--file=-", str(path)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        assert process.stdout is not None
        table: str | None = None
        columns: list[str] = []
        for line in process.stdout:
            if table is None:
                match = _COPY.match(line.rstrip("\n"))
                if match:
                    name = match.group(1)
                    if name in _WANTED:
                        table = name
                        columns = [c.strip().strip('"') for c in match.group(2).split(",")]
                        found[table] = []
                continue
            row = line.rstrip("\n")
            if row == "\\.":
                table = None
                continue
            found[table].append(dict(zip(columns, map(_copy_value, row.split("\t")), strict=False)))
        returncode = process.wait()
        stderr.seek(0)
        errors = stderr.read()
    if returncode != 0:
        failure = _tool_failure("pg_restore", errors)
        raise BackupError(f"Cadangan {path.name} rusak atau tidak terbaca: {failure.message}")
    return found


def _verify_pg(path: Path) -> Verification:
    from desktop_perizinan.db.models import AuditEntry, AuditHead

    tables = _pg_tables(path)
    revisions = [row["version_num"] for row in tables.get("alembic_version", [])]
    if len(revisions) != 1 or not revisions[0]:
        raise BackupError(
            f"Berkas {path.name} bukan cadangan basis data Perizinan (revisi skema tidak terbaca)."
        )
    revision = revisions[0]
    # Re-use the one chain check there is: load the rows into a scratch in-memory database.
    engine = create_engine("sqlite://", poolclass=NullPool)
    with engine.connect() as connection, Session(bind=connection) as session:
        for model in (AuditEntry, AuditHead):
            model.__table__.create(connection)
        for model, name in ((AuditEntry, "audit_log"), (AuditHead, "audit_head")):
            rows = [_typed(model, row) for row in tables.get(name, [])]
            if rows:
                session.execute(model.__table__.insert(), rows)
        present = {n for n in ("audit_log", "audit_head") if n in tables}
        result = _audit_report(session, present)
    engine.dispose()
    return Verification("postgresql", revision, _revision_known(revision), *result)


def _typed(model: Any, row: dict[str, str | None]) -> dict[str, Any]:
    from sqlalchemy import DateTime, Integer

    values: dict[str, Any] = {}
    for column in model.__table__.columns:
        raw = row.get(column.name)
        if raw is None:
            values[column.name] = None
        elif isinstance(column.type, Integer):
            values[column.name] = int(raw)
        elif isinstance(column.type, DateTime):
            values[column.name] = datetime.fromisoformat(raw)
        else:
            values[column.name] = raw
    return values


# ============================================================================ restore


def restore_backup(
    path: Path,
    url: str,
    *,
    force: bool = False,
    backup_dir: Path | None = None,
    now: datetime | None = None,
) -> RestoreResult:
    """Restore ``path`` into the database at ``url`` after checking it.

    Refuses a damaged backup, one from a newer version of the app, and — unless ``force`` —
    a target that already holds data. With ``force`` the target is backed up first.
    """
    path = Path(path)
    verification = verify_backup(path)
    if not verification.revision_known:
        raise BackupError(
            f"Cadangan {path.name} dibuat oleh versi aplikasi yang lebih baru (revisi skema "
            f"{verification.revision}). Perbarui aplikasi Perizinan Desktop sebelum "
            "memulihkannya."
        )
    parsed = check_url(url)
    backend = parsed.get_backend_name()
    if backend != verification.backend:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"Cadangan {path.name} berasal dari {names[verification.backend]}; hanya dapat "
            f"dipulihkan ke basis data {names[verification.backend]}, bukan {names[backend]}."
        )
    where = describe_url(parsed)
    started = time.perf_counter()
    state, detail = _target_state(parsed)
    if state in ("data", "unreadable") and not force:
        if state == "data":
            reason = f"Basis data tujuan ({where}) sudah berisi data: {detail}"
        else:
            reason = f"Basis data tujuan ({where}) tidak dapat dibaca ({detail})"
        raise BackupError(
            f"{reason}. Pemulihan akan menimpanya; ulangi dengan --yes bila memang itu yang "
            "dimaksud (isinya dicadangkan lebih dulu)."
        )
    safety: Path | None = None
    if state in ("data", "unreadable"):
        safety = _safety_copy(parsed, state, backup_dir, now)
    if backend == "sqlite":
        _restore_sqlite(path, _sqlite_file(parsed), state)
    else:
        _restore_pg(path, parsed, state, safety)
    _check_restored(parsed, verification)
    return RestoreResult(path, where, time.perf_counter() - started, verification, safety)


def _target_state(url: URL) -> tuple[str, str]:
    """("absent" | "empty" | "data" | "unreadable" | "foreign", description)."""
    if url.get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        if not path.exists() or path.stat().st_size == 0:
            return "absent", ""
        try:
            with _sqlite_engine(path, live=True) as engine:
                return _engine_state(engine)
        except (DatabaseError, sqlite3.Error, OSError) as exc:
            return "unreadable", str(exc).splitlines()[0]
        except Exception as exc:  # SQLAlchemy wraps "file is not a database"
            return "unreadable", str(getattr(exc, "orig", exc))
    from desktop_perizinan.db.engine import make_engine

    engine = make_engine(url.render_as_string(hide_password=False), pool_size=1)
    try:
        with database_errors(describe_url(url)):
            state = _engine_state(engine)
    finally:
        engine.dispose()
    if state[0] == "foreign":
        raise BackupError(
            f"Basis data tujuan ({describe_url(url)}) berisi tabel lain yang bukan milik "
            f"Perizinan ({state[1]}); pulihkan ke basis data kosong yang khusus untuk Perizinan."
        )
    return state


def _engine_state(engine: Engine) -> tuple[str, str]:
    from desktop_perizinan.db.models import Base

    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        if not tables:
            return "absent", ""
        ours = set(Base.metadata.tables) | {"alembic_version"}
        foreign = sorted(
            t for t in tables - ours if not t.startswith(("permohonan_fts", "sqlite_"))
        )
        if foreign and engine.dialect.name == "postgresql":
            return "foreign", ", ".join(foreign[:5])
        counts = []
        for table, label in _DATA_TABLES.items():
            if table in tables:
                count = connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                if count:
                    counts.append(f"{count} {label}")
        return ("data", ", ".join(counts)) if counts else ("empty", "")


def _safety_copy(url: URL, state: str, directory: Path | None, now: datetime | None) -> Path:
    """Back up what a forced restore is about to overwrite; refuse the restore otherwise."""
    if state == "data":
        try:
            result = create_backup(
                url.render_as_string(hide_password=False),
                directory=directory,
                kind=KIND_PRE_RESTORE,
                now=now,
            )
        except UserError as exc:
            raise BackupError(
                f"Isi basis data tujuan tidak dapat dicadangkan lebih dulu ({exc.message}); "
                "pemulihan dibatalkan, tidak ada yang diubah."
            ) from exc
        return result.path
    # An unreadable SQLite file: keep its bytes as they are, whatever they are.
    source = _sqlite_file(url)
    folder = Path(directory) if directory is not None else default_backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = backup_path(folder, KIND_PRE_RESTORE, "sqlite", now or datetime.now())
    shutil.copy2(source, target)
    for suffix in ("-wal", "-shm"):
        sidecar = source.with_name(source.name + suffix)
        if sidecar.exists():
            shutil.copy2(sidecar, target.with_name(target.name + suffix))
    return target


def _restore_sqlite(backup: Path, target: Path, state: str) -> None:
    from desktop_perizinan.db.engine import is_network_path

    if is_network_path(target.parent if not target.exists() else target):
        raise BackupError(
            f"Basis data SQLite tidak boleh diletakkan di folder jaringan ({target}); "
            "pulihkan ke disk lokal."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if state == "unreadable":
        # Not a database any more (its bytes are in the safety copy): start from nothing.
        for sidecar in ("", "-wal", "-shm", "-journal"):
            target.with_name(target.name + sidecar).unlink(missing_ok=True)
    try:
        # The backup API into the live file: other connections see the old database or the
        # new one, never a mixture, and nobody has to delete a WAL file under a running app.
        with (
            closing(_open_readonly(backup)) as src,
            closing(sqlite3.connect(target, timeout=30)) as dst,
        ):
            dst.execute("PRAGMA busy_timeout=30000")
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
            rows = dst.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc, target, "Pemulihan gagal") from exc
    if rows != [("ok",)]:
        raise BackupError(f"Basis data hasil pemulihan gagal diperiksa: {rows[0][0]}.")


def _restore_pg(backup: Path, url: URL, state: str, safety: Path | None) -> None:
    from desktop_perizinan.db.engine import make_engine

    tool = find_pg_tool("pg_restore")
    where = describe_url(url)
    if state in ("empty", "data"):
        engine = make_engine(url.render_as_string(hide_password=False), pool_size=1)
        try:
            with database_errors(where), engine.begin() as connection:
                connection.exec_driver_sql("SET LOCAL lock_timeout = '15s'")
                connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
        except DatabaseError as exc:
            raise BackupError(
                f"Basis data tujuan sedang dipakai PC lain ({exc.message}). Tutup aplikasi di "
                "semua PC, lalu ulangi pemulihan."
            ) from exc
        finally:
            engine.dispose()
    conninfo, env = _pg_connection(url)
    completed = subprocess.run(
        [
            str(tool),
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={conninfo}",
            str(backup),
        ],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    if completed.returncode != 0:
        failure = _tool_failure("pg_restore", completed.stderr)
        kept = f" Isi lama ada di {safety}." if safety else ""
        raise BackupError(f"Pemulihan gagal: {failure.message}{kept}")


def _check_restored(url: URL, verification: Verification) -> None:
    from desktop_perizinan.db.engine import make_engine
    from desktop_perizinan.db.migrate import current_revision

    engine = make_engine(url.render_as_string(hide_password=False), pool_size=1)
    try:
        with database_errors(describe_url(url)):
            revision = current_revision(engine)
    finally:
        engine.dispose()
    if revision != verification.revision:
        raise BackupError(
            f"Pemulihan tidak lengkap: revisi skema {revision} setelah dipulihkan, seharusnya "
            f"{verification.revision}."
        )


# ============================================================================ the folder


def list_backups(directory: Path | None = None) -> list[BackupEntry]:
    """The backups in a folder, oldest first."""
    folder = Path(directory) if directory is not None else default_backup_dir()
    if not folder.is_dir():
        return []
    entries = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if not match or not path.is_file():
            continue
        created = datetime.strptime(match.group("stamp"), "%Y%m%d-%H%M%S")
        entries.append(
            BackupEntry(
                path, match.group("kind"), created, path.stat().st_size, read_manifest(path)
            )
        )
    return sorted(entries, key=lambda e: (e.created, _sequence(e.path), e.path.name))


def _sequence(path: Path) -> int:
    match = _NAME.match(path.name)
    return int(match.group("n")) if match and match.group("n") else 1


def rotate(directory: Path | None = None, keep: int = AUTO_KEEP) -> list[Path]:
    """Delete all but the newest ``keep`` automatic backups; the others are never touched."""
    automatic = [e for e in list_backups(directory) if e.kind == KIND_AUTO]
    removed = []
    for entry in automatic[: max(len(automatic) - keep, 0)]:
        for path in (entry.path, _manifest_path(entry.path)):
            with suppress(OSError):
                path.unlink(missing_ok=True)
        removed.append(entry.path)
    return removed


# ============================================================================ on closing


def _audit_head(services: Services) -> tuple[str | None, str]:
    from desktop_perizinan.db.migrate import current_revision
    from desktop_perizinan.db.models import AuditHead
    from desktop_perizinan.services.audit import GENESIS

    with services.db.reading() as session:
        head = session.scalars(select(AuditHead).where(AuditHead.id == 1)).first()
        last_hash = head.last_hash if head else GENESIS
    return current_revision(services.db.engine), last_hash


def backup_on_close(
    services: Services,
    *,
    directory: Path | None = None,
    keep: int = AUTO_KEEP,
    now: datetime | None = None,
) -> AutoBackup:
    """The automatic backup the desktop app takes when it closes. Never raises.

    Call it from a worker (not the GUI thread), before ``services.close()``. Nothing is
    written when nothing changed since the last automatic backup of the same database (every
    use case appends to the audit log, so an unchanged audit head means unchanged data); that
    keeps the :data:`AUTO_KEEP` rotated copies from being ten copies of one quiet day.
    """
    url = services.db.url
    try:
        source = describe_url(url)
        revision, last_hash = _audit_head(services)
        previous = [
            e
            for e in list_backups(directory)
            if e.kind == KIND_AUTO and e.manifest and e.manifest.get("source") == source
        ]
        if previous:
            manifest = previous[-1].manifest or {}
            if (
                manifest.get("audit_last_hash") == last_hash
                and manifest.get("revision") == revision
            ):
                return AutoBackup(
                    None, "Tidak ada perubahan sejak cadangan otomatis terakhir.", True
                )
        if services.db.is_postgresql:
            try:
                find_pg_tool("pg_dump")
            except BackupError:
                return AutoBackup(
                    None,
                    "Cadangan otomatis dilewati: pg_dump tidak terpasang di PC ini (server "
                    "PostgreSQL dicadangkan di PC server).",
                    True,
                )
        result = create_backup(url, directory=directory, kind=KIND_AUTO, now=now)
        rotate(result.path.parent, keep)
    except UserError as exc:
        return AutoBackup(None, f"Cadangan otomatis gagal: {exc.message}", False)
    except Exception as exc:  # closing the app must never fail because of the backup
        log.exception("automatic backup failed")
        return AutoBackup(None, f"Cadangan otomatis gagal: {exc}", False)
    if not result.verification.audit_ok:
        return AutoBackup(
            result,
            f"Cadangan otomatis dibuat ({result.path.name}), tetapi log audit rusak: jalankan "
            "'perizinan audit verify'.",
            False,
        )
    return AutoBackup(
        result, f"Cadangan otomatis dibuat: {result.path.name} ({format_size(result.size)}).", True
    )
