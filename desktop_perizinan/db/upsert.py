"""Insert a row unless its unique key exists: the race-free "get or create".

Two PCs creating the same applicant, blob or form version at the same moment must both
succeed: a select-then-insert lets both see "absent" and the second fails on the unique
constraint. ``INSERT ... ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL) waits for the first
and then does nothing; the caller selects the row afterwards.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def insert_if_absent(
    session: Session, model: type[Any], values: dict[str, Any], key: list[str]
) -> None:
    """Insert ``values`` into ``model``'s table unless a row with the same ``key`` exists."""
    # Each dialect's ``insert`` is imported only for the database in use: the PostgreSQL
    # package pulls in every driver module and asyncio (~30 ms at start-up on SQLite).
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg = pg_insert(model).values(**values).on_conflict_do_nothing(index_elements=key)
        session.execute(pg)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        lite = sqlite_insert(model).values(**values).on_conflict_do_nothing(index_elements=key)
        session.execute(lite)
