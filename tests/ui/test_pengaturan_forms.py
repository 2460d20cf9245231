"""Pengaturan › Jenis izin: the shipped permit types, a broken copy reported with its file and
line, "Muat ulang" (with and without a ``Services.reload_forms``), the report, and "Cetak SOP"
with a stand-in for the SOP matrix renderer."""

from __future__ import annotations

import importlib.machinery
import io
import shutil
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import create_demo_users, demo_clock
from desktop_perizinan.ui.pengaturan import SettingsScreen
from desktop_perizinan.ui.pengaturan.forms_tab import (
    ACTIVE,
    CHANGED,
    GONE,
    NEW,
    SOP_RENDERER,
    FormsTab,
)
from desktop_perizinan.ui.pengaturan.screen import TAB_FORMS
from desktop_perizinan.ui.worker import wait_for_all
from desktop_perizinan.workflow.loader import load_forms

pytestmark = pytest.mark.gui

FORMS = Path(__file__).resolve().parents[2] / "forms"
LEFT = Qt.MouseButton.LeftButton
STP_FILE = "pasuruan-stp-lks-asing.toml"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "forms"
    shutil.copytree(FORMS, copy)
    return copy


def break_stp(folder: Path, name: str = "stp-rusak.toml") -> int:
    """A copy of the STP form with an unknown actor; returns the line of the mistake."""
    text = (FORMS / STP_FILE).read_text(encoding="utf-8")
    text = text.replace('actor = "kadis"', 'actor = "kabag"', 1)
    text = text.replace('code = "PASURUAN-STP-LKS-ASING"', 'code = "STP-RUSAK"', 1)
    (folder / name).write_text(text, encoding="utf-8")
    return text.count("\n", 0, text.index('actor = "kabag"')) + 1


def open_services(sqlite_url: str, folder: Path) -> Services:
    return Services.open(sqlite_url, folder, clock=demo_clock())


@pytest.fixture
def office(sqlite_url: str, folder: Path) -> Iterator[tuple[Services, dict[str, Actor]]]:
    services = open_services(sqlite_url, folder)
    try:
        yield services, create_demo_users(services)
    finally:
        wait_for_all()
        services.close()


def show_tab(qtbot: QtBot, services: Services, actor: Actor, folder: Path) -> FormsTab:
    screen = SettingsScreen(services, actor, forms_dir=folder)
    qtbot.addWidget(screen)
    screen.resize(1200, 720)
    screen.show()
    qtbot.waitExposed(screen)
    bar = screen.tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(TAB_FORMS).center())
    assert screen.forms is not None and screen.tabs.currentWidget() is screen.forms
    screen.forms._screen = screen  # type: ignore[attr-defined]  # keep the screen alive
    return screen.forms


def cells(tab: FormsTab, column: int) -> list[str]:
    proxy = tab.types_view.proxy
    return [str(proxy.index(r, column).data()) for r in range(proxy.rowCount())]


