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
