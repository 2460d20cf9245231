"""Schema migrations with Alembic: linear, versioned, refused when the database is newer.

The application migrates on start. A database created by a newer version of the app (its
revision unknown to this one) is refused with a clear message rather than touched.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from desktop_perizinan.errors import DatabaseError

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def needs_upgrade(engine: Engine) -> bool:
    """True when the schema is older than this app (or absent); raises when it is newer."""
    current = current_revision(engine)
    if current is None:
        return True
    script = ScriptDirectory.from_config(alembic_config())
    try:
        script.get_revision(current)
    except Exception as exc:
        raise DatabaseError(
            f"Basis data ini dibuat oleh versi aplikasi yang lebih baru (revisi {current}). "
            "Perbarui aplikasi Perizinan Desktop di PC ini sebelum membukanya."
        ) from exc
    return current != script.get_current_head()


def is_fresh(engine: Engine) -> bool:
    return current_revision(engine) is None


def upgrade(engine: Engine) -> None:
    """Bring the schema to this app's head revision (refusing a newer database)."""
    if not needs_upgrade(engine):
        return
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
