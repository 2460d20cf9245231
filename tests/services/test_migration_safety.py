"""A migration never runs without a fresh, verified backup (db.safe_migrate), and a database
newer than the app is refused — on SQLite and on PostgreSQL.

The app has a single line of real migrations, and tests must not add to it. So each test
builds a *test-only* script directory: a copy of the real ``migrations`` folder plus a dummy
revision on top of the real head, and points ``db.migrate.MIGRATIONS`` at it. To the code
under test that is simply "a newer app" meeting "an older database".
"""

from __future__ import annotations

import multiprocessing as mp
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect

from desktop_perizinan.db import backup_pg, migrate
from desktop_perizinan.db.engine import Database, make_engine
from desktop_perizinan.db.models import Case
from desktop_perizinan.db.safe_migrate import migrate_with_backup
from desktop_perizinan.errors import DatabaseError
from desktop_perizinan.services import backup
from desktop_perizinan.services.backup import verify_backup
from desktop_perizinan.services.demo import DEMO_APPLICANTS

DUMMY = "9001"
DUMMY_TABLE = "uji_tambahan"

DUMMY_SCRIPT = '''"""test only: one more table

Revision ID: {revision}
Revises: {down}
"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True))
    {fail}


def downgrade() -> None:
    op.drop_table("{table}")
'''


def make_scripts(root: Path, *, failing: bool = False) -> Path:
    """A copy of the real migrations with revision 9001 on top of the real head."""
    target = root / ("migrations-gagal" if failing else "migrations-baru")
    shutil.copytree(migrate.MIGRATIONS, target, ignore=shutil.ignore_patterns("__pycache__"))
    fail = 'raise RuntimeError("migrasi uji gagal di tengah jalan")' if failing else "pass"
    script = DUMMY_SCRIPT.format(
        revision=DUMMY, down=migrate.head_revision(), table=DUMMY_TABLE, fail=fail
    )
    (target / "versions" / f"{DUMMY}_uji.py").write_text(script, encoding="utf-8")
    return target


@pytest.fixture(autouse=True)
def _private_backup_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cadangan"
    monkeypatch.setenv(backup.ENV_BACKUP_DIR, str(folder))
    return folder


def schema(url: str) -> tuple[str | None, bool, int]:
    """(revision, has the dummy table, number of cases)."""
    engine = make_engine(url)
    try:
        revision = migrate.current_revision(engine)
        tables = set(sa_inspect(engine).get_table_names())
        cases = 0
        if "permohonan" in tables:
            with engine.connect() as connection:
                cases = connection.scalar(select(func.count()).select_from(Case.__table__))
        return revision, DUMMY_TABLE in tables, cases
    finally:
        engine.dispose()


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def old_database(services, driver, db_url):
    """A database in use (two cases) at the real head: "older" than the test's app."""
    driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[0])
    driver.submit("DAIRI-LKS-ASING", DEMO_APPLICANTS[1])
    return db_url


def test_an_older_database_is_backed_up_then_migrated(old_database, tmp_path, monkeypatch):
    real_head = migrate.head_revision()
    monkeypatch.setattr(migrate, "MIGRATIONS", make_scripts(tmp_path))
    folder = tmp_path / "bk"
    taken = migrate_with_backup(old_database, backup_dir=folder)
    assert taken is not None and taken.parent == folder
    assert taken.name.startswith("perizinan-pra-migrasi-")
    copy = verify_backup(taken)
    assert copy.revision == real_head and copy.audit_ok
    assert schema(old_database) == (DUMMY, True, 2)
    # Once current, starting again costs nothing and takes no second backup.
    assert migrate_with_backup(old_database, backup_dir=folder) is None
    assert len([n for n in files(folder) if not n.endswith(".json")]) == 1


def test_no_backup_no_migration(old_database, tmp_path, monkeypatch):
    before = schema(old_database)
    monkeypatch.setattr(migrate, "MIGRATIONS", make_scripts(tmp_path))
    not_a_folder = tmp_path / "penuh"
    not_a_folder.write_text("bukan folder")
    with pytest.raises(DatabaseError) as caught:
        migrate_with_backup(old_database, backup_dir=not_a_folder)
    message = caught.value.message
    assert "dibatalkan karena cadangan sebelum pembaruan gagal dibuat" in message
    assert "Basis data tidak diubah" in message
    assert schema(old_database) == before


