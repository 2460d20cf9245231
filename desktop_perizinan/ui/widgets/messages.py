"""Telling the clerk what happened: message boxes that never block the caller.

Every box here is opened with ``open()`` (window-modal, returns at once) rather than
``exec()``: a nested event loop inside a slot invites re-entrancy, and a test driving the
screen by keys can find the box as ``QApplication.activeModalWidget()`` and answer it.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox, QWidget

from desktop_perizinan.errors import UserError
from desktop_perizinan.ui.theme import set_role


def return_focus_after(dialog: QDialog) -> None:
    """When ``dialog`` closes, give the keyboard back to the window it was opened from.

    Window managers usually do this; some do not (and the offscreen platform never does), and a
    clerk working by keyboard must not have to reach for the mouse after every question.
    """
    parent = dialog.parentWidget()
    if parent is None:
        return
    window = parent.window()

    def back(_result: int) -> None:
        # A dialog opened meanwhile (the resi preview after a save) keeps the keyboard.
        modal = QApplication.activeModalWidget()
        target = (
            modal if modal is not None and modal is not dialog and modal.isVisible() else window
        )
        target.activateWindow()

    dialog.finished.connect(back)


def _box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    details: str = "",
) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if details:
        box.setDetailedText(details)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return_focus_after(box)
    box.open()
    return box


def show_info(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    return _box(parent, QMessageBox.Icon.Information, title, text)


def show_warning(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    return _box(parent, QMessageBox.Icon.Warning, title, text)


def report_error(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """A user error is shown in its own words; anything else is a bug and says so."""
    if isinstance(exc, UserError):
        return _box(parent, QMessageBox.Icon.Warning, "Perizinan", exc.message)
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return _box(
        parent,
        QMessageBox.Icon.Critical,
        "Kesalahan program",
        "Terjadi kesalahan program; pekerjaan ini tidak disimpan.\n"
        "Laporkan kepada administrator beserta rincian di bawah.",
        details,
    )


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    on_yes: Callable[[], None],
    *,
    yes: str = "Ya",
    no: str = "Tidak",
) -> QMessageBox:
    """A yes/no question; ``on_yes`` runs only when the answer is yes. "Tidak" is the default,
    so a stray Enter does not throw work away."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(no_button)
    box.setEscapeButton(no_button)

    def finished() -> None:
        if box.clickedButton() is yes_button:
            on_yes()

    return_focus_after(box)
    box.finished.connect(finished)
    box.open()
    return box


class Banner(QLabel):
    """A one-line (wrapping) message at the top of a dialog; hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setObjectName("banner")
        self.hide()

    def show_error(self, text: str) -> None:
        set_role(self, "banner-error")
        self.setText(text)
        self.show()

    def show_ok(self, text: str) -> None:
        set_role(self, "banner-ok")
        self.setText(text)
        self.show()

    def clear_message(self) -> None:
        self.clear()
        self.hide()
