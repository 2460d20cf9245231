"""Long work with a progress dialog and a Batal button, through ``ui.worker``.

The job runs on the pool thread and is given two plain callables: ``progress(n)``, which only
emits a signal (queued to the GUI thread, where the dialog is updated), and ``cancelled()``,
which reads a flag the Batal button sets. The job never touches a widget. The writers look at
``cancelled()`` every thousand rows and raise ``Cancelled`` without saving, so a cancelled export
leaves no half-written file behind.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop_perizinan.documents.xlsx_books import Cancelled
from desktop_perizinan.ui.widgets.messages import report_error
from desktop_perizinan.ui.worker import Task, run_in_background

Job = Callable[[Callable[[int], None], Callable[[], bool]], Any]


class ProgressJob(QObject):
    """One cancellable job with its dialog; ``finished(result)``, ``cancelled_by_user()`` or
    ``failed(exc)`` is emitted once, on the GUI thread, after the dialog has closed."""

    finished = Signal(object)
    cancelled_by_user = Signal()
    failed = Signal(object)
    _progressed = Signal(int)

    def __init__(
        self,
        parent: QWidget,
        job: Job,
        *,
        title: str,
        label: str,
        maximum: int = 0,
        unit: str = "baris",
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._job = job
        self._cancel = threading.Event()
        self._maximum = maximum
        self._unit = unit
        self._label = label
        self.task: Task | None = None
        self._active = False
        self.dialog = QProgressDialog(label, "Batal", 0, maximum, parent)
        self.dialog.setObjectName("exportProgress")
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(420)
        self.dialog.canceled.connect(self._on_cancel)
        self._progressed.connect(self._on_progress)

    def start(self) -> ProgressJob:
        self._active = True
        self.dialog.open()
        self.dialog.setValue(0)
        progressed = self._progressed
        cancel = self._cancel

        def work() -> Any:  # on the pool thread
            return self._job(progressed.emit, cancel.is_set)

        self.task = run_in_background(
            work, on_success=self._on_success, on_failure=self._on_failure, owner=self._parent
        )
        return self

    @property
    def running(self) -> bool:
        """True from ``start()`` until the dialog has closed (before any signal is emitted)."""
        return self._active

    @Slot()
    def _on_cancel(self) -> None:
        self._cancel.set()
        self.dialog.setLabelText("Membatalkan…")
        self.dialog.show()  # keep it up until the worker has stopped

    @Slot(int)
    def _on_progress(self, value: int) -> None:
        if self._cancel.is_set():
            return
        if self._unit == "%":
            self.dialog.setValue(min(value, self._maximum or 100))
            self.dialog.setLabelText(f"{self._label}\n{value}%")
        elif self._maximum:
            self.dialog.setValue(min(value, self._maximum))
            shown = f"{value:,}".replace(",", ".")
            total = f"{self._maximum:,}".replace(",", ".")
            self.dialog.setLabelText(f"{self._label}\n{shown} dari {total} {self._unit}")
        else:
            self.dialog.setLabelText(f"{self._label}\n{value:,} {self._unit}".replace(",", "."))

    def _close(self) -> None:
        self._active = False
        self.dialog.canceled.disconnect(self._on_cancel)
        self.dialog.close()
        self.dialog.deleteLater()

    def _on_success(self, result: Any) -> None:
        self._close()
        self.finished.emit(result)

    def _on_failure(self, exc: BaseException) -> None:
        self._close()
        if isinstance(exc, Cancelled) or self._cancel.is_set():
            self.cancelled_by_user.emit()
            return
        report_error(self._parent, exc)
        self.failed.emit(exc)
