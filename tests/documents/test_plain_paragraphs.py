"""A paragraph of plain text is set up without reportlab's parser, exactly as the parser would.

``_layout_base.CachedParagraph`` takes the parser's fragment of the style and puts the text
in it when the text has no markup (issue 14: names and numbers are new in every document).
This compares the result with reportlab's own parse for texts of every kind that reaches
``para``: punctuation, diacritics, escapes, runs of spaces, leading and trailing space.
"""

from __future__ import annotations

import dataclasses
import random

import pytest
from reportlab.platypus import Paragraph

from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents import _layout_base

_TEXTS = [
    "Ni Luh Putu Ayu Saraswati Dewi-Hernández O'Brien Simanjuntak",
    "Yayasan Harapan Anak Nusantara & Partners International",
    "1211014507900003",
    "503/0007/IT-LKSA/DPMPTSPK/2026",
    "  spasi   di   tengah  dan tepi  ",
    "kutip \"ganda\" dan 'tunggal', titik; koma: (kurung) [siku] {kurawal} a<b>c",
    "Ñoño Łukasz Ōtsuka Nguyễn Thị Ánh — 漢字",
    "tab\tdan\u00a0nbsp",
    "100% > 50% & 3 < 4",
    "x",
]


def _random_texts() -> list[str]:
    rng = random.Random(14)
    alphabet = "abcXYZ éüñ0123456789 &<>'\".,;:-/()%#@!?\t"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 60))) for _ in range(300)]


def _reportlab(text: str, style: object) -> Paragraph:
    para = Paragraph(text, style)
    para.frags = _layout_base._merged(para.frags)
    return para


@pytest.mark.parametrize("size", [8.5, 11.0])
def test_plain_text_sets_up_as_reportlabs_parser_does(size: float) -> None:
    st = L.styles(size)
    styles = [getattr(st, f.name) for f in dataclasses.fields(st) if f.name != "size"]
    checked = 0
    for text in _TEXTS + _random_texts():
        markup = L.esc(text)
        if _layout_base._plain_text(markup) is None:
            continue
        for style in styles:
            _layout_base._parsed.clear()
            ours = L.para(text, style)
            ref = _reportlab(markup, style)
            assert ours.text == ref.text
            assert ours.style is ref.style
            assert ours.bulletText == ref.bulletText
            assert [f.__dict__ for f in ours.frags] == [f.__dict__ for f in ref.frags], text
            checked += 1
    assert checked > 1000


def test_markup_still_goes_to_the_parser() -> None:
    for text in ("<b>tebal</b>", "a&nbsp;b", "a&#x27;b", "baris<br/>kedua", "   ", ""):
        assert _layout_base._plain_text(text) is None
    assert _layout_base._plain_text("A &amp; B &lt;3&gt;") == "A & B <3>"
