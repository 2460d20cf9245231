"""A schema upgrade on the office PostgreSQL with separate roles: the PCs' application role is
refused with a sentence naming ``perizinan db perbarui``; the administrator's run migrates as
the owner (after a verified backup) and the application works again, still unable to rewrite
the audit log. The owner's password goes through the environment, never the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from desktop_perizinan.cli import main
from desktop_perizinan.db.engine import make_engine
from desktop_perizinan.db.migrate import alembic_config, head_revision
from desktop_perizinan.db.roles import Roles
from desktop_perizinan.errors import DatabaseError, ValidationError
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import create_demo_users
from desktop_perizinan.services.schema_admin import schema_state, upgrade_as_owner

FORMS = Path(__file__).resolve().parents[2] / "forms"
PREVIOUS = "0007"


def _downgrade_as_owner(owner_url: str) -> None:
    """The database as a PC of the previous release left it."""
    engine = make_engine(owner_url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, PREVIOUS)
    finally:
        engine.dispose()


@pytest.fixture
def older(roles: Roles) -> Roles:
    services = Services.open(roles.app_url, FORMS)
    try:
        create_demo_users(services)  # data worth a backup
    finally:
        services.close()
    _downgrade_as_owner(roles.owner_url)
    return roles


@pytest.mark.pg
def test_the_app_role_is_told_to_ask_for_db_perbarui_and_nothing_is_backed_up(
    older: Roles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERIZINAN_BACKUP_DIR", str(tmp_path / "backups"))
    with pytest.raises(DatabaseError, match="perizinan db perbarui") as refused:
        Services.open(older.app_url, FORMS)
    assert "bukan pemilik" in refused.value.message
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())
    state = schema_state(older.app_url)
    assert (state.revision, state.may_migrate, state.current) == (PREVIOUS, False, False)


@pytest.mark.pg
def test_db_perbarui_migrates_as_the_owner_and_the_pcs_work_again(
    older: Roles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    backups = tmp_path / "cadangan"
    assert main(["db", "status", "--db", older.app_url]) == 1
    assert f"revisi {PREVIOUS}" in capsys.readouterr().out

    owner_password = make_url(older.owner_url).password
    assert owner_password
    monkeypatch.setenv("PERIZINAN_DB_OWNER_PASSWORD", owner_password)
    code = main(["db", "perbarui", "--db", older.app_url, "--cadangan", str(backups)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"dari revisi {PREVIOUS} ke {head_revision()}" in out
    assert f"Hak peran aplikasi {older.app} diperbarui" in out
    assert owner_password not in out
    assert any(backups.iterdir())  # the verified backup before the migration

    assert main(["db", "status", "--db", older.app_url]) == 0
    services = Services.open(older.app_url, FORMS)  # the PCs start again
    try:
        with services.db.reading() as session:
            assert session.execute(text("SELECT count(*) FROM app_user")).scalar_one() > 1
    finally:
        services.close()
    engine = create_engine(older.app_url)
    try:
        with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as c:
            c.exec_driver_sql("UPDATE audit_log SET detail = '{}' WHERE id = 2")
    finally:
        engine.dispose()

    # Run again: nothing to do, no second backup.
    before = sorted(backups.iterdir())
    assert main(["db", "perbarui", "--db", older.app_url, "--cadangan", str(backups)]) == 0
    assert "sudah terbaru" in capsys.readouterr().out
    assert sorted(backups.iterdir()) == before


@pytest.mark.pg
def test_a_wrong_owner_is_one_line_and_changes_nothing(
    older: Roles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    # The test cluster trusts every password, so the refusal comes from an unknown role.
    monkeypatch.setenv("PERIZINAN_DB_OWNER_PASSWORD", "salah-sandi")
    code = main(
        [
            "db",
            "perbarui",
            "--db",
            older.app_url,
            "--pemilik",
            "bukan_pemilik",
            "--cadangan",
            str(tmp_path),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("perizinan: ") and err.count("\n") == 1
    assert "salah-sandi" not in err
    assert "menolak nama pengguna atau kata sandi" in err
    assert schema_state(older.app_url).revision == PREVIOUS


def test_sqlite_needs_no_owner_and_a_missing_file_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "tidak-ada.sqlite3"
    with pytest.raises(DatabaseError, match="tidak ada"):
        schema_state(f"sqlite:///{missing}")
    assert not missing.exists()
    with pytest.raises(ValidationError, match="PostgreSQL"):
        upgrade_as_owner(f"sqlite:///{missing}", "x")
