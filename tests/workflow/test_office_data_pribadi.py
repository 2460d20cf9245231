"""``[data_pribadi]`` of forms/_kantor.toml (UU PDP): retention years and the roles that see a
NIK in full, read and checked with file, line and fix like the rest of the office file."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_perizinan.workflow.form_problems import FormFileError
from desktop_perizinan.workflow.office_file import parse_office

SHIPPED = (Path(__file__).resolve().parents[2] / "forms" / "_kantor.toml").read_text("utf-8")


def test_shipped_office_file_sets_retention_and_full_nik_roles() -> None:
    office = parse_office(SHIPPED)
    assert office.retention_years == 5
    assert office.full_nik_roles == ("front_office", "backoffice")


def test_without_the_section_the_services_defaults_apply() -> None:
    text = SHIPPED[: SHIPPED.index("[data_pribadi]")]
    office = parse_office(text)
    assert office.retention_years is None and office.full_nik_roles is None


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("retensi_tahun = 5", "retensi_tahun = 0", "1 sampai 100"),
        ("retensi_tahun = 5", 'retensi_tahun = "lima"', "bilangan bulat"),
        ('"backoffice"]', '"kasi"]', "peran kasi tidak dikenal"),
        ('"backoffice"]', '"pemohon"]', "peran pemohon tidak dikenal"),
        ("nik_lengkap", "nik_penuh", 'kunci "nik_penuh" tidak dikenal'),
    ],
)
def test_a_wrong_section_is_refused_with_line_and_fix(old: str, new: str, fragment: str) -> None:
    with pytest.raises(FormFileError) as caught:
        parse_office(SHIPPED.replace(old, new))
    (problem,) = caught.value.problems
    key = "retensi_tahun" if "retensi" in old else "nik_lengkap"
    line = next(n for n, text in enumerate(SHIPPED.splitlines(), 1) if text.startswith(key))
    assert fragment in str(problem) and f"baris {line}" in str(problem)
