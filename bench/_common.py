"""Helpers shared by the benchmark scripts in ``bench/`` (not part of the application).

Kept here so that every script reports figures the same way (median, p95, ratio to the floor
measured in the same run) and creates its scratch databases the same way.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as ``python bench/x.py`` from a checkout, not installed
    sys.path.insert(0, str(ROOT))


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile: with few runs it is simply the worst but one or two."""
    ordered = sorted(values)
    rank = max(1, math.ceil(0.95 * len(ordered)))
    return float(ordered[rank - 1])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def machine_line() -> str:
    """What the figures were measured on: they mean little without it."""
    cores = os.cpu_count() or 0
    return (
        f"{datetime.now():%Y-%m-%d %H:%M}, {cores} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, git {git_revision()}"
    )


def git_revision() -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "?"
    dirty = ""
    status = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
        timeout=10,
    )
    if status.stdout.strip():
        dirty = "+dirty"
    return (result.stdout.strip() or "?") + dirty


def backend_of(url: str) -> str:
    """'sqlite' or 'postgresql' (the two deployments the application supports)."""
    return make_url(url).get_backend_name()


def describe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain text table: readable in a terminal and pasteable into the README."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


@contextmanager
def scratch_pg_database(server_url: str, prefix: str) -> Iterator[str]:
    """A fresh, empty database on the server of ``server_url``, dropped afterwards.

    Benchmarks that must start empty (numbering) get their own database, so they never touch
    the generated office data or a colleague's database on the same server.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    url = make_url(server_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
