"""Alembic environment: always run with a connection handed in by ``db.migrate``."""

from __future__ import annotations

from alembic import context

from desktop_perizinan.db.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the application never runs alembic's CLI
    raise RuntimeError("Jalankan migrasi melalui 'perizinan' (desktop_perizinan.db.migrate).")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
