"""Everything but ``desktop_perizinan.ui`` imports without Qt (STYLE point 1).

A subprocess puts a finder in front of ``sys.meta_path`` that refuses ``PySide6`` and
``shiboken6``, then imports every module of the package found on disk, except ``ui`` and its
children and ``__main__`` modules (importing those would start the app). The test fails when a
module does not import, when one of *our* modules so much as tries to import Qt (even a
``try: import PySide6`` fallback), or when Qt ends up in ``sys.modules`` anyway.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = "desktop_perizinan"
EXCLUDED = ("desktop_perizinan.ui",)

CHILD = textwrap.dedent(
    """
    import importlib
    import importlib.abc
    import json
    import os
    import pkgutil
    import sys
    import traceback

    BLOCKED = ("PySide6", "shiboken6")
    IMPORTLIB = os.path.dirname(importlib.__file__)
    PACKAGE, EXCLUDED = sys.argv[1], tuple(sys.argv[2:])
    attempts = []


    class BlockQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] not in BLOCKED:
                return None
            frames = [
                f"{frame.filename}:{frame.lineno}"
                for frame in traceback.extract_stack()
                if not frame.filename.startswith(("<frozen", "<string>", IMPORTLIB))
            ]
            attempts.append({"name": name, "stack": frames, "ours": None})
            raise ImportError(f"{name} is blocked: the core must import without Qt")


    sys.meta_path.insert(0, BlockQt())
    for name in BLOCKED:
        sys.modules.pop(name, None)

    imported, failed = [], {}


    def excluded(name):
        return name.rsplit(".", 1)[-1] == "__main__" or any(
            name == prefix or name.startswith(prefix + ".") for prefix in EXCLUDED
        )


    def load(name):
        try:
            module = importlib.import_module(name)
        except BaseException:
            failed[name] = traceback.format_exc()
            return None
        imported.append(name)
        return module


    def walk(path, prefix):
        for info in sorted(pkgutil.iter_modules(path, prefix), key=lambda i: i.name):
            if excluded(info.name):
                continue
            module = load(info.name)
            if module is not None and info.ispkg:
                walk(module.__path__, info.name + ".")


    root = load(PACKAGE)
    package_dir = None
    if root is not None:
        package_dir = os.path.dirname(root.__file__)
        walk(root.__path__, PACKAGE + ".")
    for attempt in attempts:
        # The innermost frame outside the import machinery is the ``import`` statement.
        inner = attempt["stack"][-1] if attempt["stack"] else ""
        attempt["ours"] = bool(package_dir) and inner.startswith(package_dir + os.sep)
    print(json.dumps({
        "package_dir": package_dir,
        "imported": imported,
        "failed": failed,
        "attempts": attempts,
        "qt_loaded": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED),
    }))
    """
)


def run_child() -> dict:
    repo = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", CHILD, PACKAGE, *EXCLUDED],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"child crashed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def report() -> dict:
    return run_child()


def test_every_core_module_imports_without_qt(report: dict) -> None:
    assert PACKAGE in report["imported"], report["failed"].get(PACKAGE, report)
    failures = "\n".join(f"--- {name}\n{tb}" for name, tb in report["failed"].items())
    assert not report["failed"], f"modules that do not import with Qt blocked:\n{failures}"


def test_no_core_module_tries_to_import_qt(report: dict) -> None:
    ours = [attempt for attempt in report["attempts"] if attempt["ours"]]
    lines = [f"{a['name']} imported from:\n    " + "\n    ".join(a["stack"]) for a in ours]
    assert not ours, "core modules reach for Qt:\n" + "\n".join(lines)
    assert report["qt_loaded"] == [], f"Qt was imported anyway: {report['qt_loaded']}"


def test_the_walk_sees_the_package(report: dict) -> None:
    """Guard against a walk that silently finds nothing (and so proves nothing)."""
    assert f"{PACKAGE}.errors" in report["imported"]
    assert not any(
        name == prefix or name.startswith(prefix + ".")
        for name in report["imported"]
        for prefix in EXCLUDED
    )
