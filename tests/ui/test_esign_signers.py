"""Pengaturan > Tanda tangan elektronik > Penanda tangan, driven with keys and clicks against
the real BSrE simulator: choose BSrE for the Kadis, a setting that cannot work is refused
beside its field, "Tes koneksi" asks the status endpoint (active, not registered, gateway
off), saving stores it (administrators only), and the signing step then asks a passphrase."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from desktop_perizinan.devtools.bsre_sim import DEMO_USERS, BsreSimulator
from desktop_perizinan.services import esign
from desktop_perizinan.services.actor import Actor
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import create_demo_users
from desktop_perizinan.ui.pengaturan.esign_signers import SignerSettings
from desktop_perizinan.ui.pengaturan.esign_tab import EsignTab

pytestmark = pytest.mark.gui

SIGNER = DEMO_USERS[0]
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def sim() -> Iterator[BsreSimulator]:
    with BsreSimulator() as simulator:
        yield simulator


@pytest.fixture
def users(services: Services) -> dict[str, Actor]:
    return create_demo_users(services)


def choose(qtbot: QtBot, combo: QComboBox, data: str) -> None:
    """Pick an entry with the keyboard (Home, then Down until it is the one)."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentData() == data:
            break
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == data


def type_over(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(edit, text)


def open_tab(qtbot: QtBot, services: Services, actor: Actor) -> tuple[EsignTab, SignerSettings]:
    tab = EsignTab(services, actor)
    qtbot.addWidget(tab)
    tab.resize(980, 720)
    tab.show()
    qtbot.waitExposed(tab)
    tab.pages.setCurrentIndex(1)
    settings = tab.signers
    assert settings.isVisible()
    return tab, settings


def test_kadis_gets_bsre_with_a_connection_test(
    qtbot: QtBot, services: Services, users: dict[str, Actor], sim: BsreSimulator, tmp_path: Path
) -> None:
    tab, form = open_tab(qtbot, services, users["admin"])
    kadis = users["kadis"]
    names = [form.signer.itemText(i) for i in range(form.signer.count())]
    assert any(kadis.full_name in n for n in names)
    choose(qtbot, form.signer, kadis.id)  # type: ignore[arg-type]
    assert not form.gateway_url.isVisible()  # PKCS#12 by default: nothing to fill in
    choose(qtbot, form.backend, esign.BACKEND_BSRE)
    assert form.gateway_url.isVisible() and form.nik.isVisible()
    assert not form.email.isVisible()  # V1 knows the NIK only

    # Nothing filled in: refused beside the fields, nothing stored.
    qtbot.mouseClick(form.save_button, LEFT)
    assert "http" in form.boxes["gateway_url"].error
    assert "NIK" in form.boxes["nik"].error
    assert not esign.get_signer_config(services, kadis.id).is_bsre

    qtbot.keyClicks(form.gateway_url, sim.url)
    qtbot.keyClicks(form.nik, "1211010101709999")  # unknown at BSrE
    qtbot.mouseClick(form.test_button, LEFT)
    qtbot.waitUntil(lambda: form.task is None, timeout=20_000)
    assert "belum terdaftar di BSrE (kode 2011)" in form.state.text()

    type_over(qtbot, form.nik, SIGNER.nik)
    qtbot.mouseClick(form.test_button, LEFT)
    qtbot.waitUntil(lambda: form.task is None, timeout=20_000)
    assert form.state.text().startswith(f"Terhubung ke {sim.url}"), form.state.text()
    assert "ISSUE" in form.state.text()

    # Visible at a marker: the marker must be one punctuation character.
    choose(qtbot, form.appearance, "visible")
    choose(qtbot, form.placement, "penanda")
    assert form.marker.isVisible() and not form.page.isVisible()
    qtbot.keyClicks(form.marker, "A")
    qtbot.mouseClick(form.save_button, LEFT)
    assert "tanda baca" in form.boxes["marker"].error
    type_over(qtbot, form.marker, "#")
    qtbot.mouseClick(form.save_button, LEFT)
    assert "tersimpan" in form.banner.text(), form.banner.text()
    stored = esign.get_signer_config(services, kadis.id)
    assert (stored.backend, stored.gateway_url, stored.nik) == ("bsre", sim.url, SIGNER.nik)
    assert (stored.appearance, stored.placement, stored.marker) == ("visible", "penanda", "#")
    tab.grab().save(str(tmp_path / "pengaturan_penanda_tangan.png"))

    # Read back by a fresh tab (another PC, a later day).
    _again, reread = open_tab(qtbot, services, users["admin"])
    assert reread.user_id == kadis.id and reread.backend.currentData() == esign.BACKEND_BSRE
    assert reread.gateway_url.text() == sim.url and reread.marker.text() == "#"


def test_gateway_off_and_v2_email(
    qtbot: QtBot, services: Services, users: dict[str, Actor], sim: BsreSimulator
) -> None:
    _tab, form = open_tab(qtbot, services, users["admin"])
    choose(qtbot, form.signer, users["kadis"].id)  # type: ignore[arg-type]
    choose(qtbot, form.backend, esign.BACKEND_BSRE)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    qtbot.keyClicks(form.gateway_url, dead)
    qtbot.keyClicks(form.nik, SIGNER.nik)
    qtbot.mouseClick(form.test_button, LEFT)
    qtbot.waitUntil(lambda: form.task is None, timeout=20_000)
    assert "tidak dapat dihubungi" in form.state.text()

    # V2 by e-mail, with a TOTP asked at signing.
    type_over(qtbot, form.gateway_url, sim.url)
    type_over(qtbot, form.nik, "")
    choose(qtbot, form.api_version, "v2")
    assert form.email.isVisible()
    qtbot.keyClicks(form.email, SIGNER.email)
    choose(qtbot, form.secret_kind, "totp")
    qtbot.mouseClick(form.test_button, LEFT)
    qtbot.waitUntil(lambda: form.task is None, timeout=20_000)
    assert form.state.text().startswith("Terhubung"), form.state.text()
    qtbot.mouseClick(form.save_button, LEFT)
    stored = esign.get_signer_config(services, users["kadis"].id)
    assert (stored.api_version, stored.email, stored.secret_kind) == ("v2", SIGNER.email, "totp")


def test_only_an_administrator_saves(
    qtbot: QtBot, services: Services, users: dict[str, Actor], sim: BsreSimulator
) -> None:
    _tab, form = open_tab(qtbot, services, users["kadis"])
    assert not form.save_button.isEnabled()
    assert "administrator" in form.save_button.toolTip()
