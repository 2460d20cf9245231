"""Migration 0004 (issue 13, UU PDP) on SQLite and PostgreSQL: a database with applicants
upgrades (their rows kept, not erased), downgrades and upgrades again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from desktop_perizinan.db.engine import make_engine
from desktop_perizinan.db.migrate import alembic_config


def _to(engine, revision: str, *, down: bool = False) -> None:  # type: ignore[no-untyped-def]
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _columns(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return {c["name"] for c in inspect(engine).get_columns("applicant")}


def test_applicants_survive_upgrade_and_downgrade(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        _to(engine, "0003")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO applicant (nik, name, address, phone, email, created_at, "
                    "updated_at) VALUES ('3514022011800002', 'Yohanes', 'Pasuruan', '', '', "
                    ":t, :t)"
                ),
                {"t": "2026-01-05 08:00:00"},
            )
        assert "erased_at" not in _columns(engine)
        _to(engine, "0004")
        assert "erased_at" in _columns(engine)
        indexes = {i["name"] for i in inspect(engine).get_indexes("applicant")}
        assert "ix_applicant_erased_at" in indexes
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT name, erased_at FROM applicant")).all()
        assert [tuple(r) for r in rows] == [("Yohanes", None)]
        _to(engine, "0003", down=True)
        assert "erased_at" not in _columns(engine)
        _to(engine, "0004")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM applicant")).scalar() == 1
    finally:
        engine.dispose()
