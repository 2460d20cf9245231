"""Hostile input: fixtures shared by the tests in this folder.

The LAN tests' support module (``tests/lan/lan_support.py``: an office with users, valid NIKs,
complete requests, the office's invariants, the kill -9 victims) is reused here; its folder is
put on ``sys.path`` the same way pytest puts each test folder there, so that spawned children
can import it by name too.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

LAN = Path(__file__).resolve().parents[1] / "lan"
if str(LAN) not in sys.path:
    sys.path.insert(0, str(LAN))

from lan_support import open_office  # noqa: E402


@pytest.fixture(autouse=True)
def _no_real_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default database and backups live in the user's data folder: point that into
    ``tmp_path`` so a test that forgets ``--db`` (or a bug that ignores it) is visible and
    harmless."""
    data = tmp_path / "data-pengguna"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("PERIZINAN_BACKUP_DIR", str(data / "cadangan"))
    monkeypatch.delenv("PERIZINAN_DB_URL", raising=False)
    return data


@pytest.fixture
def office(db_url: str) -> Iterator[tuple]:
    """(url, services, users) on a fresh database of each backend, with one counter clerk."""
    services, users = open_office(db_url, everyone=False)
    try:
        yield db_url, services, users
    finally:
        services.close()
