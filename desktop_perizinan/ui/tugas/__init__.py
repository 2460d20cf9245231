"""Tugas: the back-office desk, from disposition to delivery.

``TasksScreen`` (the task list of the logged-in user), ``CaseWidget`` / ``CaseDialog`` (one case
in full, with the actions allowed now) and ``StepDialog`` (one dialog per kind of step). The
main window imports ``TasksScreen`` from here when it first shows the screen.
"""

from desktop_perizinan.ui.tugas.case_view import CaseDialog, CaseWidget
from desktop_perizinan.ui.tugas.screen import TasksScreen
from desktop_perizinan.ui.tugas.step_dialog import StepDialog

__all__ = ["CaseDialog", "CaseWidget", "StepDialog", "TasksScreen"]
