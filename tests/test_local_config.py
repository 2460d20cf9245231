"""The per-PC configuration (which database this PC uses), the database probe and the first-run
decision. platformdirs is pointed at ``tmp_path`` (XDG variables), so nothing touches the real
user's folders."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from desktop_perizinan import local_config
from desktop_perizinan.errors import DatabaseError, ValidationError
from desktop_perizinan.local_config import (
    LocalConfig,
    LocalConfigError,
    PostgresChoice,
    SqliteChoice,
    check_sqlite_folder,
    config_path,
    configured_url,
    load_config,
    needs_first_run,
    probe_database,
    save_config,
)

FORMS = Path(__file__).resolve().parents[1] / "forms"


@pytest.fixture(autouse=True)
def isolated_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("PERIZINAN_DB_URL", raising=False)
    return tmp_path


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_config_lives_in_the_user_config_dir(tmp_path: Path) -> None:
    assert config_path() == tmp_path / "config" / "perizinan" / "perizinan.json"
    assert local_config.default_sqlite_folder() == tmp_path / "data" / "perizinan"


def test_no_file_means_not_configured() -> None:
    assert load_config() is None
    assert configured_url() is None


def test_sqlite_round_trip(tmp_path: Path) -> None:
    folder = tmp_path / "kantor data"
    written = save_config(LocalConfig(SqliteChoice(folder)))
    assert written == config_path()
    loaded = load_config()
    assert loaded is not None and loaded.database == SqliteChoice(folder)
    assert loaded.saved_at  # stamped on save
    assert configured_url() == f"sqlite:///{folder / 'perizinan.sqlite3'}"
    if os.name == "posix":
        assert written.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in written.parent.iterdir()] == ["perizinan.json"]  # no temp left


def test_postgres_round_trip_quotes_the_password() -> None:
    choice = PostgresChoice("server-kantor", 5433, "perizinan", "loket", "p@ss:w/rd#1")
    save_config(LocalConfig(choice))
    loaded = load_config()
    assert loaded is not None and loaded.database == choice
    url = make_url(configured_url() or "")
    assert (url.host, url.port, url.database, url.username, url.password) == (
        "server-kantor",
        5433,
        "perizinan",
        "loket",
        "p@ss:w/rd#1",
    )
    assert "p@ss" not in choice.describe()


def test_saving_again_replaces_the_file(tmp_path: Path) -> None:
    save_config(LocalConfig(SqliteChoice(tmp_path / "a")))
    save_config(LocalConfig(PostgresChoice("db.lan")))
    loaded = load_config()
    assert loaded is not None and isinstance(loaded.database, PostgresChoice)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "rusak"),
        ("[]", "'database' tidak ada"),
        ('{"version": 99, "database": {"backend": "sqlite", "folder": "/x"}}', "lebih baru"),
        ('{"database": {"backend": "oracle"}}', "tidak dikenal"),
        ('{"database": {"backend": "sqlite", "folder": ""}}', "folder SQLite kosong"),
        ('{"database": {"backend": "postgresql", "host": "h", "port": "x"}}', "port"),
    ],
)
def test_a_broken_file_is_said_not_ignored(content: str, words: str) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LocalConfigError, match=words) as caught:
        configured_url()
    assert str(path) in caught.value.message
    # The launcher runs the wizard again, which rewrites it.
    assert needs_first_run() is True


def test_network_share_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from desktop_perizinan import paths

    monkeypatch.setattr(paths, "is_network_path", lambda path: True)
    with pytest.raises(ValidationError) as caught:
        check_sqlite_folder(tmp_path / "bersama")
    message = caught.value.message
    assert "jaringan" in message and "rusak" in message and "PostgreSQL" in message


def test_unc_path_is_a_network_share() -> None:
    with pytest.raises(ValidationError, match="jaringan"):
        check_sqlite_folder(Path("//server-kantor/data"))


def test_folder_checks(tmp_path: Path) -> None:
    check_sqlite_folder(tmp_path / "baru" / "sekali")  # may be created later
    with pytest.raises(ValidationError, match="lengkap"):
        check_sqlite_folder(Path("relatif/folder"))
    with pytest.raises(ValidationError, match="Pilih folder"):
        check_sqlite_folder("")
    a_file = tmp_path / "berkas.txt"
    a_file.write_text("x")
    with pytest.raises(ValidationError, match="berkas, bukan folder"):
        check_sqlite_folder(a_file)


def test_probe_missing_sqlite_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "tidak-ada" / "perizinan.sqlite3"
    probe = probe_database(f"sqlite:///{path}")
    assert (probe.exists, probe.users, probe.set_up) == (False, 0, False)
    assert not path.parent.exists()
    assert "dibuat saat Selesai" in probe.summary()


def test_probe_sqlite_with_users(sqlite_url: str) -> None:
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import create_demo_users

    probe = probe_database(sqlite_url)
    assert probe.has_schema and probe.users == 0 and not probe.set_up
    services = Services.open(sqlite_url, FORMS)
    try:
        create_demo_users(services)
    finally:
        services.close()
    probe = probe_database(sqlite_url)
    assert probe.set_up and probe.users == 8
    assert "sudah disiapkan: 8 pengguna" in probe.summary()


def test_probe_refuses_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "bukan.sqlite3"
    path.write_bytes(b"hello, this is not a database at all")
    with pytest.raises(DatabaseError, match="bukan basis data SQLite"):
        probe_database(f"sqlite:///{path}")


def test_probe_postgres_server(pg_server_url: str) -> None:
    probe = probe_database(pg_server_url)
    assert probe.backend == "postgresql" and probe.exists
    assert probe.server.startswith("PostgreSQL")
    assert not probe.has_schema and probe.users == 0  # the server's own "postgres" database


def test_probe_postgres_closed_port() -> None:
    choice = PostgresChoice("127.0.0.1", closed_port(), "perizinan", "perizinan", "x")
    with pytest.raises(DatabaseError, match="tidak dapat dihubungi") as caught:
        probe_database(choice.url, timeout=3)
    assert "127.0.0.1" in caught.value.message and "x" not in caught.value.message.split()


def test_probe_postgres_wrong_database(pg_server_url: str) -> None:
    url = make_url(pg_server_url).set(database="tidak_ada_di_server")
    with pytest.raises(DatabaseError, match="tidak ada di server"):
        probe_database(url.render_as_string(hide_password=False))


def test_needs_first_run_on_a_new_pc() -> None:
    assert needs_first_run() is True
    # Asking did not create the default database file.
    assert not (local_config.default_sqlite_folder() / "perizinan.sqlite3").exists()


def test_needs_first_run_follows_the_chosen_database(sqlite_url: str) -> None:
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import create_demo_users

    assert needs_first_run(sqlite_url) is True
    assert needs_first_run(environ={"PERIZINAN_DB_URL": sqlite_url}) is True
    services = Services.open(sqlite_url, FORMS)
    try:
        create_demo_users(services)
    finally:
        services.close()
    assert needs_first_run(sqlite_url) is False
    path = make_url(sqlite_url).database or ""
    save_config(LocalConfig(SqliteChoice(Path(path).parent)))
    assert needs_first_run() is False


def test_an_unreachable_server_is_not_a_first_run() -> None:
    choice = PostgresChoice("127.0.0.1", closed_port(), "perizinan", "perizinan", "x")
    save_config(LocalConfig(choice))
    assert needs_first_run() is False


def test_the_database_password_is_not_in_a_repr() -> None:
    """A PostgresChoice printed in a log line or a traceback does not show the password."""
    choice = PostgresChoice(host="server-kantor", password="rahasia-server-99")
    assert "rahasia-server-99" not in repr(choice)
    assert "rahasia-server-99" not in str(choice)
    assert "rahasia-server-99" in choice.url  # still used to connect
