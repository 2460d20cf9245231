"""The plain stage of the documents: contexts, wording, number words and dates, no reportlab."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from dataclasses import FrozenInstanceError
from datetime import date, datetime
from pathlib import Path

import pytest

from desktop_perizinan.documents import samples
from desktop_perizinan.documents.contexts import (
    LetterContext,
    LetterKind,
    OfficeProfile,
    ParafMark,
    Signatory,
    SkrdContext,
    WordingError,
    fill_wording,
    wording_placeholders,
)
from desktop_perizinan.documents.dates import (
    format_date,
    format_date_numeric,
    format_datetime,
    format_time,
    month_name,
    roman_month,
)
from desktop_perizinan.documents.terbilang import format_rupiah, rupiah_words, terbilang
from desktop_perizinan.errors import UserError

ROOT = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------- fill_wording


def test_fill_wording_fills_and_strips_blank_edges() -> None:
    assert fill_wording("\nHalo {nama}, {{kurung}}\n", {"nama": "Ani"}) == "Halo Ani, {kurung}"


def test_fill_wording_raises_on_a_missing_placeholder_naming_all_of_them() -> None:
    with pytest.raises(WordingError) as info:
        fill_wording("{nama} dari {negara} di {alamat}", {"nama": "Ani"})
    assert info.value.missing == ("negara", "alamat")
    assert "{negara}" in str(info.value) and "{alamat}" in str(info.value)
    assert "{nama}" in str(info.value)  # the available ones are listed
    assert isinstance(info.value, UserError)


def test_fill_wording_treats_none_as_missing() -> None:
    with pytest.raises(WordingError):
        fill_wording("{nama}", {"nama": None})


@pytest.mark.parametrize("template", ["{a.__class__}", "{a[0]}", "{a!r}", "{a:>10}", "{}", "{a"])
def test_fill_wording_refuses_anything_but_plain_names(template: str) -> None:
    with pytest.raises(WordingError):
        fill_wording(template, {"a": "x"})


def test_the_shipped_wording_fills_with_the_sample_values() -> None:
    form = tomllib.loads((ROOT / "forms" / "dairi-izin-teknis-lks-asing.toml").read_text("utf-8"))
    values = samples.sample_values()
    for key in ("permit_body", "rejection_body"):
        text = fill_wording(form["wording"][key], values)
        assert "{" not in text and "}" not in text
        assert samples.LONG_NAME in text
    assert set(wording_placeholders(form["wording"]["permit_body"])) <= set(values)


# -------------------------------------------------------------------------------- terbilang


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (11, "sebelas"),
        (15, "lima belas"),
        (100, "seratus"),
        (110, "seratus sepuluh"),
        (1_000, "seribu"),
        (1_100, "seribu seratus"),
        (21_000, "dua puluh satu ribu"),
        (150_000, "seratus lima puluh ribu"),
        (2_500_000, "dua juta lima ratus ribu"),
        (1_000_000, "satu juta"),
        (1_001_001, "satu juta seribu satu"),
        (7_000_000_000, "tujuh miliar"),
        (-5, "minus lima"),
    ],
)
def test_terbilang(n: int, words: str) -> None:
    assert terbilang(n) == words


def test_rupiah_words_and_figures() -> None:
    assert rupiah_words(150_000) == "Seratus lima puluh ribu rupiah"
    assert format_rupiah(2_500_000) == "Rp 2.500.000"
    assert format_rupiah(0) == "Rp 0"


def test_terbilang_rejects_non_integers() -> None:
    with pytest.raises(TypeError):
        terbilang(1.5)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ dates


def test_dates_in_indonesian() -> None:
    d = date(2026, 11, 22)
    assert format_date(d) == "22 November 2026"
    assert format_date(d, with_day=True) == "Minggu, 22 November 2026"
    assert format_date_numeric(d) == "22-11-2026"
    at = datetime(2026, 11, 16, 9, 5)
    assert format_time(at) == "09.05"
    assert format_datetime(at) == "16 November 2026 pukul 09.05 WIB"
    assert format_datetime(at, with_day=True, zone="WITA") == (
        "Senin, 16 November 2026 pukul 09.05 WITA"
    )
    assert format_datetime(at, zone="") == "16 November 2026 pukul 09.05"
    assert month_name(2) == "Februari"
    assert [roman_month(m) for m in (1, 4, 9, 11, 12)] == ["I", "IV", "IX", "XI", "XII"]


# --------------------------------------------------------------------------------- contexts


def test_office_lines() -> None:
    office = samples.sample_office()
    assert office.government_line == "PEMERINTAH KABUPATEN DAIRI"
    assert "Telepon (0627) 21000" in office.contact_line
    assert "Kode Pos 22211" in office.contact_line
    with pytest.raises(ValueError):
        OfficeProfile(regency="X", office_name="Y", address="", city="", paper="Letter")  # type: ignore[arg-type]


def test_signatory_heading_lines() -> None:
    kadis = "Kepala Dinas PMPTSP"
    assert Signatory("A", kadis).heading_lines() == (f"{kadis},",)
    assert Signatory("A", kadis, on_behalf="Plt.").heading_lines() == (f"Plt. {kadis},",)
    assert Signatory(
        "A", "Sekretaris", on_behalf="a.n.", principal_title=kadis
    ).heading_lines() == (
        f"a.n. {kadis}",
        "Sekretaris,",
    )
    with pytest.raises(ValueError):
        Signatory("A", "Sekretaris", on_behalf="a.n.")


def test_paraf_initials_and_limit() -> None:
    mark = ParafMark("Kabid", "Ni Luh Putu Ayu", datetime(2026, 1, 2, 3, 4))
    assert mark.initials == "NLP"
    assert ParafMark("x", "Ir. Gomgom Manurung", mark.at).initials == "IGM"
    permit = samples.sample_permit(final=False)
    with pytest.raises(ValueError):
        LetterContext(**{**permit.__dict__, "paraf": permit.paraf + permit.paraf[:1]})


def test_final_means_numbered_and_not_draft() -> None:
    assert samples.sample_permit().is_final
    draft = samples.sample_permit(final=False)
    assert not draft.is_final
    assert not LetterContext(**{**draft.__dict__, "number": "1/2", "draft": True}).is_final
    assert draft.kind is LetterKind.PERMIT


def test_contexts_are_frozen() -> None:
    ctx = samples.sample_resi()
    with pytest.raises(FrozenInstanceError):
        ctx.clerk = "x"  # type: ignore[misc]


def test_skrd_amounts() -> None:
    skrd = samples.sample_skrd()
    two = SkrdContext(**{**skrd.__dict__, "items": (("a", 2_000_000), ("b", 500_000))})
    assert two.amount == 2_500_000
    assert two.amount_text == "Rp 2.500.000"
    assert two.amount_in_words == "Dua juta lima ratus ribu rupiah"


def test_importing_contexts_does_not_load_reportlab_or_openpyxl() -> None:
    code = (
        "import sys, desktop_perizinan.documents.contexts, desktop_perizinan.documents.dates, "
        "desktop_perizinan.documents.samples, desktop_perizinan.documents.xlsx_books\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('reportlab', 'openpyxl', 'segno')]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
