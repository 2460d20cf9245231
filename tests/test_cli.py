"""The ``perizinan`` command as an administrator uses it."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from desktop_perizinan.cli import main

FORMS = Path(__file__).resolve().parents[1] / "forms"


def test_forms_check_lists_the_three_types(capsys):
    assert main(["forms", "check", str(FORMS)]) == 0
    out = capsys.readouterr().out
    for code, steps in [
        ("DAIRI-LKS-ASING", 23),
        ("PASURUAN-STP-LKS-ASING", 7),
        ("PASURUAN-NIK-KESENIAN", 6),
    ]:
        line = next(line for line in out.splitlines() if code in line)
        assert f"{steps} langkah" in line


def test_forms_check_names_the_broken_file_and_line_and_still_loads_the_others(tmp_path, capsys):
    for path in FORMS.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    broken = tmp_path / "pasuruan-nomor-induk-kesenian.toml"
    lines = broken.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("time = "))
    lines[index] = 'time = "dua jam"'
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["forms", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"pasuruan-nomor-induk-kesenian.toml baris {index + 1}" in out
    assert "dua jam" in out
    assert "DAIRI-LKS-ASING" in out and "PASURUAN-STP-LKS-ASING" in out


def test_unknown_folder_is_one_line_and_non_zero(tmp_path, capsys):
    assert main(["forms", "check", str(tmp_path / "tidak-ada")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("perizinan: ") and "\n" not in err


def test_help_answers_without_a_database():
    result = subprocess.run(
        [sys.executable, "-m", "desktop_perizinan", "demo", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--out" in result.stdout and "--db" in result.stdout


def _pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _book_numbers(path: Path) -> list[str]:
    """The "Nomor" column of an exported book, read back as Excel shows it."""
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    header_index = next(i for i, row in enumerate(rows) if row and row[0] in ("No. Urut", "No."))
    header = rows[header_index]
    column = next(i for i, title in enumerate(header) if str(title).startswith("Nomor"))
    return [str(row[column]) for row in rows[header_index + 1 :] if row and row[column]]


@pytest.mark.slow
def test_demo_writes_documents_and_books_that_agree(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "4 (3 izin terbit, 1 ditolak)" in out
    books = {p.name: _book_numbers(p) for p in (tmp_path / "buku").glob("*.xlsx")}
    permits = books["buku-agenda-izin_lks_asing-2026.xlsx"]
    outgoing = books["buku-agenda-surat_keluar-2026.xlsx"]
    register = books["buku-agenda-registrasi-2026.xlsx"]
    assert register == [f"REG/2026/{n:05d}" for n in range(1, 5)]
    assert permits == ["503/0001/IT-LKSA/DPMPTSPK/2026"]
    # Every final permit and rejection letter prints a number that is a row of its book.
    finals = {}
    for folder in (tmp_path / "dokumen").iterdir():
        for kind in ("izin", "penolakan"):
            versions = sorted(folder.glob(f"*-{kind}-v*.pdf"))
            if versions:
                finals[(folder.name, kind)] = _pdf_text(versions[-1])
    assert len(finals) == 4
    all_numbers = [n for numbers in books.values() for n in numbers]
    for (folder, kind), text in finals.items():
        printed = [n for n in all_numbers if n in text]
        assert printed, f"{folder} {kind}: no book number printed"
    rejection = next(t for (_f, k), t in finals.items() if k == "penolakan")
    assert any(n in rejection for n in outgoing)
    # The two Dairi letters were delivered by hand: both are in the expedition book.
    permit_number, rejection_number = permits[0], next(n for n in outgoing if n in rejection)
    assert sorted(books["buku-ekspedisi-2026.xlsx"]) == sorted([permit_number, rejection_number])


def test_demo_refuses_a_database_that_is_not_fresh(tmp_path, capsys, sqlite_url):
    assert main(["demo", "--out", str(tmp_path / "a"), "--db", sqlite_url]) == 0
    capsys.readouterr()
    assert main(["demo", "--out", str(tmp_path / "b"), "--db", sqlite_url]) == 2
    assert "basis data baru" in capsys.readouterr().err
