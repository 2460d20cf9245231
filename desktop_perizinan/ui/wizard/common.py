"""What the wizard's pages share: their ids, the window title, an indented row."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget

PAGE_DATABASE, PAGE_PROFILE, PAGE_HEAD, PAGE_ADMIN, PAGE_JOIN = range(5)
TITLE = "Penyiapan Perizinan Desktop"


def indented(widget: QWidget) -> QWidget:
    holder = QWidget(widget.parentWidget())
    row = QHBoxLayout(holder)
    row.setContentsMargins(24, 0, 0, 0)
    row.addWidget(widget)
    return holder
