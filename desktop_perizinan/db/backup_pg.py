"""PostgreSQL backups: finding ``pg_dump``/``pg_restore``, dumping, and reading a dump back
(every block decompressed, the audit rows checked) without a server to restore it into.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from desktop_perizinan.db.backup_files import (
    BackupError,
    Verification,
    _audit_report,
    _revision_known,
)
from desktop_perizinan.db.errors import database_errors, describe_url

log = logging.getLogger(__name__)


ENV_PG_BINDIR = "PERIZINAN_PG_BINDIR"


def _version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"[/\\](\d+(?:\.\d+)*)[/\\]bin[/\\]", path)
    return tuple(int(p) for p in match.group(1).split(".")) if match else (0,)


#: Where the PostgreSQL client programs live when they are not on ``PATH`` (Debian, RHEL).
PG_SEARCH_PATTERNS: tuple[str, ...] = ("/usr/lib/postgresql/*/bin/{exe}", "/usr/pgsql-*/bin/{exe}")


def find_pg_tool(name: str) -> Path:
    """``pg_dump`` or ``pg_restore``: ``PERIZINAN_PG_BINDIR``, ``PATH``, then the usual folders."""
    exe = f"{name}.exe" if sys.platform == "win32" else name
    override = os.environ.get(ENV_PG_BINDIR)
    if override:
        candidate = Path(override) / exe
        if candidate.is_file():
            return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    patterns = [pattern.format(exe=exe) for pattern in PG_SEARCH_PATTERNS]
    if sys.platform == "win32":  # pragma: no cover - Windows only
        for root in (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMW6432")):
            if root:
                patterns.append(os.path.join(root, "PostgreSQL", "*", "bin", exe))
    candidates = [p for pattern in patterns for p in glob.glob(pattern)]
    if candidates:
        return Path(max(candidates, key=_version_key))
    raise BackupError(
        f"Program {name} dari PostgreSQL tidak ditemukan di PC ini, jadi basis data server "
        "tidak dapat dicadangkan atau dipulihkan dari sini. Pasang PostgreSQL client tools "
        "(Debian/Ubuntu: apt install postgresql-client; Windows: pilih 'Command Line Tools' "
        "saat memasang PostgreSQL), atau jalankan perintah ini di PC server."
    )


def _libpq_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _pg_connection(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string and the environment for the tools.

    The password goes through ``PGPASSWORD``, never on the command line (other users of the
    PC could read it from the process list).
    """
    parts = {
        "host": url.host,
        "port": str(url.port) if url.port else None,
        "user": url.username,
        "dbname": url.database,
    }
    for key, value in url.query.items():
        if isinstance(value, str) and key not in parts:
            parts[key] = value
    conninfo = " ".join(f"{k}={_libpq_quote(v)}" for k, v in parts.items() if v)
    env = dict(os.environ)
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    env["PGCLIENTENCODING"] = "UTF8"
    return conninfo, env


def _tool_failure(tool: str, stderr: str) -> BackupError:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    detail = lines[-1] if lines else "tanpa keterangan"
    if "version mismatch" in stderr:
        return BackupError(
            f"{tool} di PC ini lebih lama daripada server PostgreSQL; pasang PostgreSQL "
            f"client tools versi yang sama dengan server ({detail})."
        )
    if "could not connect" in stderr or "connection to server" in stderr:
        return BackupError(f"{tool} tidak dapat terhubung ke server basis data ({detail}).")
    return BackupError(f"{tool} gagal: {detail}")


def _pg_dump(url: URL, tmp: Path) -> None:
    tool = find_pg_tool("pg_dump")
    conninfo, env = _pg_connection(url)
    completed = subprocess.run(
        [str(tool), "--format=custom", "--no-password", f"--file={tmp}", f"--dbname={conninfo}"],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    if completed.returncode != 0:
        raise _tool_failure("pg_dump", completed.stderr)


def _check_reachable(url: URL) -> None:
    """Connect once through SQLAlchemy first: its failures have Indonesian messages."""
    from desktop_perizinan.db.engine import make_engine

    engine = make_engine(url.render_as_string(hide_password=False), pool_size=1)
    try:
        with database_errors(describe_url(url)), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    finally:
        engine.dispose()


_COPY = re.compile(r"^COPY (?:public\.)?\"?(\w+)\"? \(([^)]*)\) FROM stdin;$")


_COPY_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))")


