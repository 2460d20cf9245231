"""Blocks drawn once and copied into later documents (``documents._layout_frozen``).

A copied drawing must be exactly what drawing again would give: the same bytes (with
reportlab's invariant mode), its fonts and the emblem registered in the new document, a block
with a diacritic drawn again rather than copied, and a block longer than a page still split.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from reportlab import rl_config
from reportlab.lib.units import mm

from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents import _layout_base, _layout_build, _layout_frozen, samples
from desktop_perizinan.documents.pdf import render


def _forget_drawings() -> None:
    """Empty the per-text and per-block caches, so that the next render draws everything."""
    _layout_frozen._frozen.clear()
    _layout_base._parsed.clear()
    _layout_build._watermarks.clear()


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def invariant(monkeypatch: pytest.MonkeyPatch) -> None:
    """No creation date or random document id: two renders of one context compare equal."""
    monkeypatch.setattr(rl_config, "invariant", 1)


@pytest.mark.parametrize("name", sorted(samples.all_samples()))
def test_a_document_drawn_from_copies_is_byte_for_byte_the_drawn_one(
    name: str, invariant: None
) -> None:
    ctx = samples.all_samples()[name]
    _forget_drawings()
    drawn = render(ctx)
    copied = render(ctx)
    assert copied == drawn


def test_a_copied_kop_brings_its_emblem_and_fonts_into_the_next_document() -> None:
    ctx = samples.sample_resi()
    render(ctx)
    second = render(ctx)
    page = PdfReader(io.BytesIO(second)).pages[0]
    resources = page["/Resources"]
    images = [x for x in resources["/XObject"].values() if x.get_object()["/Subtype"] == "/Image"]
    assert len(images) == 1
    fonts = {f.get_object()["/BaseFont"] for f in resources["/Font"].values()}
    assert fonts == {"/AAAAAA+LiberationSans", "/AAAAAA+LiberationSans-Bold"}
    text = _text(second)
    assert "PEMERINTAH KABUPATEN DAIRI" in text
    assert "RESI PENERIMAAN BERKAS PERMOHONAN" in text


def test_a_block_with_a_diacritic_is_drawn_again_not_copied() -> None:
    """Non-ASCII characters get codes in the order a document first uses them: a copy from
    another document could print the wrong letters, so such a block is never copied."""
    st = L.styles(11.0)
    items = ("Surat dari Hernández", "Surat kedua")

    def pdf() -> bytes:
        block = L.numbered(items, st, 150 * mm)
        return L.build_pdf([block], L.full_page("F4"), L.LETTER_MARGINS, title="t", author="a")

    _forget_drawings()
    first, second = pdf(), pdf()
    key = ("numbered", items, st.size, 150 * mm, 1.5)
    drawings = [v for k, v in _layout_frozen._frozen[key].items() if k[0] == "drawn"]
    assert drawings == [False]
    assert "Hernández" in _text(first)
    assert "Hernández" in _text(second)


def test_a_frozen_block_longer_than_a_page_still_splits_over_pages() -> None:
    st = L.styles(11.0)
    items = tuple(f"Ketentuan nomor {i} yang berlaku bagi pemegang izin." for i in range(1, 90))

    def pdf() -> bytes:
        return L.build_pdf(
            [L.numbered(items, st, 150 * mm)],
            L.full_page("F4"),
            L.LETTER_MARGINS,
            title="t",
            author="a",
        )

    for data in (pdf(), pdf()):  # drawn, then from the cache
        reader = PdfReader(io.BytesIO(data))
        assert len(reader.pages) > 1
        text = _text(data)
        assert "Ketentuan nomor 1 yang" in text
        assert "Ketentuan nomor 89 yang" in text
