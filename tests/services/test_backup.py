"""Backup and restore (services.backup, ``perizinan backup`` / ``perizinan restore``), on SQLite
and on PostgreSQL: a verified, atomically written copy; a restore that checks before it
overwrites; rotation of the automatic backups; the backup taken when the app closes."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from desktop_perizinan.db import audit_guard, backup_make, backup_pg
from desktop_perizinan.db.engine import Database
from desktop_perizinan.db.models import AgendaEntry, AuditEntry, Case
from desktop_perizinan.errors import UserError
from desktop_perizinan.services import backup
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.backup import (
    KIND_AUTO,
    KIND_MANUAL,
    BackupError,
    backup_on_close,
    create_backup,
    list_backups,
    restore_backup,
    rotate,
    verify_backup,
)
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    CaseDriver,
    create_demo_users,
    demo_clock,
)

DAIRI = "DAIRI-LKS-ASING"
FORMS = Path(__file__).resolve().parents[2] / "forms"
WHEN = datetime(2026, 11, 2, 16, 30, 0)


@pytest.fixture(autouse=True)
def _private_backup_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a test does may land in the real user's backup folder."""
    monkeypatch.setenv(backup.ENV_BACKUP_DIR, str(tmp_path / "default-backups"))


def state(url: str) -> dict[str, object]:
    """What must survive a backup and restore: counts, numbers, the audit head."""
    db = Database(url)
    try:
        with db.reading() as session:
            return {
                "cases": session.scalar(select(func.count()).select_from(Case)),
                "numbers": session.scalars(
                    select(AgendaEntry.number).order_by(AgendaEntry.id)
                ).all(),
                "audit": session.scalar(select(func.max(AuditEntry.id))),
                "hash": session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc())),
            }
    finally:
        db.dispose()


def submit(driver, n: int = 1) -> list[int]:
    return [driver.submit(DAIRI, DEMO_APPLICANTS[i % 2]).case_id for i in range(n)]


# ---------------------------------------------------------------------------- backup


def test_backup_is_a_verified_copy_with_timestamped_name(services, driver, db_url, tmp_path):
    submit(driver, 2)
    result = create_backup(db_url, directory=tmp_path / "bk", now=WHEN)
    suffix = ".sqlite3" if db_url.startswith("sqlite") else ".dump"
    assert result.path == tmp_path / "bk" / f"perizinan-manual-20261102-163000{suffix}"
    assert result.size == result.path.stat().st_size > 0
    v = result.verification
    assert v.revision_known and v.audit_ok and v.audit_entries == state(db_url)["audit"]
    assert "Cadangan dibuat" in result.summary() and "entri audit utuh" in result.summary()
    # Nothing else is left in the folder but the backup and its manifest.
    names = sorted(p.name for p in (tmp_path / "bk").iterdir())
    assert names == [result.path.name, result.path.name + ".json"]
    assert verify_backup(result.path) == v
    # A second backup in the same second gets its own name.
    again = create_backup(db_url, directory=tmp_path / "bk", now=WHEN)
    assert again.path.name == f"perizinan-manual-20261102-163000-2{suffix}"


def test_sqlite_backup_while_clerks_keep_working_is_consistent(sqlite_url, tmp_path):
    """The online backup API: a backup taken while intakes are being committed is a
    consistent snapshot (its audit chain verifies) and nobody waits for it."""
    clock = demo_clock()
    services = Services.open(sqlite_url, FORMS, clock=clock)
    driver = CaseDriver(services, create_demo_users(services), clock)
    submit(driver, 1)
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_working() -> None:
        try:
            while not stop.is_set():
                submit(driver, 1)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=keep_working)
    worker.start()
    try:
        results = [create_backup(sqlite_url, directory=tmp_path / "bk") for _ in range(3)]
    finally:
        stop.set()
        worker.join()
        services.close()
    assert not errors
    for result in results:
        assert result.verification.audit_ok
        copy = state(f"sqlite:///{result.path}")
        assert copy["audit"] == result.verification.audit_entries
    assert state(sqlite_url)["cases"] >= 2


