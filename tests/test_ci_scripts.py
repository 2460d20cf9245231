"""The test harness itself: .ci scripts, the throwaway clusters, and conftest's PostgreSQL rules.

CI sets ``PERIZINAN_TEST_PG_URL``, so the session never starts its own cluster there; these
tests start one directly so that path (a developer's plain ``pytest``) stays tested too.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pgserver import ThrowawayCluster, find_bindir, in_ci
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
CI_SCRIPTS = [REPO / ".ci" / name for name in ("setup", "run", "pg")]


def require_pg_binaries() -> Path:
    bindir = find_bindir()
    if bindir is None:
        message = "PostgreSQL server binaries not installed"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return bindir


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("script", CI_SCRIPTS, ids=lambda p: p.name)
def test_ci_script_parses(script: Path) -> None:
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
def test_ci_scripts_pass_shellcheck() -> None:
    result = subprocess.run(
        ["shellcheck", "-x", *map(str, CI_SCRIPTS)], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.pg
def test_throwaway_cluster_starts_answers_and_vanishes() -> None:
    cluster = ThrowawayCluster(require_pg_binaries())
    url = cluster.start()
    root, port = cluster.root, cluster.port
    try:
        assert root is not None and port is not None
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                encoding = connection.execute(text("SHOW server_encoding")).scalar_one()
                listen = connection.execute(text("SHOW listen_addresses")).scalar_one()
        finally:
            engine.dispose()
        assert (encoding, listen) == ("UTF8", "127.0.0.1")
    finally:
        cluster.stop()
    assert not root.exists()
    assert not port_open(port)


@pytest.mark.pg
def test_cluster_of_a_killed_session_is_removed() -> None:
    """SIGKILL skips every finalizer: the watchdog still stops the server and removes it."""
    require_pg_binaries()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pgserver import ThrowawayCluster, find_bindir; "
            "c = ThrowawayCluster(find_bindir()); c.start(); "
            "print(c.root, c.port, flush=True); time.sleep(120)",
        ],
        cwd=TESTS,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        root, port = child.stdout.readline().split()
        assert Path(root).exists() and port_open(int(port))
    finally:
        child.kill()
        child.wait()
    deadline = time.monotonic() + 30
    while Path(root).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Path(root).exists()
    assert not port_open(int(port))


@pytest.mark.pg
def test_ci_pg_helper_starts_and_stops(tmp_path: Path) -> None:
    require_pg_binaries()
    script = textwrap.dedent(
        """
        set -euo pipefail
        source .ci/pg
        pg_start
        echo "$PG_ROOT $PG_PORT $PG_URL"
        "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atqc 'SELECT 40 + 2'
        pg_stop
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "PG_ROOT"}
    result = subprocess.run(
        ["bash", "-c", script], cwd=REPO, capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    first, answer = result.stdout.split("\n")[:2]
    root, port, url = first.split()
    assert answer == "42"
    assert url == f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    assert not Path(root).exists()
    assert not port_open(int(port))


# --- conftest's rules, checked on a tiny suite in a subprocess (no real PostgreSQL needed) ---

SUITE = """
def test_on_both(db_url):
    pass

def test_pg_only(pg_url):
    pass

def test_plain():
    pass
"""


# The SQLite half needs the lead's migrations; these tests are about PostgreSQL only.
PYTEST_ARGS = ("-k", "not sqlite")


def outcomes(stdout: str) -> dict[str, int]:
    """``{"passed": 1, "errors": 2, ...}`` from pytest's closing line."""
    last = stdout.strip().splitlines()[-1]
    found = re.findall(r"(\d+) (passed|failed|skipped|deselected|errors?)", last)
    return {word.rstrip("s") if word.startswith("error") else word: int(n) for n, word in found}


def run_suite(
    tmp_path: Path, *args: str, ci: bool, suite: str = SUITE
) -> subprocess.CompletedProcess[str]:
    for name in ("conftest.py", "pgserver.py"):
        shutil.copy(TESTS / name, tmp_path / name)
    (tmp_path / "test_suite.py").write_text(suite)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CI", "PERIZINAN_TEST_PG_URL", "PYTEST_ADDOPTS", "QT_QPA_PLATFORM")
    }
    env["PERIZINAN_TEST_PG_BINDIR"] = str(tmp_path / "no-postgresql-here")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-rA",
            "-q",
            *PYTEST_ARGS,
            *args,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_missing_postgresql_is_a_visible_skip_locally(tmp_path: Path) -> None:
    result = run_suite(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert outcomes(result.stdout) == {"passed": 1, "skipped": 2, "deselected": 1}, result.stdout
    assert "PostgreSQL not available" in result.stdout


def test_missing_postgresql_fails_under_ci(tmp_path: Path) -> None:
    result = run_suite(tmp_path, ci=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert outcomes(result.stdout) == {"passed": 1, "error": 2, "deselected": 1}, result.stdout
    assert "PostgreSQL is required under CI" in result.stdout


@pytest.mark.parametrize("args", [("--no-pg",), ("-m", "not pg")], ids=["--no-pg", "-m not pg"])
def test_sqlite_only_runs_deselect_postgresql(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run_suite(tmp_path, *args, ci=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert outcomes(result.stdout) == {"passed": 1, "deselected": 3}, result.stdout


QT_SUITE = """
from PySide6.QtCore import qWarning
from PySide6.QtWidgets import QLabel, QMainWindow


def test_showing_a_main_window_is_quiet(qtbot):
    window = QMainWindow()
    window.setCentralWidget(QLabel("Halo"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)


def test_a_real_qt_warning_fails(qtbot):
    qWarning("QAbstractItemModel: something broke")
"""


def test_offscreen_noise_is_ignored_but_qt_warnings_fail(tmp_path: Path) -> None:
    result = run_suite(tmp_path, "-o", "qt_log_level_fail=WARNING", ci=False, suite=QT_SUITE)
    assert outcomes(result.stdout) == {"passed": 1, "failed": 1}, result.stdout + result.stderr
    assert "FAILED test_suite.py::test_a_real_qt_warning_fails" in result.stdout
