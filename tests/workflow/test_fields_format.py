"""The file's own applicant labels, date-or-lifetime fields and closing sentences (issue 11):
read as written, defaults that keep the shipped types unchanged, and every mistake refused or
warned with file, line and fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_perizinan.errors import ValidationError
from desktop_perizinan.workflow.definition import FieldType, FormField, OfficeConfig
from desktop_perizinan.workflow.fields import (
    DEFAULT_APPLICANT,
    DEFAULT_PERMIT_CLOSING,
    DEFAULT_REJECTION_CLOSING,
)
from desktop_perizinan.workflow.loader import (
    FormProblem,
    load_forms,
    load_office,
    parse_permit_type,
)
from desktop_perizinan.workflow.validators import clean_field

ROOT = Path(__file__).resolve().parents[2]
OWN = ROOT / "tests" / "forms_demo"
PENCABUTAN = "uji-pencabutan.toml"
BROKEN = "rusak.toml"


@pytest.fixture(scope="module")
def office() -> OfficeConfig:
    return load_office(OWN / "_kantor.toml")


def own(name: str = PENCABUTAN) -> str:
    return (OWN / name).read_text(encoding="utf-8")


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text.count("\n", 0, text.index(needle)) + 1


def problems_of(tmp_path: Path, text: str) -> list[FormProblem]:
    shutil.copy(OWN / "_kantor.toml", tmp_path / "_kantor.toml")
    (tmp_path / BROKEN).write_text(text, encoding="utf-8")
    forms = load_forms(tmp_path)
    assert forms.types == {}, "the broken file must not load"
    return forms.problems


def test_applicant_section_is_read_as_the_sop_writes_it(office):
    pt = parse_permit_type(own(), PENCABUTAN, office)
    assert pt.applicant.name.label == "Nama Pemohon sesuai SK"
    assert pt.applicant.name.print_label == "Nama pemegang izin"
    assert pt.applicant.name.required
    assert pt.applicant.address.label == "Alamat Lengkap — tidak boleh disingkat"
    # The instruction after the dash is not printed on the letter.
    assert pt.applicant.address.print_label == "Alamat Lengkap"
    assert pt.applicant.address.required and pt.applicant.address.declared
    assert pt.wording.permit_closing.startswith("Demikian keputusan pencabutan izin ini")
    assert pt.wording.rejection_closing == "Atas perhatian Saudara kami ucapkan terima kasih."
    lifetime = next(f for f in pt.fields if f.key == "berlaku_sampai")
    assert lifetime.type is FieldType.DATE_OR_LIFETIME and lifetime.lifetime == "Seumur Hidup"


def test_shipped_types_keep_the_defaults():
    forms = load_forms(ROOT / "forms")
    for pt in forms.types.values():
        assert pt.applicant == DEFAULT_APPLICANT
        assert pt.wording.permit_closing == DEFAULT_PERMIT_CLOSING
        assert pt.wording.rejection_closing == DEFAULT_REJECTION_CLOSING
        assert pt.wording.permit_tembusan == pt.wording.permit_considerations == ()


def test_unknown_key_in_applicant_is_refused_with_its_line(tmp_path):
    text = edit(own(), "address_required = true", "address_wajib = true")
    problems = problems_of(tmp_path, text)
    problem = next(p for p in problems if "address_wajib" in p.message)
    assert problem.line == line_of(text, "address_wajib")
    assert problem.fix


def test_a_mandatory_flag_must_be_true_or_false(tmp_path):
    text = edit(own(), "address_required = true", 'address_required = "ya"')
    problems = problems_of(tmp_path, text)
    problem = next(p for p in problems if "address_required" in p.message)
    assert problem.line == line_of(text, 'address_required = "ya"')
    assert "true" in problem.fix


def test_unknown_placeholder_in_a_closing_sentence_is_refused(tmp_path):
    text = edit(own(), "ini dibuat untuk dilaksanakan", "ini {nomor_lama} dibuat")
    problems = problems_of(tmp_path, text)
    problem = next(p for p in problems if "{nomor_lama}" in p.message)
    assert problem.line == line_of(text, "{nomor_lama}")
    assert "permit_closing" in problem.message


def test_an_empty_lifetime_wording_is_refused(tmp_path):
    text = edit(own(), 'type = "date_or_lifetime"', 'type = "date_or_lifetime"\nlifetime = ""')
    problems = problems_of(tmp_path, text)
    problem = next(p for p in problems if "lifetime" in p.message)
    assert problem.line == line_of(text, 'lifetime = ""')


def test_lifetime_on_another_field_type_is_a_warning(office):
    text = edit(own(), 'type = "date"\n', 'type = "date"\nlifetime = "Selamanya"\n')
    pt = parse_permit_type(text, PENCABUTAN, office)
    assert any("lifetime diabaikan" in w for w in pt.warnings)


def test_date_or_lifetime_accepts_a_date_or_the_wording():
    spec = FormField("berlaku", "Masa berlaku", FieldType.DATE_OR_LIFETIME)
    assert clean_field(spec, "17-08-2030") == "2030-08-17"
    assert clean_field(spec, "  seumur   HIDUP ") == "Seumur Hidup"
    own_word = FormField(
        "b", "Berlaku", FieldType.DATE_OR_LIFETIME, lifetime="Selama Usaha Berjalan"
    )
    assert clean_field(own_word, "selama usaha berjalan") == "Selama Usaha Berjalan"
    with pytest.raises(ValidationError) as caught:
        clean_field(spec, "besok")
    assert caught.value.message == (
        'Masa berlaku: tulis tanggal HH-BB-TTTT (misalnya 17-08-2026) atau "Seumur Hidup".'
    )


def test_tembusan_must_be_a_list_of_text(tmp_path):
    text = edit(own(), 'rejection_tembusan = ["Arsip"]', 'rejection_tembusan = "Arsip"')
    problems = problems_of(tmp_path, text)
    problem = next(p for p in problems if "rejection_tembusan" in p.message)
    assert problem.line == line_of(text, 'rejection_tembusan = "Arsip"')
    assert "[" in problem.fix


def test_considerations_and_tembusan_are_read(office):
    pt = parse_permit_type(own(), PENCABUTAN, office)
    assert pt.wording.permit_tembusan == ("Bupati Uji (sebagai laporan)", "Camat setempat")
    assert pt.wording.rejection_tembusan == ("Arsip",)
    assert len(pt.wording.permit_considerations) == 2
