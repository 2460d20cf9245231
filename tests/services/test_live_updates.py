"""Change notification reaches another "PC": NOTIFY on PostgreSQL, polling on SQLite."""

from __future__ import annotations

import queue
from pathlib import Path

from desktop_perizinan.services.app import Services
from desktop_perizinan.services.casework import ActRequest
from desktop_perizinan.services.demo import DEMO_APPLICANTS
from desktop_perizinan.services.live_updates import (
    AuditPoller,
    PgNotifyWatcher,
    change_marker,
    watcher_for,
)

FORMS = Path(__file__).resolve().parents[2] / "forms"
DAIRI = "DAIRI-LKS-ASING"


def test_another_pc_acting_is_noticed(services, users, driver, clock):
    intake = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    other_pc = Services.open(services.db.url, FORMS, clock=clock)
    received: queue.Queue[int | None] = queue.Queue()
    watcher = watcher_for(other_pc.db)
    try:
        watcher.start(received.put)
        if services.db.is_postgresql:
            assert isinstance(watcher, PgNotifyWatcher) and watcher.pushes
            assert watcher.listening.wait(10)
        else:
            assert isinstance(watcher, AuditPoller) and not watcher.pushes
            assert watcher.poll() is False  # nothing new since start
        task = services.queries.tasks(users["front_office"])[0]
        services.work.act(users["front_office"], ActRequest(task.step_record_id, "selesai"))
        if not watcher.pushes:
            assert watcher.poll() is True
            assert watcher.poll() is False
            assert received.get_nowait() is None
        else:
            assert received.get(timeout=10) == intake.case_id
    finally:
        watcher.stop()
        other_pc.close()


def test_change_marker_grows_with_every_use_case(services, users, driver):
    before = change_marker(services.db)
    driver.submit(DAIRI, DEMO_APPLICANTS[1])
    assert change_marker(services.db) > before
