"""What every document shares: fonts, paper, the kop surat, the QR code, signature and paraf.

Private to the package: the renderers in :mod:`desktop_perizinan.documents.pdf` and its siblings
use these blocks; nothing outside ``documents`` should. Everything expensive (fonts, the default
emblem) is loaded once per process and reused, because a clerk prints many receipts a day.
"""

from __future__ import annotations

import hashlib
import io
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import segno
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from desktop_perizinan import __version__
from desktop_perizinan.documents.contexts import OfficeProfile, ParafMark, Signatory
from desktop_perizinan.documents.dates import format_date, format_date_numeric, format_time

# ---------------------------------------------------------------------------------- resources


def resources_dir() -> Path:
    """The top-level ``resources/`` folder, from a source checkout or a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


FONT = "LiberationSans"
FONT_BOLD = "LiberationSans-Bold"
FONT_ITALIC = "LiberationSans-Italic"
FONT_BOLD_ITALIC = "LiberationSans-BoldItalic"

_font_lock = threading.Lock()
_fonts_ready = False


def register_fonts() -> None:
    """Register Liberation Sans (metric-compatible with Arial, the Tata Naskah Dinas face).

    A TrueType font, embedded as a subset, so that every name prints with its diacritics and
    apostrophes whatever fonts the PC has. Done once per process (about 15 ms).
    """
    global _fonts_ready
    if _fonts_ready:
        return
    with _font_lock:
        if _fonts_ready:
            return
        folder = resources_dir() / "fonts"
        for name, file in (
            (FONT, "LiberationSans-Regular.ttf"),
            (FONT_BOLD, "LiberationSans-Bold.ttf"),
            (FONT_ITALIC, "LiberationSans-Italic.ttf"),
            (FONT_BOLD_ITALIC, "LiberationSans-BoldItalic.ttf"),
        ):
            pdfmetrics.registerFont(TTFont(name, str(folder / file)))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
        )
        # Binary streams instead of ASCII85: reportlab's pure-Python ASCII85 encoder was a
        # fifth of the render time, and the files come out a quarter smaller. Nothing else in
        # the application uses reportlab, so the process-wide setting is ours to choose.
        rl_config.useA85 = 0
        _fonts_ready = True


#: Emblem longest side in pixels: 22 mm printed at about 300 dpi.
EMBLEM_PIXELS = 260

_emblem_jpeg: dict[str, bytes] = {}
_emblem_readers = threading.local()


def _emblem_as_jpeg(data: bytes) -> bytes:
    """The emblem flattened on white, scaled down and saved as JPEG.

    reportlab embeds a JPEG as it is, whereas a PNG is decoded and deflated again for every
    document (a few milliseconds each time). The kop is printed on white paper, so flattening
    the transparency loses nothing.
    """
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        im.load()
        if im.mode in ("RGBA", "LA", "P"):
            rgba = im.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = im.convert("RGB")
    flat.thumbnail((EMBLEM_PIXELS, EMBLEM_PIXELS), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    flat.save(out, format="JPEG", quality=92)
    return out.getvalue()


def emblem_reader(emblem: bytes | None) -> ImageReader:
    """The office emblem ready to draw, prepared once per emblem (cached by content).

    Readers are kept per thread: an ``ImageReader`` seeks in its buffer while drawing, and two
    documents may be rendered at once by two workers.
    """
    key = "default" if emblem is None else hashlib.sha1(emblem, usedforsecurity=False).hexdigest()
    readers: dict[str, ImageReader] | None = getattr(_emblem_readers, "cache", None)
    if readers is None:
        readers = _emblem_readers.cache = {}
    reader = readers.get(key)
    if reader is None:
        jpeg = _emblem_jpeg.get(key)
        if jpeg is None:
            data = emblem if emblem is not None else (resources_dir() / "emblem.png").read_bytes()
            jpeg = _emblem_as_jpeg(data)
            if len(_emblem_jpeg) > 8:  # an office has one emblem; a few are plenty
                _emblem_jpeg.clear()
            _emblem_jpeg[key] = jpeg
        if len(readers) > 8:
            readers.clear()
        reader = readers[key] = ImageReader(io.BytesIO(jpeg))
    return reader


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


def para(text: str | None, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain user text (escaped)."""
    return Paragraph(esc(text), style)


