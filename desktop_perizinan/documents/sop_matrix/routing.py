"""Symbols in their rows and the connector lines between them.

Routing keeps lines off text and symbols by construction: each row holds exactly one symbol,
text lives only outside the actor columns, and every vertical run that passes other rows uses
a *lane* in the free margin beside a column's symbols. A lane is shared only by lines going to
the same step (they merge, as a bus would). Branch labels ("Ya"/"Tidak", or the outcome) are
placed at the first candidate spot that touches no line, symbol or grid line.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents.sop_matrix.geometry import (
    DIAMOND_H,
    LABEL_SIZE,
    LANE_MARGIN,
    PENTAGON_H,
    PENTAGON_W,
    SYMBOL_H,
    SYMBOL_MAX_W,
    Columns,
    Drawing,
    PageFrame,
    RowBox,
    Symbol,
)
from desktop_perizinan.documents.sop_matrix.plan import DECISION, Edge, MatrixPlan


def place_symbols(plan: MatrixPlan, cols: Columns, rows: dict[int, RowBox]) -> dict[int, Symbol]:
    out: dict[int, Symbol] = {}
    for i, column in enumerate(plan.column_of):
        col = cols.actors[column]
        row = rows[i]
        w = min(col.width - 2 * LANE_MARGIN, SYMBOL_MAX_W)
        kind = plan.kinds[i]
        # Narrow columns (A4, many actors): keep a capsule wider than tall.
        h = min(DIAMOND_H, w * 0.75) if kind == DECISION else min(SYMBOL_H, w * 0.62)
        out[i] = Symbol(row.page, col.center, (row.top + row.bottom) / 2, w, h, kind)
    return out


# ------------------------------------------------------------------------------------ routing


@dataclass
class _Lane:
    x: float
    busy: list[tuple[float, float, int]] = field(default_factory=list)  # g0, g1, target

    def free(self, g0: float, g1: float, target: int) -> bool:
        lo, hi = min(g0, g1), max(g0, g1)
        return all(t == target or b1 < lo - 1 or b0 > hi + 1 for b0, b1, t in self.busy)


def route(
    plan: MatrixPlan,
    cols: Columns,
    rows: dict[int, RowBox],
    symbols: dict[int, Symbol],
    frames: list[PageFrame],
) -> dict[int, Drawing]:
    """Connector paths per page (see the module docstring for the rules)."""
    drawings: dict[int, Drawing] = {f.index: Drawing() for f in frames}
    span = 10_000.0

    def g(page: int, y: float) -> float:  # a global y that grows down the pages
        return page * span - y

    lanes: list[_Lane] = []
    for col in cols.actors:
        sym_w = min(col.width - 2 * LANE_MARGIN, SYMBOL_MAX_W)
        margin = (col.width - sym_w) / 2
        for f in (0.22, 0.52):
            lanes.append(_Lane(col.x0 + margin * f))
            lanes.append(_Lane(col.x1 - margin * f))
    exits: dict[int, set[str]] = {i: set() for i in symbols}
    entries: dict[int, set[str]] = {i: set() for i in symbols}
    pentagons: dict[tuple[int, str], list[float]] = {}
    letters = iter(_letters())
    labels: list[tuple[int, list[tuple[float, float]], str]] = []  # page, path from vertex, text

    def pentagon(page: int, band: str, x: float) -> float:
        """Place an off-page connector in a band near ``x``; returns its x."""
        taken = pentagons.setdefault((page, band), [])
        best = x
        step = 0
        while any(abs(best - t) < PENTAGON_W + 0.6 * mm for t in taken):
            step += 1
            best = x + (step // 2 + 1) * (PENTAGON_W + 0.8) * (1 if step % 2 else -1)
        taken.append(best)
        return best

    def band_of(page: int, which: str) -> tuple[float, float]:
        frame = frames[page]
        band = frame.band_bottom if which == "bottom" else frame.band_top
        assert band is not None
        return band

    placed: dict[tuple[int, str, float, str], float] = {}

    def off_page(
        page: int, which: str, x: float, letter: str
    ) -> tuple[list[tuple[float, float]], tuple[float, float]]:
        """Path bits in a band: from ``x`` to the pentagon (or back); returns (jog, anchor).

        Lines to the same step along the same lane share one connector (and one letter).
        """
        top, bottom = band_of(page, which)
        key = (page, which, x, letter)
        if key in placed:
            px = placed[key]
        else:
            px = placed[key] = pentagon(page, which, x)
            drawings[page].pentagons.append((px, (top + bottom) / 2, letter))
        cy = (top + bottom) / 2
        edge_y = cy + PENTAGON_H / 2 if which == "bottom" else cy - PENTAGON_H / 2
        if abs(px - x) < 0.1:
            return [], (x, edge_y)
        jog_y = top - 1.2 * mm if which == "bottom" else bottom + 1.2 * mm
        return [(x, jog_y), (px, jog_y)], (px, edge_y)

    # 1. consecutive rows: down from the bottom vertex into the next step's top
    general: list[Edge] = []
    for edge in plan.edges:
        if edge.target == edge.source + 1 and "bottom" not in exits[edge.source]:
            a, b = symbols[edge.source], symbols[edge.target]
            exits[edge.source].add("bottom")
            entries[edge.target].add("top")
            ax, ay = a.vertex("bottom")
            bx, by = b.vertex("top")
            if a.page == b.page:
                elbow = (ay + rows[edge.source].bottom) / 2
                path = (
                    [(ax, ay), (ax, elbow), (bx, elbow), (bx, by)]
                    if ax != bx
                    else [(ax, ay), (bx, by)]
                )
                drawings[a.page].lines.append((path, True))
            else:
                letter = next(letters)
                jog, anchor = off_page(a.page, "bottom", ax, letter)
                path = [(ax, ay), *jog, anchor]
                drawings[a.page].lines.append((path, False))
                jog2, anchor2 = off_page(b.page, "top", ax, letter)
                elbow = (rows[edge.target].top + by) / 2
                drawings[b.page].lines.append(
                    ([anchor2, *reversed(jog2), (ax, elbow), (bx, elbow), (bx, by)], True)
                )
            if edge.label:
                labels.append((a.page, path, edge.label))
        else:
            general.append(edge)

    # 2. everything else through a lane, shortest spans first (they get the nearest lanes)
    shared: dict[tuple[float, int, int], str] = {}
    general.sort(
        key=lambda e: abs(
            g(symbols[e.target].page, symbols[e.target].yc)
            - g(symbols[e.source].page, symbols[e.source].yc)
        )
    )
    for edge in general:
        a, b = symbols[edge.source], symbols[edge.target]
        g0, g1 = g(a.page, a.yc), g(b.page, b.yc)
        best: tuple[float, _Lane, str, str] | None = None
        for lane in lanes:
            exit_side = "right" if lane.x > a.xc else "left"
            if exit_side in exits[edge.source] or exit_side in entries[edge.source]:
                continue  # one line per side: an exit never runs along an entry
            entry_side = "right" if lane.x > b.xc else "left"
            if entry_side in exits[edge.target]:
                entry_side = "top"
            if not lane.free(g0, g1 + (0 if entry_side != "top" else -b.h), edge.target):
                continue
            ex, _ = a.vertex(exit_side)
            nx, _ = b.vertex(entry_side) if entry_side != "top" else (b.xc, 0)
            cost = abs(lane.x - ex) + abs(lane.x - nx)
            if best is None or cost < best[0]:
                best = (cost, lane, exit_side, entry_side)
        if best is None:  # every lane taken: share the nearest one rather than fail
            lane = min(lanes, key=lambda ln: abs(ln.x - a.xc))
            exit_side = "right" if lane.x > a.xc else "left"
            entry_side = "right" if lane.x > b.xc else "left"
        else:
            _cost, lane, exit_side, entry_side = best
        lane.busy.append((min(g0, g1), max(g0, g1), edge.target))
        exits[edge.source].add(exit_side)
        entries[edge.target].add(entry_side)
        start = a.vertex(exit_side)
        if entry_side == "top":
            end = b.vertex("top")
            entry_y = (rows[edge.target].top + end[1]) / 2
            tail = [(lane.x, entry_y), (b.xc, entry_y), end]
        else:
            end = b.vertex(entry_side)
            tail = [(lane.x, end[1]), end]
        if a.page == b.page:
            path = [start, (lane.x, start[1]), *tail]
            drawings[a.page].lines.append((path, True))
            if edge.label:
                labels.append((a.page, path, edge.label))
            continue
        letter = shared.get((lane.x, edge.target, a.page)) or next(letters)
        shared[(lane.x, edge.target, a.page)] = letter
        down = b.page > a.page
        out_band, in_band = ("bottom", "top") if down else ("top", "bottom")
        jog, anchor = off_page(a.page, out_band, lane.x, letter)
        path = [start, (lane.x, start[1]), *jog, anchor]
        drawings[a.page].lines.append((path, False))
        if edge.label:
            labels.append((a.page, path, edge.label))
        jog2, anchor2 = off_page(b.page, in_band, lane.x, letter)
        drawings[b.page].lines.append(([anchor2, *reversed(jog2), *tail], True))

    # 3. branch labels where they touch nothing
    for page, path, text in labels:
        frame = frames[page]
        drawing = drawings[page]
        drawing.labels.append(_place_label(text, path, drawing, symbols, cols, rows, frame))
    return drawings


def _letters() -> list[str]:
    single = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    return single + [a + b for a in single for b in single]


def label_size(text: str) -> tuple[float, float]:
    return pdfmetrics.stringWidth(text, L.FONT, LABEL_SIZE) + 0.8, LABEL_SIZE * 1.05


def _place_label(
    text: str,
    path: list[tuple[float, float]],
    drawing: Drawing,
    symbols: dict[int, Symbol],
    cols: Columns,
    rows: dict[int, RowBox],
    frame: PageFrame,
) -> tuple[float, float, str, bool]:
    """The first spot along the start of ``path`` where a branch label touches no line,
    symbol, connector, other label or grid line; else the first spot, on a white ground."""
    w, h = label_size(text)
    candidates = _label_candidates(path, w, h)
    page_rows = [rows[i] for i in frame.rows]
    area = (cols.actors[0].x0, page_rows[-1].bottom, cols.actors[-1].x1, page_rows[0].top)
    blockers = _segments(drawing) + _grid_segments(cols, page_rows)
    boxes = [s.box() for s in symbols.values() if s.page == frame.index]
    boxes += [
        (x - PENTAGON_W / 2, y - PENTAGON_H / 2, x + PENTAGON_W / 2, y + PENTAGON_H / 2)
        for x, y, _letter in drawing.pentagons
    ]
    boxes += [(x, y, x + label_size(t)[0], y + label_size(t)[1]) for x, y, t, _bg in drawing.labels]
    for x, y in candidates:
        rect = (x, y, x + w, y + h)
        inside = area[0] < x and x + w < area[2] and area[1] < y and y + h < area[3]
        if not inside:
            continue
        if any(_rect_hits_segment(rect, seg) for seg in blockers):
            continue
        if any(_rects_overlap(rect, box) for box in boxes):
            continue
        return x, y, text, False
    x, y = candidates[0]
    return x, y, text, True


def _label_candidates(
    path: list[tuple[float, float]], w: float, h: float
) -> list[tuple[float, float]]:
    """Spots beside the first segments of a path: at their start, before and past their end."""
    gap = 0.6 * mm
    out: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(path[:4]):
        if abs(y0 - y1) < 0.01:  # horizontal: near the start, then sliding along, then past
            right = x1 >= x0
            length = abs(x1 - x0)
            for y in (y0 + gap, y0 - gap - h):
                out.append((x0 + gap if right else x0 - gap - w, y))
            offset = gap
            while offset + w + gap <= length:
                for y in (y0 + gap, y0 - gap - h):
                    out.append((x0 + offset if right else x0 - offset - w, y))
                offset += 1.5 * mm
            for y in (y0 + gap, y0 - gap - h):
                out.append((x1 + gap if right else x1 - gap - w, y))
        else:  # vertical
            down = y1 < y0
            for x in (x0 + gap, x0 - gap - w):
                out.append((x, y0 - gap - h if down else y0 + gap))
                out.append((x, y1 + gap if down else y1 - gap - h))
    return out


Segment = tuple[float, float, float, float]


def _segments(drawing: Drawing) -> list[Segment]:
    out: list[Segment] = []
    for path, _arrow in drawing.lines:
        for (x0, y0), (x1, y1) in itertools.pairwise(path):
            out.append((x0, y0, x1, y1))
    return out


def _grid_segments(cols: Columns, page_rows: list[RowBox]) -> list[Segment]:
    """The grid lines of the actor columns on a page (labels must not sit on them)."""
    top, bottom = page_rows[0].top, page_rows[-1].bottom
    xs = [c.x0 for c in cols.actors] + [cols.actors[-1].x1]
    out: list[Segment] = [(x, bottom, x, top) for x in xs]
    out += [(xs[0], r.top, xs[-1], r.top) for r in page_rows]
    out.append((xs[0], bottom, xs[-1], bottom))
    return out


def _rects_overlap(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _rect_hits_segment(rect: tuple[float, float, float, float], seg: Segment) -> bool:
    """Whether an axis-parallel segment passes through the rectangle (ours are all orthogonal)."""
    x0, y0, x1, y1 = seg
    left, bottom, right, top = rect
    if abs(x0 - x1) < 0.01:  # vertical
        lo, hi = min(y0, y1), max(y0, y1)
        return left - 0.3 < x0 < right + 0.3 and lo < top and hi > bottom
    lo, hi = min(x0, x1), max(x0, x1)
    return bottom - 0.3 < y0 < top + 0.3 and lo < right and hi > left
