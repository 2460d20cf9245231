"""Drawing the placed SOP matrix on a reportlab canvas, page by page."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from desktop_perizinan import __version__
from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.documents.sop_matrix.geometry import (
    ARROW,
    BAND_FILL,
    GRID,
    GRID_W,
    HEAD_FILL,
    LABEL_SIZE,
    LINE_W,
    MARGIN,
    PAD,
    PENTAGON_H,
    PENTAGON_W,
    Col,
    Columns,
    Drawing,
    PageFrame,
    RowBox,
    Symbol,
)
from desktop_perizinan.documents.sop_matrix.layout import layout_sop_matrix
from desktop_perizinan.documents.sop_matrix.plan import DECISION, TERMINATOR
from desktop_perizinan.documents.sop_matrix.routing import label_size
from desktop_perizinan.workflow.definition import OfficeConfig, PermitType


def render_sop_matrix(
    pt: PermitType, office_config: OfficeConfig, office_profile: OfficeProfile
) -> bytes:
    """The SOP of ``pt`` in the Permendagri 52/2011 form, landscape on the office's paper."""
    layout = layout_sop_matrix(pt, office_config, office_profile)
    page_w, page_h = layout.page_size
    cols, rows = layout.cols, layout.rows
    head1_h, head2_h = layout.head_heights
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(page_w, page_h), pageCompression=1)
    canvas.setTitle(f"SOP {pt.name}")
    canvas.setAuthor(office_profile.office_name)
    canvas.setSubject(pt.sop_number)
    canvas.setCreator(f"Perizinan Desktop {__version__}")
    canvas.setKeywords(f"SOP; {pt.code}; {pt.source_hash[:12]}")
    for frame in layout.frames:
        drawing = layout.drawings[frame.index]
        if frame.index == 0:
            layout.identity.drawOn(canvas, MARGIN, page_h - MARGIN - layout.identity_h)
        draw_header(
            canvas, cols, frame.head_top, head1_h, head2_h, layout.head_cells, layout.actor_paras
        )
        table_bottom = frame.band_bottom[1] if frame.band_bottom else rows[frame.rows[-1]].bottom
        if frame.band_top:
            draw_band(canvas, cols, *frame.band_top, "Sambungan dari halaman sebelumnya")
        if frame.band_bottom:
            draw_band(canvas, cols, *frame.band_bottom, "Bersambung ke halaman berikutnya")
        for i in frame.rows:
            draw_row(canvas, cols, rows[i], layout.cells[i])
        draw_grid(canvas, cols, frame, rows, table_bottom, head1_h + head2_h, head1_h)
        draw_connectors(canvas, drawing)
        for i in frame.rows:
            draw_symbol(canvas, layout.symbols[i])
        draw_labels(canvas, drawing)
        draw_footer(canvas, pt, frame.index, len(layout.frames), page_w)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_header(
    canvas: Canvas,
    cols: Columns,
    top: float,
    h1: float,
    h2: float,
    cells: dict[str, Paragraph],
    actor_paras: list[Paragraph],
) -> None:
    bottom = top - h1 - h2
    canvas.saveState()
    canvas.setFillColor(HEAD_FILL)
    canvas.rect(cols.left, bottom, cols.right - cols.left, h1 + h2, stroke=0, fill=1)
    canvas.restoreState()

    def centred(
        para: Paragraph, x0: float, x1: float, y0: float, y1: float, pad: float = PAD
    ) -> None:
        _w, h = para.wrap(x1 - x0 - 2 * pad, 100 * mm)
        para.drawOn(canvas, x0 + pad, (y0 + y1) / 2 - h / 2)

    for key in ("no", "activity", "note"):
        col: Col = getattr(cols, key)
        centred(cells[key], col.x0, col.x1, bottom, top)
    centred(cells["actors"], cols.actors[0].x0, cols.actors[-1].x1, top - h1, top)
    centred(cells["mutu"], cols.inputs.x0, cols.output.x1, top - h1, top)
    for para, col in zip(actor_paras, cols.actors, strict=True):
        centred(para, col.x0, col.x1, bottom, top - h1, 0.8 * mm)
    for key in ("inputs", "time", "output"):
        col = getattr(cols, key)
        centred(cells[key], col.x0, col.x1, bottom, top - h1)


def draw_band(canvas: Canvas, cols: Columns, top: float, bottom: float, text: str) -> None:
    canvas.saveState()
    canvas.setFillColor(BAND_FILL)
    canvas.rect(cols.left, bottom, cols.right - cols.left, top - bottom, stroke=0, fill=1)
    canvas.setFillColor(L.GREY)
    canvas.setFont(L.FONT_ITALIC, 6.5)
    canvas.drawString(cols.activity.x0 + PAD, (top + bottom) / 2 - 2.2, text)
    canvas.restoreState()


def draw_row(canvas: Canvas, cols: Columns, row: RowBox, cells: dict[str, Paragraph]) -> None:
    for key, para in cells.items():
        col: Col = getattr(cols, key)
        _w, h = para.wrap(col.width - 2 * PAD, 1000 * mm)
        if key in ("no", "time"):
            para.drawOn(canvas, col.x0 + PAD, (row.top + row.bottom) / 2 - h / 2)
        else:
            para.drawOn(canvas, col.x0 + PAD, row.top - PAD - h)


