"""Alembic environment: always run with a connection handed in by ``db.migrate``."""

from __future__ import annotations

from alembic import context

from desktop_perizinan.db.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the application never runs alembic's CLI
    raise RuntimeError("Jalankan migrasi melalui 'perizinan' (desktop_perizinan.db.migrate).")

#: Search objects made with raw SQL in 0002 (FTS5 table and triggers, the trigram index):
#: not in the models, so autogenerate must not offer to drop them.
RAW_SQL_OBJECTS = ("permohonan_fts", "ix_permohonan_search_trgm")


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (name and name.startswith(RAW_SQL_OBJECTS))


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
