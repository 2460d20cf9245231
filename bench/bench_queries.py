"""What the screens ask, at office scale: task lists, search, a case, the books.

    python bench/bench_queries.py --db URL [--repeat 7] [--json FILE] [--explain]

``--db`` is a database filled by ``bench/generate.py``. Every query is the service call the
screens make (``services.queries``, ``services.books``, ``services.intake.find_applicant``),
timed as the median of ``--repeat`` calls after one warm-up call. Nothing is written.

Floors, measured in the same run:

* *same SQL, bare driver*: for the task list and the search, the statement the service
  sends, executed by the driver alone (no ORM objects, no due-time arithmetic). The gap is what
  the service adds in Python.
* *FTS5 trigram* (SQLite only): the search done the way ENVIRONMENT.md's floor does it, on an
  in-memory FTS5 trigram index of the same ``search_text`` (built here, not in the database).

``--explain`` prints the query plans (the evidence for a missing index).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import _common  # first: puts the checkout on sys.path
from sqlalchemy import Select, func, select, text

from desktop_perizinan.db.models import (
    AgendaEntry,
    Applicant,
    Case,
    ExpeditionEntry,
    NumberBook,
    StepRecord,
    User,
)
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import SteppingClock
from desktop_perizinan.services.users import actor_of

ROLES = ("front_office", "backoffice", "tim_teknis", "kabid", "kadis", "ksb_umum")


def _median_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    result = fn()  # warm-up: caches, compiled statements, the page cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _bare(services: Services, statement: Select[Any]) -> Callable[[], Any]:
    """The statement run by the driver itself on a raw connection (the floor)."""
    engine = services.db.engine
    compiled = statement.compile(
        dialect=engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    sql = str(compiled)
    params: Any = compiled.params
    if engine.dialect.name == "sqlite":  # qmark style: the values in their positions
        params = [compiled.params[name] for name in compiled.positiontup or []]
    raw = engine.raw_connection()

    def run() -> Any:
        cursor = raw.cursor()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.close()
        raw.rollback()
        return rows

    return run


def _tasks_statement(actor: Actor, limit: int = 500) -> Select[Any]:
    # The statement of ``CaseQueries.tasks`` (kept in step with services/queries.py).
    return (
        select(StepRecord, Case, Applicant)
        .join(Case, Case.id == StepRecord.case_id)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(StepRecord.done_at.is_(None), StepRecord.role.in_(sorted(actor.roles)))
        .order_by(StepRecord.due_at)
        .limit(limit)
    )


def _search_statement(word: str, limit: int = 200) -> Select[Any]:
    # The statement of ``CaseQueries.search`` for one word (``Case.applicant`` is joined
    # eagerly by its relationship, as in the service).
    return (
        select(Case)
        .where(Case.search_text.contains(word, autoescape=True))
        .order_by(Case.received_at.desc())
        .limit(limit)
    )


def _agenda_statement(book_id: int, year: int) -> Select[Any]:
    # The statement of ``BookService.agenda`` (its ORM entity also joins number_book eagerly).
    return (
        select(AgendaEntry, Case.reg_number)
        .outerjoin(Case, Case.id == AgendaEntry.case_id)
        .where(AgendaEntry.book_id == book_id, AgendaEntry.year == year)
        .order_by(AgendaEntry.year, AgendaEntry.seq)
    )


def _expedition_statement(year: int) -> Select[Any]:
    # What ``BookService.expedition(year)`` needs: that year's lines only, filtered in SQL.
    return (
        select(ExpeditionEntry, Case.reg_number)
        .join(Case, Case.id == ExpeditionEntry.case_id)
        .where(
            ExpeditionEntry.sent_at >= datetime(year, 1, 1),
            ExpeditionEntry.sent_at < datetime(year + 1, 1, 1),
        )
        .order_by(ExpeditionEntry.sent_at, ExpeditionEntry.id)
    )


class Fts5Floor:
    """An in-memory FTS5 trigram index of every case's ``search_text`` (SQLite's best case)."""

    def __init__(self, services: Services) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE f USING fts5(search_text, tokenize='trigram')")
        with services.db.reading() as session:
            rows = session.execute(select(Case.id, Case.search_text)).all()
        self.db.executemany("INSERT INTO f (rowid, search_text) VALUES (?, ?)", rows)
        self.db.commit()

    def search(self, word: str, limit: int = 200) -> list[Any]:
        if len(word) < 3:  # trigram needs three characters; the app's LIKE takes fewer
            return self.db.execute(
                "SELECT rowid FROM f WHERE search_text LIKE ? ORDER BY rowid DESC LIMIT ?",
                (f"%{word}%", limit),
            ).fetchall()
        return self.db.execute(
            "SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid DESC LIMIT ?",
            (f'"{word}"', limit),
        ).fetchall()


def explain(services: Services, statement: Select[Any]) -> list[str]:
    compiled = statement.compile(
        dialect=services.db.engine.dialect, compile_kwargs={"literal_binds": True}
    )
    prefix = "EXPLAIN QUERY PLAN " if services.db.engine.dialect.name == "sqlite" else "EXPLAIN "
    with services.db.engine.connect() as connection:
        rows = connection.execute(text(prefix + str(compiled))).all()
    return [" | ".join(str(c) for c in row) for row in rows]


def run(url: str, *, repeat: int, show_plans: bool) -> dict[str, Any]:
    probe = Services.open(url)
    try:
        with probe.db.reading() as session:
            latest = session.scalar(select(func.max(Case.received_at))) or datetime(2026, 1, 5)
    finally:
        probe.close()
    # "Now" is the next morning after the data: the overdue column is computed against it.
    services = Services.open(url, clock=SteppingClock(latest + timedelta(hours=12)))
    results: list[dict[str, Any]] = []
    plans: dict[str, list[str]] = {}
    try:
        with services.db.reading() as session:
            cases = session.scalar(select(func.count()).select_from(Case)) or 0
            users = {}
            for user in session.scalars(select(User).order_by(User.id)):
                actor = actor_of(user)
                for role in actor.roles:
                    users.setdefault(role, actor)
            middle = session.scalars(
                select(Case)
                .where(Case.reg_number.is_not(None))
                .order_by(Case.id)
                .offset(cases // 2)
            ).first()
            assert middle is not None, "the database has no registered case (run generate.py)"
            sample = {
                "nik": middle.applicant.nik,
                "name": middle.applicant.name.split()[-1].lower(),
                "reg": middle.reg_number,
                "permit": session.scalar(
                    select(Case.permit_number)
                    .where(Case.permit_number.is_not(None))
                    .order_by(Case.id)
                    .offset(cases // 3)
                ),
                "case_id": middle.id,
                "year": middle.received_at.year,
            }
        fts = Fts5Floor(services) if services.db.engine.dialect.name == "sqlite" else None

        def measure(name: str, fn: Callable[[], Any], floors: dict[str, Callable[[], Any]]) -> None:
            seconds, result = _median_of(fn, repeat)
            row: dict[str, Any] = {
                "query": name,
                "ms": seconds * 1000,
                "rows": len(result) if hasattr(result, "__len__") else (1 if result else 0),
            }
            for label, floor in floors.items():
                floor_s, _ = _median_of(floor, repeat)
                row[label] = floor_s * 1000
            results.append(row)
            print(f"  {name}: {row['ms']:.1f} ms", file=sys.stderr, flush=True)

        q = services.queries
        for role in ROLES:
            actor = users.get(role)
            if actor is None:
                continue
            measure(
                f"tasks({role})",
                lambda a=actor: q.tasks(a),
                {"bare_sql_ms": _bare(services, _tasks_statement(actor))},
            )
        searches = [
            ("search('') — the latest 200", ""),
            (f"search('{sample['name']}') — a surname", sample["name"]),
            ("search(NIK)", sample["nik"]),
            ("search(registration no.)", sample["reg"].lower()),
            ("search('zzzq') — no match", "zzzq"),
        ]
        for label, word in searches:
            floors: dict[str, Callable[[], Any]] = {}
            if word:
                floors["bare_sql_ms"] = _bare(services, _search_statement(word))
                if fts is not None:
                    floors["fts5_ms"] = lambda w=word: fts.search(w)
            measure(label, lambda w=word: q.search(w), floors)
        measure("find_by_number(registration)", lambda: q.find_by_number(sample["reg"]), {})
        if sample["permit"]:
            measure("find_by_number(permit)", lambda: q.find_by_number(sample["permit"]), {})
        measure("case(id) — full view", lambda: q.case(sample["case_id"]), {})
        measure("waiting_for_applicant()", q.waiting_for_applicant, {})
        measure(
            "intake.find_applicant(NIK)", lambda: services.intake.find_applicant(sample["nik"]), {}
        )
        with services.db.reading() as session:
            registration = session.scalar(
                select(NumberBook.id).where(NumberBook.code == services.office.registration_book)
            )
        measure(
            f"books.agenda('registrasi', {sample['year']})",
            lambda: services.books.agenda(services.office.registration_book, sample["year"]),
            {"bare_sql_ms": _bare(services, _agenda_statement(registration, sample["year"]))},
        )
        measure(
            f"books.expedition({sample['year']})",
            lambda: services.books.expedition(sample["year"]),
            {"bare_sql_ms": _bare(services, _expedition_statement(sample["year"]))},
        )
        if show_plans:
            plans["tasks(backoffice)"] = explain(services, _tasks_statement(users["backoffice"]))
            plans["search(NIK)"] = explain(services, _search_statement(sample["nik"]))
            plans[f"expedition({sample['year']}), filtered in SQL"] = explain(
                services, _expedition_statement(sample["year"])
            )
            plans["find_by_number(permit)"] = explain(
                services,
                select(Case.id).where(
                    (Case.reg_number == sample["reg"]) | (Case.permit_number == sample["permit"])
                ),
            )
    finally:
        services.close()
    return {
        "url": _common.describe_url(url),
        "backend": _common.backend_of(url),
        "cases": cases,
        "results": results,
        "plans": plans,
    }


def report(result: dict[str, Any]) -> None:
    print(f"Kueri layar — {_common.machine_line()}")
    print(f"Basis data: {result['url']} ({result['cases']:,} permohonan)")
    rows = []
    for r in result["results"]:
        bare = r.get("bare_sql_ms")
        fts = r.get("fts5_ms")
        rows.append(
            (
                r["query"],
                r["rows"],
                f"{r['ms']:.1f} ms",
                f"{bare:.1f} ms" if bare is not None else "",
                f"{r['ms'] / bare:.1f}×" if bare else "",
                f"{fts:.2f} ms" if fts is not None else "",
                f"{r['ms'] / fts:.0f}×" if fts else "",
            )
        )
    _common.print_table(
        ("kueri", "baris", "ours", "bare SQL", "ours/bare", "FTS5", "ours/FTS5"), rows
    )
    for name, plan in result["plans"].items():
        print(f"\nRencana kueri {name}:")
        for line in plan:
            print(f"  {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="a generated database (bench/generate.py)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = run(args.db, repeat=args.repeat, show_plans=args.explain)
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
