"""The SOP's identity block (kualifikasi pelaksana, keterkaitan, peralatan, peringatan,
pencatatan): written in the permit-type files from the seeds, read by the loader, printed on the
SOP matrix; a wrong type is reported with its file and line like any other mistake."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop_perizinan.documents.sop_matrix import render_sop_matrix
from desktop_perizinan.services.settings import DEFAULT_PROFILE
from desktop_perizinan.workflow.loader import FormSet, load_forms, load_office, parse_permit_type

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
OFFICE = "_kantor.toml"
DAIRI_FILE = "dairi-izin-teknis-lks-asing.toml"
DAIRI = "DAIRI-LKS-ASING"
STP = "PASURUAN-STP-LKS-ASING"
KESENIAN = "PASURUAN-NIK-KESENIAN"
BROKEN = "rusak.toml"


@pytest.fixture(scope="module")
def forms() -> FormSet:
    loaded = load_forms(FORMS_DIR)
    assert loaded.problems == [], "\n".join(str(p) for p in loaded.problems)
    return loaded


def _text(pdf: bytes) -> str:
    """The PDF's text with all whitespace removed, so wrapped phrases rejoin."""
    pages = (page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join("".join(pages).split())


def _bare(text: str) -> str:
    return "".join(text.split())


def test_dairi_header_is_read_from_the_file(forms: FormSet) -> None:
    pt = forms.types[DAIRI]
    assert pt.qualifications == (
        "Berpendidikan minimal SLTA",
        "Memiliki pengetahuan/keterampilan ketatausahaan di bidang perizinan",
    )
    assert pt.related == ("SOP Surat Masuk", "Rekomendasi dari Tim Teknis")
    assert pt.equipment == ("Komputer", "Kertas/Blangko", "ATK")
    assert len(pt.warnings_text) == 2 and "Tim Teknis terlambat" in pt.warnings_text[1]
    assert pt.records == ("Disimpan sebagai data Elektronik dan Manual",)
    assert pt.warnings == ()  # the loader's own notes stay separate from the SOP's Peringatan


@pytest.mark.parametrize(
    ("code", "subject"),
    [
        (STP, "Surat Tanda Pendaftaran Lembaga Kesejahteraan Sosial Asing"),
        (KESENIAN, "Nomor Induk Kesenian"),
    ],
)
def test_pasuruan_headers_follow_their_seeds(forms: FormSet, code: str, subject: str) -> None:
    pt = forms.types[code]
    assert subject in pt.qualifications[0] and pt.qualifications[1] == (
        "Mampu mengoperasikan komputer"
    )
    assert pt.related == ()  # the SOP writes "-"
    assert pt.equipment == ("Meja & Kursi", "Komputer & Jaringan", "ATK", "Kendaraan")
    assert len(pt.warnings_text) == 1 and pt.warnings_text[0].endswith(subject)
    assert pt.records == ("Rekomendasi Teknis",)


def test_the_dairi_matrix_prints_the_header(forms: FormSet) -> None:
    pt = forms.types[DAIRI]
    text = _text(render_sop_matrix(pt, forms.office, DEFAULT_PROFILE))
    for title in (
        "KualifikasiPelaksana",
        "Keterkaitan",
        "Peralatan/Perlengkapan",
        "Peringatan",
        "PencatatandanPendataan",
    ):
        assert title in text
    assert "BerpendidikanminimalSLTA" in text  # Dairi's Kualifikasi pelaksana
    for item in (*pt.related, *pt.equipment, *pt.warnings_text, *pt.records):
        assert _bare(item) in text, item


def test_an_empty_section_prints_as_a_dash_in_its_own_cell(forms: FormSet) -> None:
    pt = forms.types[STP]
    text = _text(render_sop_matrix(pt, forms.office, DEFAULT_PROFILE))
    assert "Keterkaitan:-" in text  # the form's cell stays, with the SOP's "-"
    assert _bare(pt.warnings_text[0]) in text


def test_a_permit_type_without_a_header_prints_only_the_legal_basis(forms: FormSet) -> None:
    pt = replace(
        forms.types[DAIRI],
        qualifications=(),
        related=(),
        equipment=(),
        warnings_text=(),
        records=(),
    )
    text = _text(render_sop_matrix(pt, forms.office, DEFAULT_PROFILE))
    assert "DasarHukum" in text
    assert "KualifikasiPelaksana" not in text and "Keterkaitan" not in text


# ---------------------------------------------------------------------- mistakes in the file


def _load_broken(tmp_path: Path, text: str) -> list:
    shutil.copy(FORMS_DIR / OFFICE, tmp_path / OFFICE)
    (tmp_path / BROKEN).write_text(text, encoding="utf-8")
    loaded = load_forms(tmp_path)
    assert loaded.types == {}, "the broken file must not load"
    assert {p.file for p in loaded.problems} == {BROKEN}
    return loaded.problems


def _line_of(text: str, needle: str) -> int:
    return text.count("\n", 0, text.index(needle)) + 1


def _shipped() -> str:
    return (FORMS_DIR / DAIRI_FILE).read_text(encoding="utf-8")


def _replace_array(text: str, key: str, new: str) -> str:
    start = text.index(f"\n{key} = [") + 1
    end = text.index("]\n", start) + 2
    return text[:start] + new + text[end:]


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("qualifications", "qualifications = 3\n", '"qualifications" harus berupa daftar teks'),
        ("related", 'related = "SOP Surat Masuk"\n', '"related" harus berupa daftar teks'),
        ("equipment", "equipment = [1, 2]\n", 'isi ke-1 dari "equipment" harus teks'),
        ("warnings", "warnings = { a = 1 }\n", '"warnings" harus berupa daftar teks'),
        ("records", 'records = ["Arsip", "  "]\n', 'isi ke-2 dari "records" kosong'),
    ],
)
def test_a_wrong_type_is_reported_with_file_and_line(
    tmp_path: Path, key: str, value: str, fragment: str
) -> None:
    text = _replace_array(_shipped(), key, value)
    problems = _load_broken(tmp_path, text)
    line = _line_of(text, value.strip())
    matching = [p for p in problems if fragment in p.message]
    assert matching, "\n".join(str(p) for p in problems)
    problem = matching[0]
    assert problem.line == line and problem.fix
    assert str(problem).startswith(f"{BROKEN} baris {line}: ")


def test_a_misspelt_header_key_is_refused(tmp_path: Path) -> None:
    text = _shipped().replace("\nequipment = [", "\nequipments = [", 1)
    problems = _load_broken(tmp_path, text)
    assert any(
        'kunci "equipments" tidak dikenal' in p.message
        and p.line == _line_of(text, "equipments = [")
        for p in problems
    ), "\n".join(str(p) for p in problems)


def test_the_header_keys_are_optional() -> None:
    text = _shipped()
    for key in ("qualifications", "related", "equipment", "warnings", "records"):
        text = _replace_array(text, key, "")
    pt = parse_permit_type(text, DAIRI_FILE, load_office(FORMS_DIR / OFFICE))
    assert (pt.qualifications, pt.related, pt.equipment, pt.warnings_text, pt.records) == (
        (),
        (),
        (),
        (),
        (),
    )
