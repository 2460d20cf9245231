"""Small widgets shared by the settings tabs and the first-run wizard."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QWidget

from desktop_perizinan.ui.theme import set_role
from desktop_perizinan.ui.widgets.messages import Banner
from desktop_perizinan.ui.widgets.table import RowsView


def make_banner(parent: QWidget, name: str = "banner") -> Banner:
    """A :class:`Banner` that keeps its padding when first shown after its window.

    Qt's style sheets apply a rule's padding (the contents margins) only when a widget is
    polished, and polishing again after a property change does not redo it. A banner whose
    role is first set after the window is on screen therefore draws its text against the
    border. Setting a banner role while the window is still being built avoids that: both
    banner roles have the same box, so the margins stay right for either message.
    """
    banner = Banner(parent)
    banner.setObjectName(name)
    set_role(banner, "banner-ok")
    return banner


def stretch_column(view: RowsView, column: int) -> None:
    """Give ``column`` (the long text) the width that is left, instead of a scroll bar."""
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
