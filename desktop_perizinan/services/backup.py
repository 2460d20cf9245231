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

import logging
import shutil
import sqlite3
import subprocess
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import URL

# The low-level parts live under ``db`` (issue 15: ``db.safe_migrate`` backs up without
# importing ``services``); their public names are re-exported here for the CLI and the UI.
from desktop_perizinan.db.backup_files import (
    AUTO_KEEP,
    ENV_BACKUP_DIR,
    KIND_AUTO,
    KIND_MANUAL,
    KIND_PRE_MIGRATION,
    KIND_PRE_RESTORE,
    KINDS,
    BackupEntry,
    BackupError,
    BackupResult,
    RestoreResult,
    Verification,
    _sqlite_failure,
    _sqlite_file,
    backup_path,
    default_backup_dir,
    format_seconds,
    format_size,
    list_backups,
    read_manifest,
    rotate,
)
from desktop_perizinan.db.backup_make import create_backup as make_backup
from desktop_perizinan.db.backup_make import verify_backup
from desktop_perizinan.db.backup_pg import (
    ENV_PG_BINDIR,
    PG_SEARCH_PATTERNS,
    _pg_connection,
    _tool_failure,
    find_pg_tool,
)
from desktop_perizinan.db.errors import check_url, database_errors, describe_url
from desktop_perizinan.db.sqlite_files import open_readonly, sqlite_engine
from desktop_perizinan.errors import DatabaseError, UserError

if TYPE_CHECKING:
    from desktop_perizinan.services.app import Services

__all__ = [
    "AUTO_KEEP",
    "ENV_BACKUP_DIR",
    "ENV_PG_BINDIR",
    "KINDS",
    "KIND_AUTO",
    "KIND_MANUAL",
    "KIND_PRE_MIGRATION",
    "KIND_PRE_RESTORE",
    "PG_SEARCH_PATTERNS",
    "AutoBackup",
    "BackupEntry",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "Verification",
    "backup_on_close",
    "backup_path",
    "create_backup",
    "default_backup_dir",
    "find_pg_tool",
    "format_seconds",
    "format_size",
    "list_backups",
    "read_manifest",
    "restore_backup",
    "rotate",
    "verify_backup",
]

log = logging.getLogger(__name__)


def create_backup(
    url: str,
    *,
    out: Path | None = None,
    directory: Path | None = None,
    kind: str = KIND_MANUAL,
    now: datetime | None = None,
) -> BackupResult:
    """``db.backup_make.create_backup`` with the manifest's description of the personal data
    the backup holds (UU PDP, ``services.personal_data.backup_contents``)."""
    from desktop_perizinan.services.personal_data import backup_contents

    return make_backup(
        url, out=out, directory=directory, kind=kind, now=now, contents=backup_contents
    )


#: Tables whose rows mean "this database is in use" (a freshly created one has none).
_DATA_TABLES = {"permohonan": "permohonan", "app_user": "pengguna", "audit_log": "entri audit"}


@dataclass(frozen=True)
class AutoBackup:
    """What happened at closing time: the UI shows ``message`` when ``ok`` is False."""

    result: BackupResult | None
    message: str
    ok: bool


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
            with sqlite_engine(path, live=True) as engine:
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
            closing(open_readonly(backup)) as src,
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
