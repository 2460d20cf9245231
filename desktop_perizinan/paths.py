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
#: The database for this run (read by ``db.engine.resolve_url`` and the first-run check).
ENV_DB_URL = "PERIZINAN_DB_URL"
_NETWORK_FS = {"nfs", "nfs4", "cifs", "smb", "smbfs", "smb2", "smb3", "9p", "fuse.sshfs", "afs"}


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


def default_sqlite_path() -> Path:
    """The embedded database in the user's data folder (platformdirs): the database when
    nothing else is chosen. Here, below both ``db.engine`` and ``local_config``, so neither
    has to import the other for it."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("perizinan", "DPMPTSP")) / "perizinan.sqlite3"


def migrations_dir() -> Path:
    """The Alembic scripts (``env.py`` and ``versions/``), shipped as plain ``.py`` files."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "desktop_perizinan" / "db" / "migrations"
    return Path(__file__).resolve().parent / "db" / "migrations"


def is_network_path(path: Path) -> bool:
    """True when ``path`` lives on a network share (SQLite there corrupts under concurrency).

    Here rather than in ``db.engine`` because the PC configuration checks it too, and
    ``db.engine`` reads that configuration: neither may import the other."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        drive = os.path.splitdrive(os.path.abspath(text))[0]
        if drive:
            drive_remote = 4
            return bool(ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == drive_remote)
        return False
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return False
    resolved = str(Path(text).resolve())
    best, best_type = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        if (resolved == mount_point or resolved.startswith(mount_point.rstrip("/") + "/")) and len(
            mount_point
        ) > len(best):
            best, best_type = mount_point, parts[2]
    return best_type in _NETWORK_FS
