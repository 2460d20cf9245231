"""A schema migration never runs without a fresh, verified backup first (DESIGN section 4).

:func:`migrate_with_backup` is what the app calls on start instead of ``migrate.upgrade``:

* a database newer than this app is refused before anything else (``migrate.needs_upgrade``);
* a database already at this app's head is left alone: no backup, no cost;
* a fresh database (no schema yet) has nothing to lose: it is migrated without a backup;
* otherwise a backup is taken and verified (``services.backup``); if that fails for any
  reason — no disk space, no ``pg_dump`` on this PC, a damaged database — the migration is
  refused with the reason and the database is left exactly as it was;
* the migration itself runs in one transaction (Alembic's, with transactional DDL on both
  SQLite and PostgreSQL): if it fails, nothing of it stays, and the message names the backup.

On a LAN every PC starts the new version at about the same time. On PostgreSQL the PCs take a
session advisory lock before deciding, so exactly one of them backs up and migrates and the
others, once the lock is theirs, find the schema current. On SQLite the migration transaction
starts with ``BEGIN IMMEDIATE``, which serialises two instances in the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text

from desktop_perizinan.db import migrate
from desktop_perizinan.db.errors import database_errors, describe_url
from desktop_perizinan.errors import DatabaseError, UserError

log = logging.getLogger(__name__)

#: pg_advisory_lock key: "perizinan migrate" (any constant shared by every copy of the app).
ADVISORY_LOCK_KEY = 0x7065_7269_7A69_6E00 & 0x7FFF_FFFF_FFFF_FFFF


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Hold the cluster-wide migration lock (PostgreSQL); a no-op on SQLite."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()


def migrate_with_backup(
    url: str,
    *,
    engine: Engine | None = None,
    backup_dir: Path | None = None,
    now: datetime | None = None,
) -> Path | None:
    """Bring the database to this app's schema, after a verified backup when it holds data.

    Returns the backup taken (None when none was needed). ``engine`` lets the caller reuse
    its own (``Services.open`` passes ``db.engine``); otherwise one is made and disposed.
    """
    from desktop_perizinan.db.engine import make_engine

    own = engine is None
    engine = engine or make_engine(url)
    where = describe_url(url)
    try:
        with database_errors(where):
            if not migrate.needs_upgrade(engine):  # raises for a newer database
                return None
            with _migration_lock(engine):
                # Another PC may have migrated while this one waited for the lock.
                if not migrate.needs_upgrade(engine):
                    return None
                if migrate.is_fresh(engine):
                    migrate.upgrade(engine)
                    return None
                backup = _backup_before(url, migrate.current_revision(engine), backup_dir, now)
                _upgrade(engine, backup)
                return backup
    finally:
        if own:
            engine.dispose()


def _backup_before(
    url: str, revision: str | None, backup_dir: Path | None, now: datetime | None
) -> Path:
    from desktop_perizinan.services.backup import KIND_PRE_MIGRATION, create_backup

    try:
        result = create_backup(url, directory=backup_dir, kind=KIND_PRE_MIGRATION, now=now)
    except UserError as exc:
        raise DatabaseError(
            f"Pembaruan skema basis data (revisi {revision} ke {migrate.head_revision()}) "
            f"dibatalkan karena cadangan sebelum pembaruan gagal dibuat: {exc.message} "
            "Basis data tidak diubah; perbaiki penyebabnya lalu buka aplikasi lagi."
        ) from exc
    if result.verification.revision != revision:
        raise DatabaseError(
            f"Pembaruan skema dibatalkan: cadangan {result.path.name} berisi revisi "
            f"{result.verification.revision}, bukan {revision}. Basis data tidak diubah."
        )
    log.info("pre-migration backup %s", result.path)
    return result.path


def _upgrade(engine: Engine, backup: Path) -> None:
    try:
        migrate.upgrade(engine)
    except UserError:
        raise
    except Exception as exc:
        log.exception("migration failed")
        raise DatabaseError(
            f"Pembaruan skema basis data gagal dan dibatalkan; basis data tetap seperti semula. "
            f"Cadangan sebelum pembaruan: {backup}. Rincian: {str(exc).splitlines()[0]}"
        ) from exc
