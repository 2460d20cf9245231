"""The counter desk: new applications (F2), returning applicants, forwarding to the back office."""

from desktop_perizinan.ui.loket.screen import LoketScreen

__all__ = ["LoketScreen"]