def test_failed_verification_leaves_no_backup_and_no_temporary_file(
    services, db_url, tmp_path, monkeypatch
):
    def broken(path: Path) -> None:
        raise BackupError("Cadangan rusak: uji.")

    monkeypatch.setattr(backup_make, "verify_backup", broken)
    with pytest.raises(BackupError, match="uji"):
        create_backup(db_url, directory=tmp_path / "bk")
    assert list((tmp_path / "bk").iterdir()) == []


def test_backup_out_file_and_folder(services, sqlite_url, tmp_path):
    out = tmp_path / "pilihan.sqlite3"
    assert create_backup(sqlite_url, out=out).path == out
    with pytest.raises(BackupError, match="sudah ada"):
        create_backup(sqlite_url, out=out)
    with pytest.raises(BackupError, match="tidak ada"):
        create_backup(sqlite_url, out=tmp_path / "tidak-ada" / "x.sqlite3")
    folder = tmp_path / "flashdisk"
    folder.mkdir()
    assert create_backup(sqlite_url, out=folder).path.parent == folder


def test_backup_of_a_missing_database_creates_nothing(tmp_path):
    missing = tmp_path / "tidak-ada.sqlite3"
    with pytest.raises(UserError, match="tidak ditemukan"):
        create_backup(f"sqlite:///{missing}", directory=tmp_path / "bk")
    assert not missing.exists()


def test_pg_dump_not_installed_has_a_clear_message(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(backup.ENV_PG_BINDIR, raising=False)
    monkeypatch.setattr(backup_pg, "PG_SEARCH_PATTERNS", ())
    with pytest.raises(BackupError) as caught:
        create_backup(pg_url, directory=tmp_path / "bk")
    message = caught.value.message
    assert "pg_dump" in message and "tidak ditemukan" in message and "\n" not in message
    assert not (tmp_path / "bk").exists() or not list((tmp_path / "bk").iterdir())


def test_a_broken_audit_chain_is_reported_but_the_data_is_still_saved(
    services, driver, db_url, tmp_path
):
    submit(driver, 1)
    db = Database(db_url)
    with db.transaction() as session:
        audit_guard.remove(session.connection())  # what an attacker with the file does first
        session.execute(text("UPDATE audit_log SET detail = '{}' WHERE id = 2"))
    db.dispose()
    result = create_backup(db_url, directory=tmp_path / "bk")
    assert result.path.exists()
    assert not result.verification.audit_ok
    assert any("Entri 2" in p for p in result.verification.audit_problems)
    assert "PERINGATAN" in result.summary()


# ---------------------------------------------------------------------------- restore


def test_restore_brings_back_the_backup_and_keeps_what_it_overwrote(
    services, driver, db_url, tmp_path
):
    submit(driver, 2)
    before = state(db_url)
    result = create_backup(db_url, directory=tmp_path / "bk")
    submit(driver, 1)
    after = state(db_url)
    assert after["cases"] == before["cases"] + 1

    with pytest.raises(BackupError, match=r"sudah berisi data.*--yes"):
        restore_backup(result.path, db_url, backup_dir=tmp_path / "bk")
    assert state(db_url) == after  # refused: nothing touched

    restored = restore_backup(result.path, db_url, force=True, backup_dir=tmp_path / "bk")
    assert state(db_url) == before
    assert restored.safety_copy is not None and restored.safety_copy.exists()
    assert restored.safety_copy.name.startswith("perizinan-pra-pulih-")
    assert verify_backup(restored.safety_copy).audit_entries == after["audit"]
    # The office carries on from the restored state: the next number follows the backup's.
    result_next = driver.submit(DAIRI, DEMO_APPLICANTS[0])
    assert result_next.reg_number == f"REG/2026/{len(before['numbers']) + 1:05d}"


def test_restore_into_an_empty_database_needs_no_confirmation(request, empty_db_url, tmp_path):
    """A new PC or a new server database: restored without --yes, nothing to keep."""
    source = request.getfixturevalue(
        "sqlite_url" if empty_db_url.startswith("sqlite") else "pg_url"
    )
    clock = demo_clock()
    services = Services.open(source, FORMS, clock=clock)
    try:
        submit(CaseDriver(services, create_demo_users(services), clock), 1)
    finally:
        services.close()
    result = create_backup(source, directory=tmp_path / "bk")
    restored = restore_backup(result.path, empty_db_url)
    assert restored.safety_copy is None
    assert state(empty_db_url) == state(source)


def test_restore_refuses_a_backup_from_a_newer_app(services, driver, db_url, tmp_path):
    submit(driver, 1)
    db = Database(db_url)
    with db.transaction() as session:
        current = session.scalar(text("SELECT version_num FROM alembic_version"))
        session.execute(text("UPDATE alembic_version SET version_num = '9999_masa_depan'"))
    newer = create_backup(db_url, directory=tmp_path / "bk")
    assert not newer.verification.revision_known
    with db.transaction() as session:
        session.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": current})
    db.dispose()
    before = state(db_url)
    with pytest.raises(BackupError, match="versi aplikasi yang lebih baru"):
        restore_backup(newer.path, db_url, force=True, backup_dir=tmp_path / "bk")
    assert state(db_url) == before


def test_restore_refuses_a_damaged_backup(services, driver, db_url, tmp_path):
    submit(driver, 1)
    result = create_backup(db_url, directory=tmp_path / "bk")
    data = bytearray(result.path.read_bytes())
    # Damage the copy and drop its manifest, so that the damage itself must be found.
    if db_url.startswith("sqlite"):
        page = 4096
        for offset in range(page * 2, len(data) - page, page):
            data[offset + 8 : offset + 200] = b"\xa5" * 192
    else:
        del data[len(data) // 2 :]
    damaged = tmp_path / result.path.name
    damaged.write_bytes(bytes(data))
    before = state(db_url)
    with pytest.raises(BackupError, match="rusak"):
        restore_backup(damaged, db_url, force=True, backup_dir=tmp_path / "bk")
    assert state(db_url) == before
    # With its manifest beside it, a changed byte is caught by the recorded SHA-256.
    flipped = bytearray(result.path.read_bytes())
    flipped[-10] ^= 0xFF
    result.path.write_bytes(bytes(flipped))
    with pytest.raises(BackupError, match="SHA-256"):
        restore_backup(result.path, db_url, force=True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "tidak ditemukan"),
        (b"", "bukan cadangan Perizinan"),
        (b"MZ\x90\x00 this is not a backup" * 100, "bukan cadangan Perizinan"),
        ("folder", "folder"),
    ],
    ids=["missing", "empty", "garbage", "directory"],
)
def test_restore_of_something_that_is_not_a_backup(sqlite_url, tmp_path, content, message):
    path = tmp_path / "cadangan.sqlite3"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    before = state(sqlite_url)
    with pytest.raises(BackupError, match=message):
        restore_backup(path, sqlite_url, force=True)
    assert state(sqlite_url) == before


