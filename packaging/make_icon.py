"""The application icon, made at build time into an ignored folder (STYLE point 12).

Source: ``resources/icons/app.svg`` when the UI has one (rendered with QtSvg, offscreen),
else ``resources/emblem.png`` (the regency emblem, padded to a square). Output:
``perizinan.png`` (256 px, for the Linux ``.desktop`` entry and the window) and
``perizinan.ico`` (16–256 px, for the Windows executable).

    python packaging/make_icon.py OUT_DIR
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def _from_svg(svg: Path, size: int = 512) -> Image.Image:
    """Render an SVG with Qt (no display needed: offscreen platform)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data())))


def _square(image: Image.Image) -> Image.Image:
    """Pad to a transparent square so the emblem is not stretched."""
    image = image.convert("RGBA")
    side = max(image.size)
    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    canvas.paste(image, ((side - image.width) // 2, (side - image.height) // 2), image)
    return canvas


def make_icons(out: Path) -> tuple[Path, Path]:
    svg = ROOT / "resources" / "icons" / "app.svg"
    source = _from_svg(svg) if svg.is_file() else Image.open(ROOT / "resources" / "emblem.png")
    icon = _square(source).resize((256, 256), Image.Resampling.LANCZOS)
    out.mkdir(parents=True, exist_ok=True)
    png, ico = out / "perizinan.png", out / "perizinan.ico"
    icon.save(png)
    icon.save(ico, sizes=SIZES)
    return png, ico


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icon"
    for path in make_icons(target):
        print(path)
