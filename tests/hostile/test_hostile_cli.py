"""Hostile command-line arguments: every verb answers a bad ``--db``, a missing file, a folder
where a file belongs, or garbage, with one Indonesian line on stderr and a non-zero exit —
and creates nothing (no empty database, no folder) on the way.

Run in-process through ``cli.main`` (exactly what the ``perizinan`` script calls), so an
exception that escapes it is a traceback the user would see. ``BUG (core)`` xfails: see the
module docstring of ``test_hostile_services.py``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop_perizinan import cli

FORMS = Path(__file__).resolve().parents[2] / "forms"


def bug(
    reason: str, raises: type[BaseException] | tuple[type[BaseException], ...] = AssertionError
):
    return pytest.mark.xfail(reason=f"BUG (core): {reason}", raises=raises, strict=True)


@pytest.fixture
def run(capsys):
    """``perizinan ARGV`` -> (status, stdout, stderr)."""

    def perizinan(*argv: str) -> tuple[int, str, str]:
        try:
            status = cli.main(list(argv))
        except SystemExit as exit_:  # argparse's own usage errors
            status = int(exit_.code or 0)
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return perizinan


@pytest.fixture
def places(tmp_path: Path, sqlite_url: str) -> dict[str, str]:
    garbage = tmp_path / "sampah.sqlite3"
    garbage.write_bytes(os.urandom(4096))
    other = tmp_path / "aplikasi-lain.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE resep (nama TEXT)")
    connection.close()
    bad_forms = tmp_path / "forms-rusak"
    shutil.copytree(FORMS, bad_forms)
    (bad_forms / "sampah.toml").write_bytes(os.urandom(2048))
    (bad_forms / "isian.toml").write_text(
        (FORMS / "pasuruan-nomor-induk-kesenian.toml")
        .read_text(encoding="utf-8")
        .replace("{nama_kelompok}", "{nama_kelompok.__class__}")
        .replace('"PASURUAN-NIK-KESENIAN"', '"UJI-ISIAN"'),
        encoding="utf-8",
    )
    a_file = tmp_path / "berkas.txt"
    a_file.write_text("bukan folder", encoding="utf-8")
    return {
        "tmp": str(tmp_path),
        "db": sqlite_url,
        "missing": f"sqlite:///{tmp_path}/tidak/ada/perizinan.sqlite3",
        "folder": f"sqlite:///{tmp_path}",
        "garbage": f"sqlite:///{garbage}",
        "other": f"sqlite:///{other}",
        "bad_forms": str(bad_forms),
        "file": str(a_file),
    }


def snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def expect_one_line(status: int, err: str) -> None:
    assert status != 0
    assert err.startswith("perizinan: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "db",
    [
        pytest.param("mysql://root@localhost/perizinan", id="unsupported"),
        pytest.param("bukan-url", id="not-a-url"),
        pytest.param("{missing}", id="missing-file"),
        pytest.param("{folder}", id="a-folder"),
        pytest.param("{garbage}", id="garbage-file"),
        pytest.param("{other}", id="another-apps-database"),
        pytest.param("postgresql://petugas:rahasia@127.0.0.1:1/perizinan", id="server-down"),
    ],
)
def test_audit_verify_with_a_bad_db(run, places, tmp_path, db):
    before = snapshot(tmp_path)
    status, _out, err = run("audit", "verify", "--db", db.format(**places))
    expect_one_line(status, err)
    assert "rahasia" not in err
    assert snapshot(tmp_path) == before


def test_db_given_before_the_verb_is_not_ignored(run, places, _no_real_user_folders):
    status, _out, err = run("--db", places["missing"], "audit", "verify")
    expect_one_line(status, err)
    assert "tidak" in err and "ada" in err
    assert not _no_real_user_folders.exists()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(("forms", "check", "{tmp}/tidak-ada"), "tidak ditemukan", id="missing-dir"),
        pytest.param(("forms", "check", "{file}"), "tidak ditemukan", id="a-file"),
        pytest.param(("demo", "--out", "{file}"), "", id="demo-out-is-a-file"),
        pytest.param(("demo", "--out", "{tmp}/keluar", "--db", "bukan-url"), "", id="demo-bad-db"),
        pytest.param(
            ("demo", "--out", "{tmp}/keluar", "--forms", "{tmp}/tidak-ada"),
            "",
            id="demo-missing-forms",
        ),
        pytest.param(("backup", "--db", "bukan-url"), "tidak dapat dibaca", id="backup-bad-db"),
        pytest.param(("backup", "--db", "{missing}"), "tidak ditemukan", id="backup-missing"),
        pytest.param(("backup", "--db", "{garbage}"), "bukan basis data", id="backup-garbage"),
        pytest.param(
            ("backup", "--db", "{other}"), "bukan basis data Perizinan", id="backup-other"
        ),
        pytest.param(
            ("backup", "--db", "postgresql://petugas:rahasia@127.0.0.1:1/perizinan"),
            "tidak dapat dihubungi",
            id="backup-server-down",
        ),
        pytest.param(("restore", "{file}", "--db", "{db}"), "bukan cadangan", id="restore-text"),
        pytest.param(("restore", "{tmp}", "--db", "{db}"), "folder", id="restore-folder"),
        pytest.param(
            ("restore", "{tmp}/tidak-ada.dump", "--db", "{db}"),
            "tidak ditemukan",
            id="restore-missing",
        ),
    ],
)
def test_verbs_with_bad_arguments(run, places, tmp_path, argv, expected):
    before = snapshot(tmp_path)
    status, _out, err = run(*(a.format(**places) for a in argv))
    expect_one_line(status, err)
    assert expected in err
    assert "rahasia" not in err
    created = snapshot(tmp_path) - before
    # demo may make its output folder (and the demo database it was asked to make there)
    assert created <= {"keluar", "keluar/demo.sqlite3"}, created


def test_forms_check_reports_bad_files_and_exits_1(run, places):
    status, out, err = run("forms", "check", places["bad_forms"])
    assert status == 1 and not err
    assert "sampah.toml" in out and "isian.toml" in out and "GAGAL" in out
    assert "Jenis izin dimuat (3)" in out  # the good ones still load


def test_forms_check_with_a_deeply_nested_file(run, places):
    (Path(places["bad_forms"]) / "dalam.toml").write_text(
        "a = " + "[" * 5000 + "]" * 5000, encoding="utf-8"
    )
    status, out, _err = run("forms", "check", places["bad_forms"])
    assert status == 1 and "dalam.toml" in out


def test_verify_with_bad_files(run, places, tmp_path):
    for target in (f"{tmp_path}/tidak-ada.pdf", str(tmp_path)):
        status, _out, err = run("verify", target, "--db", places["db"])
        expect_one_line(status, err)


def test_an_unknown_verb_is_a_usage_error(run):
    status, _out, err = run("hapus-semua")
    assert status == 2 and "Traceback" not in err and "hapus-semua" in err


@pytest.mark.parametrize("verb", ["backup", "restore", "audit", "forms", "demo"])
def test_every_verb_answers_help(run, verb):
    status, out, _err = run(verb, "--help")
    assert status == 0 and "--db" in out
