"""Laporan: the reports screen (recap, compliance with the SOP's time standards, totals, late
steps) and the Beranda dashboard of the Kadis and the Kabid."""

from desktop_perizinan.ui.laporan.dashboard import DashboardScreen
from desktop_perizinan.ui.laporan.screen import ReportsScreen

__all__ = ["DashboardScreen", "ReportsScreen"]
