"""A throwaway PostgreSQL server for the benchmarks: loopback only, a random port, its own dir.

    python bench/pgcluster.py start [--dir /tmp/perizinan-bench-pg]   # prints the server URL
    python bench/pgcluster.py createdb NAME [--dir ...]               # prints the database URL
    python bench/pgcluster.py stop [--dir ...]                        # stops it, removes the dir

Unlike the test suite's cluster (``tests/pgserver.py``, fsync off), this one keeps PostgreSQL's
default durability (fsync, synchronous_commit, full_page_writes on): the benchmarks should
pay for a commit what the office server pays. As root the server runs as ``postgres`` through
``runuser`` (ENVIRONMENT.md); otherwise as the current user.
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_DIR = Path("/tmp/perizinan-bench-pg")
OPTIONS = "-c max_connections=100 -c shared_buffers=128MB"


def bindir() -> Path:
    override = os.environ.get("PERIZINAN_TEST_PG_BINDIR")
    if override:
        return Path(override)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise SystemExit(
            "pgcluster: server PostgreSQL tidak ditemukan (apt-get install postgresql)"
        )
    return Path(initdb).parent


def _run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [str(bindir() / args[0]), *args[1:]]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(
        command,
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
    )
    if check and result.returncode != 0:
        raise SystemExit(f"pgcluster: {args[0]} gagal:\n{result.stdout}\n{result.stderr}")
    return result


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_url(root: Path) -> str:
    port = (root / "port").read_text().strip()
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def start(root: Path) -> str:
    if (root / "data" / "postmaster.pid").exists():
        return server_url(root)
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    if not (root / "data").exists():
        _run("initdb", "-D", str(root / "data"), "-U", "postgres", "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")  # fmt: skip
    for _ in range(5):
        port = _free_port()
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} {OPTIONS}"
        result = _run("pg_ctl", "-D", str(root / "data"), "-l", str(root / "server.log"),
                      "-w", "-t", "60", "-o", options, "start", check=False)  # fmt: skip
        if result.returncode == 0:
            port_file = root / "port"
            port_file.write_text(str(port))
            return server_url(root)
        time.sleep(0.5)
    log = (root / "server.log").read_text(errors="replace")[-2000:]
    raise SystemExit(f"pgcluster: pg_ctl start gagal:\n{log}")


def stop(root: Path) -> None:
    if (root / "data" / "postmaster.pid").exists():
        _run("pg_ctl", "-D", str(root / "data"), "-m", "fast", "-w", "stop", check=False)
    shutil.rmtree(root, ignore_errors=True)


def createdb(root: Path, name: str) -> str:
    from sqlalchemy import create_engine, text

    url = server_url(root)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("start", "stop", "createdb", "url"))
    parser.add_argument("name", nargs="?", help="database name (createdb)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    if args.command == "start":
        print(start(args.dir))
    elif args.command == "stop":
        stop(args.dir)
    elif args.command == "url":
        print(server_url(args.dir))
    else:
        if not args.name:
            parser.error("createdb memerlukan nama basis data")
        print(createdb(args.dir, args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
