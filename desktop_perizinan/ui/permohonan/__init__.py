"""Permohonan: every case in one lazy, filterable, searchable table (``CasesScreen``).

The main window imports ``CasesScreen`` from here when it first shows the screen.
"""

from desktop_perizinan.ui.permohonan.model import CaseTableModel
from desktop_perizinan.ui.permohonan.screen import CasesScreen

__all__ = ["CaseTableModel", "CasesScreen"]
