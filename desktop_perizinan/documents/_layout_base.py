"""The shared basics of every document: paper sizes, margins, colours, paragraph styles, text.

Private to the package (see :mod:`desktop_perizinan.documents._layout`, which re-exports it).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, TableStyle
from reportlab.platypus.paragraph import textTransformFrags
from reportlab.platypus.paraparser import ParaParser

from desktop_perizinan.documents._layout_fonts import FONT, FONT_BOLD, register_fonts
from desktop_perizinan.documents._layout_frozen import canvas_state, record, replay
from desktop_perizinan.documents.dates import format_date

# -------------------------------------------------------------------------------------- paper

PAPER_SIZES: dict[str, tuple[float, float]] = {
    "F4": (215 * mm, 330 * mm),
    "A4": (210 * mm, 297 * mm),
}


def full_page(paper: str) -> tuple[float, float]:
    """Portrait F4 (215 × 330 mm) or A4."""
    return PAPER_SIZES[paper]


def half_page(paper: str) -> tuple[float, float]:
    """Half a sheet, landscape: 215 × 165 mm for F4, 210 × 148.5 mm (A5) for A4."""
    width, height = PAPER_SIZES[paper]
    return width, height / 2


@dataclass(frozen=True)
class Margins:
    top: float
    right: float
    bottom: float
    left: float


#: Tata Naskah Dinas: top 2 cm, right 2 cm, bottom 2.5 cm, left 3 cm (binding side).
LETTER_MARGINS = Margins(top=20 * mm, right=20 * mm, bottom=25 * mm, left=30 * mm)
HALF_MARGINS = Margins(top=9 * mm, right=12 * mm, bottom=9 * mm, left=15 * mm)
THERMAL_WIDTH = 80 * mm
THERMAL_MARGINS = Margins(top=4 * mm, right=4 * mm, bottom=6 * mm, left=4 * mm)

# ------------------------------------------------------------------------------------- styles

INK = colors.black
GREY = colors.Color(0.35, 0.35, 0.35)
LIGHT = colors.Color(0.93, 0.93, 0.93)
RULE = colors.Color(0.2, 0.2, 0.2)
DRAFT_RED = colors.Color(0.75, 0.1, 0.1)


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one document, scaled from one base size."""

    size: float
    body: ParagraphStyle
    justify: ParagraphStyle
    bold: ParagraphStyle
    small: ParagraphStyle
    small_bold: ParagraphStyle
    small_center: ParagraphStyle
    tiny: ParagraphStyle
    tiny_center: ParagraphStyle
    center: ParagraphStyle
    center_bold: ParagraphStyle
    right: ParagraphStyle
    title: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_center: ParagraphStyle
    cell_right: ParagraphStyle


@cache
def styles(size: float = 11.0) -> Styles:
    """Styles for a base font size: 11 pt on letters, 9 on half-page slips, 8 on thermal."""
    register_fonts()
    lead = round(size * 1.3, 1)

    def make(name: str, **kw: Any) -> ParagraphStyle:
        base: dict[str, Any] = {
            "fontName": FONT,
            "fontSize": size,
            "leading": lead,
            "textColor": INK,
            # never break a name at its hyphen ("Dewi-" / "Hernández"); over-long words still
            # split rather than run into the margin
            "embeddedHyphenation": 0,
            "splitLongWords": 1,
        }
        base.update(kw)
        return ParagraphStyle(f"{name}-{size}", **base)

    small = size - 1.5
    tiny = max(size - 2.5, 6.5)
    cell = size - 1
    return Styles(
        size=size,
        body=make("body"),
        justify=make("justify", alignment=TA_JUSTIFY),
        bold=make("bold", fontName=FONT_BOLD),
        small=make("small", fontSize=small, leading=round(small * 1.25, 1)),
        small_bold=make(
            "small_bold", fontName=FONT_BOLD, fontSize=small, leading=round(small * 1.25, 1)
        ),
        small_center=make(
            "small_center", fontSize=small, leading=round(small * 1.25, 1), alignment=TA_CENTER
        ),
        tiny=make("tiny", fontSize=tiny, leading=round(tiny * 1.25, 1), textColor=GREY),
        tiny_center=make(
            "tiny_center",
            fontSize=tiny,
            leading=round(tiny * 1.25, 1),
            textColor=GREY,
            alignment=TA_CENTER,
        ),
        center=make("center", alignment=TA_CENTER),
        center_bold=make("center_bold", alignment=TA_CENTER, fontName=FONT_BOLD),
        right=make("right", alignment=TA_RIGHT),
        title=make(
            "title",
            alignment=TA_CENTER,
            fontName=FONT_BOLD,
            fontSize=size + 2,
            leading=round((size + 2) * 1.25, 1),
        ),
        cell=make("cell", fontSize=cell, leading=round(cell * 1.25, 1)),
        cell_bold=make(
            "cell_bold", fontName=FONT_BOLD, fontSize=cell, leading=round(cell * 1.25, 1)
        ),
        cell_center=make(
            "cell_center", alignment=TA_CENTER, fontSize=cell, leading=round(cell * 1.25, 1)
        ),
        cell_right=make(
            "cell_right", alignment=TA_RIGHT, fontSize=cell, leading=round(cell * 1.25, 1)
        ),
    )


