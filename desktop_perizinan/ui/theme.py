"""Look and feel: the Fusion style on the platform's own palette, our stylesheet, our icons.

Why Fusion: it draws the same on Windows and Linux and, since Qt 6.5, follows the system's
light or dark colour scheme through the platform palette. The stylesheet therefore names
palette roles (``palette(highlight)``) and never a light colour of its own; the few semantic
colours it needs (error, warning, success) are chosen here from the palette's lightness so they
stay readable on both schemes.

What the login dialog needs before its first paint (:func:`apply_theme`, :func:`emblem_pixmap`,
:func:`tag_role`) touches neither ``Qt``'s namespace nor a ``QStyle`` from Python: PySide6 builds
those Python types, with every enum in them, on first use, which costs more than the dialog
itself (``Qt``: 94 enums, ~20 ms; ``QStyle``: ~7 ms). The main window pays for them later.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImageReader, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from desktop_perizinan.paths import resources_dir

#: Top-level ``resources/`` (icons, stylesheet); ``paths`` knows where it is in a frozen build.
RESOURCES = resources_dir()
ICONS = RESOURCES / "icons"
STYLE = RESOURCES / "style" / "app.qss"


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the window background is dark (the system runs a dark colour scheme)."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def semantic_colors(palette: QPalette | None = None) -> dict[str, str]:
    """Error / warning / success / muted colours readable on the current palette."""
    if is_dark(palette):
        return {"error": "#ff8a80", "warning": "#ffcc66", "ok": "#8fd694", "accent": "#7fb0ff"}
    return {"error": "#b3261e", "warning": "#8a5a00", "ok": "#1e7a34", "accent": "#2f5f9e"}


def color(name: str) -> QColor:
    return QColor(semantic_colors()[name])


def stylesheet() -> str:
    """The application stylesheet with its ``@name@`` colour slots filled for this palette."""
    text = STYLE.read_text(encoding="utf-8") if STYLE.is_file() else ""
    for name, value in semantic_colors().items():
        text = text.replace(f"@{name}@", value)
    return text


#: Arguments that make a new QApplication start in Fusion (no ``setStyle`` afterwards).
FUSION_ARGS = ["-style", "fusion"]


def apply_theme(app: QApplication, *, fusion: bool = False) -> None:
    """Fusion + platform palette + stylesheet; call once, after the QApplication exists.

    ``fusion=True``: the application was created with :data:`FUSION_ARGS`, so its style is not
    asked for (that alone builds ``QStyle``'s Python type before the login is painted)."""
    if not fusion and app.style().name().lower() != "fusion":  # already Fusion on Linux
        app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    app.setWindowIcon(app_icon())


@cache
def icon(name: str) -> QIcon:
    """An SVG icon from ``resources/icons`` by name (scaled crisply at any device ratio)."""
    path = ICONS / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


@cache
def app_icon() -> QIcon:
    emblem = RESOURCES / "emblem.svg"
    return QIcon(str(emblem)) if emblem.is_file() else icon("loket")


def emblem_pixmap(height: int) -> QPixmap:
    """The office emblem for a dialog heading. The PNG (drawn from the same shapes as the
    SVG, 300 px wide) decodes faster than the SVG renderer loads, and this is on screen
    during start-up. The reader decodes and scales in one go (smoothly, as
    ``scaledToHeight(..., SmoothTransformation)`` would) without naming a ``Qt`` enum."""
    png = RESOURCES / "emblem.png"
    reader = QImageReader(str(png))
    size = reader.size() if png.is_file() else QSize()
    if size.height() > 0:
        screen = QGuiApplication.primaryScreen()
        ratio = screen.devicePixelRatio() if screen else 1.0
        target = int(height * ratio)
        reader.setScaledSize(QSize(int(size.width() * target / size.height() + 0.5), target))
        image = reader.read()
        if not image.isNull():
            scaled = QPixmap.fromImage(image)
            scaled.setDevicePixelRatio(ratio)
            return scaled
    return app_icon().pixmap(int(height * 0.83), height)


def tag_role(widget: QWidget, role: str) -> None:
    """Tag a widget that has not been shown yet: the stylesheet reads the property when the
    widget is first polished, so no re-polish (and no ``QStyle`` from Python) is needed."""
    widget.setProperty("role", role)


def set_role(widget: QWidget, role: str) -> None:
    """Tag a widget for the stylesheet (``QLabel[role="error"]``) and re-polish it."""
    widget.setProperty("role", role)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
