"""What Selesai does, without Qt: open (create, migrate) the database, create the first
administrator, save the profile, and only then write this PC's configuration.

On an office server it may first create the owner and application roles (``db.roles``): the
database is then migrated as the owner and this PC keeps only the application role, which may
not rewrite the audit log (issue 16).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.errors import UserError
from desktop_perizinan.local_config import LocalConfig, PostgresChoice, save_config


@dataclass(frozen=True)
class AdminInput:
    username: str
    full_name: str
    password: str


@dataclass(frozen=True)
class RolesInput:
    """Create the owner and application roles (``db.roles``) before setting up the office."""

    owner_password: str

    def __repr__(self) -> str:  # never the password
        return "RolesInput(owner_password=***)"


def set_up_office(
    url: str,
    forms_dir: Path,
    admin: AdminInput | None,
    profile: OfficeProfile | None,
    config: LocalConfig | None,
    roles: RolesInput | None = None,
    audit_key_file: Path | None = None,
) -> str:
    """What Selesai does (on a worker thread); returns the URL the app should open.

    ``admin`` None: the database is already set up, only this PC's configuration is written.
    """
    if admin is not None and roles is not None:
        url, config = _with_roles(url, config, roles)
    if admin is not None:
        from desktop_perizinan.services.actor import ADMIN_ROLE, SYSTEM
        from desktop_perizinan.services.app import Services

        services = Services.open(url, forms_dir)
        try:
            if services.users.any_user():
                raise UserError(
                    "Basis data ini ternyata sudah berisi pengguna (mungkin baru saja disiapkan "
                    "dari PC lain). Kembali ke halaman Basis data dan pilih lagi: PC ini cukup "
                    "disambungkan."
                )
            actor = services.users.create(
                SYSTEM,
                username=admin.username,
                full_name=admin.full_name,
                password=admin.password,
                roles=frozenset({ADMIN_ROLE}),
            )
            if profile is not None:
                services.settings.save_office_profile(actor, profile)
        finally:
            services.close()
    if audit_key_file is not None:
        # A PC joining the office signs with the office's key (``audit_key``), not its own.
        from desktop_perizinan.audit_key import import_from

        import_from(audit_key_file)
    if config is not None:
        save_config(config)
    return url


def _with_roles(
    url: str, config: LocalConfig | None, roles: RolesInput
) -> tuple[str, LocalConfig | None]:
    """Make the roles (as the server administrator typed in), then continue as the
    application role: its URL is opened and its login is what this PC keeps."""
    from sqlalchemy.engine import make_url

    from desktop_perizinan.db.roles import set_up_roles

    parsed = make_url(url)
    made = set_up_roles(url, parsed.database or "", owner_password=roles.owner_password)
    app = make_url(made.app_url)
    if config is not None and isinstance(config.database, PostgresChoice):
        choice = replace(config.database, user=app.username or "", password=app.password or "")
        config = LocalConfig(choice, config.saved_at)
    return made.app_url, config
