"""Start-up (issue 14): what the database worker imports to open an existing SQLite office
and log in, checked by ``sys.modules`` in a fresh interpreter, never by a clock.

The PostgreSQL dialect (every driver module) is imported only for a PostgreSQL database, and
the services the first screen does not use are built (and imported) on first use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "forms"
#: Never needed to open a SQLite office and log in.
NOT_AT_START = (
    "sqlalchemy.dialects.postgresql",
    "desktop_perizinan.services.pdp_report",
    "desktop_perizinan.services.retention",
    "desktop_perizinan.services.books",
    "desktop_perizinan.services.user_admin",
    "desktop_perizinan.services.outside_numbers",
)

OPEN_AND_LOG_IN = """
import json, sys
from pathlib import Path
from desktop_perizinan.services.app import Services

services = Services.open(sys.argv[1], Path(sys.argv[2]))
services.users.any_user()
services.users.login("loket", "rahasia123")
services.close()
print(json.dumps(sorted(m for m in sys.argv[3].split(",") if m in sys.modules)))
"""


def test_opening_sqlite_and_logging_in_imports_only_what_it_uses(tmp_path: Path) -> None:
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import create_demo_users

    url = f"sqlite:///{tmp_path / 'o.sqlite3'}"
    services = Services.open(url, FORMS)  # created and migrated here, not in the child
    try:
        create_demo_users(services)
    finally:
        services.close()
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"))
    out = subprocess.run(
        [sys.executable, "-c", OPEN_AND_LOG_IN, url, str(FORMS), ",".join(NOT_AT_START)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