_COPY_CHARS = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


_WANTED = ("alembic_version", "audit_log", "audit_head")
#: Tables whose rows are only counted (an empty audit log on a database with cases fails).
_COUNTED = ("permohonan",)
_SEEN: dict[str, str | None] = {}


def _copy_value(field: str) -> str | None:
    if field == r"\N":
        return None

    def replace(match: re.Match[str]) -> str:
        octal, hexa, char = match.groups()
        if octal:
            return chr(int(octal, 8))
        if hexa:
            return chr(int(hexa, 16))
        return _COPY_CHARS.get(char, char)

    return _COPY_ESCAPE.sub(replace, field) if "\\" in field else field


def _pg_tables(path: Path) -> dict[str, list[dict[str, str | None]]]:
    """Stream the whole archive through ``pg_restore`` (this reads and decompresses every
    block, which is the integrity check) and keep the rows of the few tables we verify."""
    tool = find_pg_tool("pg_restore")
    found: dict[str, list[dict[str, str | None]]] = {}
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as stderr:
        process = subprocess.Popen(
            [str(tool), "--file=-", str(path)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        assert process.stdout is not None
        table: str | None = None
        columns: list[str] = []
        for line in process.stdout:
            if table is None:
                match = _COPY.match(line.rstrip("\n"))
                if match:
                    name = match.group(1)
                    if name in _WANTED or name in _COUNTED:
                        table = name
                        columns = [c.strip().strip('"') for c in match.group(2).split(",")]
                        found[table] = []
                continue
            row = line.rstrip("\n")
            if row == "\\.":
                table = None
                continue
            if table in _COUNTED:
                found[table].append(_SEEN)
                continue
            found[table].append(dict(zip(columns, map(_copy_value, row.split("\t")), strict=False)))
        returncode = process.wait()
        stderr.seek(0)
        errors = stderr.read()
    if returncode != 0:
        failure = _tool_failure("pg_restore", errors)
        raise BackupError(f"Cadangan {path.name} rusak atau tidak terbaca: {failure.message}")
    return found


def _verify_pg(path: Path) -> Verification:
    from desktop_perizinan.db.models import AuditEntry, AuditHead

    tables = _pg_tables(path)
    revisions = [row["version_num"] for row in tables.get("alembic_version", [])]
    if len(revisions) != 1 or not revisions[0]:
        raise BackupError(
            f"Berkas {path.name} bukan cadangan basis data Perizinan (revisi skema tidak terbaca)."
        )
    revision = revisions[0]
    # Re-use the one chain check there is: load the rows into a scratch in-memory database.
    engine = create_engine("sqlite://", poolclass=NullPool)
    with engine.connect() as connection, Session(bind=connection) as session:
        for model in (AuditEntry, AuditHead):
            model.__table__.create(connection)
        for model, name in ((AuditEntry, "audit_log"), (AuditHead, "audit_head")):
            rows = [_typed(model, row) for row in tables.get(name, [])]
            if rows:
                session.execute(model.__table__.insert(), rows)
        present = {n for n in ("audit_log", "audit_head") if n in tables}
        cases = len(tables.get("permohonan", []))
        result = _audit_report(session, present, case_count=cases)
    engine.dispose()
    return Verification("postgresql", revision, _revision_known(revision), *result)


def _typed(model: Any, row: dict[str, str | None]) -> dict[str, Any]:
    from sqlalchemy import DateTime, Integer

    values: dict[str, Any] = {}
    for column in model.__table__.columns:
        raw = row.get(column.name)
        if raw is None:
            values[column.name] = None
        elif isinstance(column.type, Integer):
            values[column.name] = int(raw)
        elif isinstance(column.type, DateTime):
            values[column.name] = datetime.fromisoformat(raw)
        else:
            values[column.name] = raw
    return values
