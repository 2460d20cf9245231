"""Where the application's own files are: in a source checkout and in the installed build.

A source checkout keeps ``forms/`` and ``resources/`` at the top of the repository, next to the
``desktop_perizinan`` package. The PyInstaller build (``packaging/perizinan.spec``) puts the
same folders inside the bundle, whose root is ``sys._MEIPASS`` (the ``_internal`` folder of a
one-folder build). Every module asks here instead of counting ``parents[...]`` from its own
``__file__``: that count only works by accident in a frozen build, and a data file must never
be found through the working directory (STYLE point 15).

``PERIZINAN_FORMS_DIR`` points the app at an office's own copy of the permit types (an
installed build lives in a read-only program folder, and offices edit their forms).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_FORMS_DIR = "PERIZINAN_FORMS_DIR"


def is_frozen() -> bool:
    """True inside the PyInstaller build."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def app_root() -> Path:
    """The folder holding ``forms/`` and ``resources/``: the bundle root, or the checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """Fonts, icons, the emblem and the Qt stylesheet."""
    return app_root() / "resources"


def forms_dir() -> Path:
    """The permit-type files: ``PERIZINAN_FORMS_DIR`` if set, else the shipped ``forms/``."""
    override = os.environ.get(ENV_FORMS_DIR)
    if override:
        return Path(override)
    return app_root() / "forms"


def migrations_dir() -> Path:
    """The Alembic scripts (``env.py`` and ``versions/``), shipped as plain ``.py`` files."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "desktop_perizinan" / "db" / "migrations"
    return Path(__file__).resolve().parent / "db" / "migrations"
