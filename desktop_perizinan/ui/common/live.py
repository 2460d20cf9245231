"""The Qt side of :mod:`desktop_perizinan.services.live_updates`: one signal, on the GUI thread.

Screens connect to :attr:`LiveUpdates.refresh` and reload what they show. Notifications come in
bursts (one use case may touch a case several times; eight clerks at once), so they are merged:
``refresh`` fires at most once per ``coalesce_ms`` with the set of case ids seen meanwhile
(``None`` in the set means "unknown, reload everything").
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_perizinan.services.app import Services
from desktop_perizinan.services.live_updates import ChangeWatcher, watcher_for

POLL_MS = 2000
COALESCE_MS = 300


class LiveUpdates(QObject):
    """Watches the database for changes made anywhere (this PC included)."""

    #: The case ids changed since the last emission (``None`` inside: unknown).
    refresh = Signal(object)
    _arrived = Signal(object)  # emitted on the listener thread, delivered on the GUI thread

    def __init__(
        self,
        services: Services,
        parent: QObject | None = None,
        *,
        poll_ms: int = POLL_MS,
        coalesce_ms: int = COALESCE_MS,
        watcher: ChangeWatcher | None = None,
    ) -> None:
        super().__init__(parent)
        self._watcher = watcher or watcher_for(services.db)
        self._pending: set[int | None] = set()
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(coalesce_ms)
        self._coalesce.timeout.connect(self._flush)
        self._arrived.connect(self._on_arrived)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self._watcher.poll)
        self._watcher.start(self._arrived.emit)
        if not self._watcher.pushes:
            self._poll.start()
        watcher = self._watcher
        self.destroyed.connect(lambda *_: watcher.stop())

    @property
    def watcher(self) -> ChangeWatcher:
        return self._watcher

    def check_now(self) -> None:
        """Poll at once (SQLite); a no-op where changes are pushed."""
        self._watcher.poll()

    def stop(self) -> None:
        self._poll.stop()
        self._watcher.stop()

    def pause(self) -> None:
        """Stop listening (a hidden screen need not reload; it reloads when shown again)."""
        self._poll.stop()
        self._coalesce.stop()
        self._pending.clear()
        self._watcher.stop()

    def resume(self) -> None:
        self._watcher.start(self._arrived.emit)
        if not self._watcher.pushes:
            self._poll.start()

    @Slot(object)
    def _on_arrived(self, case_id: int | None) -> None:
        self._pending.add(case_id)
        if not self._coalesce.isActive():
            self._coalesce.start()

    def _flush(self) -> None:
        pending, self._pending = self._pending, set()
        if pending:
            self.refresh.emit(pending)
