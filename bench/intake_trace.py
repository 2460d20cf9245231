"""The SQL of one intake, statement by statement: how many round trips and ORM flushes.

    python bench/intake_trace.py --db URL [--show]

Submits one complete Dairi file (as ``bench_intake.py`` does) on a generated database and counts
the statements sent to the server and the ORM flushes of that one transaction; ``--show``
prints each statement (first line). The evidence behind "round trips per intake" in
``bench/README.md``; ``tests/bench`` runs it at a tiny scale.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import _common  # noqa: F401 - first: puts the checkout on sys.path
from bench_intake import FORM, NikMaker, _start_clock
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from desktop_perizinan.db.models import User
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.attachments import AttachmentIn
from desktop_perizinan.services.demo import SAMPLE_PDF, sample_field_values
from desktop_perizinan.services.intake import IntakeRequest
from desktop_perizinan.services.users import actor_of


def trace(url: str, *, submits: int = 2) -> dict[str, Any]:
    """Statements and flushes of the last of ``submits`` intakes (the first warms caches)."""
    probe = Services.open(url)
    try:
        clock = _start_clock(probe)
    finally:
        probe.close()
    services = Services.open(url, clock=clock)
    statements: list[str] = []
    flushes = [0]

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    def on_flush(session: Any, context: Any) -> None:
        flushes[0] += 1

    try:
        with services.db.reading() as session:
            clerk = next(
                actor_of(u)
                for u in session.scalars(select(User).order_by(User.id))
                if "front_office" in {r.role for r in u.roles}
            )
        pt = services.permit_type(FORM)
        fields = sample_field_values(pt, 1)
        present = frozenset(r.code for r in pt.requirements_for(False))
        new_nik = NikMaker()
        new_nik.serial = 5000
        event.listen(services.db.engine, "before_cursor_execute", on_execute)
        event.listen(Session, "after_flush", on_flush)
        for _ in range(submits):
            statements.clear()
            flushes[0] = 0
            clock.advance(3)
            result = services.intake.submit(
                clerk,
                IntakeRequest(
                    form_code=FORM,
                    nik=new_nik(),
                    name="Benget Tua Simamora",
                    address="Desa Bintang Hulu, Sidikalang",
                    phone="082167788990",
                    fields=fields,
                    present=present,
                    attachments=(AttachmentIn("ktp.pdf", SAMPLE_PDF, "ktp"),),
                ),
            )
            assert result.complete
    finally:
        event.remove(Session, "after_flush", on_flush)
        if event.contains(services.db.engine, "before_cursor_execute", on_execute):
            event.remove(services.db.engine, "before_cursor_execute", on_execute)
        services.close()
    return {"statements": list(statements), "flushes": flushes[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args(argv)
    result = trace(args.db)
    if args.show:
        for i, statement in enumerate(result["statements"], 1):
            print(f"{i:3d} {' '.join(statement.split())[:150]}")
    print(f"statements per intake: {len(result['statements'])}; ORM flushes: {result['flushes']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
