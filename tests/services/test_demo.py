"""The demo scenario is the core's end-to-end test, on SQLite and on PostgreSQL."""

from __future__ import annotations

from desktop_perizinan.services.audit import verify_chain
from desktop_perizinan.services.demo import run_demo, write_outputs


def test_demo_scenario_on_both_databases(services, clock, tmp_path):
    summary = run_demo(services, clock)
    assert (summary.cases, summary.issued, summary.rejected) == (4, 3, 1)
    assert len(summary.numbers) == len(set(summary.numbers)) == 10
    written = write_outputs(services, tmp_path)
    assert sum(p.suffix == ".pdf" for p in written) == summary.documents
    assert sum(p.suffix == ".xlsx" for p in written) == len(services.books.books()) + 1
    with services.db.reading() as session:
        assert verify_chain(session).ok
