"""Issue 16 in the Audit tab: the daily closing is a button, and the check shows the last
anchor outside the database that it verified (with its date), or the truncation it found."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from desktop_perizinan.db import audit_guard
from desktop_perizinan.documents.closing_sheet import hash_groups
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    CaseDriver,
    SteppingClock,
    create_demo_users,
    demo_clock,
)
from desktop_perizinan.ui.pdf_preview import PdfPreviewDialog
from desktop_perizinan.ui.pengaturan import SettingsScreen
from desktop_perizinan.ui.pengaturan.audit_tab import AuditTab
from desktop_perizinan.ui.pengaturan.screen import TAB_AUDIT
from desktop_perizinan.ui.worker import wait_for_all
from tests.ui.gestures import pdf_text

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
LEFT = Qt.MouseButton.LeftButton
STP = "PASURUAN-STP-LKS-ASING"


@pytest.fixture
def services(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    monkeypatch.setenv("PERIZINAN_CLOSING_DIR", str(tmp_path / "penutupan"))
    monkeypatch.setenv("PERIZINAN_BACKUP_DIR", str(tmp_path / "cadangan"))
    clock: SteppingClock = demo_clock()
    s = Services.open(db_url, FORMS, clock=clock)
    users = create_demo_users(s)
    CaseDriver(s, users, clock).submit(STP, DEMO_APPLICANTS[0])
    try:
        yield s
    finally:
        wait_for_all()
        s.close()


@pytest.fixture
def admin(services: Services) -> Actor:
    return next(u for u in services.users.list_users() if u.username == "admin")


@pytest.fixture
def screen(qtbot: QtBot, services: Services, admin: Actor) -> SettingsScreen:
    widget = SettingsScreen(services, admin)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def tab(qtbot: QtBot, screen: SettingsScreen) -> AuditTab:
    assert screen.audit is not None
    bar = screen.tabs.tabBar()
    with qtbot.waitSignal(screen.audit.loaded, timeout=10_000):
        qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(TAB_AUDIT).center())
    return screen.audit


def check(qtbot: QtBot, tab: AuditTab) -> None:
    with qtbot.waitSignal(tab.checked, timeout=20_000):
        qtbot.mouseClick(tab.check_button, LEFT)


def test_daily_closing_then_the_check_shows_the_anchor_and_its_date(
    qtbot: QtBot, tab: AuditTab, services: Services, tmp_path: Path
) -> None:
    check(qtbot, tab)
    assert "Belum ada jangkar terverifikasi" in tab.anchor_label.text()
    assert not tab.print_closing_button.isEnabled()  # nothing closed yet

    with qtbot.waitSignal(tab.closed, timeout=20_000):
        qtbot.mouseClick(tab.close_day_button, LEFT)
    closing = tab.closing
    assert closing is not None and closing.path.is_file()
    assert closing.path.is_relative_to(tmp_path / "penutupan")
    assert "JANGKAR-AUDIT v1" in closing.path.read_text(encoding="utf-8")
    assert "Penutupan harian" in tab.chain_banner.text() and closing.line in tab.chain_banner.text()

    # The page to print and sign: the hash in groups of eight, the anchor line, the day.
    assert tab.print_closing_button.isEnabled()
    qtbot.mouseClick(tab.print_closing_button, LEFT)
    preview = tab.closing_preview
    assert isinstance(preview, PdfPreviewDialog)
    qtbot.waitUntil(preview.isVisible)
    printed = pdf_text(preview.data)
    assert "BERITA ACARA PENUTUPAN HARIAN LOG AUDIT" in printed
    assert hash_groups(closing.anchor.last_hash) in printed
    assert f"entri={closing.anchor.last_id}" in printed
    assert f"sampai {closing.anchor.last_id}" in printed
    preview.close()

    check(qtbot, tab)
    assert tab.report is not None and tab.report.ok
    when = closing.anchor.when_text
    assert (
        f"Jangkar terakhir terverifikasi: entri {closing.anchor.last_id}, {when} "
        f"({closing.path.name})" in tab.anchor_label.text()
    )
    tab.grab().save(str(tmp_path / "audit-anchor.png"))

    # The tail cut and the head moved back with this PC's own key: only the anchor knows.
    from desktop_perizinan.audit_key import load_or_create
    from desktop_perizinan.db.audit_chain import head_message

    keyring = load_or_create()
    last = closing.anchor.last_id
    with services.db.engine.begin() as connection:
        audit_guard.remove(connection)
        connection.execute(text("DELETE FROM audit_log WHERE id >= :n"), {"n": last - 1})
        digest = connection.execute(
            text("SELECT hash FROM audit_log WHERE id = :n"), {"n": last - 2}
        ).scalar_one()
        connection.execute(
            text("UPDATE audit_head SET last_id = :i, last_hash = :h, mac = :m"),
            {
                "i": last - 2,
                "h": digest,
                "m": keyring.mac(keyring.current, head_message(last - 2, digest)),
            },
        )
    check(qtbot, tab)
    assert tab.report is not None and not tab.report.ok
    assert f"Entri pertama yang rusak: {last - 1} (log dipotong)" in tab.chain_banner.text()
    problems = [tab.problems.item(i).text() for i in range(tab.problems.count())]
    assert any("di akhir log terhapus" in p and closing.path.name in p for p in problems)


def test_export_the_office_key_from_the_tab(
    qtbot: QtBot, tab: AuditTab, services: Services, tmp_path: Path
) -> None:
    from desktop_perizinan import audit_key

    target = tmp_path / "usb" / "kunci-audit-kantor.json"
    target.parent.mkdir()
    qtbot.mouseClick(tab.export_key_button, LEFT)
    dialog = tab.export_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.selectFile(str(target))
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        dialog.accept()
    exported = audit_key.read_keyring(target)
    assert exported is not None and exported.current == audit_key.load().current
    assert f"Kunci audit kantor ({exported.current}) disalin" in tab.chain_banner.text()
    assert tab.model.rowCount() and tab.page is not None
    assert tab.page.rows[0].action == "audit.kunci_ekspor"
    assert exported.current in tab.page.rows[0].detail
    secret = target.read_text(encoding="utf-8").split('"keys"')[1]
    assert all(part not in tab.page.rows[0].detail for part in secret.split('"') if len(part) == 64)

    # A second export onto the same file is refused with a sentence, nothing overwritten.
    before = target.read_bytes()
    qtbot.mouseClick(tab.export_key_button, LEFT)
    assert tab.export_dialog is not None
    tab.export_dialog.selectFile(str(target))
    tab.export_dialog.accept()
    assert "sudah ada" in tab.chain_banner.text() and target.read_bytes() == before
