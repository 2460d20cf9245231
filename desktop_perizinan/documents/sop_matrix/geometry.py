"""Sizes, colours and the geometric records of the SOP matrix (columns, rows, symbols, pages).

Shared by the layout, the router and the drawing; nothing here draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from desktop_perizinan.documents import _layout as L

# ------------------------------------------------------------------------------------ sizes

MARGIN = 10 * mm
FOOTER_H = 7 * mm
BAND_H = 8 * mm  # the off-page connector band at a page break
TEXT_SIZE = 7.5
HEAD_SIZE = 7.0
LABEL_SIZE = 5.6
PAD = 1.4 * mm
SYMBOL_H = 5.6 * mm
DIAMOND_H = 7.0 * mm
SYMBOL_MAX_W = 16 * mm
LANE_MARGIN = 4.2 * mm  # free space each side of a symbol, for the lanes
MIN_ROW_H = 12 * mm
ARROW = 1.25 * mm
PENTAGON_W = 4.2 * mm
PENTAGON_H = 4.6 * mm
LINE_W = 0.7
GRID_W = 0.4
GRID = colors.Color(0.45, 0.45, 0.45)
HEAD_FILL = colors.Color(0.9, 0.9, 0.9)
BAND_FILL = colors.Color(0.97, 0.97, 0.97)


# ------------------------------------------------------------------------------------ geometry


@dataclass(frozen=True)
class Col:
    x0: float
    x1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Columns:
    no: Col
    activity: Col
    actors: tuple[Col, ...]
    inputs: Col
    time: Col
    output: Col
    note: Col

    @property
    def left(self) -> float:
        return self.no.x0

    @property
    def right(self) -> float:
        return self.note.x1

    def all(self) -> list[Col]:
        return [
            self.no,
            self.activity,
            *self.actors,
            self.inputs,
            self.time,
            self.output,
            self.note,
        ]


def columns_for(width: float, actors: int) -> Columns:
    no_w, time_w = 8 * mm, 15 * mm
    actor_w = min(max(width * 0.45 / max(actors, 1), 15 * mm), 24 * mm)
    rest = width - no_w - time_w - actor_w * actors
    shares = (0.33, 0.22, 0.2, 0.25)  # activity, inputs, output, note
    x = MARGIN
    out: list[Col] = []

    def take(w: float) -> Col:
        nonlocal x
        col = Col(x, x + w)
        x += w
        return col

    no = take(no_w)
    activity = take(rest * shares[0])
    for _ in range(actors):
        out.append(take(actor_w))
    inputs = take(rest * shares[1])
    time = take(time_w)
    output = take(rest * shares[2])
    note = take(rest * shares[3])
    return Columns(no, activity, tuple(out), inputs, time, output, note)


@dataclass
class Symbol:
    page: int
    xc: float
    yc: float
    w: float
    h: float
    kind: str

    def vertex(self, side: str) -> tuple[float, float]:
        return {
            "top": (self.xc, self.yc + self.h / 2),
            "bottom": (self.xc, self.yc - self.h / 2),
            "left": (self.xc - self.w / 2, self.yc),
            "right": (self.xc + self.w / 2, self.yc),
        }[side]

    def box(self) -> tuple[float, float, float, float]:
        return (
            self.xc - self.w / 2,
            self.yc - self.h / 2,
            self.xc + self.w / 2,
            self.yc + self.h / 2,
        )


@dataclass
class RowBox:
    page: int
    top: float
    bottom: float


@dataclass
class PageFrame:
    index: int
    head_top: float  # top of the matrix header rows
    body_top: float  # under the header rows (and the top band, if any)
    band_top: tuple[float, float] | None  # (top, bottom) of the incoming band
    band_bottom: tuple[float, float] | None  # (top, bottom) of the outgoing band
    rows: list[int] = field(default_factory=list)


@dataclass
class Drawing:
    """What is drawn on one page besides the table: lines, arrows, connectors, labels."""

    lines: list[tuple[list[tuple[float, float]], bool]] = field(default_factory=list)
    pentagons: list[tuple[float, float, str]] = field(default_factory=list)
    labels: list[tuple[float, float, str, bool]] = field(default_factory=list)  # x, y, text, bg


# ------------------------------------------------------------------------------------ styles


def style(name: str, size: float = TEXT_SIZE, **kw: Any) -> ParagraphStyle:
    L.register_fonts()
    base: dict[str, Any] = {
        "fontName": L.FONT,
        "fontSize": size,
        "leading": round(size * 1.22, 2),
        "embeddedHyphenation": 0,
        "splitLongWords": 1,
    }
    base.update(kw)
    return ParagraphStyle(f"sop-{name}", **base)
