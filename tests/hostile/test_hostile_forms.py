"""Hostile permit-type files: an office administrator's editor, a wrong file dropped in the
folder, or a deliberate attempt. Every bad file must end as a problem with the file's name
(``forms check`` exits 1 and prints it, the app starts without that permit type), never as a
crash, a hang, or a type that loads and fails later at the counter.

``BUG (core)`` xfails: see the module docstring of ``test_hostile_services.py``.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest
from lan_support import FORMS

from desktop_perizinan.errors import UserError
from desktop_perizinan.services.app import Services
from desktop_perizinan.workflow.loader import load_forms

KESENIAN_FILE = "pasuruan-nomor-induk-kesenian.toml"
SHIPPED = {"DAIRI-LKS-ASING", "PASURUAN-NIK-KESENIAN", "PASURUAN-STP-LKS-ASING"}
PATTERN = 'pattern = "556/{urut:04}/NIK/424.086/{tahun}"'
WORDING = "Nama kelompok: {nama_kelompok}"


def bug(
    reason: str, raises: type[BaseException] | tuple[type[BaseException], ...] = AssertionError
):
    return pytest.mark.xfail(reason=f"BUG (core): {reason}", raises=raises, strict=True)


@pytest.fixture
def forms(tmp_path: Path) -> Path:
    folder = tmp_path / "forms"
    shutil.copytree(FORMS, folder)
    return folder


def kesenian(folder: Path) -> Path:
    return folder / KESENIAN_FILE


def edit(folder: Path, old: str, new: str) -> None:
    path = kesenian(folder)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def problems_of(folder: Path, file_name: str) -> list[str]:
    loaded = load_forms(folder)
    return [str(p) for p in loaded.problems if p.file == file_name]


def assert_only_that_file_fails(folder: Path, file_name: str, *, also_lost: str = "") -> None:
    loaded = load_forms(folder)
    assert {p.file for p in loaded.problems} == {file_name}, [str(p) for p in loaded.problems]
    assert set(loaded.types) == SHIPPED - ({also_lost} if also_lost else set())


# ---------------------------------------------------------------------------- not TOML at all


def test_garbage_bytes(forms):
    (forms / "zz-sampah.toml").write_bytes(random.Random(7).randbytes(4096))
    assert_only_that_file_fails(forms, "zz-sampah.toml")
    assert "bukan teks UTF-8" in problems_of(forms, "zz-sampah.toml")[0]


def test_text_with_control_characters(forms):
    (forms / "zz-kontrol.toml").write_text('code = "X\x00\x07"\nname = "\x1b[31m"\n', "utf-8")
    assert_only_that_file_fails(forms, "zz-kontrol.toml")


def test_ten_megabytes(forms):
    """A 10 MB file (a valid permit type with a huge comment, then 10 MB of junk text) is
    read, judged and reported in reasonable time; nothing hangs."""
    copy = (
        kesenian(forms)
        .read_text(encoding="utf-8")
        .replace('code = "PASURUAN-NIK-KESENIAN"', 'code = "UJI-BESAR"')
    )
    (forms / "zz-besar.toml").write_text(copy + "\n#" + "x" * 10_000_000 + "\n", "utf-8")
    (forms / "zz-sampah-besar.toml").write_text("tidak = toml = sama sekali\n" * 400_000, "utf-8")
    started = time.perf_counter()
    loaded = load_forms(forms)
    assert time.perf_counter() - started < 30
    assert {p.file for p in loaded.problems} <= {"zz-besar.toml", "zz-sampah-besar.toml"}
    assert "zz-sampah-besar.toml" in {p.file for p in loaded.problems}
    assert set(loaded.types) >= SHIPPED


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a = " + "[" * 5000 + "]" * 5000, id="arrays"),
        pytest.param("a = " + "{ b = " * 3000 + "1" + " }" * 3000, id="inline-tables"),
    ],
)
def test_deeply_nested_toml(forms, text):
    (forms / "zz-dalam.toml").write_text(text, "utf-8")
    assert_only_that_file_fails(forms, "zz-dalam.toml")


def test_files_that_are_not_files(forms):
    (forms / "folder.toml").mkdir()
    (forms / "nol.toml").symlink_to("/dev/zero")
    (forms / "putus.toml").symlink_to(forms / "tidak-ada")
    loaded = load_forms(forms)
    assert set(loaded.types) == SHIPPED
    assert not loaded.problems


def test_byte_order_mark_and_windows_line_ends_are_fine(forms):
    path = kesenian(forms)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    loaded = load_forms(forms)
    assert set(loaded.types) == SHIPPED and not loaded.problems


# ---------------------------------------------------------------------------- placeholders


@pytest.mark.parametrize(
    "placeholder",
    [
        "{__class__}",
        "{nama_kelompok.__class__}",
        "{nama_kelompok.__class__.__init__.__globals__}",
        "{nama_kelompok!r}",
        "{nama_kelompok[0]}",
        "{0}",
        "{}",
        "{nama_kelompok:>100000000}",
        "{nama_kelompok",
        "{{nama_kelompok}",
    ],
)
def test_placeholders_in_the_wording(forms, placeholder):
    edit(forms, WORDING, f"Nama kelompok: {placeholder}")
    assert_only_that_file_fails(forms, KESENIAN_FILE, also_lost="PASURUAN-NIK-KESENIAN")


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("{__class__}/{urut}", id="dunder"),
        pytest.param("{urut.__class__}", id="attribute"),
        pytest.param("{urut!r}", id="conversion"),
        pytest.param("{urut[0]}", id="index"),
        pytest.param("556/NIK/{tahun}", id="no-urut"),
        pytest.param("{urut:Z}", id="bad-spec"),
        pytest.param("{urut:>100000000}", id="100-MB-number"),
        pytest.param("556/{urut:0150}/NIK/{tahun}", id="longer-than-the-column"),
    ],
)
def test_numbering_patterns(forms, pattern):
    edit(forms, PATTERN, f'pattern = "{pattern}"')
    problems = problems_of(forms, KESENIAN_FILE)
    assert problems, "the pattern should have been refused"
    assert all(KESENIAN_FILE in p for p in problems)


# ---------------------------------------------------------------------------- into the app


def test_a_very_long_file_name(forms, db_url):
    kesenian(forms).rename(forms / ("k" * 230 + ".toml"))
    try:
        services = Services.open(db_url, forms)
    except UserError:
        return  # refused with a message is fine too
    try:
        assert "PASURUAN-NIK-KESENIAN" in services.forms.types
    finally:
        services.close()


def test_the_app_starts_without_the_broken_types(forms, db_url):
    (forms / "zz-sampah.toml").write_bytes(os.urandom(2048))
    edit(forms, WORDING, "Nama kelompok: {__class__}")
    services = Services.open(db_url, forms)
    try:
        assert set(services.forms.types) == SHIPPED - {"PASURUAN-NIK-KESENIAN"}
        assert {p.file for p in services.forms.problems} == {"zz-sampah.toml", KESENIAN_FILE}
    finally:
        services.close()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"roles = [[[\n", id="toml-error"),
        pytest.param(b"", id="empty"),
        pytest.param("# kantor\n".encode("utf-16"), id="utf16-notepad"),
    ],
)
def test_a_broken_office_file_stops_the_start_with_a_message(forms, sqlite_url, content):
    (forms / "_kantor.toml").write_bytes(content)
    with pytest.raises(UserError, match="Konfigurasi kantor tidak dapat dibaca"):
        Services.open(sqlite_url, forms)
