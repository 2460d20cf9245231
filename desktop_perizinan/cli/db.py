"""``perizinan db status`` and ``perizinan db perbarui``: the schema of the office database.

On PostgreSQL the PCs connect as the application role, which may not migrate (``db.roles``);
``db perbarui`` is how the administrator upgrades the schema for a new version of the app, as
the owner role, without putting the owner's password in any PC's configuration. The password is
read from ``PERIZINAN_DB_OWNER_PASSWORD`` or asked without echo; it is never printed, stored or
put in a command line (where ``ps`` and the shell history would keep it).
"""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path

from desktop_perizinan.cli._common import Verbs, option
from desktop_perizinan.errors import UserError

OWNER_PASSWORD_ENV = "PERIZINAN_DB_OWNER_PASSWORD"


def cmd_status(args: argparse.Namespace) -> int:
    from desktop_perizinan.db.engine import resolve_url
    from desktop_perizinan.services.schema_admin import schema_state

    state = schema_state(resolve_url(option(args, "db")))
    print(state.summary())
    return 0 if state.current else 1


def _owner_password() -> str:
    password = os.environ.get(OWNER_PASSWORD_ENV)
    if password is None:
        try:
            password = getpass.getpass("Kata sandi peran pemilik: ")
        except EOFError:
            password = ""
    if not password:
        raise UserError(
            f"Kata sandi peran pemilik kosong: ketikkan saat diminta, atau isi {OWNER_PASSWORD_ENV}."
        )
    return password


def cmd_upgrade(args: argparse.Namespace) -> int:
    from desktop_perizinan.db.engine import resolve_url
    from desktop_perizinan.services.schema_admin import upgrade_as_owner

    result = upgrade_as_owner(
        resolve_url(option(args, "db")),
        _owner_password(),
        owner=args.pemilik,
        backup_dir=Path(args.cadangan) if args.cadangan else None,
    )
    print(result.summary())
    return 0


def register(verbs: Verbs, common: argparse.ArgumentParser) -> None:
    """Add ``db status`` and ``db perbarui`` to the ``perizinan`` command."""
    db = verbs.add_parser(
        "db",
        help="skema basis data kantor: periksa dan perbarui (sebagai peran pemilik)",
        description="Memeriksa revisi skema basis data dan memperbaruinya. Pada PostgreSQL "
        "dengan peran pemilik dan peran aplikasi, PC memakai peran aplikasi yang tidak boleh "
        "mengubah skema; administrator memperbaruinya sekali dengan 'db perbarui'.",
        parents=[common],
    )
    actions = db.add_subparsers(title="perintah", metavar="PERINTAH", required=True)
    status = actions.add_parser(
        "status",
        help="revisi skema basis data dan apakah perlu diperbarui (status keluar 1 bila perlu)",
        parents=[common],
    )
    status.set_defaults(handler=cmd_status)
    upgrade = actions.add_parser(
        "perbarui",
        help="perbarui skema sebagai peran pemilik (cadangan dulu), lalu perbarui hak peran aplikasi",
        description="Menyambung ke basis data --db (bawaan: konfigurasi PC ini) sebagai peran "
        "pemilik, membuat cadangan yang diperiksa, memperbarui skema, lalu memberi peran "
        f"aplikasi haknya atas tabel baru. Kata sandi pemilik dari {OWNER_PASSWORD_ENV} atau "
        "diketik saat diminta; tidak pernah disimpan.",
        parents=[common],
    )
    upgrade.add_argument(
        "--pemilik", metavar="PERAN", help="nama peran pemilik (bawaan: <basis data>_pemilik)"
    )
    upgrade.add_argument(
        "--cadangan",
        metavar="DIR",
        help="folder cadangan sebelum pembaruan (bawaan: folder cadangan di folder data)",
    )
    upgrade.set_defaults(handler=cmd_upgrade)