def test_no_pg_dump_on_this_pc_no_migration(services, pg_url, tmp_path, monkeypatch):
    before = schema(pg_url)
    monkeypatch.setattr(migrate, "MIGRATIONS", make_scripts(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(backup.ENV_PG_BINDIR, raising=False)
    monkeypatch.setattr(backup_pg, "PG_SEARCH_PATTERNS", ())
    with pytest.raises(DatabaseError, match="pg_dump"):
        migrate_with_backup(pg_url, backup_dir=tmp_path / "bk")
    assert schema(pg_url) == before


def test_a_failing_migration_changes_nothing_and_names_the_backup(
    old_database, tmp_path, monkeypatch
):
    before = schema(old_database)
    monkeypatch.setattr(migrate, "MIGRATIONS", make_scripts(tmp_path, failing=True))
    with pytest.raises(DatabaseError) as caught:
        migrate_with_backup(old_database, backup_dir=tmp_path / "bk")
    assert "gagal dan dibatalkan" in caught.value.message
    assert str(tmp_path / "bk") in caught.value.message
    assert schema(old_database) == before  # transactional DDL: not even the new table stays


def test_a_newer_database_is_refused_untouched_and_without_backup(
    old_database, tmp_path, monkeypatch
):
    with monkeypatch.context() as newer_app:
        newer_app.setattr(migrate, "MIGRATIONS", make_scripts(tmp_path))
        migrate_with_backup(old_database, backup_dir=tmp_path / "bk-baru")
    after_newer_app = schema(old_database)
    assert after_newer_app[0] == DUMMY
    # Back on the real (older) app:
    with pytest.raises(DatabaseError, match="versi aplikasi yang lebih baru"):
        migrate_with_backup(old_database, backup_dir=tmp_path / "bk")
    assert files(tmp_path / "bk") == []
    assert schema(old_database) == after_newer_app


def test_a_fresh_database_is_migrated_without_a_backup(empty_db_url, tmp_path):
    assert migrate_with_backup(empty_db_url, backup_dir=tmp_path / "bk") is None
    assert files(tmp_path / "bk") == []
    assert schema(empty_db_url) == (migrate.head_revision(), False, 0)


def test_a_current_database_is_left_alone(db_url, tmp_path):
    assert migrate_with_backup(db_url, backup_dir=tmp_path / "bk") is None
    assert files(tmp_path / "bk") == []


def _start_new_version(url: str, scripts: str, folder: str, queue: mp.Queue) -> None:
    """One PC starting the new version of the app (runs in a child process)."""
    migrate.MIGRATIONS = Path(scripts)
    try:
        taken = migrate_with_backup(url, backup_dir=Path(folder))
        queue.put(("ok", str(taken) if taken else None))
    except BaseException as exc:  # reported to the parent
        queue.put(("error", f"{type(exc).__name__}: {exc}"))


@pytest.mark.slow
def test_four_pcs_starting_the_new_version_at_once_migrate_once(old_database, tmp_path):
    scripts = make_scripts(tmp_path)
    folder = tmp_path / "bk"
    context = mp.get_context("spawn")
    queue = context.Queue()
    pcs = [
        context.Process(
            target=_start_new_version, args=(old_database, str(scripts), str(folder), queue)
        )
        for _ in range(4)
    ]
    for pc in pcs:
        pc.start()
    outcomes = [queue.get(timeout=180) for _ in pcs]
    for pc in pcs:
        pc.join(timeout=60)
    assert [status for status, _ in outcomes] == ["ok"] * 4, outcomes
    backups = [taken for _, taken in outcomes if taken]
    assert len(backups) == 1  # exactly one PC backed up and migrated
    assert schema(old_database) == (DUMMY, True, 2)


def test_opening_the_app_on_an_older_database_backs_it_up_first(
    old_database, tmp_path, monkeypatch, _private_backup_dir
):
    from desktop_perizinan.services.app import Services

    monkeypatch.setattr(migrate, "MIGRATIONS", make_scripts(tmp_path))
    forms = Path(__file__).resolve().parents[2] / "forms"
    Services.open(old_database, forms).close()
    assert schema(old_database)[0] == DUMMY
    assert any(n.startswith("perizinan-pra-migrasi-") for n in files(_private_backup_dir))


def test_database_of_the_fixture_is_usable_after_a_migration(old_database, tmp_path, monkeypatch):
    """The migrated database still serves the app (the dummy revision adds, never breaks)."""
    monkeypatch.setattr(migrate, "MIGRATIONS", make_scripts(tmp_path))
    migrate_with_backup(old_database, backup_dir=tmp_path / "bk")
    db = Database(old_database)
    try:
        with db.reading() as session:
            assert session.scalar(select(func.count()).select_from(Case)) == 2
    finally:
        db.dispose()
