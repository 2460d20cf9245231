"""What a clerk does with the keyboard and mouse, shared by the desk tests.

One copy of each gesture (type over a field, pick from a list, click a radio button) so the
tests of every desk drive the widgets the same way, and read printed documents the same way.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

LEFT = Qt.MouseButton.LeftButton

#: A test module whose desks must also be tried on PostgreSQL says so with
#: ``pytestmark = [..., BOTH_DATABASES]``: the ``services`` fixture of ``tests/ui/conftest.py``
#: then runs its tests once per backend.
BOTH_DATABASES = pytest.mark.usefixtures("db_url")


def type_over(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Click into the field, select what is there, type the new text (or delete it)."""
    qtbot.mouseClick(edit, LEFT)
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Delete)


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Pick an item with the keyboard, as a clerk does (focus, arrow keys)."""
    target = combo.findText(text)
    assert target >= 0, f"{text!r} is not offered"
    combo.setFocus()
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, key)
    assert combo.currentText() == text


def click_radio(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click a radio button on its circle (its centre may be past the label)."""
    qtbot.mouseClick(button, LEFT, pos=QPoint(8, button.height() // 2))


def pdf_text(data: bytes) -> str:
    """The text of a PDF as one line, words separated by single spaces."""
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    )
