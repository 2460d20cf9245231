"""Making and verifying a backup (both backends): written under a temporary name, flushed,
verified, then renamed into place, so a file with a backup's name is always complete.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from desktop_perizinan.db.backup_files import (
    KIND_MANUAL,
    KINDS,
    PG_MAGIC,
    SQLITE_MAGIC,
    BackupError,
    BackupResult,
    Verification,
    _audit_report,
    _fsync_dir,
    _fsync_file,
    _revision_known,
    _sha256,
    _sqlite_failure,
    _sqlite_file,
    _write_manifest,
    backup_path,
    default_backup_dir,
    read_manifest,
)
from desktop_perizinan.db.backup_pg import (
    _check_reachable,
    _pg_dump,
    _verify_pg,
    find_pg_tool,
)
from desktop_perizinan.db.errors import check_url, describe_url
from desktop_perizinan.db.sqlite_files import open_live, open_readonly, sqlite_engine

log = logging.getLogger(__name__)


def create_backup(
    url: str,
    *,
    out: Path | None = None,
    directory: Path | None = None,
    kind: str = KIND_MANUAL,
    now: datetime | None = None,
    contents: Callable[[str], dict[str, Any]] | None = None,
) -> BackupResult:
    """Back up the database at ``url``; return the verified backup.

    ``contents`` describes what the database holds, for the manifest (``services.backup``
    passes the personal-data summary of UU PDP; ``db`` knows nothing of it).

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
        _write_manifest(result, describe_url(parsed), contents(url) if contents else None)
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
        with closing(open_live(source)) as src, closing(sqlite3.connect(tmp)) as dst:
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
        with closing(open_live(path)) as connection:
            found = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc, path, "Cadangan tidak dapat dibuat") from exc
    if not found:
        raise BackupError(f"Berkas {path} bukan basis data Perizinan (tidak ada revisi skema).")


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
        with closing(open_readonly(path)) as connection:
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
    with sqlite_engine(path) as engine, Session(engine) as session:
        report = _audit_report(session, tables)
    return Verification("sqlite", revision, _revision_known(revision), *report)
