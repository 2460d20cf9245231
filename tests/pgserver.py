"""A throwaway PostgreSQL cluster for one test session (no pytest in here).

:func:`find_bindir` looks for the server binaries (``PERIZINAN_TEST_PG_BINDIR`` if set, else the
newest ``/usr/lib/postgresql/*/bin``, else ``initdb`` on ``PATH``). :class:`ThrowawayCluster`
runs ``initdb`` and ``pg_ctl`` in a fresh temporary directory: trust authentication, superuser
``postgres``, listening on 127.0.0.1 only, on a free port, with the socket in the same
directory, durability switched off (a test cluster is thrown away, so fsync buys nothing), and
its files in RAM (/dev/shm) when there is room.
As root the binaries run as the ``postgres`` user through ``runuser``; otherwise as the
current user. ``.ci/pg`` does the same in bash for ``.ci/run``.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV_BINDIR = "PERIZINAN_TEST_PG_BINDIR"
ENV_TMPDIR = "PERIZINAN_TEST_PG_TMPDIR"
RAM_DISK = Path("/dev/shm")
RAM_DISK_MIN_FREE = 1 << 30
SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=200 -c shared_buffers=64MB"
)


class ClusterError(RuntimeError):
    """The cluster could not be created or started; the message carries the server's log."""


def _version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"/postgresql/([0-9.]+)/bin$", path)
    if not match:
        return (0,)
    return tuple(int(part) for part in match.group(1).split(".") if part)


def find_bindir() -> Path | None:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    override = os.environ.get(ENV_BINDIR)
    if override:
        path = Path(override)
        return path if (path / "initdb").is_file() else None
    candidates = [os.path.dirname(path) for path in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    if candidates:
        return Path(max(candidates, key=_version_key))
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def in_ci() -> bool:
    """True when the ``CI`` variable is set to anything but empty/0/false/no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def cluster_parent_dir() -> str | None:
    """Where the cluster's directory goes: RAM when there is room, else the usual temp dir.

    On a disk, ``CREATE DATABASE ... TEMPLATE`` (once per test) takes 0.3-0.4 s here; on tmpfs
    about 15 ms. ``PERIZINAN_TEST_PG_TMPDIR`` overrides the choice.
    """
    override = os.environ.get(ENV_TMPDIR)
    if override:
        return override
    try:
        info = os.statvfs(RAM_DISK)
    except OSError:
        return None
    if os.access(RAM_DISK, os.W_OK) and info.f_bavail * info.f_frsize >= RAM_DISK_MIN_FREE:
        return str(RAM_DISK)
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the caller retries on a race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_cluster(bindir: Path, root: Path, as_postgres: bool) -> None:
    """``pg_ctl stop -m fast`` if the server runs, then delete ``root``."""
    if (root / "data" / "postmaster.pid").exists():
        command = [str(bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "fast", "-w", "-s"]
        command.append("stop")
        if as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(command, cwd="/", capture_output=True, timeout=60, check=False)
    shutil.rmtree(root, ignore_errors=True)


def _watch(parent: int, bindir: Path, root: Path, as_postgres: bool) -> None:
    """Wait for ``parent`` to die, then stop the cluster in ``root`` if it is still there."""
    started_under = os.getppid()
    while root.exists():
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            break
        if os.getppid() != started_under:  # reparented: the parent is gone
            break
        time.sleep(0.5)
    if root.exists():
        stop_cluster(bindir, root, as_postgres)


class ThrowawayCluster:
    """``start()`` gives the URL of a fresh cluster; ``stop()`` removes every trace of it."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root: Path | None = None
        self.port: int | None = None
        self._as_postgres = os.geteuid() == 0
        self._watchdog: subprocess.Popen[bytes] | None = None

    @property
    def datadir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def logfile(self) -> Path:
        assert self.root is not None
        return self.root / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        # cwd=/: as root the repository may sit where the postgres user cannot enter.
        return subprocess.run(
            command,
            cwd="/",
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
        )

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = self.logfile.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def start(self, attempts: int = 5) -> str:
        if self._as_postgres:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise ClusterError(
                    "running as root but there is no 'postgres' user to run the server as"
                ) from None
            if shutil.which("runuser") is None:
                raise ClusterError("running as root but 'runuser' is missing")
        self.root = Path(tempfile.mkdtemp(prefix="perizinan-pg-", dir=cluster_parent_dir()))
        atexit.register(self.stop)
        if self._as_postgres:
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        initdb = self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
            "--no-instructions",
        )
        if initdb.returncode != 0:
            message = f"initdb failed ({initdb.returncode}):\n{initdb.stdout}\n{initdb.stderr}"
            self.stop()
            raise ClusterError(message)
        last_error = ""
        for _ in range(attempts):
            port = free_port()
            options = f"-c listen_addresses=127.0.0.1 -p {port} -k {self.root} {SERVER_OPTIONS}"
            started = self._run(
                "pg_ctl",
                "-D",
                str(self.datadir),
                "-l",
                str(self.logfile),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            )
            if started.returncode == 0:
                self.port = port
                self._start_watchdog()
                return self.url
            last_error = f"{started.stdout}\n{started.stderr}\n{self._log_tail()}"
            if "already in use" not in last_error:
                break
        self.stop()
        raise ClusterError(f"pg_ctl start failed:\n{last_error}")

    def stop(self) -> None:
        """Stop the server (fast mode) and delete its directory; safe to call twice."""
        if self._watchdog is not None:
            self._watchdog.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._watchdog.wait(timeout=10)
            self._watchdog = None
        if self.root is None:
            return
        root, self.root = self.root, None
        stop_cluster(self.bindir, root, self._as_postgres)
        self.port = None

    def _start_watchdog(self) -> None:
        """A detached process that removes the cluster if this one dies without stopping it.

        ``kill -TERM`` or ``-KILL`` of pytest (a CI timeout, ``timeout 900 pytest``) skips
        fixture teardown and atexit; the watchdog notices its parent is gone and cleans up.
        """
        assert self.root is not None
        self._watchdog = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--watch",
                str(os.getpid()),
                str(self.bindir),
                str(self.root),
                "1" if self._as_postgres else "0",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C or group SIGTERM must not kill it first
        )

    def version(self) -> str:
        result = subprocess.run(
            [str(self.bindir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip()


if __name__ == "__main__" and sys.argv[1:2] == ["--watch"]:
    _watch(int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5] == "1")
