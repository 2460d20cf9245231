"""Schema migrations with Alembic: linear, versioned, refused when the database is newer.

The application migrates on start. A database created by a newer version of the app (its
revision unknown to this one) is refused with a clear message rather than touched.

Alembic (with mako and its script machinery, ~140 ms of imports) is loaded only to migrate.
Every start asks first, with plain SQL, which revision the database has
(``SELECT version_num FROM alembic_version``) and compares it with the revisions of the
files in ``migrations/versions/``, read as text (each names its ``revision`` and
``down_revision``); on an up-to-date database Alembic is never imported.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from desktop_perizinan.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

#: Inside the package, so it ships with it (``paths.py`` is for the top-level data folders).
MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def revisions() -> dict[str, str | None]:
    """Every revision this app knows, with the one it revises (``None`` for the first).

    Read from the migration files as text: a literal ``revision = "0003"`` and
    ``down_revision = "0002"`` (or ``None``) at the top level of each, as Alembic writes them.
    Cached per folder and list of files (a listing is cheap; parsing is done once).
    """
    folder = MIGRATIONS / "versions"
    return dict(_read_revisions(folder, tuple(sorted(p.name for p in folder.glob("*.py")))))


@cache
def _read_revisions(folder: Path, names: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
    found: list[tuple[str, str | None]] = []
    for name in names:
        values = dict(_ASSIGNMENT.findall((folder / name).read_text(encoding="utf-8")))
        if "revision" not in values:
            continue
        down = values.get("down_revision", "None").strip("\"'")
        found.append((values["revision"].strip("\"'"), None if down == "None" else down))
    return tuple(found)


def head_revision() -> str:
    """The newest revision: the only one no other revision revises (the history is linear)."""
    known = revisions()
    heads = set(known) - {down for down in known.values() if down}
    if len(heads) != 1:
        raise DatabaseError(f"Riwayat migrasi bercabang atau kosong: {sorted(heads)}.")
    return heads.pop()


def revision_of(connection: Connection) -> str | None:
    """The database's revision, by plain SQL (``None``: an empty database)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return revision_of(connection)


def needs_upgrade(engine: Engine) -> bool:
    """True when the schema is older than this app (or absent); raises when it is newer."""
    current = current_revision(engine)
    if current is None:
        return True
    if current not in revisions():
        raise DatabaseError(
            f"Basis data ini dibuat oleh versi aplikasi yang lebih baru (revisi {current}). "
            "Perbarui aplikasi Perizinan Desktop di PC ini sebelum membukanya."
        )
    return current != head_revision()


def is_fresh(engine: Engine) -> bool:
    return current_revision(engine) is None


def upgrade(engine: Engine) -> None:
    """Bring the schema to this app's head revision (refusing a newer database)."""
    if not needs_upgrade(engine):
        return
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
