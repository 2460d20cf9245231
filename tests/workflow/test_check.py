"""``perizinan forms check``: the report an administrator reads after editing a form."""

from __future__ import annotations

import shutil
from pathlib import Path

from desktop_perizinan.workflow.check import run_check

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"


def test_shipped_forms_pass(tmp_path: Path) -> None:
    text, status = run_check(FORMS_DIR)
    assert status == 0, text
    lines = text.splitlines()
    dairi = next(line for line in lines if line.strip().startswith("DAIRI-LKS-ASING "))
    assert "23 langkah" in dairi
    assert "terbit: 9 Hari 10 Jam | ditolak: 9 Hari 13 Jam" in dairi
    stp = next(line for line in lines if line.strip().startswith("PASURUAN-STP-LKS-ASING "))
    assert "7 langkah" in stp and "terbit: 8 Hari 1 Jam 30 Menit" in stp
    assert "(SOP: 8 Hari 90 Menit, sesuai)" in stp
    kesenian = next(line for line in lines if line.strip().startswith("PASURUAN-NIK-KESENIAN "))
    assert "6 langkah" in kesenian and "sesuai" in kesenian
    assert lines[-1].startswith("OK")
    assert text.isascii()  # any Windows console code page prints it


def test_problems_are_listed_with_file_and_line_and_fail(tmp_path: Path) -> None:
    for name in ("_kantor.toml", "pasuruan-nomor-induk-kesenian.toml"):
        shutil.copy(FORMS_DIR / name, tmp_path / name)
    broken = (FORMS_DIR / "pasuruan-stp-lks-asing.toml").read_text(encoding="utf-8")
    broken = broken.replace('actor = "kadis"', 'actor = "kabag"', 1)
    (tmp_path / "stp.toml").write_text(broken, encoding="utf-8")
    line = broken.count("\n", 0, broken.index('actor = "kabag"')) + 1

    text, status = run_check(tmp_path)
    assert status == 1
    assert "PASURUAN-NIK-KESENIAN" in text  # the good file still loads
    assert "PASURUAN-STP-LKS-ASING" not in text
    assert f'  stp.toml baris {line}: peran "kabag" tidak dikenal. Perbaikan: ' in text
    assert text.splitlines()[-1].startswith("GAGAL: 1 masalah pada 1 berkas")


def test_missing_folder_fails(tmp_path: Path) -> None:
    text, status = run_check(tmp_path / "tidak-ada")
    assert status == 1
    assert "folder formulir tidak ditemukan" in text
