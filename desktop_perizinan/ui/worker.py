"""The one way to run work off the GUI thread (STYLE.md point 2).

``run_in_background(fn, on_success=..., on_failure=...)`` runs ``fn()`` on a pool thread. The
callable gets no widget: it calls services, which open their own short database session, and
returns plain data. The result (or the exception) comes back through a Qt signal to an object
living on the GUI thread, so the callbacks always run there and may touch widgets. A callback
tied to a widget that has been closed and deleted meanwhile is skipped, not crashed into.

Why not ``processEvents`` in a loop: re-entrancy bugs (a second click while the first save is
still running). Why not one QThread per task: the pool reuses threads and bounds them.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]

#: Tasks whose result has not been delivered yet (keeps their signal objects alive).
_pending: set[Task] = set()


class Task(QObject):
    """One background call. Lives on the GUI thread; only its signals cross threads."""

    succeeded = Signal(object)
    failed = Signal(object)
    #: Emitted after either callback has run (tests and progress indicators wait on it).
    done = Signal()

    def __init__(
        self,
        fn: Callable[[], Any],
        on_success: Callback | None,
        on_failure: ErrorCallback | None,
        owner: QWidget | None,
    ) -> None:
        super().__init__()
        self._fn = fn
        self._on_success = on_success
        self._on_failure = on_failure
        self._owner = owner
        self.running = True
        # Queued across threads: the receiver (this object) lives on the GUI thread.
        self.succeeded.connect(self._deliver_success)
        self.failed.connect(self._deliver_failure)

    def _owner_gone(self) -> bool:
        return self._owner is not None and not isValid(self._owner)

    @Slot(object)
    def _deliver_success(self, result: Any) -> None:
        try:
            if self._on_success is not None and not self._owner_gone():
                self._on_success(result)
        finally:
            self._finish()

    @Slot(object)
    def _deliver_failure(self, exc: BaseException) -> None:
        try:
            if self._owner_gone():
                return
            if self._on_failure is not None:
                self._on_failure(exc)
            else:
                from desktop_perizinan.ui.widgets.messages import report_error

                report_error(self._owner, exc)
        finally:
            self._finish()

    def _finish(self) -> None:
        self.running = False
        _pending.discard(self)
        self.done.emit()


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task
        self.setAutoDelete(True)

    def run(self) -> None:  # on the pool thread: no widget may be touched here
        task = self._task
        try:
            result = task._fn()
        except BaseException as exc:
            if not isinstance(exc, Exception) or _is_bug(exc):
                log.error("Background task failed:\n%s", traceback.format_exc())
            task.failed.emit(exc)
        else:
            task.succeeded.emit(result)


def _is_bug(exc: BaseException) -> bool:
    from desktop_perizinan.errors import UserError

    return not isinstance(exc, UserError)


def run_in_background(
    fn: Callable[[], Any],
    *,
    on_success: Callback | None = None,
    on_failure: ErrorCallback | None = None,
    owner: QWidget | None = None,
) -> Task:
    """Run ``fn()`` on the thread pool; call ``on_success(result)`` or ``on_failure(exc)`` on
    the GUI thread. Without ``on_failure`` a user error is shown in a message box and a bug is
    reported as one. ``owner``: skip the callbacks if this widget has been deleted meanwhile."""
    task = Task(fn, on_success, on_failure, owner)
    _pending.add(task)
    QThreadPool.globalInstance().start(_Runnable(task))
    return task


def wait_for_all(msecs: int = 30_000) -> bool:
    """Block until the pool is idle (application exit, tests); True when it is."""
    return QThreadPool.globalInstance().waitForDone(msecs)
