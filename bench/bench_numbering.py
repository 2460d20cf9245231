"""Numbering with eight clerks at once: numbers per second, duplicates, gaps, against the floor.

    python bench/bench_numbering.py [--pg SERVER_URL] [--no-sqlite]
                                    [--workers 8] [--per-worker 250] [--rounds 3]

Each worker is a separate process with its own connection, as eight PCs on a LAN are. All
workers connect, warm up and wait at a barrier; the clock runs from the barrier to the last
worker's last commit, so process start-up and imports are not counted.

*Ours* is ``services.numbering.take_number`` in ``Database.transaction()``: the application's
engine (SQLite WAL + ``BEGIN IMMEDIATE``; PostgreSQL READ COMMITTED, pre-ping on checkout) and
the agenda line written under its unique constraints. Since issue 14 the PostgreSQL number is
one statement (a data-modifying CTE: ``UPDATE number_counter ... RETURNING`` feeding the
``INSERT`` of the agenda line), so the counter's row lock is held for that statement and the
COMMIT only; SQLite runs ``UPDATE ... RETURNING`` then a Core ``INSERT``.

*The floor* is the bare driver doing the same serialised increment and nothing else:
SQLite with the ``sqlite3`` module (WAL, synchronous=NORMAL) ``BEGIN IMMEDIATE; UPDATE counter
SET n = n + 1; SELECT n; COMMIT``; PostgreSQL with ``psycopg`` ``SELECT n ... FOR UPDATE;
UPDATE ...; COMMIT``. Ratio = our time / the floor's time (1.0 = as fast as the bare driver).
The PostgreSQL floor holds its lock for two statements and the COMMIT, ours for one and the
COMMIT, so ours can reach it: what is left is client CPU (session, pool, ORM object).

Rounds alternate which of the two runs first, and the medians are reported. SQLite runs on a
fresh temporary file; PostgreSQL on a scratch database created on the given server and dropped
afterwards (nothing else on the server is touched).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from queue import Empty
from typing import Any

import _common  # first: puts the checkout on sys.path
from sqlalchemy import select
from sqlalchemy.engine import make_url

WHEN = datetime(2026, 11, 2, 9, 0)


@dataclass
class Round:
    """One run of all workers: ours or the floor."""

    what: str
    seconds: float
    cpu_seconds: float  # summed over the workers: robust to a busy machine
    numbers: int
    distinct: int
    duplicates: int
    gaps: int

    @property
    def per_second(self) -> float:
        return self.numbers / self.seconds if self.seconds else 0.0


# ------------------------------------------------------------------------------ workers


def _ours(url: str, book: str, count: int, gate: Any, queue: Any) -> None:
    """A clerk's PC: the application's engine and numbering service."""
    from desktop_perizinan.db.engine import Database
    from desktop_perizinan.services import numbering

    db = Database(url)
    try:
        with db.reading() as session:  # connect and compile before the clock starts
            numbering.peek_number(session, book, WHEN)
        _ready(gate, queue)
        cpu = time.process_time()
        numbers = []
        for _ in range(count):
            with db.transaction() as session:
                numbers.append(numbering.take_number(session, book, when=WHEN, taken_by=None).seq)
        queue.put((numbers, time.monotonic(), time.process_time() - cpu))
    finally:
        db.dispose()


def _floor_sqlite(path: str, count: int, gate: Any, queue: Any) -> None:
    connection = sqlite3.connect(path, isolation_level=None, timeout=60)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA busy_timeout=60000")
    connection.execute("SELECT n FROM counter WHERE id = 1").fetchone()
    _ready(gate, queue)
    cpu = time.process_time()
    numbers = []
    for _ in range(count):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE counter SET n = n + 1 WHERE id = 1")
        numbers.append(connection.execute("SELECT n FROM counter WHERE id = 1").fetchone()[0])
        connection.execute("COMMIT")
    queue.put((numbers, time.monotonic(), time.process_time() - cpu))
    connection.close()


def _floor_pg(dsn: str, count: int, gate: Any, queue: Any) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("SELECT n FROM bench_counter WHERE id = 1").fetchone()
        _ready(gate, queue)
        cpu = time.process_time()
        numbers = []
        for _ in range(count):
            with connection.transaction():
                row = connection.execute(
                    "SELECT n FROM bench_counter WHERE id = 1 FOR UPDATE"
                ).fetchone()
                assert row is not None
                connection.execute("UPDATE bench_counter SET n = %s WHERE id = 1", (row[0] + 1,))
                numbers.append(row[0] + 1)
        queue.put((numbers, time.monotonic(), time.process_time() - cpu))


def _ready(gate: Any, queue: Any) -> None:
    """Tell the parent this worker is connected and warm, then wait for the start signal."""
    queue.put("ready")
    gate.wait()


def _run(target: Any, args: tuple[Any, ...], workers: int, per_worker: int, what: str) -> Round:
    context = mp.get_context("spawn")
    gate = context.Event()
    queue = context.Queue()
    processes = [
        context.Process(target=target, args=(*args, per_worker, gate, queue))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    ready = 0
    deadline = time.monotonic() + 300
    while ready < workers:  # a worker that dies while starting is reported, not waited for
        try:
            queue.get(timeout=1)
            ready += 1
        except Empty:
            dead = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            if dead or time.monotonic() > deadline:
                for process in processes:
                    process.terminate()
                raise RuntimeError(f"{what}: workers failed to start (exit codes {dead})") from None
    started = time.monotonic()
    gate.set()
    taken: list[int] = []
    finished = started
    cpu = 0.0
    for _ in processes:
        numbers, end, used = queue.get(timeout=600)
        taken += numbers
        finished = max(finished, end)
        cpu += used
    for process in processes:
        process.join(timeout=60)
        if process.exitcode != 0:
            raise RuntimeError(f"{what}: a worker exited with {process.exitcode}")
    distinct = set(taken)
    expected = set(range(1, workers * per_worker + 1))
    return Round(
        what=what,
        seconds=finished - started,
        cpu_seconds=cpu,
        numbers=len(taken),
        distinct=len(distinct),
        duplicates=len(taken) - len(distinct),
        gaps=len(expected - distinct),
    )


# ------------------------------------------------------------------------------ backends


def _prepare_ours(url: str, book: str) -> None:
    from desktop_perizinan.db.engine import Database
    from desktop_perizinan.db.migrate import upgrade
    from desktop_perizinan.services import numbering

    db = Database(url)
    try:
        upgrade(db.engine)
        with db.transaction() as session:
            numbering.sync_book(session, book, f"Buku uji {book}", "UJI/{urut:04}/{tahun}", True)
    finally:
        db.dispose()


def _book_gaps(url: str, book: str, expected: int) -> tuple[int, int]:
    """Duplicates and gaps as the agenda book itself records them (not only as returned)."""
    from desktop_perizinan.db.engine import Database
    from desktop_perizinan.db.models import AgendaEntry, NumberBook

    db = Database(url)
    try:
        with db.reading() as session:
            seqs = list(
                session.scalars(
                    select(AgendaEntry.seq).join(NumberBook).where(NumberBook.code == book)
                )
            )
    finally:
        db.dispose()
    return len(seqs) - len(set(seqs)), len(set(range(1, expected + 1)) - set(seqs))


def bench_backend(
    name: str, ours_url: str, floor: tuple[Any, tuple[Any, ...]], reset_floor: Any, args: Any
) -> dict[str, Any]:
    rounds: list[tuple[Round, Round]] = []
    total = args.workers * args.per_worker
    for index in range(args.rounds):
        book = f"uji{index + 1}"
        _prepare_ours(ours_url, book)
        reset_floor()
        order = ("floor", "ours") if index % 2 == 0 else ("ours", "floor")
        results: dict[str, Round] = {}
        for what in order:
            if what == "ours":
                result = _run(_ours, (ours_url, book), args.workers, args.per_worker, "ours")
                duplicates, gaps = _book_gaps(ours_url, book, total)
                result.duplicates = max(result.duplicates, duplicates)
                result.gaps = max(result.gaps, gaps)
            else:
                result = _run(floor[0], floor[1], args.workers, args.per_worker, "floor")
            results[what] = result
        rounds.append((results["ours"], results["floor"]))
        print(
            f"  {name} round {index + 1}: ours {results['ours'].seconds:.2f} s, "
            f"floor {results['floor'].seconds:.2f} s",
            file=sys.stderr,
            flush=True,
        )
    ours_s = _common.median([o.seconds for o, _ in rounds])
    floor_s = _common.median([f.seconds for _, f in rounds])
    return {
        "backend": name,
        "workers": args.workers,
        "per_worker": args.per_worker,
        "ours_seconds": ours_s,
        "floor_seconds": floor_s,
        "ours_per_second": total / ours_s,
        "floor_per_second": total / floor_s,
        "ratio": ours_s / floor_s,
        "ours_cpu_ms_per_number": _common.median([o.cpu_seconds for o, _ in rounds]) / total * 1000,
        "floor_cpu_ms_per_number": _common.median([f.cpu_seconds for _, f in rounds])
        / total
        * 1000,
        "ours_duplicates": max(o.duplicates for o, _ in rounds),
        "ours_gaps": max(o.gaps for o, _ in rounds),
        "floor_duplicates": max(f.duplicates for _, f in rounds),
        "floor_gaps": max(f.gaps for _, f in rounds),
        "rounds": [[asdict(o), asdict(f)] for o, f in rounds],
    }


def bench_sqlite(args: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-numbering-") as tmp:
        ours_url = f"sqlite:///{Path(tmp) / 'ours.sqlite3'}"
        floor_path = str(Path(tmp) / "floor.sqlite3")

        def reset() -> None:
            connection = sqlite3.connect(floor_path, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, n INTEGER)"
            )
            connection.execute("INSERT OR REPLACE INTO counter (id, n) VALUES (1, 0)")
            connection.close()

        return bench_backend("SQLite", ours_url, (_floor_sqlite, (floor_path,)), reset, args)


def bench_pg(server_url: str, args: Any) -> dict[str, Any]:
    import psycopg

    with _common.scratch_pg_database(server_url, "bench_numbering") as url:
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

        def reset() -> None:
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS bench_counter (id integer PRIMARY KEY, n integer)"
                )
                connection.execute(
                    "INSERT INTO bench_counter (id, n) VALUES (1, 0) "
                    "ON CONFLICT (id) DO UPDATE SET n = 0"
                )

        return bench_backend("PostgreSQL", url, (_floor_pg, (dsn,)), reset, args)


def report(results: list[dict[str, Any]]) -> None:
    print(f"Penomoran paralel — {_common.machine_line()}")
    rows = []
    for r in results:
        total = r["workers"] * r["per_worker"]
        rows.append(
            (
                r["backend"],
                f"{r['workers']}×{r['per_worker']}",
                f"{r['ours_seconds']:.2f} s",
                f"{r['ours_per_second']:.0f}/s",
                f"{r['floor_seconds']:.2f} s",
                f"{r['floor_per_second']:.0f}/s",
                f"{r['ratio']:.2f}×",
                f"{r['ours_cpu_ms_per_number']:.2f}/{r['floor_cpu_ms_per_number']:.3f} ms",
                f"{total - r['ours_gaps'] - r['ours_duplicates']}/{total}",
                r["ours_duplicates"],
                r["ours_gaps"],
                f"{r['floor_duplicates']}/{r['floor_gaps']}",
            )
        )
    _common.print_table(
        (
            "backend",
            "klien",
            "ours",
            "ours",
            "floor",
            "floor",
            "ours/floor",
            "CPU/nomor ours/floor",
            "distinct",
            "duplikat",
            "celah",
            "floor dup/celah",
        ),
        rows,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pg", metavar="SERVER_URL", help="PostgreSQL server (a scratch database is created there)"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--per-worker", type=int, default=250)
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of (floor, ours); medians reported"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    results = []
    if not args.no_sqlite:
        results.append(bench_sqlite(args))
    if args.pg:
        results.append(bench_pg(args.pg, args))
    if not results:
        parser.error("nothing to run: give --pg or drop --no-sqlite")
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    bad = [r for r in results if r["ours_duplicates"] or r["ours_gaps"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