def test_restore_of_a_sqlite_file_that_is_not_ours(sqlite_url, tmp_path):
    other = tmp_path / "lain.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE resep (nama TEXT)")
    connection.close()
    with pytest.raises(BackupError, match="bukan basis data Perizinan"):
        restore_backup(other, sqlite_url, force=True)


def test_restore_across_backends_is_refused(sqlite_url, pg_url, tmp_path):
    result = create_backup(sqlite_url, directory=tmp_path / "bk")
    with pytest.raises(BackupError, match="hanya dapat dipulihkan ke basis data SQLite"):
        restore_backup(result.path, pg_url)


def test_restore_over_a_corrupt_sqlite_file_keeps_its_bytes(services, sqlite_url, tmp_path):
    result = create_backup(sqlite_url, directory=tmp_path / "bk")
    target = tmp_path / "rusak.sqlite3"
    target.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    with pytest.raises(BackupError, match="tidak dapat dibaca"):
        restore_backup(result.path, f"sqlite:///{target}", backup_dir=tmp_path / "bk")
    restored = restore_backup(
        result.path, f"sqlite:///{target}", force=True, backup_dir=tmp_path / "bk"
    )
    assert restored.safety_copy is not None
    assert restored.safety_copy.read_bytes().endswith(b"\xff" * 5000)
    assert state(f"sqlite:///{target}") == state(sqlite_url)


# ---------------------------------------------------------------------------- the folder


