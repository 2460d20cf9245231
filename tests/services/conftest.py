"""Services on a fresh database (SQLite and PostgreSQL), with the demo office's users."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_perizinan.db.roles import Roles, set_up_roles
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import CaseDriver, SteppingClock, create_demo_users, demo_clock

FORMS = Path(__file__).resolve().parents[2] / "forms"
#: The owner role's password in the separate-roles databases (``roles``).
OWNER_PASSWORD = "Pemilik-2026"


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


@pytest.fixture
def roles(pg_server_url: str, pg_admin) -> Iterator[Roles]:  # type: ignore[no-untyped-def]
    """A database of its own with the owner and application roles, dropped afterwards."""
    name = f"izin_{uuid.uuid4().hex[:10]}"
    made = set_up_roles(pg_server_url, name, owner_password=OWNER_PASSWORD)
    try:
        yield made
    finally:
        with pg_admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in (made.app, made.owner):
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
