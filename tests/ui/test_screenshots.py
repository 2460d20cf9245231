"""``perizinan screenshots --out DIR`` as the lead runs it for the README: a separate process,
no display, every main screen of this build written as a picture that is not blank."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from desktop_perizinan.ui.navigation import ENTRIES

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]

#: The counter's path, in the order a clerk meets it.
COUNTER = (
    "01-masuk",
    "02-loket",
    "03-permohonan-baru",
    "04-resi",
    "05-loket-setelah-menyimpan",
    "06-klarifikasi",
    "07-kelengkapan-datang",
    "08-teruskan",
    "09-lembar-disposisi",
    "10-cari",
    "11-permohonan",
)


def distinct_colours(image: QImage, step: int = 7) -> int:
    colours = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours)


def test_screenshots_of_every_screen(tmp_path):
    out = tmp_path / "shots"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # the verb needs no display and sets offscreen itself
    done = subprocess.run(
        [sys.executable, "-m", "desktop_perizinan", "screenshots", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "does not support" not in done.stderr  # the offscreen chatter is filtered
    names = sorted(p.stem for p in out.glob("*.png"))
    assert set(COUNTER) <= set(names)
    others = [e.key for e in ENTRIES if e.key != "loket" and e.available()]
    assert sorted(n.split("-", 1)[1] for n in names if n not in COUNTER) == sorted(others)
    assert f"{len(names)} gambar ditulis" in done.stdout
    for path in out.glob("*.png"):
        image = QImage(str(path))
        assert not image.isNull(), path.name
        assert image.width() >= 400 and image.height() >= 200, path.name
        assert distinct_colours(image) > 12, f"{path.name} looks blank"
    main = QImage(str(out / "02-loket.png"))
    assert (main.width(), main.height()) == (1280, 800)
