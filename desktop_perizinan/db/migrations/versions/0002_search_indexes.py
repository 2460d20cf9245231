"""search indexes and change notification

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Why each piece exists:

* ``ix_permohonan_received_id``, ``ix_permohonan_status_received``,
  ``ix_permohonan_form_received``: the Permohonan table pages through up to 200,000 cases,
  newest first, filtered by status or permit type; with these the first page of any such filter
  is read straight off an index instead of sorting the table.
* ``ix_permohonan_due_at``: sorting the table by the case's due date.
* ``ix_step_record_open_due``: a partial index over the *open* step records only (a few per
  running case, never the millions of closed ones): the "overdue" filter and each page's
  "step due" column read it.
* SQLite: ``permohonan_fts``, an FTS5 table with the trigram tokenizer over
  ``permohonan.search_text`` (external content, kept in sync by triggers), so "contains" search
  by name, NIK, registration or permit number is an index look-up. If this SQLite has no FTS5
  or no trigram tokenizer the table is skipped and search falls back to ``LIKE``.
* PostgreSQL: ``pg_trgm`` and a GIN trigram index on ``search_text`` (``LIKE '%...%'`` uses
  it); plus an AFTER INSERT trigger on ``audit_log`` that sends ``NOTIFY perizinan_cases`` with
  the case id. Every use case writes an audit entry in its own transaction, so every writer (the
  app on any PC, the command line, an import) wakes the other PCs' task lists, and NOTIFY is
  only delivered when that transaction commits. If the role may not create the extension the
  index is skipped (search still works, slower) and the app says nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: The channel services.live_updates listens on; keep both in step.
CHANNEL = "perizinan_cases"

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE permohonan_fts USING fts5("
    "search_text, content='permohonan', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER permohonan_fts_ai AFTER INSERT ON permohonan BEGIN "
    "INSERT INTO permohonan_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER permohonan_fts_ad AFTER DELETE ON permohonan BEGIN "
    "INSERT INTO permohonan_fts(permohonan_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER permohonan_fts_au AFTER UPDATE OF search_text ON permohonan BEGIN "
    "INSERT INTO permohonan_fts(permohonan_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO permohonan_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO permohonan_fts(permohonan_fts) VALUES ('rebuild')",
)

_PG_NOTIFY = (
    f"""
    CREATE OR REPLACE FUNCTION perizinan_notify_change() RETURNS trigger AS $$
    BEGIN
        PERFORM pg_notify('{CHANNEL}', coalesce(NEW.case_id::text, ''));
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER audit_log_notify AFTER INSERT ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION perizinan_notify_change()",
)


def _has_fts5_trigram(bind: sa.Connection) -> bool:
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(
                "CREATE VIRTUAL TABLE temp._probe USING fts5(x, tokenize='trigram')"
            )
            bind.exec_driver_sql("DROP TABLE temp._probe")
    except sa.exc.DBAPIError:
        return False
    return True


def upgrade() -> None:
    bind = op.get_bind()
    # Plain CREATE INDEX (no batch): a batch rebuild of ``permohonan`` would drop the FTS
    # triggers below, so no migration may rebuild that table without recreating them.
    op.create_index("ix_permohonan_received_id", "permohonan", ["received_at", "id"])
    op.create_index("ix_permohonan_status_received", "permohonan", ["status", "received_at"])
    op.create_index("ix_permohonan_form_received", "permohonan", ["form_code", "received_at"])
    op.create_index("ix_permohonan_due_at", "permohonan", ["due_at"])
    op.create_index(
        "ix_step_record_open_due",
        "step_record",
        ["due_at", "case_id"],
        sqlite_where=sa.text("done_at IS NULL"),
        postgresql_where=sa.text("done_at IS NULL"),
    )
    if bind.dialect.name == "sqlite":
        if _has_fts5_trigram(bind):
            for statement in _SQLITE_FTS:
                bind.exec_driver_sql(statement)
    elif bind.dialect.name == "postgresql":
        try:
            with bind.begin_nested():
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                bind.exec_driver_sql(
                    "CREATE INDEX ix_permohonan_search_trgm ON permohonan "
                    "USING gin (search_text gin_trgm_ops)"
                )
        except sa.exc.DBAPIError:
            pass  # no right to create the extension: search falls back to a scan
        for statement in _PG_NOTIFY:
            bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("permohonan_fts_ai", "permohonan_fts_ad", "permohonan_fts_au"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        bind.exec_driver_sql("DROP TABLE IF EXISTS permohonan_fts")
    elif bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_notify ON audit_log")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS perizinan_notify_change()")
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_permohonan_search_trgm")
    op.drop_index("ix_step_record_open_due", table_name="step_record")
    for name in (
        "ix_permohonan_due_at",
        "ix_permohonan_form_received",
        "ix_permohonan_status_received",
        "ix_permohonan_received_id",
    ):
        op.drop_index(name, table_name="permohonan")