def test_shipped_types(
    qtbot: QtBot, office: tuple[Services, dict[str, Actor]], folder: Path, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    services, users = office
    tab = show_tab(qtbot, services, users["admin"], folder)
    assert cells(tab, 1) == ["DAIRI-LKS-ASING", "PASURUAN-NIK-KESENIAN", "PASURUAN-STP-LKS-ASING"]
    assert cells(tab, 3) == ["23", "6", "7"]
    assert cells(tab, 5) == [ACTIVE] * 3
    stp = cells(tab, 4)[2]
    assert stp == "8 Hari 90 Menit: sesuai SOP"
    assert tab.summary.text() == "3 jenis izin dimuat · semua berkas benar"
    assert tab.no_problems.isVisible() and tab.problems_view.isHidden()
    assert "23 langkah" in tab.detail.text() and "ditolak 9 Hari 13 Jam" in tab.detail.text()
    qtmodeltester.check(tab.types)
    qtmodeltester.check(tab.types_view.proxy)
    qtmodeltester.check(tab.problems)


def test_broken_copy_is_reported_with_file_and_line(
    qtbot: QtBot, sqlite_url: str, folder: Path, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    line = break_stp(folder)
    services = open_services(sqlite_url, folder)
    try:
        users = create_demo_users(services)
        tab = show_tab(qtbot, services, users["admin"], folder)
        assert len(cells(tab, 1)) == 3  # the good files still load
        assert "STP-RUSAK" not in cells(tab, 1)
        assert tab.summary.text().startswith("3 jenis izin dimuat · 1 masalah pada 1 berkas")
        assert tab.problems_view.isVisible() and tab.no_problems.isHidden()
        problems = tab.problems.rows()
        assert len(problems) == 1
        problem = problems[0]
        assert (problem.kind, problem.file, problem.line) == ("Masalah", "stp-rusak.toml", line)
        assert problem.message == 'peran "kabag" tidak dikenal'
        assert problem.fix  # says how to fix it
        proxy = tab.problems_view.proxy
        assert [proxy.index(0, c).data() for c in range(3)] == [
            "Masalah",
            "stp-rusak.toml",
            str(line),
        ]
        qtmodeltester.check(tab.problems)
        qtmodeltester.check(proxy)

        qtbot.mouseClick(tab.copy_button, LEFT)
        report = QGuiApplication.clipboard().text()
        assert f"stp-rusak.toml baris {line}" in report and "GAGAL: 1 masalah" in report
    finally:
        wait_for_all()
        services.close()


def test_reload_shows_what_changed_without_touching_running_types(
    qtbot: QtBot,
    office: tuple[Services, dict[str, Actor]],
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Services that cannot swap their permit types: the tab shows what changed on disk."""
    services, users = office
    monkeypatch.setattr(services, "reload_forms", None)
    tab = show_tab(qtbot, services, users["admin"], folder)
    before = services.forms
    # On disk: one file edited, one new (broken), one removed.
    kesenian = folder / "pasuruan-nomor-induk-kesenian.toml"
    kesenian.write_text(
        kesenian.read_text(encoding="utf-8") + "\n# catatan admin\n", encoding="utf-8"
    )
    break_stp(folder)
    (folder / STP_FILE).unlink()
    with qtbot.waitSignal(tab.reload_needed), qtbot.waitSignal(tab.loaded):
        qtbot.mouseClick(tab.reload_button, LEFT)
    status = dict(zip(cells(tab, 1), cells(tab, 5), strict=True))
    assert status == {
        "DAIRI-LKS-ASING": ACTIVE,
        "PASURUAN-NIK-KESENIAN": CHANGED,
        "PASURUAN-STP-LKS-ASING": GONE,
    }
    assert "PASURUAN-NIK-KESENIAN" in tab.banner.text() and "dibuka ulang" in tab.banner.text()
    assert [p.file for p in tab.problems.rows()] == ["stp-rusak.toml"]
    assert services.forms is before  # the running services are untouched

    # A new, valid file shows as new.
    shutil.copy(FORMS / STP_FILE, folder / "stp-baru.toml")
    with qtbot.waitSignal(tab.loaded):
        qtbot.mouseClick(tab.reload_button, LEFT)
    assert dict(zip(cells(tab, 1), cells(tab, 5), strict=True))["PASURUAN-STP-LKS-ASING"] == ACTIVE
    (folder / "stp-baru.toml").unlink()
    (folder / "stp-rusak.toml").unlink()
    text = (
        (FORMS / STP_FILE)
        .read_text(encoding="utf-8")
        .replace('code = "PASURUAN-STP-LKS-ASING"', 'code = "STP-KEDUA"', 1)
        .replace('book = "', 'book = "kedua_', 1)
    )
    (folder / "stp-kedua.toml").write_text(text, encoding="utf-8")
    with qtbot.waitSignal(tab.loaded):
        qtbot.mouseClick(tab.reload_button, LEFT)
    status = dict(zip(cells(tab, 1), cells(tab, 5), strict=True))
    assert status.get("STP-KEDUA") == NEW, (status, tab.problems.rows())


def test_reload_through_the_services_when_they_can(
    qtbot: QtBot, office: tuple[Services, dict[str, Actor]], folder: Path
) -> None:
    """With ``Services.reload_forms`` (the lead's addition), the new files are used at once."""
    services, users = office
    calls: list[int] = []

    def reload_forms() -> Any:
        calls.append(1)
        services.forms = load_forms(folder)
        return services.forms

    services.reload_forms = reload_forms  # type: ignore[attr-defined]
    tab = show_tab(qtbot, services, users["admin"], folder)
    break_stp(folder)
    with qtbot.waitSignal(tab.loaded):
        qtbot.mouseClick(tab.reload_button, LEFT)
    assert calls == [1]
    assert tab.on_disk is None and tab.banner.text().startswith("Berkas dimuat ulang.")
    assert [p.file for p in tab.problems.rows()] == ["stp-rusak.toml"]
    assert cells(tab, 5) == [ACTIVE] * 3


@pytest.fixture
def fake_renderer(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Stands in for documents/sop_matrix.py (another engineer's): records its arguments."""
    seen: list[tuple[Any, ...]] = []
    module = types.ModuleType(SOP_RENDERER)
    module.__spec__ = importlib.machinery.ModuleSpec(SOP_RENDERER, None)

    def render_sop_matrix(pt: Any, office_config: Any, office_profile: Any) -> bytes:
        from reportlab.lib.pagesizes import landscape
        from reportlab.pdfgen.canvas import Canvas

        seen.append((pt, office_config, office_profile))
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=landscape((595, 842)))
        canvas.drawString(72, 500, f"SOP {pt.code}")
        canvas.save()
        return buffer.getvalue()

    module.render_sop_matrix = render_sop_matrix  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, SOP_RENDERER, module)
    return seen


def test_print_sop(
    qtbot: QtBot,
    office: tuple[Services, dict[str, Actor]],
    folder: Path,
    fake_renderer: list[tuple[Any, ...]],
) -> None:
    from desktop_perizinan.ui.pdf_preview import PdfPreviewDialog

    services, users = office
    tab = show_tab(qtbot, services, users["admin"], folder)
    assert tab.print_button.isVisible()
    proxy = tab.types_view.proxy
    index = proxy.index(2, 2)
    view = tab.types_view
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(index).center())
    qtbot.mouseClick(tab.print_button, LEFT)
    assert tab.print_task is not None
    qtbot.waitUntil(lambda: not tab.print_task.running, timeout=20_000)
    assert isinstance(tab.preview, PdfPreviewDialog) and tab.preview.isVisible()
    pt, office_config, profile = fake_renderer[0]
    assert pt.code == "PASURUAN-STP-LKS-ASING"
    assert office_config is services.office
    assert profile == services.settings.office_profile()
    assert (
        "PASURUAN-STP-LKS-ASING" in tab.preview.windowTitle() or "SOP" in tab.preview.windowTitle()
    )
    tab.preview.close()


def test_no_print_button_without_the_renderer(
    qtbot: QtBot,
    office: tuple[Services, dict[str, Actor]],
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        "desktop_perizinan.ui.pengaturan.forms_tab.sop_renderer_available", lambda: False
    )
    services, users = office
    tab = show_tab(qtbot, services, users["admin"], folder)
    assert not tab.print_button.isVisible()


def test_print_sop_with_the_real_renderer(
    qtbot: QtBot, office: tuple[Services, dict[str, Actor]], folder: Path
) -> None:
    """documents/sop_matrix.py (another engineer's) once it is part of the build."""
    pytest.importorskip(SOP_RENDERER)
    from desktop_perizinan.ui.pdf_preview import PdfPreviewDialog

    services, users = office
    tab = show_tab(qtbot, services, users["admin"], folder)
    view = tab.types_view
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(view.proxy.index(0, 2)).center())
    qtbot.keyClick(view, Qt.Key.Key_Return)  # Enter on a permit type prints its SOP too
    assert tab.print_task is not None
    qtbot.waitUntil(lambda: not tab.print_task.running, timeout=60_000)
    preview = tab.preview
    assert isinstance(preview, PdfPreviewDialog) and preview.isVisible()
    assert preview.document.pageCount() >= 1
    assert "Izin Teknis" in preview.windowTitle()
    preview.close()
