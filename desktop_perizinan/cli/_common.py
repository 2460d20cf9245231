"""What every verb module shares: the ``--db``/``--forms`` options and how they are read.

Kept apart from ``cli/__init__.py`` so a verb module never imports the package that lists it
(no import cycle), and so ``--help`` stays instant: nothing heavy is imported here.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]
#: argparse has no public name for the object ``add_subparsers`` returns.
Verbs = argparse._SubParsersAction


def forms_dir(value: str | None) -> Path:
    """``--forms DIR`` if given, else the one rule of :func:`desktop_perizinan.paths.forms_dir`
    (``PERIZINAN_FORMS_DIR``, else the shipped ``forms/``), the same for every verb."""
    from desktop_perizinan.paths import forms_dir as default_forms_dir

    return Path(value) if value else default_forms_dir()


def option(args: argparse.Namespace, name: str) -> str | None:
    """``--db`` or ``--forms``, given before or after the verb (see ``build_parser``)."""
    return getattr(args, name, None)


def common_options(default: object) -> argparse.ArgumentParser:
    """``--db`` and ``--forms``, as a parent parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        default=default,
        help="URL basis data (sqlite:///berkas.sqlite3 atau postgresql://...); "
        "bawaan: PERIZINAN_DB_URL, lalu SQLite di folder data pengguna",
    )
    common.add_argument(
        "--forms",
        metavar="DIR",
        default=default,
        help="folder jenis izin (bawaan: PERIZINAN_FORMS_DIR, lalu forms/)",
    )
    return common


#: Where ``--pengguna`` reads the password when it is not typed (scripts, scheduled tasks).
PASSWORD_ENV = "PERIZINAN_PASSWORD"


def add_user_option(parser: argparse.ArgumentParser) -> None:
    """``--pengguna NAMA``: act as this user of the office instead of the system user.

    Without it the command acts as the system user (an administrator) and the audit names
    only this PC. With it the user logs in (password typed without echo, or from
    ``PERIZINAN_PASSWORD``; never on the command line, where ``ps`` and the shell history would
    keep it), the audit entries name that person, and the services apply that person's roles.
    """
    parser.add_argument(
        "--pengguna",
        metavar="NAMA",
        help="bertindak sebagai pengguna ini (kata sandi diketik saat diminta, atau dari "
        f"{PASSWORD_ENV}); tanpa ini: pengguna sistem",
    )


def acting_user(services: object, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The actor of a command: the user of ``--pengguna`` after a login, else the system."""
    import getpass
    import os

    from desktop_perizinan.errors import UserError
    from desktop_perizinan.services.actor import SYSTEM

    username = getattr(args, "pengguna", None)
    if not username:
        return SYSTEM
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        try:
            password = getpass.getpass(f"Kata sandi {username}: ")
        except EOFError:
            password = ""
    if not password:
        raise UserError(f"Kata sandi kosong: ketikkan saat diminta, atau isi {PASSWORD_ENV}.")
    return services.users.login(username, password)  # type: ignore[attr-defined]
