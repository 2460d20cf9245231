"""``ui.launch.protect_none``: PySide6 6.12 under-counts ``None`` and ``True`` on Python 3.11.

Each check runs in a fresh interpreter, counted with ``sys.getrefcount`` before and after many
``Signal.emit()`` calls: an abort there ("bool_dealloc: deallocating True or False") fails the
check instead of the whole test run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

EMITS = """
import json, os, sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

app = QApplication([])
protect = sys.argv[1] == "protect"
natural = sys.getrefcount(True)  # a bare process's references to True (~600)
if protect:
    from desktop_perizinan.ui import launch

    launch.protect_none()


class Emitter(QObject):
    plain = Signal()
    flag = Signal(bool)
    thing = Signal(object)


emitter = Emitter()
emitter.thing.connect(lambda value: None)
before = {name: sys.getrefcount(obj) for name, obj in (("T", True), ("F", False), ("N", None))}
# Three times more emits than a bare process has references to True: unprotected, this many
# abort it; the reserve outlasts them even without its timer (no event loop runs here).
count = natural if protect else 20
for _ in range(count):
    emitter.plain.emit()
    emitter.flag.emit(False)
    emitter.thing.emit(1)
after = {name: sys.getrefcount(obj) for name, obj in (("T", True), ("F", False), ("N", None))}
level = 0
if protect:
    launch._reserve.top_up()
    # The count it keeps True at, less the reference its own loop variable holds then.
    level = launch._reserve.level[id(True)] - 1
topped = sys.getrefcount(True)
print(json.dumps({
    "emits": 3 * count,
    "lost": {name: before[name] - after[name] for name in before},
    "restored": topped >= level > natural,
}), flush=True)
if not protect:
    os._exit(0)  # the references lost would abort the interpreter's clean-up
"""

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None and True are immortal from Python 3.12 on"
)


def _run(mode: str) -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", EMITS, mode], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_emit_drops_true_only_so_none_and_true_are_reserved() -> None:
    """What the reserve is for: one reference to True per emit, none to False or None (if
    a later PySide6 drops nothing, the reserve is merely unused)."""
    found = _run("bare")
    lost = found["lost"]
    assert isinstance(lost, dict)
    assert lost["T"] in (0, found["emits"])
    assert lost["F"] == 0
    assert lost["N"] == 0


def test_reserve_outlasts_more_emits_than_true_has_references() -> None:
    found = _run("protect")
    assert found["restored"] is True
