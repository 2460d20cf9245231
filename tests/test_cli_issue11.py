"""``perizinan demo --forms``, ``perizinan sop-matrix`` and ``PERIZINAN_FORMS_DIR`` (issue 11)."""

from __future__ import annotations

import shutil
from pathlib import Path

from pypdf import PdfReader

from desktop_perizinan.cli import main
from desktop_perizinan.paths import ENV_FORMS_DIR
from desktop_perizinan.services.app import Services

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "forms"
OWN_FORMS = ROOT / "tests" / "forms_demo"


def _pdf_text(path: Path) -> str:
    """The text of every page with line breaks and runs of spaces made one space (the matrix
    wraps long cells)."""
    text = " ".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return " ".join(text.split())


def test_demo_runs_every_type_of_another_folder_and_says_so(tmp_path, capsys):
    assert main(["demo", "--forms", str(OWN_FORMS), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "4 (3 izin terbit, 1 ditolak)" in out
    assert "OK    UJI-TANPA-KELENGKAPAN / penolakan: 800/001/UJI/2026" in out
    assert "OK    UJI-DENGAN-KELENGKAPAN / izin [berkas tidak lengkap]" in out
    assert "GAGAL" not in out


def test_demo_exits_1_when_a_type_does_not_reach_a_numbered_final(tmp_path, capsys, monkeypatch):
    from desktop_perizinan.cli import demo as demo_verb
    from desktop_perizinan.services.esign.errors import SigningError

    def kepala_cannot_sign(services, actor):
        if "kepala_kantor" in actor.roles:
            raise SigningError("Sertifikat Kepala Kantor kedaluwarsa.")
        return None  # everyone else signs wet

    def refusing(args):
        # Electronic signing whose backend refuses one signer: that type cannot finish.
        return kepala_cannot_sign

    monkeypatch.setitem(demo_verb.SIGNING, "basah", refusing)
    status = main(["demo", "--forms", str(OWN_FORMS), "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert status == 1, out
    assert "GAGAL UJI-TANPA-KELENGKAPAN / izin" in out
    assert "Sertifikat Kepala Kantor kedaluwarsa." in out
    assert "GAGAL UJI-PENCABUTAN / izin" in out
    assert "GAGAL: 3 dari 4 jalur" in out


def test_sop_matrix_writes_one_pdf_per_type_with_the_sop_table(tmp_path, capsys):
    out = tmp_path / "sop"
    assert main(["sop-matrix", "--forms", str(OWN_FORMS), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "sop-uji-dengan-kelengkapan.pdf",
        "sop-uji-pencabutan.pdf",
        "sop-uji-tanpa-kelengkapan.pdf",
    ]
    text = _pdf_text(out / "sop-uji-tanpa-kelengkapan.pdf")
    for expected in (
        "SOP/UJI/01/2026",
        "Staf backoffice memverifikasi berkas",
        "Arsiparis memberi nomor surat penolakan",
        "Kepala Kantor",
    ):
        assert expected in text
    assert "3 matriks SOP ditulis" in capsys.readouterr().out


def test_sop_matrix_reports_a_broken_file_and_still_prints_the_others(tmp_path, capsys):
    forms = tmp_path / "forms"
    shutil.copytree(OWN_FORMS, forms)
    (forms / "rusak.toml").write_text('code = "RUSAK"\nname = \n', encoding="utf-8")
    assert main(["sop-matrix", "--forms", str(forms), "--out", str(tmp_path / "sop")]) == 1
    captured = capsys.readouterr()
    assert "rusak.toml" in captured.err
    assert len(list((tmp_path / "sop").glob("*.pdf"))) == 3


def test_sop_matrix_refuses_a_missing_folder(tmp_path, capsys):
    assert main(["sop-matrix", "--forms", str(tmp_path / "tidak-ada")]) == 2
    assert "tidak ditemukan" in capsys.readouterr().err


def test_every_verb_and_services_follow_perizinan_forms_dir(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(ENV_FORMS_DIR, str(OWN_FORMS))
    assert main(["forms", "check"]) == 0
    assert "UJI-TANPA-KELENGKAPAN" in capsys.readouterr().out
    assert main(["sop-matrix", "--out", str(tmp_path / "sop")]) == 0
    assert len(list((tmp_path / "sop").glob("*.pdf"))) == 3
    capsys.readouterr()
    services = Services.open(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        assert sorted(services.forms.types) == [
            "UJI-DENGAN-KELENGKAPAN",
            "UJI-PENCABUTAN",
            "UJI-TANPA-KELENGKAPAN",
        ]
    finally:
        services.close()
    # --forms still wins over the variable.
    assert main(["forms", "check", "--forms", str(FORMS)]) == 0
    assert "DAIRI-LKS-ASING" in capsys.readouterr().out


def test_sop_matrix_prints_the_offices_profile_from_db_and_pages_as_png(
    tmp_path, capsys, sqlite_url
):
    from desktop_perizinan.services.demo import create_demo_users

    services = Services.open(sqlite_url, OWN_FORMS)
    try:
        create_demo_users(services)  # saves the demo office's profile (head of office)
    finally:
        services.close()
    bare, with_db = tmp_path / "bare", tmp_path / "db"
    assert main(["sop-matrix", "--forms", str(OWN_FORMS), "--out", str(bare)]) == 0
    args = ["sop-matrix", "--forms", str(OWN_FORMS), "--out", str(with_db), "--db", sqlite_url]
    if shutil.which("pdftoppm"):
        args.append("--png")
    assert main([*args, "--paper", "A4"]) == 0
    name = "sop-uji-pencabutan.pdf"
    assert "MARISI SIANTURI" not in _pdf_text(bare / name)
    assert "MARISI SIANTURI" in _pdf_text(with_db / name)
    width, height = (float(v) for v in PdfReader(with_db / name).pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape
    if shutil.which("pdftoppm"):
        assert (with_db / "sop-uji-pencabutan.png").is_file()


def test_demo_exits_1_when_a_file_of_the_folder_does_not_load(tmp_path, capsys):
    forms = tmp_path / "forms"
    shutil.copytree(OWN_FORMS, forms)
    (forms / "rusak.toml").write_text('code = "RUSAK"\nname = \n', encoding="utf-8")
    assert main(["demo", "--forms", str(forms), "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert "OK    UJI-PENCABUTAN / izin" in out  # the others still ran
    assert "rusak.toml" in out
    assert (
        "GAGAL: 0 dari 4 jalur tidak sampai ke surat bernomor yang sah; 1 berkas tidak dimuat."
        in out
    )