def esc(text: str | None) -> str:
    """User text made safe for a reportlab Paragraph; line breaks kept.

    Names and addresses come from the counter: an "&" or "<" must print, not break the markup.
    """
    if not text:
        return ""
    return escape(text.strip()).replace("\r\n", "\n").replace("\n", "<br/>")


#: A paragraph's drawing seen once (see ``CachedParagraph.draw``).
_SEEN = 0

#: Parsed markup by (text, style): (the style it was parsed with, the cleaned text, the
#: style after parsing, fragments, bullet text). Labels, headings and the kop repeat in every
#: document; names and numbers are new keys. Bounded, oldest dropped.
_parsed: OrderedDict[tuple[str, int], tuple[Any, ...]] = OrderedDict()
_parsed_lock = threading.Lock()
PARSED_CACHE_SIZE = 2048


class CachedParagraph(Paragraph):
    """A Paragraph that parses its markup once per (text, style) and breaks its lines once per
    width.

    reportlab wraps the same paragraph two to four times per document (a table measures its
    cells, ``KeepTogether`` measures its content, the frame wraps again, a table cell is wrapped
    once more when drawn), each time breaking the lines anew: a quarter of a letter's render
    time; and it parses the same labels and headings in every document with ``html.parser``.
    Lines depend only on the text, the style and the widths, so they are kept per widths, and
    shared by every paragraph of the same (text, style): the labels, headings and legal bases
    of the next document are not broken again. Drawing only reads the lines; reportlab's
    ``split`` may append a space to a line's fragment in place, so a paragraph about to split
    breaks its own private copy first. Parsed fragments are cloned for each paragraph.
    """

    _shared_lines: dict[Any, Any] | None = None

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any, cleaner: Any) -> None:
        if frags is not None or not isinstance(text, str):
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        key = (text, id(style))
        with _parsed_lock:
            hit = _parsed.get(key)
            if hit is not None and hit[0] is style:
                _parsed.move_to_end(key)
            else:
                hit = None
        if hit is None:
            plain = _plain_text(text)
            if plain is None:
                super()._setup(text, style, bulletText, None, cleaner)
                self.frags = _merged(self.frags)
            else:
                self._setup_plain(text, plain, style, bulletText, cleaner)
            entry = (style, self.text, self.style, self.frags, self.bulletText, {})
            with _parsed_lock:
                _parsed[key] = entry
                while len(_parsed) > PARSED_CACHE_SIZE:
                    _parsed.popitem(last=False)
            self.frags = [f.clone() for f in self.frags]
            self._shared_lines = entry[5]
            return
        _, self.text, self.style, parsed, self.bulletText, self._shared_lines = hit
        self.frags = [f.clone() for f in parsed]
        self.debug = 0

    def _setup_plain(
        self, text: str, plain: str, style: Any, bulletText: Any, cleaner: Any
    ) -> None:
        """What ``Paragraph._setup`` makes of text without markup: the parser's one fragment
        of this style (see :func:`_plain_frag`) holding the cleaned, unescaped text."""
        cleaned = cleaner(text)
        parsed_style, frag = _plain_frag(style)
        frag = frag.clone()
        frag.text = cleaner(plain)
        frags = [frag]
        textTransformFrags(frags, parsed_style)
        self.text = cleaned
        self.frags = frags
        self.style = parsed_style
        self.bulletText = bulletText
        self.debug = 0

    def breakLines(self, width: Any) -> Any:
        key = tuple(width) if isinstance(width, list | tuple) else width
        cache = self.__dict__.setdefault("_lines_by_width", {})
        lines = cache.get(key)
        if lines is None:
            shared = self._shared_lines
            if shared is None:
                lines = super().breakLines(width)
            else:
                lines = shared.get(key)
                if lines is None:
                    lines = shared[key] = super().breakLines(width)
            cache[key] = lines
        return lines

    def draw(self) -> None:
        """Draw, or copy the operators this (text, style) drew at this size in an earlier
        document: most of a document's labels, headings and legal bases (see
        ``_layout_frozen`` for when drawn operators are valid in another document)."""
        shared = self._shared_lines
        canv = self.canv
        if shared is None or "_offsets" in self.__dict__:
            super().draw()
            return
        # everything drawPara reads besides the text, the style and the lines
        key = ("drawn", tuple(self._wrapWidths), self.width, self.height, canvas_state(canv))
        drawn = shared.get(key)
        if drawn:
            if not replay(canv, drawn):
                super().draw()
        elif drawn is _SEEN:
            shared[key] = record(canv, super().draw) or False
        else:
            if drawn is None:  # recorded the second time: a name printed once is not kept
                shared[key] = _SEEN
            super().draw()

    def split(self, availWidth: Any, availHeight: Any) -> Any:
        if self._shared_lines is not None and hasattr(self, "blPara"):
            # reportlab's split may edit the lines in place: break a private copy
            self._shared_lines = None
            self.__dict__.pop("_lines_by_width", None)
            self.blPara = super().breakLines(self._wrapWidths)
        return super().split(availWidth, availHeight)


