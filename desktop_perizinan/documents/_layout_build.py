"""The builder: a story laid out on pages (draft watermark, continuation page numbers).

Private to the package (see :mod:`desktop_perizinan.documents._layout`, which re-exports it).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Sequence

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from desktop_perizinan import __version__
from desktop_perizinan.documents._layout_base import DRAFT_RED, Margins
from desktop_perizinan.documents._layout_fonts import FONT, FONT_BOLD, register_fonts
from desktop_perizinan.documents._layout_frozen import Drawn, canvas_state, record, replay
from desktop_perizinan.documents._layout_save import use_fast_save

# -------------------------------------------------------------------------------- the builder

PageHook = Callable[[Canvas, BaseDocTemplate], None]

#: zlib level of the page content: level 1 deflates a letter's page (about 13 kB of operators)
#: in a third of the time of reportlab's default level 6, for about 0.5 kB more per page.
PAGE_ZLIB_LEVEL = 1


class _Canvas(Canvas):
    """reportlab's canvas, with page content deflated at :data:`PAGE_ZLIB_LEVEL` and the
    document's objects formatted by ``_layout_save`` (the same bytes in a fifth of the time)."""

    def save(self) -> None:
        use_fast_save(self._doc)
        super().save()

    def showPage(self) -> None:
        super().showPage()
        page = self._doc.Pages.pages[-1]
        if page.compression and not page.Contents and isinstance(page.stream, str):
            stream = pdfdoc.PDFStream(
                content=zlib.compress(page.stream.encode("utf8"), PAGE_ZLIB_LEVEL)
            )
            # "Filter" set: PDFStream.format does not deflate a second time
            stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
            stream.__Comment__ = "page stream"
            page.Contents = stream


#: The watermark's operators per page size (its transparency is set live: a graphics state
#: is a page resource that ``_layout_frozen.record`` does not copy).
_watermarks: dict[tuple[object, ...], Drawn | bool] = {}


def _draft_mark(c: Canvas, width: float, height: float) -> None:
    """The draft watermark, plus a plain "DRAF" line that text extraction also finds."""
    c.saveState()
    c.setFillColor(colors.Color(0.55, 0.55, 0.55), alpha=0.16)

    def watermark() -> None:
        c.setFont(FONT_BOLD, min(width, height) / 3.2)
        c.translate(width / 2, height / 2)
        c.rotate(40)
        c.drawCentredString(0, -min(width, height) / 10, "DRAF")

    key = (width, height, canvas_state(c))
    drawn = _watermarks.get(key)
    if drawn:
        if not replay(c, drawn):
            watermark()
    elif drawn is None:
        if len(_watermarks) > 16:
            _watermarks.clear()
        _watermarks[key] = record(c, watermark) or False
    else:
        watermark()
    c.restoreState()
    c.saveState()
    c.setFillColor(DRAFT_RED)
    c.setFont(FONT_BOLD, 7.5)
    c.drawRightString(width - 8 * mm, height - 6 * mm, "DRAF — belum bernomor dan belum sah")
    c.restoreState()


def build_pdf(
    story: list[Flowable],
    pagesize: tuple[float, float],
    margins: Margins,
    *,
    title: str,
    author: str,
    draft: bool = False,
    page_numbers: bool = True,
) -> bytes:
    """Lay the story out on pages and return the PDF bytes.

    Page numbers ("- 2 -") go at the top of the second and later pages, as the Tata Naskah
    Dinas numbers a letter's continuation sheets; the first page carries the kop instead.
    """
    register_fonts()
    width, height = pagesize
    buffer = io.BytesIO()

    def on_page(c: Canvas, doc: BaseDocTemplate) -> None:
        if draft:
            _draft_mark(c, width, height)
        page = c.getPageNumber()
        if page_numbers and page > 1:
            c.saveState()
            c.setFont(FONT, 9)
            c.drawCentredString(width / 2, height - margins.top / 2, f"- {page} -")
            c.restoreState()

    frame = Frame(
        margins.left,
        margins.bottom,
        width - margins.left - margins.right,
        height - margins.top - margins.bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        title=title,
        author=author,
        creator=f"Perizinan Desktop {__version__}",
        subject=title,
        leftMargin=margins.left,
        rightMargin=margins.right,
        topMargin=margins.top,
        bottomMargin=margins.bottom,
        pageTemplates=[PageTemplate(id="page", frames=[frame], onPage=on_page)],
        lang="id-ID",
        # The canvas's default Helvetica is never embedded; BSrE's pre-flight wants every
        # font of the page embedded (issue 12), so start each page on our embedded font.
        initialFontName=FONT,
    )
    doc.build(story, canvasmaker=_Canvas)
    return buffer.getvalue()


def measure(story: Sequence[Flowable], width: float) -> float:
    """The height a story needs in a frame ``width`` wide (for the variable-length roll)."""
    total = 0.0
    previous_after = 0.0
    for flowable in story:
        _w, h = flowable.wrap(width, 10_000 * mm)
        before = flowable.getSpaceBefore()
        total += h + max(before, previous_after)
        previous_after = flowable.getSpaceAfter()
    return total + previous_after