def markup(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of our own markup (callers escape the user parts with :func:`esc`)."""
    return Paragraph(text, style)


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


# ---------------------------------------------------------------------------------- kop surat


class DoubleRule(Flowable):
    """The kop's closing rule: a thick line over a thin one (Tata Naskah Dinas)."""

    def __init__(self, width: float, thick: float = 2.0, thin: float = 0.6, gap: float = 1.6):
        super().__init__()
        self.rule_width = width
        self.thick, self.thin, self.gap = thick, thin, gap

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.rule_width = avail_width
        return avail_width, self.thick + self.gap + self.thin

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(INK)
        top = self.thick + self.gap + self.thin
        c.setLineWidth(self.thick)
        c.line(0, top - self.thick / 2, self.rule_width, top - self.thick / 2)
        c.setLineWidth(self.thin)
        c.line(0, self.thin / 2, self.rule_width, self.thin / 2)


class Emblem(Flowable):
    """The emblem drawn from the cached reader (platypus ``Image`` wants a file name)."""

    def __init__(self, reader: ImageReader, width: float, height: float) -> None:
        super().__init__()
        self.reader = reader
        self.width, self.height = width, height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.reader, 0, 0, self.width, self.height)


def _fit_size(text: str, font: str, width: float, start: float, floor: float, lines: int) -> float:
    """The largest size from ``start`` down at which ``text`` needs at most ``lines`` lines."""
    size = start
    while size > floor:
        if pdfmetrics.stringWidth(text, font, size) <= width * lines * 0.92:
            return size
        size -= 0.5
    return floor


def kop(office: OfficeProfile, width: float, *, scale: float = 1.0) -> list[Flowable]:
    """The kop surat: emblem on the left, three centred lines, a double rule under them.

    Sizes keep roughly the 2 : 3 : 1 proportion of the Tata Naskah Dinas (regency line, office
    name, address); a long office name shrinks until it fits on two lines, it is never clipped.
    """
    register_fonts()
    emblem_h = 22 * mm * scale
    reader = emblem_reader(office.emblem)
    iw, ih = reader.getSize()
    emblem_w = emblem_h * iw / ih
    side = max(emblem_w, 20 * mm * scale) + 3 * mm * scale
    text_w = width - 2 * side  # symmetric, so the text centres on the page, not beside the emblem

    gov_size = 13.0 * scale
    office_size = _fit_size(
        office.office_name.upper(), FONT_BOLD, text_w, 17.0 * scale, 10.0 * scale, 2
    )
    addr_size = max(7.5 * scale, 6.5)

    def st(name: str, size: float, font: str) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=size * 1.18, alignment=TA_CENTER
        )

    lines: list[Flowable] = [
        para(office.government_line, st("kop-gov", gov_size, FONT)),
        para(office.office_name.upper(), st("kop-office", office_size, FONT_BOLD)),
        Spacer(1, 1.2 * scale),
        para(office.contact_line, st("kop-addr", addr_size, FONT)),
    ]
    image = Emblem(reader, emblem_w, emblem_h)
    table = Table(
        [[image, lines, ""]],
        colWidths=[side, text_w, side],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (0, 0), "LEFT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return [table, Spacer(1, 1.5 * mm * scale), DoubleRule(width), Spacer(1, 4 * mm * scale)]


def kop_text_only(office: OfficeProfile, st: Styles) -> list[Flowable]:
    """A narrow kop for the 80 mm thermal roll: no emblem (it prints as a grey blot)."""
    return [
        para(office.government_line, st.center),
        para(office.office_name.upper(), st.center_bold),
        para(office.contact_line, st.tiny_center),
        Spacer(1, 1.5 * mm),
        HRule(dash=False),
        Spacer(1, 1.5 * mm),
    ]


class HRule(Flowable):
    """A horizontal rule across the frame (dashed on receipts, as a tear-off look)."""

    def __init__(self, dash: bool = True, weight: float = 0.6) -> None:
        super().__init__()
        self.dash, self.weight = dash, weight
        self.rule_width = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.rule_width = avail_width
        return avail_width, self.weight

    def draw(self) -> None:
        c = self.canv
        c.setLineWidth(self.weight)
        if self.dash:
            c.setDash(2, 2)
        c.line(0, 0, self.rule_width, 0)


# ----------------------------------------------------------------------------------------- QR


class QrCode(Flowable):
    """A QR code encoded with segno and drawn as one filled path.

    One path of merged horizontal runs is about three times faster than reportlab's own QR
    widget (which draws every module as a separate rectangle) and decodes the same.
    """

    def __init__(self, payload: str, size: float, border: int = 2) -> None:
        super().__init__()
        self.payload = payload
        self.size = size
        self.border = border
        self.qr = segno.make(payload, error="m", micro=False)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.qr, 0, 0, self.size, self.border)


