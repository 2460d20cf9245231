"""Eight clerks taking numbers at once: no duplicate, no gap, on SQLite and on PostgreSQL.

Each worker is a separate process with its own engine, as on a LAN of eight PCs.
"""

from __future__ import annotations

import multiprocessing as mp
from datetime import datetime

import pytest
from sqlalchemy import select

from desktop_perizinan.db.engine import Database
from desktop_perizinan.db.models import AgendaEntry
from desktop_perizinan.services import numbering

WORKERS = 8
PER_WORKER = 250
WHEN = datetime(2026, 11, 2, 9, 0)


def _take(url: str, count: int, queue: mp.Queue) -> None:  # runs in a child process
    db = Database(url)
    numbers = []
    try:
        for _ in range(count):
            with db.transaction() as session:
                entry = numbering.take_number(session, "uji", when=WHEN, taken_by=None)
                numbers.append(entry.number)
    finally:
        db.dispose()
    queue.put(numbers)


@pytest.mark.slow
def test_eight_processes_take_two_thousand_distinct_gapless_numbers(db_url):
    db = Database(db_url)
    with db.transaction() as session:
        numbering.sync_book(session, "uji", "Buku Uji", "UJI/{urut:04}/{tahun}", True)
    context = mp.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=_take, args=(db_url, PER_WORKER, queue)) for _ in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    taken = [number for _ in workers for number in queue.get(timeout=300)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert len(taken) == WORKERS * PER_WORKER
    assert len(set(taken)) == len(taken)
    with db.reading() as session:
        seqs = session.scalars(select(AgendaEntry.seq).order_by(AgendaEntry.seq)).all()
    db.dispose()
    assert seqs == list(range(1, WORKERS * PER_WORKER + 1))
    assert sorted(taken) == [f"UJI/{n:04d}/2026" for n in range(1, WORKERS * PER_WORKER + 1)]


def test_a_rolled_back_transaction_leaves_no_gap(db_url):
    db = Database(db_url)
    with db.transaction() as session:
        numbering.sync_book(session, "uji", "Buku Uji", "UJI/{urut}", False)
    with pytest.raises(RuntimeError), db.transaction() as session:
        numbering.take_number(session, "uji", when=WHEN, taken_by=None)
        raise RuntimeError("the PDF failed to render")
    with db.transaction() as session:
        entry = numbering.take_number(session, "uji", when=WHEN, taken_by=None)
    db.dispose()
    assert entry.number == "UJI/1"


def test_non_yearly_book_keeps_counting_across_years(db_url):
    db = Database(db_url)
    with db.transaction() as session:
        numbering.sync_book(session, "p", "Buku P", "500.16/{urut}/DPMPTSP", False)
        numbering.sync_book(session, "t", "Buku T", "T/{urut}/{tahun}", True)
    numbers = []
    for when in (datetime(2026, 12, 31, 15), datetime(2027, 1, 4, 8)):
        with db.transaction() as session:
            numbers.append(numbering.take_number(session, "p", when=when, taken_by=None).number)
            numbers.append(numbering.take_number(session, "t", when=when, taken_by=None).number)
    db.dispose()
    assert numbers == ["500.16/1/DPMPTSP", "T/1/2026", "500.16/2/DPMPTSP", "T/1/2027"]
