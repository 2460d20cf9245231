"""Issue 16 on PostgreSQL: the application's role may INSERT and SELECT the audit tables, and
the server refuses everything else — tested through the application's own connection."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from desktop_perizinan.db.roles import Roles
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import create_demo_users

FORMS = Path(__file__).resolve().parents[2] / "forms"


def test_the_app_role_works_but_cannot_rewrite_the_audit(roles: Roles) -> None:
    services = Services.open(roles.app_url, FORMS)
    try:
        create_demo_users(services)  # every use case appends through the app role
        with services.db.reading() as session:
            count = session.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        assert count > 3
    finally:
        services.close()
    engine = create_engine(roles.app_url)
    try:
        for statement in (
            "UPDATE audit_log SET detail = '{}' WHERE id = 2",
            "DELETE FROM audit_log WHERE id = 2",
            "TRUNCATE audit_log",
            "DELETE FROM audit_head",
            "UPDATE audit_head SET last_id = last_id - 1",
            "DROP TRIGGER audit_log_refuse ON audit_log",
            "ALTER TABLE audit_log DISABLE TRIGGER ALL",
            "UPDATE alembic_version SET version_num = '0001'",
        ):
            with pytest.raises(DBAPIError) as refused, engine.begin() as connection:
                connection.exec_driver_sql(statement)
            message = str(refused.value.orig)
            if statement.startswith(("UPDATE audit_log", "DELETE", "TRUNCATE")):
                assert "permission denied" in message, (statement, message)  # the rights
            assert (
                "permission denied" in message
                or "must be owner" in message
                or ("hanya boleh" in message)
            ), (statement, message)
    finally:
        engine.dispose()
    # Even the owner meets the triggers (it could drop them: that is what the keys are for).
    engine = create_engine(roles.owner_url)
    try:
        with pytest.raises(DBAPIError, match="log audit hanya boleh"), engine.begin() as c:
            c.exec_driver_sql("UPDATE audit_log SET detail = '{}' WHERE id = 2")
    finally:
        engine.dispose()
