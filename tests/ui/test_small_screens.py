"""The common office screens: 1366×768 and 1024×700.

Every desk of the users who see the most screens is opened in a window of that size; no
list may need a horizontal scrollbar (its last columns would be out of sight), no screen may
ask for more room than the window has, and the title names the office once (Qt adds the
application's name itself).
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractScrollArea, QApplication

from desktop_perizinan.services.demo import DEMO_APPLICANTS, DEMO_PASSWORD
from desktop_perizinan.ui.app_window import MainWindow

SIZES = [(1366, 768), (1024, 700)]


def _settle(qtbot) -> None:  # type: ignore[no-untyped-def]
    QApplication.processEvents()
    qtbot.wait(30)
    QApplication.processEvents()


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("username", ["admin", "kadis", "loket"])
def test_every_screen_fits_without_horizontal_scrolling(
    qtbot, services, users, driver, username, width, height
):  # type: ignore[no-untyped-def]
    driver.submit(sorted(services.forms.types)[0], DEMO_APPLICANTS[0], seed=1)
    window = MainWindow(services, services.users.login(username, DEMO_PASSWORD))
    qtbot.addWidget(window)
    window.show()
    window.showNormal()  # the test screen is small: the first window opens maximised
    window.resize(width, height - 30)  # less the title bar
    _settle(qtbot)
    assert window.width() <= width, "the window is wider than the screen"
    for entry in window.entries:
        window.show_screen(entry.key)
        _settle(qtbot)
        screen = window.screens[entry.key]
        hint = screen.minimumSizeHint()
        assert hint.width() <= window.stack.width(), (
            f"{entry.key} needs {hint.width()} px, the window gives {window.stack.width()}"
        )
        scrolled = [
            view.objectName() or type(view).__name__
            for view in screen.findChildren(QAbstractScrollArea)
            if view.isVisible() and view.horizontalScrollBar().isVisible()
        ]
        assert not scrolled, f"{entry.key} at {width}x{height}: horizontal scrollbar on {scrolled}"


def test_first_window_on_a_small_screen_fits_it(qtbot, services, users):  # type: ignore[no-untyped-def]
    """The test screen (800×600) is smaller than the 1280×800 a first window would take: it
    opens maximised, status bar on the screen."""
    window = MainWindow(services, services.users.login("kadis", DEMO_PASSWORD))
    qtbot.addWidget(window)
    window.show()
    _settle(qtbot)
    area = window.screen().availableGeometry()
    assert window.isMaximized()
    bottom = window.statusBar().mapToGlobal(window.statusBar().rect().bottomLeft())
    assert bottom.y() <= area.bottom(), "the status bar is below the screen"
    # The test screen is narrower than any office screen; the window must fit 1024 pixels.
    assert window.minimumSizeHint().width() <= 1024


def test_title_names_the_office_once(qtbot, services, users):  # type: ignore[no-untyped-def]
    window = MainWindow(services, services.users.login("kadis", DEMO_PASSWORD))
    qtbot.addWidget(window)
    office = services.settings.office_profile().office_name
    assert window.windowTitle() == office
    assert "Perizinan Desktop" not in window.windowTitle()
