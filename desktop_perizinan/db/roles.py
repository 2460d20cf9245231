"""PostgreSQL: an owner role that migrates, an application role that may not rewrite the audit.

The first-run wizard (office server, new database) creates both; ``perizinan db perbarui``
(``services.schema_admin``) later migrates as the owner and renews the application's rights:

* the **owner** (``<db>_pemilik``) owns the database, its schema and every table; migrations
  run as the owner, nothing else does. Its password stays with the administrator, not on the
  PCs.
* the **application** role (``<db>_app``) is what every PC's configuration holds. It may read
  and write the office's tables, but on the audit tables only SELECT and INSERT — plus, on
  the head row, UPDATE of its three columns, which the head trigger (``db.audit_guard``)
  allows only one entry forward. It cannot drop or disable the triggers (it does not own the
  tables), cannot TRUNCATE, and cannot change ``alembic_version``.

So a clerk who reads the database password out of a PC's configuration still cannot quietly
rewrite the log: the server refuses the UPDATE. Tables added by later migrations get the
application's rights through ``ALTER DEFAULT PRIVILEGES`` (and :func:`grant_application` is
idempotent, to run again after a migration).
"""

from __future__ import annotations

import re
import secrets
from contextlib import suppress
from dataclasses import dataclass

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from desktop_perizinan.errors import ValidationError

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
AUDIT_TABLES = ("audit_log", "audit_head")
HEAD_COLUMNS = ("last_id", "last_hash", "mac")


@dataclass(frozen=True)
class Roles:
    owner_url: str
    app_url: str
    owner: str
    app: str


def _ident(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValidationError(
            f"Nama peran atau basis data '{name}' tidak sah: pakai huruf kecil, angka dan garis "
            "bawah, diawali huruf."
        )
    return f'"{name}"'


def check_name(name: str) -> None:
    """Refuse a role or database name that would need quoting (raises ``ValidationError``)."""
    _ident(name)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def grant_application(connection: Connection, app: str) -> None:
    """Give ``app`` the application's rights on every table (run as the owner)."""
    role = _ident(app)
    database = connection.execute(text("SELECT current_database()")).scalar_one()
    statements = [
        f"GRANT CONNECT ON DATABASE {_ident(database)} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(AUDIT_TABLES)} FROM {role}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
        f"GRANT UPDATE ({', '.join(HEAD_COLUMNS)}) ON audit_head TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
    ]
    for statement in statements:
        connection.exec_driver_sql(statement)


def _role_exists(connection: Connection, name: str) -> bool:
    found = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return found.first() is not None


def set_up_roles(
    admin_url: str,
    database: str,
    *,
    owner_password: str,
    app_password: str | None = None,
) -> Roles:
    """Create the owner and application roles and the database (as a server administrator),
    migrate it as the owner, and grant the application its rights.

    Returns both URLs; the application's is what the PCs keep. ``app_password`` None makes a
    random one (the wizard shows nobody: it goes into each PC's configuration).
    """
    from desktop_perizinan.db import migrate
    from desktop_perizinan.db.engine import make_engine

    owner, app = f"{database}_pemilik", f"{database}_app"
    for name in (database, owner, app):
        _ident(name)
    app_password = app_password or secrets.token_urlsafe(24)
    admin = make_url(admin_url)
    if admin.drivername == "postgresql":
        admin = admin.set(drivername="postgresql+psycopg")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for name, password in ((owner, owner_password), (app, app_password)):
                verb = "ALTER" if _role_exists(connection, name) else "CREATE"
                connection.exec_driver_sql(
                    f"{verb} ROLE {_ident(name)} LOGIN PASSWORD {_literal(password)}"
                )
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}
            ).first()
            if exists is None:
                connection.exec_driver_sql(
                    f"CREATE DATABASE {_ident(database)} OWNER {_ident(owner)} ENCODING 'UTF8'"
                )
            else:
                connection.exec_driver_sql(
                    f"ALTER DATABASE {_ident(database)} OWNER TO {_ident(owner)}"
                )
            connection.exec_driver_sql(f"REVOKE ALL ON DATABASE {_ident(database)} FROM PUBLIC")
    finally:
        engine.dispose()
    engine = create_engine(admin.set(database=database), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"ALTER SCHEMA public OWNER TO {_ident(owner)}")
            connection.exec_driver_sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            # pg_trgm (migration 0002) may need a superuser; without it the migration skips
            # the index and search still works, slower.
            with suppress(DBAPIError):
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    finally:
        engine.dispose()
    owner_url = admin.set(database=database, username=owner, password=owner_password)
    app_url = admin.set(database=database, username=app, password=app_password)
    owner_text = owner_url.render_as_string(hide_password=False)
    engine = make_engine(owner_text, pool_size=1)
    try:
        migrate.upgrade(engine)
        with engine.begin() as connection:
            grant_application(connection, app)
    finally:
        engine.dispose()
    return Roles(owner_text, app_url.render_as_string(hide_password=False), owner, app)


def owner_role_of(database: str) -> str:
    """The owner's role name for ``database``, as :func:`set_up_roles` named it."""
    return f"{database}_pemilik"


def owns_the_schema(connection: Connection) -> bool:
    """Whether this connection's role may migrate: it owns ``alembic_version`` (PostgreSQL).

    True on an empty database (nothing is owned yet: whoever creates the tables owns them) and
    on SQLite, where there are no roles.
    """
    if connection.dialect.name != "postgresql":
        return True
    owner = connection.execute(
        text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = :t"),
        {"t": "alembic_version"},
    ).scalar()
    if owner is None:
        return True
    return bool(
        connection.execute(
            text("SELECT pg_has_role(current_user, :o, 'USAGE')"), {"o": owner}
        ).scalar()
    )
