"""GUI tests: one shared QApplication (pytest-qt's ``qapp``), offscreen, styled as the app is.

- ``QT_QPA_PLATFORM=offscreen`` and a private ``XDG_RUNTIME_DIR`` are set by the top-level
  conftest before Qt starts; Qt warnings fail the test (``qt_log_level_fail`` in pyproject).
- QSettings (window geometry, last user, last folder) go to a per-test folder, so a test never
  reads or writes the real user's settings, and tests do not leak state into each other.
- Every test waits for the worker pool before its database is closed: a background save still
  running against a disposed engine would fail in the next test instead of this one.
- The application gets the real theme (Fusion + our stylesheet): a broken stylesheet warns,
  and warnings fail; and the same guard as the real application against PySide6 6.12's lost
  references to ``None`` (``ui.launch.protect_none``), which otherwise abort the test run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

#: The offscreen platform plugin warns whenever a popup grabs input or a dialog raises itself:
#: platform noise, not our bug (the top-level conftest ignores its propagateSizeHints twin).
OFFSCREEN_NOISE = r"^This plugin does not support (raise\(\)|grabbing the (keyboard|mouse))$"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(scope="session", autouse=True)
def _themed_app(qapp: QApplication) -> QApplication:
    from desktop_perizinan.ui.launch import APPLICATION, ORGANIZATION, protect_none
    from desktop_perizinan.ui.theme import apply_theme

    QApplication.setOrganizationName(ORGANIZATION)
    QApplication.setApplicationName(APPLICATION)
    protect_none()  # PySide6 6.12 drops references to None on Python 3.11 (see its docstring)
    apply_theme(qapp)
    return qapp


@pytest.fixture(autouse=True)
def _private_settings(tmp_path: Path) -> Iterator[None]:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qt"))
    yield


@pytest.fixture(autouse=True)
def _drain_workers(_themed_app: QApplication) -> Iterator[None]:
    yield
    from desktop_perizinan.ui.worker import wait_for_all

    wait_for_all()
    # Deliver the results of finished tasks before the next test's widgets exist.
    _themed_app.processEvents()


FORMS = Path(__file__).resolve().parents[2] / "forms"


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    from desktop_perizinan.services.demo import demo_clock

    return demo_clock()


@pytest.fixture
def services(request: pytest.FixtureRequest, clock):  # type: ignore[no-untyped-def]
    """Services on a fresh SQLite database (most screens do not care which backend), or on
    each backend in turn in a module marked ``gestures.BOTH_DATABASES``."""
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.ui.worker import wait_for_all

    fixture = "db_url" if "db_url" in request.fixturenames else "sqlite_url"
    s = Services.open(request.getfixturevalue(fixture), FORMS, clock=clock)
    try:
        yield s
    finally:
        wait_for_all()
        s.close()


@pytest.fixture
def users(services):  # type: ignore[no-untyped-def]
    from desktop_perizinan.services.demo import create_demo_users

    return create_demo_users(services)


@pytest.fixture
def driver(services, users, clock):  # type: ignore[no-untyped-def]
    from desktop_perizinan.services.demo import CaseDriver

    return CaseDriver(services, users, clock)
