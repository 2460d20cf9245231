"""Migration 0006 (signer_setting) on an existing database, SQLite and PostgreSQL: up with data
in place, a row stored, down and up again."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import command

from desktop_perizinan.db.migrate import alembic_config


def _to(engine: sa.Engine, revision: str, down: bool = False) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_0006_upgrades_an_existing_database_and_comes_back_down(empty_db_url):
    engine = sa.create_engine(empty_db_url)
    try:
        _to(engine, "0005")
        with engine.begin() as c:
            c.execute(
                sa.text(
                    "INSERT INTO app_user (username, full_name, nip, rank, title, "
                    "password_hash, active, failed_logins, must_change_password, created_at) "
                    "VALUES ('kadis', 'Kadis', '', '', '', 'x', :t, 0, :f, :now)"
                ),
                {"t": True, "f": False, "now": datetime(2026, 12, 6)},
            )
        _to(engine, "0006")
        with engine.begin() as c:
            uid = c.execute(sa.text("SELECT id FROM app_user")).scalar_one()
            c.execute(
                sa.text(
                    "INSERT INTO signer_setting (user_id, backend, gateway_url, nik) "
                    "VALUES (:u, 'bsre', 'http://10.0.0.5:8080', '1211010101700001')"
                ),
                {"u": uid},
            )
            row = c.execute(
                sa.text("SELECT api_version, appearance, placement, page FROM signer_setting")
            ).one()
        assert tuple(row) == ("v1", "invisible", "koordinat", 1)  # server defaults
        columns = {col["name"] for col in sa.inspect(engine).get_columns("signer_setting")}
        assert not {"passphrase", "totp", "password"} & columns
        _to(engine, "0005", down=True)
        assert "signer_setting" not in sa.inspect(engine).get_table_names()
        _to(engine, "0006")
        assert "signer_setting" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
