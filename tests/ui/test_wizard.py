"""The first-run wizard, driven as an administrator setting up a new office would: typing,
clicking Lanjut and Selesai, choosing the emblem in the file dialog. platformdirs is pointed at
``tmp_path`` (XDG variables), so the configuration and the default database are the test's own.

Screenshots of every page go to ``tmp_path``, or to ``$PERIZINAN_SCREENSHOTS_DIR`` (e.g.
``docs/screenshots``) when it is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from gestures import click_radio, type_over
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QComboBox, QWidget, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.engine import make_url

from desktop_perizinan import local_config
from desktop_perizinan.db.models import AuditEntry
from desktop_perizinan.local_config import (
    LocalConfig,
    PostgresChoice,
    SqliteChoice,
    load_config,
    needs_first_run,
    save_config,
)
from desktop_perizinan.services.actor import ADMIN_ROLE
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import DEMO_PASSWORD, create_demo_users
from desktop_perizinan.ui.wizard import FirstRunWizard, run_first_run_wizard
from desktop_perizinan.ui.wizard.wizard import (
    PAGE_ADMIN,
    PAGE_DATABASE,
    PAGE_HEAD,
    PAGE_JOIN,
    PAGE_PROFILE,
)

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
LEFT = Qt.MouseButton.LeftButton
PASSWORD = "Kantor2026"


@pytest.fixture(autouse=True)
def isolated_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("PERIZINAN_DB_URL", raising=False)
    return tmp_path


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = os.environ.get("PERIZINAN_SCREENSHOTS_DIR")
    folder = Path(target) if target else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def snap(widget: QWidget, folder: Path, name: str) -> Path:
    """Save a PNG and check it is a real picture (not one flat colour)."""
    QApplication.processEvents()
    image = widget.grab().toImage()
    path = folder / f"{name}.png"
    assert image.save(str(path))
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 23) for y in range(0, image.height(), 17)
    }
    assert len(colours) > 5, f"{name} looks blank"
    return path


@pytest.fixture
def wizard(qtbot: QtBot) -> Iterator[FirstRunWizard]:
    w = FirstRunWizard(forms_dir=FORMS)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w


def press(qtbot: QtBot, wizard: QWizard, which: QWizard.WizardButton) -> None:
    button = wizard.button(which)
    assert button.isVisible() and button.isEnabled(), f"{which} is not available"
    qtbot.mouseClick(button, LEFT)


def pick_down(qtbot: QtBot, combo: QComboBox) -> None:
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)


def make_png(path: Path) -> bytes:
    image = QImage(120, 140, QImage.Format.Format_ARGB32)
    image.fill(QColor("#1f5f3f"))
    for x in range(30, 90):
        for y in range(40, 100):
            image.setPixelColor(x, y, QColor("#ffd700"))
    assert image.save(str(path), "PNG")
    return path.read_bytes()


def emblem_file(folder: Path) -> Path:
    path = folder / "lambang.png"
    make_png(path)
    return path


def fill_profile(qtbot: QtBot, wizard: FirstRunWizard, emblem: Path) -> None:
    form = wizard.profile_page.form
    values = {
        "regency": "Kabupaten Contoh",
        "office_name": "DINAS PENANAMAN MODAL DAN PTSP KABUPATEN CONTOH",
        "address": "Jalan Merdeka No. 10",
        "city": "Kotabaru",
        "postal_code": "12345",
        "phone": "(0123) 456789",
        "website": "dpmptsp.contoh.go.id",
        "email": "dpmptsp@contoh.go.id",
    }
    for key, text in values.items():
        type_over(qtbot, form.edits[key], text)
    qtbot.mouseClick(form.emblem.choose_button, LEFT)
    dialog = form.emblem.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.selectFile(str(emblem))
    dialog.accept()
    assert form.emblem.data == emblem.read_bytes()
    pick_down(qtbot, form.paper)  # F4 -> A4
    pick_down(qtbot, form.resi_format)  # half -> thermal


def fill_head(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    form = wizard.head_page.form
    type_over(qtbot, form.edits["head_name"], "Dr. RUSLAN HAKIM, M.Si")
    type_over(qtbot, form.edits["head_rank"], "Pembina Utama Muda")
    type_over(qtbot, form.edits["head_nip"], "19700101 199503 1 002")
    type_over(qtbot, form.edits["head_title"], "Kepala Dinas Penanaman Modal dan PTSP")


def fill_admin(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    page = wizard.admin_page
    type_over(qtbot, page.username, "Admin.Kantor")
    type_over(qtbot, page.full_name, "Sari Admin")
    type_over(qtbot, page.password, PASSWORD)
    type_over(qtbot, page.again, PASSWORD)


def finish(qtbot: QtBot, wizard: FirstRunWizard) -> str:
    press(qtbot, wizard, QWizard.WizardButton.FinishButton)
    task = wizard.task
    assert task is not None
    qtbot.waitUntil(lambda: not task.running, timeout=60_000)
    assert wizard.url is not None, wizard.admin_page.banner.text() or wizard.join_page.banner.text()
    assert wizard.result() == QWizard.DialogCode.Accepted and not wizard.isVisible()
    return wizard.url


def check_office(url: str, *, username: str = "admin.kantor", emblem: bytes | None = None) -> None:
    services = Services.open(url, FORMS)
    try:
        actor = services.users.login(username, PASSWORD)
        assert actor.roles == {ADMIN_ROLE} and actor.full_name == "Sari Admin"
        profile = services.settings.office_profile()
        assert profile.regency == "KABUPATEN CONTOH"
        assert profile.office_name == "DINAS PENANAMAN MODAL DAN PTSP KABUPATEN CONTOH"
        assert (profile.paper, profile.resi_format) == ("A4", "thermal")
        assert profile.head_name == "Dr. RUSLAN HAKIM, M.Si"
        assert profile.head_nip == "19700101 199503 1 002"
        assert profile.government_line == "PEMERINTAH KABUPATEN CONTOH"
        if emblem is not None:
            assert profile.emblem == emblem
        with services.db.reading() as session:
            actions = [
                e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            ]
        assert actions[:2] == ["pengguna.tambah", "pengaturan.profil_kantor"]
    finally:
        services.close()


# ----------------------------------------------------------------------------- this PC


def test_new_office_on_this_pc(
    qtbot: QtBot, wizard: FirstRunWizard, tmp_path: Path, shots: Path
) -> None:
    page = wizard.database_page
    assert wizard.currentId() == PAGE_DATABASE and page.local.isChecked()
    assert page.folder.text() == str(local_config.default_sqlite_folder())
    folder = tmp_path / "Data Kantor"
    type_over(qtbot, page.folder, str(folder))
    qtbot.waitUntil(lambda: page.probe is not None)
    assert "akan dibuat saat Selesai" in page.status.text()
    assert str(folder / "perizinan.sqlite3") in page.folder_box.message.text()
    snap(wizard, shots, "wizard-1-basis-data")
    press(qtbot, wizard, QWizard.WizardButton.NextButton)

    assert wizard.currentId() == PAGE_PROFILE
    emblem = make_png(tmp_path / "lambang.png")
    fill_profile(qtbot, wizard, tmp_path / "lambang.png")
    snap(wizard, shots, "wizard-2-profil-kantor")
    press(qtbot, wizard, QWizard.WizardButton.NextButton)

    assert wizard.currentId() == PAGE_HEAD
    fill_head(qtbot, wizard)
    snap(wizard, shots, "wizard-3-kepala-kantor")
    press(qtbot, wizard, QWizard.WizardButton.NextButton)

    assert wizard.currentId() == PAGE_ADMIN
    fill_admin(qtbot, wizard)
    assert str(folder) in wizard.admin_page.summary.text()
    snap(wizard, shots, "wizard-4-administrator")
    url = finish(qtbot, wizard)

    assert url == f"sqlite:///{folder / 'perizinan.sqlite3'}"
    config = load_config()
    assert config is not None and config.database == SqliteChoice(folder)
    assert local_config.configured_url() == url
    check_office(url, emblem=emblem)
    assert needs_first_run() is False


def test_pages_refuse_bad_input(qtbot: QtBot, wizard: FirstRunWizard, tmp_path: Path) -> None:
    type_over(qtbot, wizard.database_page.folder, str(tmp_path / "data"))
    press(qtbot, wizard, QWizard.WizardButton.NextButton)

    form = wizard.profile_page.form
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PAGE_PROFILE
    assert form.boxes["regency"].error == "Pemerintah daerah wajib diisi."
    assert form.boxes["city"].error == "Kota wajib diisi."
    assert form.edits["regency"].hasFocus()
    type_over(qtbot, form.edits["email"], "bukan-surel")
    type_over(qtbot, form.edits["postal_code"], "12")
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert "tidak sah" in form.boxes["email"].error
    assert "5 angka" in form.boxes["postal_code"].error

    # A text file named like an image is refused by its content.
    fake = tmp_path / "lambang.png"
    fake.write_text("bukan gambar")
    assert not form.emblem.load_file(fake)
    assert "bukan gambar PNG atau JPEG" in form.emblem.box.error
    assert form.emblem.data is None

    fill_profile(qtbot, wizard, emblem_file(tmp_path))
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PAGE_HEAD

    head = wizard.head_page.form
    type_over(qtbot, head.edits["head_nip"], "123")
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PAGE_HEAD
    assert "18 angka" in head.boxes["head_nip"].error
    assert head.boxes["head_name"].error
    fill_head(qtbot, wizard)
    press(qtbot, wizard, QWizard.WizardButton.NextButton)

    page = wizard.admin_page
    type_over(qtbot, page.username, "admin kantor")
    type_over(qtbot, page.password, "pendek")
    press(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert wizard.isVisible() and wizard.url is None
    assert "huruf, angka" in page.boxes["username"].error
    assert "minimal 8" in page.boxes["password"].error
    assert page.boxes["full_name"].error
    type_over(qtbot, page.username, "admin")
    type_over(qtbot, page.full_name, "Sari Admin")
    type_over(qtbot, page.password, PASSWORD)
    type_over(qtbot, page.again, PASSWORD + "x")
    press(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert page.boxes["password_again"].error == "Kedua kata sandi tidak sama."
    assert wizard.url is None
    assert load_config() is None  # nothing written while the input is wrong


def test_network_share_is_refused(
    qtbot: QtBot, wizard: FirstRunWizard, monkeypatch: pytest.MonkeyPatch, shots: Path
) -> None:
    from desktop_perizinan import paths

    monkeypatch.setattr(paths, "is_network_path", lambda path: "bersama" in str(path))
    page = wizard.database_page
    type_over(qtbot, page.folder, "/mnt/bersama/perizinan")
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PAGE_DATABASE
    message = page.folder_box.error
    assert "jaringan" in message and "rusak" in message and "PostgreSQL" in message
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    snap(wizard, shots, "wizard-1-folder-jaringan")
    # Choosing a local folder again clears the refusal.
    type_over(qtbot, page.folder, "/tmp/perizinan-lokal-uji")
    qtbot.waitUntil(lambda: page.probe is not None)
    assert not page.folder_box.error
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_folder_dialog_sets_the_folder(
    qtbot: QtBot, wizard: FirstRunWizard, tmp_path: Path
) -> None:
    page = wizard.database_page
    chosen = tmp_path / "pilihan"
    chosen.mkdir()
    qtbot.mouseClick(page.browse_button, LEFT)
    dialog = page.folder_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.selectFile(str(chosen))
    dialog.accept()
    assert page.folder.text() == str(chosen)


def test_second_pc_joins_an_office_already_set_up(
    qtbot: QtBot, wizard: FirstRunWizard, sqlite_url: str, shots: Path
) -> None:
    services = Services.open(sqlite_url, FORMS)
    try:
        create_demo_users(services)
    finally:
        services.close()
    folder = Path(make_url(sqlite_url).database or "").parent
    page = wizard.database_page
    type_over(qtbot, page.folder, str(folder))
    qtbot.waitUntil(lambda: page.probe is not None)
    assert "sudah disiapkan: 8 pengguna" in page.status.text()
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PAGE_JOIN
    assert str(folder) in wizard.join_page.summary.text()
    assert "8 pengguna" in wizard.join_page.summary.text()
    snap(wizard, shots, "wizard-5-sambungkan")
    url = finish(qtbot, wizard)
    assert url == sqlite_url
    config = load_config()
    assert config is not None and config.database == SqliteChoice(folder)
    services = Services.open(url, FORMS)
    try:
        assert len(services.users.list_users()) == 8  # nobody added, nothing changed
        assert services.users.login("admin", DEMO_PASSWORD).username == "admin"
    finally:
        services.close()


# ----------------------------------------------------------------------------- the server


def server_fields(qtbot: QtBot, wizard: FirstRunWizard, url: str) -> None:
    parsed = make_url(url)
    page = wizard.database_page
    click_radio(qtbot, page.server)
    assert page.server.isChecked() and page.server_panel.isEnabled()
    type_over(qtbot, page.host, parsed.host or "localhost")
    page.port.setFocus()
    page.port.selectAll()
    qtbot.keyClicks(page.port, str(parsed.port or 5432))
    type_over(qtbot, page.database, parsed.database or "")
    type_over(qtbot, page.user, parsed.username or "")
    type_over(qtbot, page.password, parsed.password or "")


def run_test(qtbot: QtBot, wizard: FirstRunWizard) -> str:
    page = wizard.database_page
    qtbot.mouseClick(page.test_button, LEFT)
    assert page.test_task is not None
    qtbot.waitUntil(lambda: not page.test_task.running, timeout=30_000)
    return page.test_result.text()


def test_connection_test_reports_success_and_failure(
    qtbot: QtBot, wizard: FirstRunWizard, pg_server_url: str, shots: Path
) -> None:
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    server_fields(qtbot, wizard, pg_server_url)
    assert not next_button.isEnabled()  # not before a successful test
    text = run_test(qtbot, wizard)
    assert text.startswith("Koneksi berhasil. Tersambung ke PostgreSQL"), text
    assert "masih kosong" in text
    assert next_button.isEnabled()
    snap(wizard, shots, "wizard-1-server-berhasil")

    page = wizard.database_page
    with qtbot.waitSignal(page.completeChanged):
        page.port.setValue(1)  # a port where no server listens
    assert not next_button.isEnabled() and page.test_result.text() == ""
    text = run_test(qtbot, wizard)
    assert "tidak dapat dihubungi" in text and "127.0.0.1:1," in text, text
    assert "Periksa bahwa PC server menyala" in text
    assert not next_button.isEnabled()
    snap(wizard, shots, "wizard-1-server-gagal")


def test_connection_test_needs_a_host(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    page = wizard.database_page
    click_radio(qtbot, page.server)
    text = run_test_without_task(qtbot, wizard)
    assert text == "Isi nama atau alamat server."


def run_test_without_task(qtbot: QtBot, wizard: FirstRunWizard) -> str:
    qtbot.mouseClick(wizard.database_page.test_button, LEFT)
    return wizard.database_page.test_result.text()


def test_new_office_on_the_server(
    qtbot: QtBot, wizard: FirstRunWizard, pg_url: str, tmp_path: Path
) -> None:
    server_fields(qtbot, wizard, pg_url)
    assert "Koneksi berhasil" in run_test(qtbot, wizard)
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    emblem = make_png(tmp_path / "lambang.png")
    fill_profile(qtbot, wizard, tmp_path / "lambang.png")
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    fill_head(qtbot, wizard)
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    fill_admin(qtbot, wizard)
    url = finish(qtbot, wizard)
    config = load_config()
    assert config is not None and isinstance(config.database, PostgresChoice)
    assert make_url(url).database == make_url(pg_url).database
    check_office(url, emblem=emblem)


# ----------------------------------------------------------------------------- for the launcher


def test_fixed_database_skips_the_first_page(qtbot: QtBot, sqlite_url: str, tmp_path: Path) -> None:
    wizard = FirstRunWizard(forms_dir=FORMS, fixed_url=sqlite_url)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.currentId() == PAGE_PROFILE
    fill_profile(qtbot, wizard, emblem_file(tmp_path))
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    fill_head(qtbot, wizard)
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    fill_admin(qtbot, wizard)
    assert "--db" in wizard.admin_page.summary.text()
    assert finish(qtbot, wizard) == sqlite_url
    assert load_config() is None  # --db is for this run only
    check_office(sqlite_url)


def test_setup_failure_is_said_and_nothing_is_written(
    qtbot: QtBot, wizard: FirstRunWizard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_perizinan.errors import DatabaseError

    def broken_open(*_args: object, **_kwargs: object) -> Services:
        raise DatabaseError("Disk tempat basis data penuh. Kosongkan ruang disk, lalu ulangi.")

    monkeypatch.setattr("desktop_perizinan.services.app.Services.open", broken_open)
    type_over(qtbot, wizard.database_page.folder, str(tmp_path / "data"))
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    fill_profile(qtbot, wizard, emblem_file(tmp_path))
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    fill_head(qtbot, wizard)
    press(qtbot, wizard, QWizard.WizardButton.NextButton)
    fill_admin(qtbot, wizard)
    press(qtbot, wizard, QWizard.WizardButton.FinishButton)
    qtbot.waitUntil(lambda: not wizard.task.running, timeout=30_000)
    assert wizard.isVisible() and wizard.url is None
    assert "Disk tempat basis data penuh" in wizard.admin_page.banner.text()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert load_config() is None


def test_run_first_run_wizard_cancelled_returns_none(qtbot: QtBot) -> None:
    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, FirstRunWizard)
        dialog.reject()

    QTimer.singleShot(0, cancel)
    assert run_first_run_wizard(None, forms_dir=FORMS) is None
    assert load_config() is None


def test_run_first_run_wizard_explains_a_broken_config(qtbot: QtBot) -> None:
    path = local_config.config_path()
    path.parent.mkdir(parents=True)
    path.write_text("{rusak", encoding="utf-8")
    seen: list[str] = []

    def look_and_cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, FirstRunWizard)
        seen.append(dialog.database_page.notice.text())
        dialog.reject()

    QTimer.singleShot(0, look_and_cancel)
    assert needs_first_run() is True
    assert run_first_run_wizard(None, forms_dir=FORMS) is None
    assert "rusak" in seen[0] and "konfigurasi baru" in seen[0]


def test_run_first_run_wizard_starts_from_the_saved_choice(qtbot: QtBot) -> None:
    save_config(LocalConfig(PostgresChoice("server-kantor", 5544, "kantor", "loket", "rahasia")))
    seen: list[tuple[bool, str, int]] = []

    def look_and_cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, FirstRunWizard)
        page = dialog.database_page
        seen.append((page.server.isChecked(), page.host.text(), page.port.value()))
        dialog.reject()

    QTimer.singleShot(0, look_and_cancel)
    assert run_first_run_wizard(None, forms_dir=FORMS) is None
    assert seen == [(True, "server-kantor", 5544)]
