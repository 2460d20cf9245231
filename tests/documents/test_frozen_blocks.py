"""Blocks drawn once and copied into later documents (``documents._layout_frozen``).

A copied drawing must be exactly what drawing again would give: the same bytes (with
reportlab's invariant mode), its fonts and the emblem registered in the new document, a block
with a diacritic copied only where the letter keeps its code, a block longer than a page split.
"""

from __future__ import annotations

import io
import re
from typing import Any

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
    recorded = render(ctx)  # a paragraph is recorded when it is drawn a second time
    copied = render(ctx)
    assert recorded == drawn
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


def test_a_block_with_a_diacritic_is_copied_only_where_it_keeps_its_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Characters outside ASCII get codes in the order a document first uses them: a copy is
    made where "é" gets the code it had when recorded, and drawn again where another letter
    took that code first (else the copy would print the wrong letter)."""
    st = L.styles(11.0)
    items = ("Surat dari Hernández", "Surat kedua")
    key = ("numbered", items, st.size, 150 * mm, 1.5)

    def pdf(*before: str) -> bytes:
        story = [L.para(text, st.body) for text in before]
        story.append(L.numbered(items, st, 150 * mm))
        return L.build_pdf(story, L.full_page("F4"), L.LETTER_MARGINS, title="t", author="a")

    _forget_drawings()
    first = pdf()
    (seen,) = [v for k, v in _layout_frozen._frozen[key].items() if k[0] == "drawn"]
    assert seen is _layout_frozen._SEEN  # drawn once: not recorded yet
    pdf()
    (recorded,) = [v for k, v in _layout_frozen._frozen[key].items() if k[0] == "drawn"]
    assert recorded  # "é" is recorded with its code, so the block can be copied
    replays: list[tuple[object, bool]] = []
    real_replay = _layout_frozen.replay

    def watch(canv: Any, drawn: _layout_frozen.Drawn) -> bool:
        done = real_replay(canv, drawn)
        replays.append((drawn, done))
        return done

    monkeypatch.setattr(_layout_frozen, "replay", watch)
    second = pdf()
    third = pdf("Tuan Müller")  # "ü" takes the code "é" had
    assert [done for drawn, done in replays if drawn is recorded] == [True, False]
    for data in (first, second, third):
        assert "Surat dari Hernández" in _text(data)
    assert "Tuan Müller" in _text(third)


def test_a_block_drawn_once_is_not_recorded(invariant: None) -> None:
    """A berita acara's team with a member never seen before: drawn, nothing kept but the
    mark that it was seen; recorded when it is drawn again, copied from then on."""
    ctx = samples.sample_berita_acara()
    _forget_drawings()
    first = render(ctx)

    def team_drawings() -> list[object]:
        return [
            v
            for key, entry in _layout_frozen._frozen.items()
            if key[0] == "berita-acara-team"
            for k, v in entry.items()
            if k[0] == "drawn"
        ]

    assert team_drawings() == [_layout_frozen._SEEN]
    assert render(ctx) == first
    (recorded,) = team_drawings()
    assert isinstance(recorded, _layout_frozen.Drawn)
    assert render(ctx) == first


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

    for data in (pdf(), pdf(), pdf()):  # drawn, recorded, copied
        reader = PdfReader(io.BytesIO(data))
        assert len(reader.pages) > 1
        text = _text(data)
        assert "Ketentuan nomor 1 yang" in text
        assert "Ketentuan nomor 89 yang" in text
