"""Cheaper imports once PySide6 is loaded: its feature hook reads every later module's source.

PySide6 (``shibokensupport.feature``) looks at each module imported after it for the string
"PySide6", to know whether a ``from __feature__ import ...`` could apply to it, and does so with
``inspect.getsource``: every file is decoded, split into lines and kept in ``linecache``. For the
~300 modules of SQLAlchemy, the services and the main window that start-up imports after Qt,
that is ~60 ms of CPU (issue 14, ``bench/bench_startup.py``). :func:`install` puts the same
test on the file's bytes in its place: the answer for every module stays what PySide6 would
have found (this application never uses ``__feature__``, so it could not matter anyway).

``ui.launch`` imports this module first, before the login dialog's modules. When a PySide6
release no longer has the hook, nothing is changed.
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (loads shibokensupport, whose hook is replaced here)


def uses_pyside(module: ModuleType) -> bool:
    """PySide6's own test (is "PySide6" in the module's source?) on the raw file: modules
    without a ``.py`` source (built in, extensions, bytecode only) do not use it, as there."""
    origin = getattr(getattr(module, "__spec__", None), "origin", None)
    if not isinstance(origin, str) or not origin.endswith(".py"):
        return False
    try:
        with open(origin, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return False


def install() -> bool:
    """Replace the hook's source scan; False when this PySide6 has none (left as it is)."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True


install()
