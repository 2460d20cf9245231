"""Triggers that make the database itself refuse to rewrite the audit log.

* ``audit_log``: every UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) is aborted.
* ``audit_head``: DELETE is aborted; an UPDATE must move the head exactly one entry forward,
  onto the hash of the row that was just inserted. So the head cannot be moved back after a
  tail was cut, nor pointed at a forged row that is not the next one.

On SQLite this is an **obstacle, not a guarantee**: whoever has the file can open it with any
SQLite tool and ``DROP TRIGGER``; what then still catches the change are the keyed MACs and the
anchors outside the database. On PostgreSQL the application's role is not the owner of the
tables, so it can neither drop the triggers nor (``db.roles``) hold UPDATE/DELETE rights on
them; only the owner role, used for migrations, could.

Installed by migration 0003; :func:`remove` exists for the tests that play the attacker (who
would do the same) and for the migration's downgrade.
"""

from __future__ import annotations

from sqlalchemy import Connection

REFUSED = "log audit hanya boleh ditambah, tidak boleh diubah atau dihapus"
HEAD_REFUSED = "kepala log audit hanya boleh maju satu entri"

_SQLITE_INSTALL = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_head_no_delete BEFORE DELETE ON audit_head "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_head_forward BEFORE UPDATE ON audit_head "
    "WHEN NOT (new.id = old.id AND new.last_id = old.last_id + 1 AND new.last_hash IS "
    "(SELECT hash FROM audit_log WHERE id = new.last_id)) "
    f"BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSED}'); END",
)
_SQLITE_REMOVE = tuple(
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "audit_log_no_update",
        "audit_log_no_delete",
        "audit_head_no_delete",
        "audit_head_forward",
    )
)

_PG_INSTALL = (
    f"""
    CREATE OR REPLACE FUNCTION perizinan_audit_refuse() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSED}' USING ERRCODE = 'insufficient_privilege';
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION perizinan_audit_head_forward() RETURNS trigger AS $$
    BEGIN
        IF NEW.id <> OLD.id OR NEW.last_id <> OLD.last_id + 1 OR NEW.last_hash IS DISTINCT FROM
           (SELECT hash FROM audit_log WHERE id = NEW.last_id) THEN
            RAISE EXCEPTION '{HEAD_REFUSED}' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER audit_log_refuse BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION perizinan_audit_refuse()",
    "CREATE TRIGGER audit_log_refuse_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION perizinan_audit_refuse()",
    "CREATE TRIGGER audit_head_refuse BEFORE DELETE ON audit_head "
    "FOR EACH ROW EXECUTE FUNCTION perizinan_audit_refuse()",
    "CREATE TRIGGER audit_head_refuse_truncate BEFORE TRUNCATE ON audit_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION perizinan_audit_refuse()",
    "CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head "
    "FOR EACH ROW EXECUTE FUNCTION perizinan_audit_head_forward()",
)
_PG_REMOVE = (
    "DROP TRIGGER IF EXISTS audit_log_refuse ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_refuse_truncate ON audit_log",
    "DROP TRIGGER IF EXISTS audit_head_refuse ON audit_head",
    "DROP TRIGGER IF EXISTS audit_head_refuse_truncate ON audit_head",
    "DROP TRIGGER IF EXISTS audit_head_forward ON audit_head",
    "DROP FUNCTION IF EXISTS perizinan_audit_head_forward()",
    "DROP FUNCTION IF EXISTS perizinan_audit_refuse()",
)


def install(connection: Connection) -> None:
    statements = _PG_INSTALL if connection.dialect.name == "postgresql" else _SQLITE_INSTALL
    for statement in statements:
        connection.exec_driver_sql(statement)


def remove(connection: Connection) -> None:
    statements = _PG_REMOVE if connection.dialect.name == "postgresql" else _SQLITE_REMOVE
    for statement in statements:
        connection.exec_driver_sql(statement)