#: The only markup in text from :func:`esc` (and our own plain strings): the three escapes.
_ESCAPES = re.compile(r"&(amp|lt|gt);")
_UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}


def _plain_text(text: str) -> str | None:
    """``text`` as the parser would read it if it is plain (no tag, no entity but the three
    escapes :func:`esc` writes), else None. A name, a number, an address: a paragraph seen
    for the first time is mostly one of these, and reportlab's ``html.parser``-based
    parser costs more than laying it out."""
    if "<" in text or not text.strip():
        return None
    if "&" not in text:
        return text
    plain = _ESCAPES.sub(lambda m: _UNESCAPED[m.group(1)], text)
    return None if "&" in _ESCAPES.sub("", text) else plain


_plain_frags: dict[int, tuple[Any, Any, Any]] = {}


def _plain_frag(style: ParagraphStyle) -> tuple[Any, Any]:
    """The style the parser returns and the fragment it makes of plain text in ``style``
    (parsed once per style from a one-letter text)."""
    hit = _plain_frags.get(id(style))
    if hit is None or hit[0] is not style:
        parsed_style, frags, _ = ParaParser().parse("x", style)
        hit = (style, parsed_style, frags[0])
        if len(_plain_frags) > 512:
            _plain_frags.clear()
        _plain_frags[id(style)] = hit
    return hit[1], hit[2]


def _merged(frags: list[Any]) -> list[Any]:
    """Neighbouring fragments that differ only in their text, as one fragment.

    reportlab's parser cuts the text at every entity ("&amp;" in "Yayasan ... & Partners",
    "&nbsp;"), and a paragraph of several fragments takes its general line breaking and
    drawing, word by word: four times the cost of one fragment (a letter's body paragraph,
    1.6 ms). Lines are made of the same words in the same font either way.
    """
    out: list[Any] = []
    for frag in frags:
        if out and _same_but_text(out[-1], frag):
            joined = out[-1].clone()
            joined.text = out[-1].text + frag.text
            out[-1] = joined
        else:
            out.append(frag)
    return out


def _same_but_text(a: Any, b: Any) -> bool:
    da, db = a.__dict__, b.__dict__
    if "text" not in da or "text" not in db or da.keys() != db.keys():
        return False
    return all(da[k] == db[k] for k in da if k != "text")


def para(text: str | None, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain user text (escaped)."""
    return CachedParagraph(esc(text), style)


def markup(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of our own markup (callers escape the user parts with :func:`esc`)."""
    return CachedParagraph(text, style)


def body_paragraphs(text: str, style: ParagraphStyle, gap: float) -> list[Flowable]:
    """A filled wording: blank lines separate paragraphs, single line breaks are kept."""
    out: list[Flowable] = []
    for chunk in text.strip().replace("\r\n", "\n").split("\n\n"):
        if chunk.strip():
            out.append(para(chunk, style))
            out.append(Spacer(1, gap))
    return out


def date_text(d: date | None) -> str:
    """A date, or a dotted blank for a draft that is not dated yet."""
    return format_date(d) if d else "....................... "


# ------------------------------------------------------------------------------ layout tables


def _tight(extra: Iterable[tuple[Any, ...]] = ()) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    commands.extend(extra)
    return TableStyle(commands)


def tight_style(extra: Iterable[tuple[Any, ...]] = ()) -> TableStyle:
    """A table style without padding, for layout tables."""
    return _tight(extra)
