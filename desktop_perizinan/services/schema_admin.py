"""Schema upgrades on the office PostgreSQL, done by the administrator as the owner role.

The PCs connect as the application role (``<db>_app``, ``db.roles``), which may not change the
schema: that is what keeps a clerk who reads the PC's configuration from rewriting the audit
log. So when a new version of the app brings a migration, the PCs refuse to start with a
sentence naming ``perizinan db perbarui``, and the administrator runs it once: it connects as
``<db>_pemilik`` with a password typed for this call only (never stored, never logged), takes
the verified backup and migrates (``db.safe_migrate``), then renews the application's rights,
so a table added by the migration is usable by the PCs at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from desktop_perizinan.db import migrate, roles
from desktop_perizinan.db.engine import make_engine, sqlite_path
from desktop_perizinan.db.errors import database_errors, describe_url
from desktop_perizinan.db.safe_migrate import migrate_with_backup
from desktop_perizinan.errors import DatabaseError, ValidationError
from desktop_perizinan.services.personal_data import backup_contents


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against this app."""

    revision: str | None
    head: str
    may_migrate: bool

    @property
    def current(self) -> bool:
        return self.revision == self.head

    def summary(self) -> str:
        if self.current:
            return f"Skema basis data terbaru (revisi {self.head})."
        found = self.revision or "kosong"
        who = (
            ""
            if self.may_migrate
            else " Peran koneksi ini bukan pemilik skema: jalankan 'perizinan db perbarui'."
        )
        return f"Skema basis data perlu diperbarui: revisi {found}, aplikasi ini {self.head}.{who}"


@dataclass(frozen=True)
class UpgradeResult:
    before: str | None
    after: str
    backup: Path | None
    application_role: str | None

    def summary(self) -> str:
        if self.before == self.after:
            text = f"Skema sudah terbaru (revisi {self.after}); tidak ada yang diubah."
        else:
            text = f"Skema diperbarui dari revisi {self.before or 'kosong'} ke {self.after}."
        if self.backup is not None:
            text += f" Cadangan sebelum pembaruan: {self.backup}."
        if self.application_role:
            text += f" Hak peran aplikasi {self.application_role} diperbarui."
        return text


def schema_state(url: str) -> SchemaState:
    """The database's revision, this app's head, and whether ``url``'s role may migrate.

    A SQLite file that does not exist is an error, not a new empty database: a status check
    must not create one (a mistyped path would otherwise look like a fresh office)."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise DatabaseError(f"Berkas basis data {path} tidak ada.")
    engine = make_engine(url, pool_size=1)
    try:
        with database_errors(describe_url(url)), engine.connect() as connection:
            return SchemaState(
                revision=migrate.revision_of(connection),
                head=migrate.head_revision(),
                may_migrate=roles.owns_the_schema(connection),
            )
    finally:
        engine.dispose()


def upgrade_as_owner(
    app_url: str, password: str, *, owner: str | None = None, backup_dir: Path | None = None
) -> UpgradeResult:
    """Migrate the database of ``app_url`` as its owner, then renew the application's rights.

    ``app_url`` is what the PCs keep (the application role); the owner defaults to
    ``<db>_pemilik``. Raises ``ValidationError`` for SQLite (it has no roles and migrates
    itself when the app opens it) and ``DatabaseError`` for a wrong password or server.
    """
    url = make_url(app_url)
    if url.get_backend_name() != "postgresql" or not url.database:
        raise ValidationError(
            "Perintah ini untuk basis data PostgreSQL kantor; basis data SQLite diperbarui "
            "sendiri saat aplikasi dibuka."
        )
    owner = owner or roles.owner_role_of(url.database)
    roles.check_name(owner)
    app = url.username if url.username and url.username != owner else None
    if app is not None:
        roles.check_name(app)
    owner_url = url.set(username=owner, password=password).render_as_string(hide_password=False)
    engine = make_engine(owner_url, pool_size=1)
    try:
        with database_errors(describe_url(owner_url)):
            before = migrate.current_revision(engine)
            backup = migrate_with_backup(
                owner_url, engine=engine, backup_dir=backup_dir, contents=backup_contents
            )
            if app is not None:
                with engine.begin() as connection:
                    roles.grant_application(connection, app)
        return UpgradeResult(before, migrate.head_revision(), backup, app)
    finally:
        engine.dispose()