def draw_qr(c: Canvas, qr: segno.QRCode, x: float, y: float, size: float, border: int = 2) -> None:
    """Draw ``qr`` in a ``size`` square at (x, y) (bottom-left), quiet zone included.

    The modules are written as literal PDF operators in a coordinate system of one unit per
    module: one ``re`` per horizontal run of dark modules, all filled at once. Integer
    coordinates need no float formatting, which was most of the cost of drawing the path.
    """
    matrix = qr.matrix
    count = len(matrix)
    module = size / (count + 2 * border)
    c.saveState()
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    # origin at the top-left dark area, y pointing down one module per row
    c.transform(module, 0, 0, -module, x + border * module, y + size - border * module)
    ops: list[str] = []
    for r, row in enumerate(matrix):
        start = -1
        for col in range(count + 1):
            dark = col < count and row[col]
            if dark and start < 0:
                start = col
            elif not dark and start >= 0:
                # 1.02 high: neighbouring rows overlap a hair, so viewers show no seams
                ops.append(f"{start} {r} {col - start} 1.02 re")
                start = -1
    ops.append("f")
    c.addLiteral("\n".join(ops))
    c.restoreState()


def qr_block(payload: str, number: str, st: Styles, width: float, qr_size: float) -> Table:
    """The QR code with the document number beside it, for the foot of a final document.

    The number is set in a size that keeps it on one line (it is read and typed by people).
    """
    text_w = width - qr_size - 3 * mm
    size = st.size - 1.5
    while size > 6 and pdfmetrics.stringWidth(number, FONT_BOLD, size) > text_w:
        size -= 0.25
    number_style = ParagraphStyle(
        "qr-number", parent=st.small_bold, fontSize=size, leading=size * 1.25
    )
    text = [
        markup("Nomor dokumen:", st.tiny),
        para(number, number_style),
        Spacer(1, 1 * mm),
        markup(
            "Keaslian dokumen ini dapat diperiksa dengan memindai kode QR di samping.",
            st.tiny,
        ),
    ]
    return Table(
        [[QrCode(payload, qr_size), text]],
        colWidths=[qr_size + 3 * mm, text_w],
        style=_tight([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
        hAlign="LEFT",
    )


# ------------------------------------------------------------------------ signature and paraf


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


def signature_block(
    signatory: Signatory,
    st: Styles,
    *,
    lead: Sequence[Flowable] = (),
    e_signed_by: str | None = None,
    space: float = 20 * mm,
) -> list[Flowable]:
    """The signature block: ``lead`` (place and date), a.n./Plt./Plh. and title, space, name,
    rank, NIP.

    With ``e_signed_by`` the space holds a framed "Ditandatangani secara elektronik oleh ..."
    note, drawn into the page content so that every viewer shows it.
    """
    out: list[Flowable] = list(lead)
    out += [para(line, st.body) for line in signatory.heading_lines()]
    if e_signed_by:
        note = Table(
            [
                [markup("Ditandatangani secara elektronik oleh:", st.tiny)],
                [markup(f"<b>{esc(e_signed_by)}</b>", st.small)],
            ],
            style=TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.6, GREY),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            ),
        )
        out += [Spacer(1, 2 * mm), note, Spacer(1, 2 * mm)]
    else:
        out.append(Spacer(1, space))
    name = signatory.name.strip() or "...................................."
    out.append(markup(f"<b><u>{esc(name)}</u></b>", st.body))
    if signatory.rank:
        out.append(para(signatory.rank, st.body))
    if signatory.nip:
        out.append(para(f"NIP. {signatory.nip}", st.body))
    return out


def paraf_box(marks: Sequence[ParafMark], st: Styles, width: float, zone: str) -> Table:
    """The paraf box of a draft: role, name and initials with the time of each initial."""
    header = [
        markup("<b>Paraf</b>", st.tiny),
        markup("<b>Jabatan / Nama</b>", st.tiny),
        markup("<b>Waktu</b>", st.tiny),
    ]
    rows: list[list[Any]] = [header]
    for mark in marks:
        rows.append(
            [
                markup(f"<b>{esc(mark.initials)}</b>", st.small),
                [para(mark.role, st.tiny), para(mark.name, st.tiny)],
                para(f"{format_date_numeric(mark.at)}\n{format_time(mark.at)} {zone}", st.tiny),
            ]
        )
    if not marks:
        rows.append([markup("-", st.small), markup("belum ada paraf", st.tiny), ""])
    first = 14 * mm
    third = 20 * mm
    return Table(
        rows,
        colWidths=[first, width - first - third, third],
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GREY),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (0, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )


