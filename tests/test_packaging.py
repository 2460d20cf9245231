"""The installer build (``packaging/``).

Fast checks always run: the data files the spec lists exist, ``desktop_perizinan.paths``
finds forms and resources both from a checkout and inside a bundle, the ``.desktop`` entry is
well formed, the scripts parse. The real build (PyInstaller, about a minute, 275 MB) and its
smoke run are marked ``slow`` and run only with ``PERIZINAN_TEST_PACKAGING=1``.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_perizinan import paths

REPO = Path(__file__).resolve().parents[1]
PACKAGING = REPO / "packaging"
SCRIPTS = [PACKAGING / "build.sh", PACKAGING / "smoke.sh"]


def test_paths_in_a_checkout() -> None:
    assert paths.forms_dir() == REPO / "forms"
    assert (paths.forms_dir() / "_kantor.toml").is_file()
    assert (paths.resources_dir() / "fonts" / "LiberationSans-Regular.ttf").is_file()
    assert (paths.migrations_dir() / "env.py").is_file()


def test_paths_inside_a_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert paths.is_frozen()
    assert paths.forms_dir() == tmp_path / "forms"
    assert paths.resources_dir() == tmp_path / "resources"
    assert paths.migrations_dir() == tmp_path / "desktop_perizinan" / "db" / "migrations"


def test_an_office_can_point_at_its_own_forms(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(paths.ENV_FORMS_DIR, str(tmp_path))
    assert paths.forms_dir() == tmp_path


def test_everything_the_spec_bundles_exists() -> None:
    spec = (PACKAGING / "perizinan.spec").read_text(encoding="utf-8")
    for needle in (
        'ROOT / "forms"',
        'ROOT / "resources"',
        '"desktop_perizinan" / "db" / "migrations"',
    ):
        assert needle in spec
    assert list((REPO / "forms").glob("*.toml"))
    assert (REPO / "resources" / "emblem.png").is_file()
    assert list((REPO / "desktop_perizinan" / "db" / "migrations" / "versions").glob("*.py"))
    assert (PACKAGING / "perizinan_entry.py").is_file()


def test_desktop_entry() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(PACKAGING / "perizinan.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == "perizinan"
    assert section["Icon"] == "perizinan" and section["Terminal"] == "false"
    assert section["Categories"].endswith(";")
    validator = shutil.which("desktop-file-validate")
    if validator:
        done = subprocess.run(
            [validator, str(PACKAGING / "perizinan.desktop")], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_icon_is_made_from_the_emblem(tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    sys.path.insert(0, str(PACKAGING))
    try:
        from make_icon import make_icons
    finally:
        sys.path.remove(str(PACKAGING))
    png, ico = make_icons(tmp_path)
    from PIL import Image

    assert Image.open(png).size == (256, 256)
    assert Image.open(ico).format == "ICO"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_parse(script: Path) -> None:
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
def test_scripts_pass_shellcheck() -> None:
    done = subprocess.run(["shellcheck", *map(str, SCRIPTS)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("PERIZINAN_TEST_PACKAGING") != "1",
    reason="the PyInstaller build takes about a minute: set PERIZINAN_TEST_PACKAGING=1",
)
def test_build_and_smoke_run() -> None:
    build = subprocess.run(
        ["bash", str(PACKAGING / "build.sh")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    smoke = subprocess.run(
        ["bash", str(PACKAGING / "smoke.sh")], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "[smoke] all passed" in smoke.stdout
