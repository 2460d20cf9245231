"""Placing the SOP matrix: row heights, page breaks (with room for off-page connector bands),
then symbols and connectors. The result is what the drawing draws and the tests inspect."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table

from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.documents.sop_matrix.geometry import (
    BAND_H,
    FOOTER_H,
    HEAD_SIZE,
    MARGIN,
    MIN_ROW_H,
    PAD,
    Col,
    Columns,
    Drawing,
    PageFrame,
    RowBox,
    Symbol,
    columns_for,
    style,
)
from desktop_perizinan.documents.sop_matrix.identity import identity_block
from desktop_perizinan.documents.sop_matrix.plan import MatrixPlan, plan_matrix
from desktop_perizinan.documents.sop_matrix.routing import place_symbols, route
from desktop_perizinan.workflow.definition import OfficeConfig, PermitType


@dataclass
class MatrixLayout:
    """Everything placed, before drawing: what the renderer draws and the tests inspect."""

    pt: PermitType
    plan: MatrixPlan
    page_size: tuple[float, float]
    cols: Columns
    frames: list[PageFrame]
    rows: dict[int, RowBox]
    symbols: dict[int, Symbol]
    drawings: dict[int, Drawing]
    cells: list[dict[str, Paragraph]]
    head_cells: dict[str, Paragraph]
    actor_paras: list[Paragraph]
    head_heights: tuple[float, float]
    identity: Table
    identity_h: float


def layout_sop_matrix(
    pt: PermitType, office_config: OfficeConfig, office_profile: OfficeProfile
) -> MatrixLayout:
    """Place the identity block, the rows on pages, the symbols and the connectors."""
    L.register_fonts()
    plan = plan_matrix(pt, office_config)
    paper_w, paper_h = L.PAPER_SIZES[office_profile.paper]
    page_w, page_h = paper_h, paper_w  # landscape
    width = page_w - 2 * MARGIN
    cols = columns_for(width, len(plan.actors))

    body = style("body")
    center = style("center", alignment=TA_CENTER)
    head = style("head", HEAD_SIZE, fontName=L.FONT_BOLD, alignment=TA_CENTER)
    actor_head = style("actor", HEAD_SIZE - 0.5, alignment=TA_CENTER)

    # -- the rows' text and heights
    cells: list[dict[str, Paragraph]] = []
    heights: list[float] = []
    for i, step in enumerate(pt.steps):
        row = {
            "no": Paragraph(str(step.no), center),
            "activity": Paragraph(L.esc(step.name), body),
            "inputs": Paragraph(L.esc(step.inputs or "-"), body),
            "time": Paragraph(L.esc(step.time_text), center),
            "output": Paragraph(L.esc(step.output or "-"), body),
            "note": Paragraph(L.esc(plan.notes[i]), body),
        }
        tallest = 0.0
        for key, para in row.items():
            col: Col = getattr(cols, key)
            _w, h = para.wrap(col.width - 2 * PAD, 1000 * mm)
            tallest = max(tallest, h)
        cells.append(row)
        heights.append(max(MIN_ROW_H, tallest + 2 * PAD))

    # -- the header rows (repeated on every page)
    head_cells = {
        "no": Paragraph("No", head),
        "activity": Paragraph("Kegiatan", head),
        "actors": Paragraph("Pelaksana", head),
        "mutu": Paragraph("Mutu Baku", head),
        "inputs": Paragraph("Kelengkapan", head),
        "time": Paragraph("Waktu", head),
        "output": Paragraph("Output", head),
        "note": Paragraph("Keterangan", head),
    }
    actor_paras = [Paragraph(L.esc(a), actor_head) for a in plan.actors]
    head1_h = 5.5 * mm
    actor_heights = [
        p.wrap(c.width - 2 * 0.8 * mm, 100 * mm)[1] + 2 * PAD
        for p, c in zip(actor_paras, cols.actors, strict=True)
    ]
    mutu_heights = [
        head_cells[k].wrap(getattr(cols, k).width - 2 * PAD, 100 * mm)[1] + 2 * PAD
        for k in ("inputs", "time", "output")
    ]
    head2_h = max([5.5 * mm, *actor_heights, *mutu_heights])
    header_h = head1_h + head2_h

    # -- the identity block (first page)
    identity = identity_block(pt, office_profile, width)
    _iw, identity_h = identity.wrap(width, page_h)

    # -- pages: a page that continues keeps room for its band of off-page connectors
    bottom_limit = MARGIN + FOOTER_H
    frames: list[PageFrame] = []
    remaining = list(range(len(pt.steps)))
    while remaining:
        page = len(frames)
        top = page_h - MARGIN - (identity_h + 4 * mm if page == 0 else 0)
        body_top = top - header_h
        band_top = None
        if page > 0:
            band_top = (body_top, body_top - BAND_H)
            body_top -= BAND_H
        frame = PageFrame(page, top, body_top, band_top, None)
        y = body_top
        while remaining:
            h = heights[remaining[0]]
            last = len(remaining) == 1
            if y - h - (0 if last else BAND_H) < bottom_limit and frame.rows:
                break
            frame.rows.append(remaining.pop(0))
            y -= h
        if remaining:
            frame.band_bottom = (y, y - BAND_H)
        frames.append(frame)

    rows: dict[int, RowBox] = {}
    for frame in frames:
        y = frame.body_top
        for i in frame.rows:
            rows[i] = RowBox(frame.index, y, y - heights[i])
            y -= heights[i]
    symbols = place_symbols(plan, cols, rows)
    drawings = route(plan, cols, rows, symbols, frames)
    return MatrixLayout(
        pt=pt,
        plan=plan,
        page_size=(page_w, page_h),
        cols=cols,
        frames=frames,
        rows=rows,
        symbols=symbols,
        drawings=drawings,
        cells=cells,
        head_cells=head_cells,
        actor_paras=actor_paras,
        head_heights=(head1_h, head2_h),
        identity=identity,
        identity_h=identity_h,
    )