def foot_row(
    left: Sequence[Flowable] | Flowable | None,
    right: Sequence[Flowable],
    width: float,
    right_width: float,
    *,
    keep_with: Sequence[Flowable] = (),
) -> Flowable:
    """Left block (QR or paraf box) beside the right-aligned signature block.

    ``keep_with`` (the closing sentence) stays on the same page as the signature, so that a
    signature never stands alone on a continuation sheet.
    """
    left_cell: Any = left if left is not None else ""
    table = Table(
        [[left_cell, "", list(right)]],
        colWidths=[width - right_width - 6 * mm, 6 * mm, right_width],
        style=_tight([("VALIGN", (0, 0), (0, 0), "BOTTOM")]),
    )
    return KeepTogether([*keep_with, table])


def kv_table(
    rows: Sequence[tuple[str, Any]],
    st: Styles,
    width: float,
    label_width: float,
    *,
    value_style: ParagraphStyle | None = None,
    label_style: ParagraphStyle | None = None,
    pad: float = 1.2,
) -> Table:
    """Label : value rows; values wrap (a 60-character name is never clipped).

    A value may be a string (escaped) or a ready flowable / list of flowables.
    """
    vs = value_style or st.body
    ls = label_style or st.body
    data: list[list[Any]] = []
    # Labels that fit on one line are plain table strings, not Paragraphs: a quarter of the
    # layout time of a letter went into wrapping labels that never wrap.
    for label, value in rows:
        cell = para(value, vs) if isinstance(value, str) else value
        fits = pdfmetrics.stringWidth(label, ls.fontName, ls.fontSize) <= label_width - 2
        data.append([label if fits else para(label, ls), ":", cell])
    colon = 3.5 * mm
    return Table(
        data,
        colWidths=[label_width, colon, width - label_width - colon],
        style=_tight(
            [
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                ("FONT", (0, 0), (1, -1), ls.fontName, ls.fontSize, ls.leading),
            ]
        ),
    )


def numbered(items: Sequence[str], st: Styles, width: float, *, gap: float = 1.5) -> Table:
    """A numbered list with a hanging indent (legal bases, findings)."""
    num_w = 8 * mm
    data = [[para(f"{i}.", st.body), para(item, st.body)] for i, item in enumerate(items, 1)]
    return Table(
        data,
        colWidths=[num_w, width - num_w],
        style=_tight([("BOTTOMPADDING", (0, 0), (-1, -1), gap)]),
        hAlign="LEFT",
    )


def grid_style(header_rows: int = 1, extra: Iterable[tuple[Any, ...]] = ()) -> TableStyle:
    """A ruled data table with a shaded header."""
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands += [
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), LIGHT),
            ("VALIGN", (0, 0), (-1, header_rows - 1), "MIDDLE"),
        ]
    commands.extend(extra)
    return TableStyle(commands)


# -------------------------------------------------------------------------------- the builder

PageHook = Callable[[Canvas, BaseDocTemplate], None]


def _draft_mark(c: Canvas, width: float, height: float) -> None:
    """The draft watermark, plus a plain "DRAF" line that text extraction also finds."""
    c.saveState()
    c.setFillColor(colors.Color(0.55, 0.55, 0.55), alpha=0.16)
    c.setFont(FONT_BOLD, min(width, height) / 3.2)
    c.translate(width / 2, height / 2)
    c.rotate(40)
    c.drawCentredString(0, -min(width, height) / 10, "DRAF")
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
    )
    doc.build(story)
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


class CheckBox(Flowable):
    """A tick box for printed choices (sifat, disposition instructions)."""

    def __init__(self, checked: bool, size: float = 3.2 * mm) -> None:
        super().__init__()
        self.checked = checked
        self.size = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        c = self.canv
        s = self.size
        c.setLineWidth(0.6)
        c.rect(0, 0, s, s, stroke=1, fill=0)
        if self.checked:
            c.setLineWidth(1.2)
            path = c.beginPath()
            path.moveTo(s * 0.18, s * 0.52)
            path.lineTo(s * 0.42, s * 0.22)
            path.lineTo(s * 0.85, s * 0.85)
            c.drawPath(path, stroke=1, fill=0)


def choices(
    options: Sequence[tuple[str, bool]], st: ParagraphStyle, width: float, columns: int = 1
) -> Table:
    """Tick boxes with labels, laid out in ``columns`` columns (row by row)."""
    box_w = 5 * mm
    col_w = width / columns
    cells: list[list[Any]] = []
    row: list[Any] = []
    for label, checked in options:
        row += [CheckBox(checked), para(label, st)]
        if len(row) == 2 * columns:
            cells.append(row)
            row = []
    if row:
        row += ["", ""] * (columns - len(row) // 2)
        cells.append(row)
    return Table(
        cells,
        colWidths=[box_w, col_w - box_w] * columns,
        style=_tight(
            [("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("TOPPADDING", (0, 0), (0, -1), 0.5)]
        ),
    )