def test_rotation_keeps_the_newest_automatic_backups_only(sqlite_url, tmp_path):
    folder = tmp_path / "bk"
    for minute in range(5):
        create_backup(sqlite_url, directory=folder, kind=KIND_AUTO, now=WHEN.replace(minute=minute))
    manual = create_backup(sqlite_url, directory=folder, kind=KIND_MANUAL, now=WHEN)
    removed = rotate(folder, keep=2)
    assert [p.name for p in removed] == [
        f"perizinan-otomatis-20261102-16{m:02d}00.sqlite3" for m in range(3)
    ]
    left = [(e.kind, e.created.minute) for e in list_backups(folder)]
    assert left == [("otomatis", 3), ("otomatis", 4), ("manual", 30)]
    assert manual.path.exists()
    assert not any(p.name.endswith(".json") and "1600" in p.name for p in folder.iterdir())


def test_backup_on_close_skips_when_nothing_changed_and_rotates(services, driver, db_url, tmp_path):
    folder = tmp_path / "bk"
    first = backup_on_close(services, directory=folder, keep=2)
    assert first.ok and first.result is not None and first.result.kind == KIND_AUTO
    assert "Cadangan otomatis dibuat" in first.message
    quiet = backup_on_close(services, directory=folder, keep=2)
    assert quiet.ok and quiet.result is None and "Tidak ada perubahan" in quiet.message
    for n in range(3):
        submit(driver, 1)
        made = backup_on_close(services, directory=folder, keep=2, now=WHEN.replace(minute=n))
        assert made.result is not None
    automatic = [e for e in list_backups(folder) if e.kind == KIND_AUTO]
    assert len(automatic) == 2


def test_backup_on_close_never_raises(services, sqlite_url, tmp_path):
    blocker = tmp_path / "bukan-folder"
    blocker.write_text("x")
    outcome = backup_on_close(services, directory=blocker)
    assert not outcome.ok and outcome.result is None
    assert outcome.message.startswith("Cadangan otomatis gagal:")


# ---------------------------------------------------------------------------- command line


@pytest.fixture
def cli_main():
    """``perizinan ARGV`` as the user runs it."""
    from desktop_perizinan import cli

    return cli.main


def test_cli_backup_and_restore(services, driver, db_url, tmp_path, capsys, cli_main):
    submit(driver, 1)
    folder = tmp_path / "bk"
    folder.mkdir()
    assert cli_main(["backup", "--db", db_url, "--out", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Cadangan dibuat: ") and out.count("\n") == 1
    made = next(p for p in folder.iterdir() if not p.name.endswith(".json"))

    assert cli_main(["backup", "--list", "--out", str(folder)]) == 0
    assert made.name in capsys.readouterr().out

    assert cli_main(["restore", str(made), "--db", db_url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("perizinan: ") and "--yes" in err and err.count("\n") == 1

    assert cli_main(["restore", str(made), "--db", db_url, "--yes"]) == 0
    assert capsys.readouterr().out.startswith("Dipulihkan: ")


@pytest.mark.parametrize(
    "argv",
    [
        ["backup", "--db", "bukan-url"],
        ["backup", "--db", "mysql://root@localhost/perizinan"],
        ["backup", "--db", "sqlite:///{tmp}/tidak-ada.sqlite3"],
        ["backup", "--db", "sqlite:///{tmp}"],
        ["backup", "--db", "sqlite:///{db}", "--out", "{tmp}/tidak/ada/x.sqlite3"],
        ["restore", "{tmp}/tidak-ada.sqlite3", "--db", "sqlite:///{db}"],
        ["restore", "{tmp}", "--db", "sqlite:///{db}"],
        ["restore", "{garbage}", "--db", "sqlite:///{db}"],
    ],
    ids=[
        "bad-url",
        "unsupported",
        "missing-db",
        "db-is-folder",
        "out-missing-folder",
        "restore-missing",
        "restore-folder",
        "restore-garbage",
    ],
)
def test_cli_bad_arguments_get_one_line_and_change_nothing(
    sqlite_url, tmp_path, capsys, cli_main, argv
):
    db = sqlite_url.removeprefix("sqlite:///")
    garbage = tmp_path / "sampah.sqlite3"
    garbage.write_bytes(os.urandom(3000))
    before = sorted(p.name for p in tmp_path.iterdir())
    snapshot = state(sqlite_url)
    argv = [a.format(tmp=tmp_path, db=db, garbage=garbage) for a in argv]
    assert cli_main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("perizinan: ") and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert state(sqlite_url) == snapshot
