"""Number formatting for the books' and reports' tables, and the names those screens use for
the shared table (:mod:`desktop_perizinan.ui.widgets.table`: one model, two views)."""

from __future__ import annotations

from desktop_perizinan.ui.widgets.table import Col, SpecTableModel, SpecTableView

__all__ = ["Col", "SpecTableModel", "SpecTableView", "int_text", "percent_text"]


def int_text(value: int | None) -> str:
    """1234 as "1.234", the Indonesian way."""
    return "" if value is None else f"{value:,}".replace(",", ".")


def percent_text(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f}%"