def draw_grid(
    canvas: Canvas,
    cols: Columns,
    frame: PageFrame,
    rows: dict[int, RowBox],
    bottom: float,
    header_h: float,
    head1_h: float,
) -> None:
    top = frame.head_top
    head_bottom = top - header_h
    canvas.saveState()
    canvas.setStrokeColor(GRID)
    canvas.setLineWidth(GRID_W)
    # horizontal lines: header split (only under the spanning headings), header bottom, rows
    canvas.line(cols.actors[0].x0, top - head1_h, cols.actors[-1].x1, top - head1_h)
    canvas.line(cols.inputs.x0, top - head1_h, cols.output.x1, top - head1_h)
    canvas.line(cols.left, head_bottom, cols.right, head_bottom)
    if frame.band_top:
        canvas.line(cols.left, frame.band_top[1], cols.right, frame.band_top[1])
    for i in frame.rows:
        canvas.line(cols.left, rows[i].bottom, cols.right, rows[i].bottom)
    # vertical lines: full height for the outer columns, from the split for grouped ones
    grouped_inner = {c.x0 for c in cols.actors[1:]} | {cols.time.x0, cols.output.x0}
    for col in cols.all()[1:]:
        x = col.x0
        canvas.line(x, bottom, x, top - head1_h if x in grouped_inner else top)
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.9)
    canvas.rect(cols.left, bottom, cols.right - cols.left, top - bottom, stroke=1, fill=0)
    canvas.restoreState()


def draw_connectors(canvas: Canvas, drawing: Drawing) -> None:
    canvas.saveState()
    canvas.setStrokeColor(colors.black)
    canvas.setFillColor(colors.black)
    canvas.setLineWidth(LINE_W)
    canvas.setLineJoin(1)
    for path, arrow in drawing.lines:
        if len(path) < 2:
            continue
        p = canvas.beginPath()
        p.moveTo(*path[0])
        for point in path[1:]:
            p.lineTo(*point)
        canvas.drawPath(p, stroke=1, fill=0)
        if arrow:
            _arrowhead(canvas, path[-2], path[-1])
    for x, y, letter in drawing.pentagons:
        _pentagon(canvas, x, y, letter)
    canvas.restoreState()


def _arrowhead(canvas: Canvas, a: tuple[float, float], b: tuple[float, float]) -> None:
    (x0, y0), (x1, y1) = a, b
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 0.01)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    half = ARROW * 0.42
    base_x, base_y = x1 - ux * ARROW, y1 - uy * ARROW
    p = canvas.beginPath()
    p.moveTo(x1, y1)
    p.lineTo(base_x - uy * half, base_y + ux * half)
    p.lineTo(base_x + uy * half, base_y - ux * half)
    p.close()
    canvas.drawPath(p, stroke=0, fill=1)


def _pentagon(canvas: Canvas, x: float, y: float, letter: str) -> None:
    """The off-page connector: a home-plate pentagon pointing down, with its letter."""
    w, h = PENTAGON_W, PENTAGON_H
    top, shoulder, tip = y + h / 2, y - h / 2 + h * 0.35, y - h / 2
    p = canvas.beginPath()
    p.moveTo(x - w / 2, top)
    p.lineTo(x + w / 2, top)
    p.lineTo(x + w / 2, shoulder)
    p.lineTo(x, tip)
    p.lineTo(x - w / 2, shoulder)
    p.close()
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.drawPath(p, stroke=1, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setFont(L.FONT_BOLD, 6)
    canvas.drawCentredString(x, y - 0.3 * mm, letter)
    canvas.restoreState()


def draw_symbol(canvas: Canvas, s: Symbol) -> None:
    canvas.saveState()
    canvas.setStrokeColor(colors.black)
    canvas.setFillColor(colors.white)
    canvas.setLineWidth(0.9)
    x0, y0 = s.xc - s.w / 2, s.yc - s.h / 2
    if s.kind == TERMINATOR:
        canvas.roundRect(x0, y0, s.w, s.h, s.h / 2, stroke=1, fill=1)
    elif s.kind == DECISION:
        p = canvas.beginPath()
        p.moveTo(s.xc, s.yc + s.h / 2)
        p.lineTo(s.xc + s.w / 2, s.yc)
        p.lineTo(s.xc, s.yc - s.h / 2)
        p.lineTo(s.xc - s.w / 2, s.yc)
        p.close()
        canvas.drawPath(p, stroke=1, fill=1)
    else:
        canvas.rect(x0, y0, s.w, s.h, stroke=1, fill=1)
    canvas.restoreState()


def draw_labels(canvas: Canvas, drawing: Drawing) -> None:
    canvas.saveState()
    canvas.setFont(L.FONT, LABEL_SIZE)
    for x, y, text, background in drawing.labels:
        w, h = label_size(text)
        if background:
            canvas.setFillColor(colors.white)
            canvas.rect(x, y, w, h, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.drawString(x + 0.4, y + 0.18 * h, text)
    canvas.restoreState()


def draw_footer(canvas: Canvas, pt: PermitType, index: int, count: int, page_w: float) -> None:
    """SOP and page on the first line; on the second, the file the SOP was printed from (so a
    printed SOP can be matched with the process the application runs)."""
    canvas.saveState()
    canvas.setFont(L.FONT, 6.5)
    canvas.setFillColor(L.GREY)
    first, second = MARGIN + 3.6 * mm, MARGIN + 0.6 * mm
    canvas.drawString(MARGIN, first, f"{pt.sop_number} — {pt.name}")
    canvas.drawRightString(page_w - MARGIN, first, f"Halaman {index + 1} dari {count}")
    source = pt.source_file or pt.code
    canvas.drawString(
        MARGIN,
        second,
        f"Dicetak dari berkas jenis izin {source} (sidik {pt.source_hash[:12]}) oleh "
        f"Perizinan Desktop {__version__}",
    )
    canvas.restoreState()
