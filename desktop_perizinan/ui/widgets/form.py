"""Form helpers for a keyboard-first counter: a field with its message beside it, and Enter
moving on through the form.

Why Enter and not only Tab: the clerk's right hand is on the numeric keypad and a barcode
scanner ends every scan with Enter. ``EnterNavigator`` makes Enter behave like "accept this
field and go on": the field may refuse (the NIK is checked, the message appears beside it, the
cursor stays), and Enter on the last field submits the form. Tab keeps its usual meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_perizinan.ui.theme import set_role

#: Called when Enter leaves a field; return False to keep the cursor there.
LeaveCheck = Callable[[QWidget], bool]


class FieldBox(QWidget):
    """An input with a message line under it (error, warning or hint), hidden when empty."""

    def __init__(self, editor: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)
        self.kind = ""

    def _show(self, kind: str, text: str) -> None:
        self.kind = kind
        set_role(self.message, kind)
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.editor.setProperty("invalid", kind == "error")
        self.editor.style().unpolish(self.editor)
        self.editor.style().polish(self.editor)

    def show_error(self, text: str) -> None:
        self._show("error", text)

    def show_warning(self, text: str) -> None:
        self._show("warning", text)

    def show_hint(self, text: str) -> None:
        self._show("hint", text)

    def show_ok(self, text: str) -> None:
        self._show("ok", text)

    def clear_message(self) -> None:
        self._show("", "")

    @property
    def error(self) -> str:
        return self.message.text() if self.kind == "error" else ""


def _is_enter(event: QEvent) -> bool:
    if event.type() != QEvent.Type.KeyPress:
        return False
    assert isinstance(event, QKeyEvent)
    if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        return False
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return modifiers == Qt.KeyboardModifier.NoModifier


class EnterNavigator(QObject):
    """Enter on a field of ``chain`` moves to the next enabled, visible one; on the last it
    calls ``submit``. ``leave(widget)`` may veto leaving (e.g. an invalid NIK). The chain also
    becomes the tab order, so Tab and Enter walk the form the same way."""

    def __init__(
        self,
        parent: QWidget,
        submit: Callable[[], None],
        leave: LeaveCheck | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self._leave = leave
        self._chain: list[QWidget] = []

    @property
    def chain(self) -> list[QWidget]:
        return list(self._chain)

    def set_chain(self, widgets: Sequence[QWidget], tail: Sequence[QWidget] = ()) -> None:
        """Install on ``widgets`` (in order); ``tail`` (e.g. the buttons) only joins the tab
        order after them."""
        for widget in self._chain:
            # A row removed from its form (another permit type chosen) is already deleted.
            if shiboken6.isValid(widget):
                widget.removeEventFilter(self)
        self._chain = list(widgets)
        for widget in self._chain:
            widget.installEventFilter(self)
        ordered = [*self._chain, *tail]
        for first, second in pairwise(ordered):
            QWidget.setTabOrder(first, second)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not _is_enter(event) or not isinstance(watched, QWidget):
            return False
        if isinstance(watched, QComboBox) and watched.view().isVisible():
            return False
        if isinstance(watched, QLineEdit):
            completer = watched.completer()
            if completer is not None and completer.popup().isVisible():
                return False
        if isinstance(watched, QAbstractSpinBox):
            watched.interpretText()
        self.advance(watched)
        return True

    def advance(self, widget: QWidget) -> None:
        """Leave ``widget`` for the next field, or submit when it is the last one."""
        if self._leave is not None and not self._leave(widget):
            if isinstance(widget, QLineEdit):
                widget.selectAll()
            return
        following = self._next_after(widget)
        if following is None:
            self._submit()
            return
        following.setFocus(Qt.FocusReason.TabFocusReason)
        if isinstance(following, QLineEdit):
            following.selectAll()
        ensure_visible(following)

    def _next_after(self, widget: QWidget) -> QWidget | None:
        try:
            position = self._chain.index(widget)
        except ValueError:
            return None
        for candidate in self._chain[position + 1 :]:
            if candidate.isEnabled() and candidate.isVisibleTo(candidate.window()):
                return candidate
        return None


def ensure_visible(widget: QWidget) -> None:
    """Scroll every scroll area around ``widget`` so that it is in view."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget, 20, 20)
        parent = parent.parentWidget()


class WrappingCheck(QWidget):
    """A checkbox whose long text wraps (a requirement's name can run to two lines).

    ``check`` is the focusable box (Space toggles it); a click on the text toggles it too.
    """

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(self)
        self.check.setAccessibleName(text)
        self.text = QLabel(text, self)
        self.text.setWordWrap(True)
        self.text.setBuddy(self.check)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.check, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.check.isEnabled():
            self.check.toggle()
            self.check.setFocus(Qt.FocusReason.MouseFocusReason)
            event.accept()
            return
        super().mousePressEvent(event)

    def isChecked(self) -> bool:
        return self.check.isChecked()

    def setChecked(self, on: bool) -> None:
        self.check.setChecked(on)


class _FocusOnShow(QObject):
    def __init__(self, window: QWidget, target: QWidget) -> None:
        super().__init__(window)
        self._target = target
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Show, QEvent.Type.WindowActivate):
            self._target.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
            if isinstance(self._target, QLineEdit):
                self._target.selectAll()
            watched.removeEventFilter(self)
        return False


def focus_on_show(window: QWidget, target: QWidget) -> None:
    """Put the cursor in ``target`` when ``window`` first appears, whatever Qt's own guess
    (a dialog may otherwise start on a button): the clerk starts typing at once."""
    _FocusOnShow(window, target)
