"""Issue 16: a database made by the current release (schema 0002, scheme-1 entries without a
key) still verifies after migration 0003, gets a keyed seal on its first new entry, and from
then on even the ``user_id`` the old hash never covered is fixed. Also the keyring on disk:
owner-only, never in a repr, refused when damaged."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from desktop_perizinan import audit_key
from desktop_perizinan.cli import main
from desktop_perizinan.db import audit_guard, migrate
from desktop_perizinan.db.audit_chain import GENESIS, SEAL_ACTION, hash_v1
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import create_demo_users

FORMS = Path(__file__).resolve().parents[2] / "forms"


def make_release_database(url: str) -> None:
    """Schema 0002 and three entries exactly as the first release wrote them."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config = migrate.alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
            prev = GENESIS
            at = datetime(2026, 11, 2, 8, 0)
            for entry_id in (1, 2, 3):
                detail = f'{{"username":"lama{entry_id}"}}'
                digest = hash_v1(prev, entry_id, at, "admin", "pengguna.tambah", None, detail)
                connection.execute(
                    text(
                        "INSERT INTO audit_log (id, at, user_id, username, action, case_id, "
                        "detail, prev_hash, hash) VALUES (:i, :at, 1, 'admin', "
                        "'pengguna.tambah', NULL, :d, :p, :h)"
                    ),
                    {"i": entry_id, "at": at, "d": detail, "p": prev, "h": digest},
                )
                prev = digest
                at += timedelta(minutes=1)
            connection.execute(
                text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 3, :h)"),
                {"h": prev},
            )
    finally:
        engine.dispose()


def verify(url: str, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["audit", "verify", "--db", url])
    return code, capsys.readouterr().out


def test_a_release_database_migrates_verifies_and_is_sealed(empty_db_url, capsys):
    url = empty_db_url
    make_release_database(url)
    code, out = verify(url, capsys)  # not migrated yet: read as scheme 1, changing nothing
    assert code == 0, out
    assert "3 entri lama skema 1" in out
    engine = create_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    code, out = verify(url, capsys)
    assert code == 0, out
    assert "3 entri" in out and "3 entri lama skema 1" in out

    services = Services.open(url, FORMS)
    try:
        create_demo_users(services)
    finally:
        services.close()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            actions = connection.execute(
                text("SELECT action, scheme FROM audit_log ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    assert actions[3] == (SEAL_ACTION, 2)
    assert all(scheme == 2 for _a, scheme in actions[3:])
    code, out = verify(url, capsys)
    assert code == 0, out

    # The user_id of an old entry: not in scheme 1's hash, but in the seal's digest.
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            audit_guard.remove(connection)
            connection.execute(text("UPDATE audit_log SET user_id = 7 WHERE id = 2"))
    finally:
        engine.dispose()
    code, out = verify(url, capsys)
    assert code == 1
    assert "Entri lama (skema 1) sebelum segel di entri 4 diubah" in out and "user_id" in out


def test_the_keyring_is_private_and_never_shown(tmp_path: Path):
    path = tmp_path / "kunci" / "audit-keys.json"
    keyring = audit_key.load_or_create(path)
    assert audit_key.load(path) == keyring
    secret_hex = path.read_text(encoding="utf-8").split('"keys"')[1]
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    assert keyring.current in repr(keyring)
    for text_form in (repr(keyring), str(keyring)):
        assert all(part not in text_form for part in secret_hex.split('"') if len(part) == 64)
    path.write_text(path.read_text().replace(keyring.current, "0" * 16, 1))
    with pytest.raises(audit_key.AuditKeyError, match="tidak dapat dipakai"):
        audit_key.read_keyring(path)
