"""What Selesai does, without Qt: open (create, migrate) the database, create the first
administrator, save the profile, and only then write this PC's configuration.

On an office server it may first create the owner and application roles (``db.roles``): the
database is then migrated as the owner and this PC keeps only the application role, which may
not rewrite the audit log (issue 16).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.errors import UserError
from desktop_perizinan.local_config import (
    LocalConfig,
    save_config,
)


@dataclass(frozen=True)
class AdminInput:
    username: str
    full_name: str
    password: str


def set_up_office(
    url: str,
    forms_dir: Path,
    admin: AdminInput | None,
    profile: OfficeProfile | None,
    config: LocalConfig | None,
) -> str:
    """What Selesai does (on a worker thread); returns the URL the app should open.

    ``admin`` None: the database is already set up, only this PC's configuration is written.
    """
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
    if config is not None:
        save_config(config)
    return url
