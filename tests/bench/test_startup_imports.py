"""Start-up (issue 14, ``bench/bench_startup.py``): what runs before the login dialog paints and
what the main window brings in, checked by what is imported or built, never by a clock.

Each check runs in a fresh interpreter: PySide6 builds a Python type (with every enum in it)
the first time it is used, and a module imported once stays imported.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "forms"
#: Never imported by the main window of a counter clerk (documents, e-signing, Excel, drivers).
HEAVY = ("reportlab", "openpyxl", "pyhanko", "pypdf", "segno", "psycopg")

LOGIN_ONLY = """
import json, os, sys
from pathlib import Path
import PySide6.QtCore as core, PySide6.QtWidgets as widgets
from desktop_perizinan.ui.launch import Startup, create_application

app = create_application()
startup = Startup(sys.argv[1], Path(sys.argv[2]))
startup.login.show()
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "sqlalchemy")[:3]
app.processEvents()
print(json.dumps({
    "qt_namespace": "Qt" in core.__dict__,
    "qstyle": "QStyle" in widgets.__dict__,
    "sqlalchemy_before_paint": loaded,
    "models": "desktop_perizinan.db.models" in sys.modules,
    "focus": app.focusWidget() is startup.login.username,
}), flush=True)
os._exit(0)  # the database worker may still be opening: not waited for
"""

TYPED_LOGIN = """
import json, sys, threading
from pathlib import Path
from PySide6.QtCore import QTimer
from desktop_perizinan.ui.launch import WINDOW_MODULE, Startup, create_application

found = {"gui_thread_imports": []}
WARMED = (WINDOW_MODULE, "desktop_perizinan.ui.loket")


class Where:  # records which thread imports the warmed modules; finds nothing itself
    def find_spec(self, name, path=None, target=None):
        if name in WARMED and threading.current_thread() is threading.main_thread():
            found["gui_thread_imports"].append(name)
        return None


sys.meta_path.insert(0, Where())
app = create_application()
startup = Startup(sys.argv[1], Path(sys.argv[2]))
startup.login.show()
HEAVY = sys.argv[3].split(",")

def warmed():
    return WINDOW_MODULE in sys.modules and "desktop_perizinan.ui.loket" in sys.modules

def click():
    # The clerk typed for a while: the warm-up has had its turns of the event loop.
    if not warmed() and found.setdefault("waits", 0) < 200:
        found["waits"] += 1
        QTimer.singleShot(50, click)
        return
    found["warmed_before_click"] = warmed()
    startup.login.username.setText("loket")
    startup.login.password.setText("rahasia123")
    startup.login.try_login()

def entered(window):
    app.processEvents()
    found["screen"] = type(window.current_screen()).__name__
    found["heavy"] = sorted(m for m in HEAVY if m in sys.modules)
    app.quit()

startup.ready.connect(click)
startup.entered.connect(entered)
startup.failed.connect(lambda text: (found.setdefault("failed", text), app.quit()))
app.exec()
startup.close()  # the backup on closing: the login changed the audit log, so one is made
found["alembic_after_close"] = sorted(m for m in sys.modules if m.split(".")[0] == "alembic")[:3]
found["backups"] = len(list(Path(sys.argv[4]).glob("*.json")))
print(json.dumps(found), flush=True)
"""


def _run(code: str, args: list[str], tmp_path: Path) -> dict[str, object]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PERIZINAN_BACKUP_DIR=str(tmp_path / "backups"),  # closing backs up: never the user's
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300, check=True,
    )  # fmt: skip
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_login_dialog_paints_before_qt_namespace_style_and_the_database(tmp_path: Path) -> None:
    """``Qt`` (94 enums) and ``QStyle`` cost more than the dialog itself; SQLAlchemy and the
    models load on the worker after the paint."""
    url = f"sqlite:///{tmp_path / 'o.sqlite3'}"
    found = _run(LOGIN_ONLY, [url, str(FORMS)], tmp_path)
    assert found == {
        "qt_namespace": False,
        "qstyle": False,
        "sqlalchemy_before_paint": [],
        "models": False,
        "focus": True,
    }


def test_main_window_is_warmed_while_typing_and_imports_nothing_heavy(tmp_path: Path) -> None:
    """And closing, which backs up what the login changed, does not import Alembic either."""
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import create_demo_users

    url = f"sqlite:///{tmp_path / 'o.sqlite3'}"
    env_config = tmp_path / "config"
    services = Services.open(url, FORMS)
    try:
        create_demo_users(services)
    finally:
        services.close()
    # A PC where 'loket' logged in last: the warm-up knows which screen comes first.
    (env_config / "DPMPTSP").mkdir(parents=True)
    (env_config / "DPMPTSP" / "Perizinan.conf").write_text("[login]\nlast_user=loket\n")
    found = _run(
        TYPED_LOGIN, [url, str(FORMS), ",".join(HEAVY), str(tmp_path / "backups")], tmp_path
    )
    assert found.get("failed") is None
    assert found["warmed_before_click"] is True
    # On a worker: a key is never held for the length of an import (the brief's key echo).
    assert found["gui_thread_imports"] == []
    assert found["screen"] == "LoketScreen"
    assert found["heavy"] == []
    # Closing takes the automatic backup (and verifies it) without Alembic: no migration.
    assert found["backups"] == 1
    assert found["alembic_after_close"] == []


def _module_level_calls(tree: ast.Module) -> list[ast.Call]:
    """Calls run when the module is imported: its top level and class bodies, not functions."""
    calls: list[ast.Call] = []
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.ClassDef):
            pending.extend(node.body)
            pending.extend(node.decorator_list)
            continue
        if isinstance(node, ast.Call):
            calls.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return calls


def test_no_ui_module_makes_a_widget_or_pixmap_at_import() -> None:
    """The warm-up imports the main window and its first screen on a worker thread, where a
    widget, pixmap or icon must never be made; value types (``QSize``...) are fine."""
    from PySide6 import QtWidgets

    widgets = {
        name
        for name in dir(QtWidgets)
        if isinstance(getattr(QtWidgets, name), type)
        and issubclass(getattr(QtWidgets, name), QtWidgets.QWidget)
    }
    forbidden = widgets | {"QPixmap", "QIcon", "QImage", "QCursor", "icon", "emblem_pixmap"}
    found = []
    for path in sorted((ROOT / "desktop_perizinan" / "ui").rglob("*.py")):
        for call in _module_level_calls(ast.parse(path.read_text(encoding="utf-8"))):
            func = call.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in forbidden:
                found.append(f"{path.relative_to(ROOT)}:{call.lineno} {name}(...)")
    assert found == []
