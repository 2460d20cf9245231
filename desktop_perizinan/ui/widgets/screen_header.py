"""The head of a desk: its title, a line under it, and the desk's own buttons on the right.

One widget so every desk starts the same way (same fonts through the stylesheet roles, same
spacing), instead of each screen laying out its own QLabel and QHBoxLayout.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop_perizinan.ui.theme import set_role


class ScreenHeader(QWidget):
    """``title`` on the left, ``right`` widgets (a count, a reload button) on the right, and
    a word-wrapped :attr:`subtitle` line below (empty until the screen fills it)."""

    def __init__(
        self,
        title: str,
        *right: QWidget,
        subtitle: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("screenHeader")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.title = QLabel(title)
        set_role(self.title, "title")
        top.addWidget(self.title)
        top.addStretch(1)
        for widget in right:
            top.addWidget(widget)
        layout.addLayout(top)
        self.subtitle = QLabel()
        set_role(self.subtitle, "subtitle")
        self.subtitle.setWordWrap(True)
        self.subtitle.setVisible(subtitle)
        layout.addWidget(self.subtitle)
