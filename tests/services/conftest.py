"""Services on a fresh database (SQLite and PostgreSQL), with the demo office's users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import CaseDriver, SteppingClock, create_demo_users, demo_clock

FORMS = Path(__file__).resolve().parents[2] / "forms"


@pytest.fixture
def clock() -> SteppingClock:
    return demo_clock()


@pytest.fixture
def services(db_url: str, clock: SteppingClock) -> Iterator[Services]:
    s = Services.open(db_url, FORMS, clock=clock)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def users(services: Services) -> dict[str, Actor]:
    return create_demo_users(services)


@pytest.fixture
def driver(services: Services, users: dict[str, Actor], clock: SteppingClock) -> CaseDriver:
    return CaseDriver(services, users, clock)
