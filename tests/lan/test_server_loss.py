"""Losing the PostgreSQL server in the middle of an action, and getting it back.

These tests start their OWN throwaway cluster (initdb + pg_ctl, see ``tests/pgserver.py``) and
stop it while a client is inside a transaction; the session's shared cluster is never touched.
What must hold: nothing of the interrupted action is saved (no case without steps, no number
taken and lost, the audit chain intact), the clerk gets a clear Indonesian message
(``DatabaseError`` "Koneksi ke server basis data terputus ..."), and once the server is back the
very same ``Services`` carries on (``pool_pre_ping`` replaces the dead connections).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from lan_support import (
    KESENIAN,
    SPAWN,
    counts,
    intake_request,
    nik,
    office_problems,
    open_office,
    pc_intakes_until,
    processes,
    stored_cases,
)
from pgserver import ClusterError, ThrowawayCluster, find_bindir, in_ci
from sqlalchemy import create_engine, text

from desktop_perizinan.db.errors import LOST_CONNECTION
from desktop_perizinan.errors import DatabaseError
from desktop_perizinan.services import audit
from desktop_perizinan.services.app import Services

pytestmark = [pytest.mark.pg, pytest.mark.slow]


#: Unlike the session's cluster (fsync and synchronous_commit off: fast, and thrown away), a
#: server that is about to "lose power" must keep what it acknowledged, as a real one does.
DURABLE_OPTIONS = "-c max_connections=200 -c shared_buffers=64MB"


class RestartableCluster(ThrowawayCluster):
    """A throwaway cluster that can be stopped and started again with its data, durably."""

    def halt(self, mode: str = "fast") -> None:
        done = self._run("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "-t", "60", "stop")
        if done.returncode != 0:
            raise ClusterError(f"pg_ctl stop: {done.stdout}{done.stderr}")

    def resume(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} {DURABLE_OPTIONS}"
        done = self._run(
            "pg_ctl", "-D", str(self.datadir), "-l", str(self.logfile), "-w", "-t", "60",
            "-o", options, "start",
        )  # fmt: skip
        if done.returncode != 0:
            raise ClusterError(f"pg_ctl start: {done.stdout}{done.stderr}\n{self._log_tail()}")


@pytest.fixture(scope="module")
def cluster() -> Iterator[RestartableCluster]:
    bindir = find_bindir()
    if bindir is None:
        if in_ci():
            pytest.fail("PostgreSQL server binaries are required under CI", pytrace=False)
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found")
    server = RestartableCluster(bindir)
    server.start()
    server.halt("fast")
    server.resume()  # now with fsync and synchronous_commit on
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def office(cluster: RestartableCluster, request: pytest.FixtureRequest) -> Iterator[tuple]:
    """A fresh office database on the test's own server; the server is running after."""
    name = f"kantor_{request.node.name.split('[')[-1].strip(']').replace('-', '_')}"[:60]
    admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = cluster.url.rsplit("/", 1)[0] + f"/{name}"
    services, users = open_office(url)
    try:
        yield cluster, url, services, users
    finally:
        if not (cluster.datadir / "postmaster.pid").exists():
            cluster.resume()
        services.close()


def stop_server_inside(monkeypatch, cluster: RestartableCluster, mode: str, action: str) -> None:
    """Stop the server right after ``audit.append(action)``, i.e. deep inside the use case's
    transaction (the registration number is taken, the resi rendered, nothing committed)."""
    original = audit.append

    def append(session, actor, what, **kwargs):
        entry = original(session, actor, what, **kwargs)
        if what == action:
            cluster.halt(mode)
        return entry

    monkeypatch.setattr(audit, "append", append)


def request_for(services: Services, index: int):
    return intake_request(services, KESENIAN, nik(60, index), f"Pemohon Listrik Padam {index}")


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_server_lost_mid_intake_saves_nothing_and_the_app_reconnects(office, monkeypatch, mode):
    cluster, url, services, users = office
    clerk = users["front_office"]
    services.intake.submit(clerk, request_for(services, 0))
    before = counts(url)

    with monkeypatch.context() as patch:
        stop_server_inside(patch, cluster, mode, "permohonan.resi")
        with pytest.raises(Exception) as caught:
            services.intake.submit(clerk, request_for(services, 1))
    assert not isinstance(caught.value, AssertionError)
    cluster.resume()

    assert counts(url) == before  # nothing half-saved: no case, no step, no number, no audit
    assert office_problems(url) == []
    # The same Services, the same pool: the next intake works and the number follows on.
    again = services.intake.submit(clerk, request_for(services, 2))
    assert again.reg_number is not None and again.reg_number.endswith("/00002")
    assert counts(url)["cases"] == before["cases"] + 1
    assert office_problems(url) == []


@pytest.mark.parametrize("when", ["mid-action", "already-down"])
def test_losing_the_server_gives_a_clear_message(office, monkeypatch, when):
    cluster, _url, services, users = office
    clerk = users["front_office"]
    if when == "already-down":
        cluster.halt("fast")
    try:
        with monkeypatch.context() as patch:
            if when == "mid-action":
                stop_server_inside(patch, cluster, "fast", "permohonan.resi")
            with pytest.raises(Exception) as caught:
                services.intake.submit(clerk, request_for(services, 0))
    finally:
        cluster.resume()
    error = caught.value
    assert isinstance(error, DatabaseError), f"{type(error).__name__}: {error}"
    expected = LOST_CONNECTION if when == "mid-action" else "Server basis data tidak dapat"
    assert error.message.startswith(expected), error.message
    assert "\n" not in error.message
    services.intake.submit(clerk, request_for(services, 1))  # and it reconnects


def test_two_pcs_keep_working_through_a_server_restart(office):
    """Two counter PCs take in applications in a loop; the server dies (immediate: like a
    power cut) and comes back. Every intake a clerk saw confirmed is there, the failed ones
    left nothing behind, and both PCs carry on by themselves."""
    cluster, url, _services, _users = office
    ready, stop, queue = SPAWN.Queue(), SPAWN.Event(), SPAWN.Queue()
    with processes(*[(pc_intakes_until, (url, pc, ready, stop, queue)) for pc in (1, 2)]):
        assert sorted(ready.get(timeout=120) for _ in range(2)) == [1, 2]
        time.sleep(1)
        cluster.halt("immediate")
        time.sleep(2)
        cluster.resume()
        time.sleep(6)
        stop.set()
        results = [queue.get(timeout=120) for _ in range(2)]
    assert all(status == "ok" for status, _pc, _payload in results), results
    confirmed = [case for _s, _pc, (done, _f, _a) in results for case in done]
    failures = [f for _s, _pc, (_d, failed, _a) in results for f in failed]
    assert failures, "the outage should have been noticed"
    stored = stored_cases(url)
    assert all(stored.get(case_id) == reg for case_id, reg in confirmed)
    assert len(stored) == len(confirmed)  # a failed intake left nothing behind
    assert office_problems(url) == []
    # Both PCs carried on by themselves after the restart.
    assert all(after > 0 for _s, _pc, (_d, _f, after) in results), results
