"""What a keyed audit entry costs, beside a plain insert in the same transaction machinery.

    python bench/bench_audit.py [--pg SERVER_URL] [--no-sqlite] [--n 400] [--rounds 3]

*Ours* is ``services.audit.append`` in ``Database.transaction()``: the head row locked
(``SELECT ... FOR UPDATE``), scheme-2 SHA-256 over every column, two HMAC-SHA256 with the
office key, the entry inserted, the head updated; one transaction per entry, as every use case
appends one.

*The floor* is one plain INSERT of a row of the same width into a scratch table, through the
same ``Database.transaction()`` (same engine, same ``BEGIN IMMEDIATE``/commit, same fsync
policy). Ratio = our median per entry / the floor's median per row. ``hashing`` is the pure
CPU part (hash + two MACs) timed alone.

Rounds alternate which runs first; medians over the rounds are reported. SQLite on a fresh
temporary file; PostgreSQL on a scratch database dropped afterwards. The office key is a
temporary file (``PERIZINAN_AUDIT_KEYS``), never the real one of this PC.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import _common  # first: puts the checkout on sys.path
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

WHEN = datetime(2026, 11, 2, 9, 0)
PLAIN = Table(
    "bench_plain",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("at", DateTime),
    Column("username", String(60)),
    Column("action", String(60)),
    Column("detail", Text),
    Column("hash", String(64)),
)


def run_ours(db, n: int) -> float:  # type: ignore[no-untyped-def]
    from desktop_perizinan.services import audit
    from desktop_perizinan.services.actor import SYSTEM

    started = time.perf_counter()
    for i in range(n):
        with db.transaction() as session:
            audit.append(session, SYSTEM, "bench.tambah", at=WHEN, nomor=i, catatan="uji")
    return (time.perf_counter() - started) / n


def run_floor(db, n: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for i in range(n):
        with db.transaction() as session:
            session.execute(
                PLAIN.insert(),
                {
                    "at": WHEN,
                    "username": "sistem",
                    "action": "bench.tambah",
                    "detail": f'{{"catatan":"uji","nomor":{i}}}',
                    "hash": "0" * 64,
                },
            )
    return (time.perf_counter() - started) / n


def hashing_only(n: int) -> float:
    from desktop_perizinan import audit_key
    from desktop_perizinan.db.audit_chain import hash_v2, head_message

    keyring = audit_key.load_or_create()
    started = time.perf_counter()
    prev = "0" * 64
    for i in range(n):
        digest = hash_v2(prev, i, WHEN, None, "sistem", "bench", None, '{"nomor":1}', "k")
        keyring.mac(keyring.current, digest)
        keyring.mac(keyring.current, head_message(i, digest))
        prev = digest
    return (time.perf_counter() - started) / n


def bench(url: str, n: int, rounds: int) -> dict[str, float | str]:
    from desktop_perizinan.db import migrate
    from desktop_perizinan.db.engine import Database

    db = Database(url)
    try:
        migrate.upgrade(db.engine)
        PLAIN.create(db.engine)
        run_ours(db, 20)  # warm up: imports, the key file, the connection pool
        run_floor(db, 20)
        ours, floor = [], []
        for r in range(rounds):
            if r % 2 == 0:
                ours.append(run_ours(db, n))
                floor.append(run_floor(db, n))
            else:
                floor.append(run_floor(db, n))
                ours.append(run_ours(db, n))
    finally:
        db.dispose()
    o, f = _common.median(ours), _common.median(floor)
    return {
        "backend": _common.backend_of(url),
        "append_ms": round(o * 1000, 3),
        "plain_insert_ms": round(f * 1000, 3),
        "ratio": round(o / f, 2) if f else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", metavar="SERVER_URL", help="PostgreSQL server (admin URL)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--n", type=int, default=400, help="entries per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", metavar="FILE", type=Path)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="perizinan-bench-audit-"))
    os.environ["PERIZINAN_AUDIT_KEYS"] = str(work / "audit-keys.json")
    print(f"bench_audit: {_common.machine_line()}")
    results = []
    if not args.no_sqlite:
        results.append(bench(f"sqlite:///{work / 'audit.sqlite3'}", args.n, args.rounds))
    if args.pg:
        with _common.scratch_pg_database(args.pg, "bench_audit") as url:
            results.append(bench(url, args.n, args.rounds))
    cpu = hashing_only(5000)
    _common.print_table(
        ["backend", "append (ms)", "plain insert (ms)", "ratio"],
        [[r["backend"], r["append_ms"], r["plain_insert_ms"], r["ratio"]] for r in results],
    )
    print(f"hashing alone (SHA-256 + 2 HMAC): {cpu * 1e6:.1f} µs per entry")
    if args.json:
        args.json.write_text(
            json.dumps({"results": results, "hashing_us": round(cpu * 1e6, 2)}, indent=2),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
