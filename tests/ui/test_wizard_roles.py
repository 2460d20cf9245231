"""Issue 16 in the first-run wizard: on a new office server it creates the owner and the
application roles, migrates as the owner, and this PC keeps only the application role — which
the server then refuses an UPDATE of an audit row."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from gestures import click_radio, type_over
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from test_wizard import fill_admin, fill_head, fill_profile, finish, make_png, run_test

from desktop_perizinan.local_config import PostgresChoice, load_config
from desktop_perizinan.ui.wizard import FirstRunWizard

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def isolated_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("PERIZINAN_DB_URL", raising=False)
    return tmp_path


@pytest.fixture
def new_database(pg_server_url: str, pg_admin) -> Iterator[str]:
    """An empty database on the server, as the administrator made it; the admin's URL."""
    name = f"izin_{uuid.uuid4().hex[:10]}"
    with pg_admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with pg_admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in (f"{name}_app", f"{name}_pemilik"):
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')


def test_new_server_office_with_owner_and_application_roles(
    qtbot: QtBot, new_database: str, tmp_path: Path
) -> None:
    wizard = FirstRunWizard(forms_dir=FORMS)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    page = wizard.database_page
    parsed = make_url(new_database)
    click_radio(qtbot, page.server)
    type_over(qtbot, page.host, parsed.host or "localhost")
    page.port.setFocus()
    page.port.selectAll()
    qtbot.keyClicks(page.port, str(parsed.port or 5432))
    type_over(qtbot, page.database, parsed.database or "")
    type_over(qtbot, page.user, parsed.username or "")
    type_over(qtbot, page.password, parsed.password or "")
    assert "Koneksi berhasil" in run_test(qtbot, wizard)
    assert not page.owner_password.isEnabled()
    qtbot.mouseClick(page.make_roles, LEFT)
    assert page.make_roles.isChecked() and page.owner_password.isEnabled()
    type_over(qtbot, page.owner_password, "pendek")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), LEFT)
    assert wizard.currentPage() is page and page.owner_box.error  # refused, with a reason
    type_over(qtbot, page.owner_password, "Pemilik2026")
    wizard.grab().save(str(tmp_path / "wizard-roles.png"))
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), LEFT)
    assert wizard.currentPage() is wizard.profile_page
    make_png(tmp_path / "lambang.png")
    fill_profile(qtbot, wizard, tmp_path / "lambang.png")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), LEFT)
    fill_head(qtbot, wizard)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), LEFT)
    fill_admin(qtbot, wizard)
    url = finish(qtbot, wizard)

    app = make_url(url)
    assert app.username == f"{parsed.database}_app"
    config = load_config()
    assert config is not None and isinstance(config.database, PostgresChoice)
    assert config.database.user == app.username  # the PC keeps the application role only
    assert "Pemilik2026" not in (tmp_path / "config").joinpath(
        "perizinan", "perizinan.json"
    ).read_text(encoding="utf-8")
    engine = create_engine(url)
    try:
        with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as c:
            c.exec_driver_sql("UPDATE audit_log SET detail = '{}'")
    finally:
        engine.dispose()


def test_second_pc_joins_and_imports_the_office_audit_key(
    qtbot: QtBot, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first PC's entries verify on the second only with the office key; the join page
    takes the exported key file and the second PC signs with it from then on."""
    from desktop_perizinan import audit_key
    from desktop_perizinan.cli import main
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import create_demo_users
    from desktop_perizinan.ui.wizard.common import PAGE_JOIN

    monkeypatch.setenv("PERIZINAN_AUDIT_KEYS", str(tmp_path / "pc1" / "audit-keys.json"))
    services = Services.open(sqlite_url, FORMS)
    try:
        create_demo_users(services)  # the first PC: its key made on the first entry
    finally:
        services.close()
    exported = tmp_path / "kunci-kantor.json"
    assert main(["audit", "kunci", "ekspor", str(exported)]) == 0
    office_key = audit_key.read_keyring(exported)
    assert office_key is not None

    monkeypatch.setenv("PERIZINAN_AUDIT_KEYS", str(tmp_path / "pc2" / "audit-keys.json"))
    wizard = FirstRunWizard(forms_dir=FORMS)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    page = wizard.database_page
    type_over(qtbot, page.folder, str(Path(make_url(sqlite_url).database or "").parent))
    qtbot.waitUntil(lambda: page.probe is not None)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), LEFT)
    assert wizard.currentId() == PAGE_JOIN
    join = wizard.join_page
    type_over(qtbot, join.key_file, str(tmp_path / "tidak-ada.json"))
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), LEFT)
    assert wizard.task is None and "tidak ditemukan" in join.key_box.message.text()
    type_over(qtbot, join.key_file, str(exported))
    wizard.grab().save(str(tmp_path / "wizard-join-key.png"))
    finish(qtbot, wizard)
    second = audit_key.load()
    assert second is not None and second.current == office_key.current
    assert main(["audit", "verify", "--db", sqlite_url]) == 0
