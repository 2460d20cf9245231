"""A schema migration never runs without a fresh, verified backup first (DESIGN section 4).

:func:`migrate_with_backup` is what the app calls on start instead of ``migrate.upgrade``:

* a database newer than this app is refused before anything else (``migrate.needs_upgrade``);
* a database already at this app's head is left alone: no backup, no cost;
* a fresh database (no schema yet) has nothing to lose: it is migrated without a backup;
* otherwise a backup is taken and verified (``db.backup_make``); if that fails for any
  reason — no disk space, no ``pg_dump`` on this PC, a damaged database — the migration is
  refused with the reason and the database is left exactly as it was;
* the migration itself runs in one transaction (Alembic's, with transactional DDL on both
  SQLite and PostgreSQL): if it fails, nothing of it stays, and the message names the backup.

On a LAN every PC starts the new version at about the same time. The decision, the backup
and the migration happen inside one transaction that first takes a lock — on PostgreSQL a
transaction-scoped advisory lock, on SQLite the write lock of ``BEGIN IMMEDIATE`` — so exactly
one PC backs up and migrates and the others, once the lock is theirs, find the schema current.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from desktop_perizinan.db import migrate
from desktop_perizinan.db.errors import database_errors, describe_url
from desktop_perizinan.errors import DatabaseError, UserError

log = logging.getLogger(__name__)

#: pg_advisory_lock key: "perizinan migrate" (any constant shared by every copy of the app).
ADVISORY_LOCK_KEY = 0x7065_7269_7A69_6E00 & 0x7FFF_FFFF_FFFF_FFFF


def _lock(connection: Connection) -> None:
    """Serialise the PCs deciding to migrate. PostgreSQL: a transaction-scoped advisory lock;
    SQLite: the transaction already began with ``BEGIN IMMEDIATE`` (the write lock)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})


def migrate_with_backup(
    url: str,
    *,
    engine: Engine | None = None,
    backup_dir: Path | None = None,
    now: datetime | None = None,
    contents: Callable[[str], dict[str, Any]] | None = None,
) -> Path | None:
    """Bring the database to this app's schema, after a verified backup when it holds data.

    Returns the backup taken (None when none was needed). ``engine`` lets the caller reuse
    its own (``Services.open`` passes ``db.engine``); otherwise one is made and disposed.
    ``contents`` describes the data for the backup's manifest (see ``db.backup_make``).
    """
    from desktop_perizinan.db.engine import make_engine

    own = engine is None
    engine = engine or make_engine(url)
    try:
        with database_errors(describe_url(url)):
            if not migrate.needs_upgrade(engine):  # raises for a newer database
                return None
            with engine.begin() as connection:
                _lock(connection)
                # Another PC may have migrated while this one waited for the lock.
                current = migrate.revision_of(connection)
                if current == migrate.head_revision():
                    return None
                _refuse_unless_owner(connection, current)
                backup = None
                if current is not None:
                    backup = _backup_before(url, current, backup_dir, now, contents)
                _upgrade(connection, backup)
                return backup
    finally:
        if own:
            engine.dispose()


def _refuse_unless_owner(connection: Connection, current: str | None) -> None:
    """On PostgreSQL with separate roles, only the owner migrates (``db.roles``): the PCs'
    application role is told who can, before any backup is taken for nothing."""
    from desktop_perizinan.db.roles import owns_the_schema

    if not owns_the_schema(connection):
        raise DatabaseError(
            f"Skema basis data perlu diperbarui (revisi {current} ke {migrate.head_revision()}), "
            "tetapi peran koneksi PC ini bukan pemilik skema. Minta administrator menjalankan "
            "'perizinan db perbarui' sekali (dengan kata sandi peran pemilik), lalu buka "
            "aplikasi lagi. Basis data tidak diubah."
        )


def _backup_before(
    url: str,
    revision: str | None,
    backup_dir: Path | None,
    now: datetime | None,
    contents: Callable[[str], dict[str, Any]] | None,
) -> Path:
    from desktop_perizinan.db.backup_files import KIND_PRE_MIGRATION
    from desktop_perizinan.db.backup_make import create_backup

    try:
        result = create_backup(
            url, directory=backup_dir, kind=KIND_PRE_MIGRATION, now=now, contents=contents
        )
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


def _upgrade(connection: Connection, backup: Path | None) -> None:
    """Alembic on the caller's connection, inside its (locked) transaction."""
    from alembic import command  # only here: an up-to-date start never loads Alembic

    config = migrate.alembic_config()
    config.attributes["connection"] = connection
    try:
        command.upgrade(config, "head")
    except Exception as exc:
        if backup is None:
            raise
        log.exception("migration failed")
        raise DatabaseError(
            f"Pembaruan skema basis data gagal dan dibatalkan; basis data tetap seperti semula. "
            f"Cadangan sebelum pembaruan: {backup}. Rincian: {str(exc).splitlines()[0]}"
        ) from exc
