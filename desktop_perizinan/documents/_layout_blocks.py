"""The blocks documents are made of: kop surat, QR block, signature, paraf box, tables, boxes.

Private to the package (see :mod:`desktop_perizinan.documents._layout`, which re-exports it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from desktop_perizinan.documents._layout_base import (
    GREY,
    INK,
    LIGHT,
    RULE,
    Styles,
    _tight,
    esc,
    markup,
    para,
    styles,
)
from desktop_perizinan.documents._layout_fonts import FONT, FONT_BOLD, emblem_reader, register_fonts
from desktop_perizinan.documents._layout_frozen import Stack, frozen
from desktop_perizinan.documents._layout_kv import KvRows
from desktop_perizinan.documents._layout_qr import QrCode
from desktop_perizinan.documents._layout_row import NOT_A_CELL, TightRow, as_cell
from desktop_perizinan.documents.contexts import OfficeProfile, ParafMark, Signatory
from desktop_perizinan.documents.dates import format_date_numeric, format_time

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


@cache
def _kop_style(name: str, size: float, font: str) -> ParagraphStyle:
    """A kop line's style, one object per (line, size, font): the parsed kop lines are then
    cached across documents (``_layout_base.CachedParagraph`` keys on the style)."""
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=size * 1.18, alignment=TA_CENTER
    )


def kop(office: OfficeProfile, width: float, *, scale: float = 1.0) -> list[Flowable]:
    """The kop surat: emblem on the left, three centred lines, a double rule under them.

    Sizes keep roughly the 2 : 3 : 1 proportion of the Tata Naskah Dinas (regency line, office
    name, address); a long office name shrinks until it fits on two lines, it is never clipped.
    """
    register_fonts()
    # the same for every document of the office: laid out and drawn once (_layout_frozen)
    key = (
        "kop",
        office.government_line,
        office.office_name,
        office.contact_line,
        office.emblem,
        width,
        scale,
    )
    table = frozen(key, lambda: _kop_table(office, width, scale))
    return [table, Spacer(1, 1.5 * mm * scale), DoubleRule(width), Spacer(1, 4 * mm * scale)]


def _kop_table(office: OfficeProfile, width: float, scale: float) -> Table:
    """The kop's emblem and three lines (see :func:`kop`)."""
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

    st = _kop_style

    lines: list[Flowable] = [
        para(office.government_line, st("kop-gov", gov_size, FONT)),
        para(office.office_name.upper(), st("kop-office", office_size, FONT_BOLD)),
        Spacer(1, 1.2 * scale),
        para(office.contact_line, st("kop-addr", addr_size, FONT)),
    ]
    image = Emblem(reader, emblem_w, emblem_h)
    return Table(
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


# ---------------------------------------------------------------------------------------- QR


@cache
def _qr_number_style(base: float, size: float) -> ParagraphStyle:
    """The document number's style beside the QR, one object per size: paragraphs are cached
    by their style (``_layout_base.CachedParagraph``)."""
    return ParagraphStyle(
        "qr-number", parent=styles(base).small_bold, fontSize=size, leading=size * 1.25
    )


def qr_block(payload: str, number: str, st: Styles, width: float, qr_size: float) -> Flowable:
    """The QR code with the document number beside it, for the foot of a final document.

    The number is set in a size that keeps it on one line (it is read and typed by people).
    """
    text_w = width - qr_size - 3 * mm
    size = st.size - 1.5
    while size > 6 and pdfmetrics.stringWidth(number, FONT_BOLD, size) > text_w:
        size -= 0.25
    number_style = _qr_number_style(st.size, size)
    text = [
        markup("Nomor dokumen:", st.tiny),
        para(number, number_style),
        Spacer(1, 1 * mm),
        markup(
            "Keaslian dokumen ini dapat diperiksa dengan memindai kode QR di samping.",
            st.tiny,
        ),
    ]
    return tight_row(
        [QrCode(payload, qr_size), text],
        [qr_size + 3 * mm, text_w],
        valign="MIDDLE",
        h_align="LEFT",
    )


# ------------------------------------------------------------------------ signature and paraf


def signature_block(
    signatory: Signatory,
    st: Styles,
    *,
    lead: Sequence[Flowable] = (),
    e_signed_by: str | None = None,
    space: float = 20 * mm,
    tte_marker: str = "",
) -> list[Flowable]:
    """The signature block: ``lead`` (place and date), a.n./Plt./Plh. and title, space, name,
    rank, NIP.

    With ``e_signed_by`` the space holds a framed "Ditandatangani secara elektronik oleh ..."
    note, drawn into the page content so that every viewer shows it. ``tte_marker`` (one
    character, in white) is where BSrE's visible stamp goes when the signer places it by
    ``tag_koordinat`` (issue 12): printed once, inside the note, above an empty space.
    """
    # the same on every letter the signatory signs: laid out and drawn once (_layout_frozen)
    key = ("signature", signatory, st.size, e_signed_by, space, tte_marker)
    return [
        *lead,
        frozen(key, lambda: Stack(_signature(signatory, st, e_signed_by, space, tte_marker))),
    ]


def _signature(
    signatory: Signatory, st: Styles, e_signed_by: str | None, space: float, tte_marker: str
) -> list[Flowable]:
    """The signature block after its lead (see :func:`signature_block`)."""
    out = [para(line, st.body) for line in signatory.heading_lines()]
    if e_signed_by:
        note = Table(
            [
                [markup("Ditandatangani secara elektronik oleh:", st.tiny)],
                [markup(f"<b>{esc(e_signed_by)}</b>", st.small)],
                *(
                    # The stamp BSrE draws from the marker down needs room of its own.
                    [
                        [
                            [
                                markup(f'<font color="white">{esc(tte_marker)}</font>', st.tiny),
                                Spacer(1, 18 * mm),
                            ]
                        ]
                    ]
                    if tte_marker
                    else []
                ),
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
    row = tight_row(
        [left_cell, "", list(right)],
        [width - right_width - 6 * mm, 6 * mm, right_width],
        valign=["BOTTOM", "TOP", "TOP"],
    )
    return KeepTogether([*keep_with, row])


def tight_row(
    cells: Sequence[Any],
    col_widths: Sequence[float],
    *,
    valign: str | Sequence[str] = "TOP",
    align: str | Sequence[str] = "LEFT",
    h_align: str = "CENTER",
) -> Flowable:
    """Blocks side by side where a one-row ``Table`` in :func:`tight_style` would put them,
    ``valign``/``align`` per cell or for all: a ``_layout_row.TightRow`` (the same places
    without ``Table``'s per-cell work), or the ``Table`` itself for a cell with text."""
    n = len(cells)
    valigns = [valign] * n if isinstance(valign, str) else list(valign)
    aligns = [align] * n if isinstance(align, str) else list(align)
    converted = [as_cell(cell) for cell in cells]
    if all(cell is not NOT_A_CELL for cell in converted):
        return TightRow(converted, col_widths, valigns, aligns, h_align)  # type: ignore[arg-type]
    commands = [("VALIGN", (i, 0), (i, 0), v) for i, v in enumerate(valigns)]
    commands += [("ALIGN", (i, 0), (i, 0), a) for i, a in enumerate(aligns)]
    return Table([list(cells)], colWidths=list(col_widths), style=_tight(commands), hAlign=h_align)


def kv_table(
    rows: Sequence[tuple[str, Any]],
    st: Styles,
    width: float,
    label_width: float,
    *,
    value_style: ParagraphStyle | None = None,
    label_style: ParagraphStyle | None = None,
    pad: float = 1.2,
) -> Flowable:
    """Label : value rows; values wrap (a 60-character name is never clipped).

    A value may be a string (escaped) or a ready flowable / list of flowables. Laid out by
    ``_layout_kv.KvRows`` (the places of a tight ``Table``, without its per-cell work: the
    values are new in every document) unless a value is a list of flowables.
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
    widths = (label_width, colon, width - label_width - colon)
    if all(isinstance(cell, Flowable) for _, _, cell in data):
        return KvRows([(label, cell) for label, _, cell in data], widths, ls, pad)
    return Table(
        data,
        colWidths=list(widths),
        style=_tight(
            [
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                ("FONT", (0, 0), (1, -1), ls.fontName, ls.fontSize, ls.leading),
            ]
        ),
    )


def numbered(items: Sequence[str], st: Styles, width: float, *, gap: float = 1.5) -> Flowable:
    """A numbered list with a hanging indent (legal bases, findings).

    Laid out and drawn once per list (``_layout_frozen``): a permit type's legal bases and
    tembusan are the same on every letter of the type.
    """

    def make() -> Table:
        num_w = 8 * mm
        data = [[para(f"{i}.", st.body), para(item, st.body)] for i, item in enumerate(items, 1)]
        return Table(
            data,
            colWidths=[num_w, width - num_w],
            style=_tight([("BOTTOMPADDING", (0, 0), (-1, -1), gap)]),
            hAlign="LEFT",
        )

    return frozen(("numbered", tuple(items), st.size, width, gap), make)


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


# ----------------------------------------------------------------------------------- choices


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
) -> Flowable:
    """Tick boxes with labels, laid out in ``columns`` columns (row by row).

    Laid out and drawn once per set of choices (``_layout_frozen``): a form's choices and
    which of them is ticked repeat from one document to the next. The style object itself is
    in the key (hashed by identity and kept alive by it, so its id is never reused).
    """

    def make() -> Table:
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

    return frozen(("choices", tuple(options), st, width, columns), make)
