"""Backup files: their names, manifests, results and the folder they live in.

The low-level half of backups (with ``db.backup_pg`` and ``db.backup_make``), under ``db`` so
that ``db.safe_migrate`` can take a verified backup before a migration without importing
``services`` (issue 15). ``services.backup`` keeps the use cases (restore, the backup on
closing) and re-exports these names.

Every manifest also carries the audit head (``audit_head``: last id, hash, time), one of the
anchors outside the database that ``perizinan audit verify --anchor`` checks (issue 16).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import sys
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from desktop_perizinan import __version__
from desktop_perizinan.db.errors import describe_url, translate_error
from desktop_perizinan.errors import DatabaseError

log = logging.getLogger(__name__)


ENV_BACKUP_DIR = "PERIZINAN_BACKUP_DIR"


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


class BackupError(DatabaseError):
    """A backup or restore that cannot be done; nothing was overwritten."""


@dataclass(frozen=True)
class Verification:
    """What reading a backup back proved about it."""

    backend: str  # "sqlite" or "postgresql"
    revision: str
    revision_known: bool
    audit_entries: int
    audit_last_hash: str
    audit_problems: tuple[str, ...]
    audit_last_id: int = 0  # with audit_last_hash: the anchor copied into the manifest

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
    # The audit head of the copy: an anchor outside the database (issue 16).
    v = result.verification
    manifest["audit_head"] = {
        "last_id": v.audit_last_id,
        "last_hash": v.audit_last_hash,
        "at": manifest["created_at"],
    }
    target = _manifest_path(result.path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, target)


def _sqlite_file(url: URL) -> Path:
    assert url.database
    return Path(url.database)


def _sqlite_failure(exc: sqlite3.Error, path: Path, what: str) -> BackupError:
    """A sqlite3 error during a backup or restore, as one sentence."""
    translated = translate_error(exc, describe_url(f"sqlite:///{path}"))
    return BackupError(f"{what}: {translated.message if translated else exc}")


def _revision_known(revision: str) -> bool:
    """One of this app's migrations, read from their files as text (``migrate.revisions``):
    the backup taken when the app closes must not import Alembic (~220 ms) to ask."""
    from desktop_perizinan.db.migrate import revisions

    return revision in revisions()


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


def _audit_report(
    session: Session, tables: set[str], case_count: int | None = None
) -> tuple[int, str, tuple[str, ...], int]:
    """(entries, last hash, problems, last id) of the audit log in a backup."""
    from desktop_perizinan.db.audit_chain import GENESIS, verify_chain
    from desktop_perizinan.db.models import AuditHead

    if "audit_log" not in tables or "audit_head" not in tables:
        return 0, GENESIS, ("Tabel log audit tidak ada di cadangan.",), 0
    try:
        report = verify_chain(session, case_count=case_count)
        head = session.get(AuditHead, 1)
    except SQLAlchemyError as exc:  # e.g. an older schema whose audit table differs
        detail = str(getattr(exc, "orig", exc)).splitlines()[0]
        return 0, GENESIS, (f"Log audit tidak dapat diperiksa: {detail}.",), 0
    if head is None:
        return report.entries, GENESIS, report.problems, 0
    return report.entries, head.last_hash, report.problems, head.last_id
