"""One row of blocks side by side, placed as reportlab's tight one-row ``Table`` places them.

Private to the package (``_layout_blocks.tight_row`` builds it). Documents put blocks side by
side with a one-row table without padding or lines: the QR code beside its number, the
signature beside the QR or the paraf box, the letter head beside the date, a block indented
by an empty first column. ``Table`` spends most of its time on what these rows never use (a
style object per cell, span, line and background bookkeeping, a font set per cell), in every
document, since their cells hold the document's own number or name. :class:`TightRow` does
what ``Table`` does for one row of fixed-width columns of ``_layout_base.tight_style`` (no
padding), with the same arithmetic, so every block lands on the same point: the row is as
tall as its tallest cell (an empty cell one line of the cell font), a cell's blocks are
stacked from the top, the bottom or the middle as its ``VALIGN`` says, left, centred or right
as its ``ALIGN`` says. The canvas is left in the state ``Table`` leaves a cell in (black fill,
the cell font), which the blocks drawn in it may read. Like a one-row ``Table`` it never
splits: it goes to the next page whole. ``tests/documents/test_tight_row.py`` compares it
with the ``Table`` it replaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.platypus import Flowable
from reportlab.platypus.tables import CellStyle

#: The height ``Table`` measures its flowable cells against (its ``_listCellGeom`` default).
_TABLE_AVAIL_HEIGHT = 72000

#: A cell: its flowables, or None for an empty text cell (one line of the cell font tall,
#: where an empty list of flowables is no height at all, as in ``Table``).
Cell = Sequence[Flowable] | None
#: What :func:`as_cell` answers for a value only ``Table`` can draw.
NOT_A_CELL = object()


class TightRow(Flowable):
    """Cells side by side (see :data:`Cell` and the module doc)."""

    def __init__(
        self,
        cells: Sequence[Cell],
        col_widths: Sequence[float],
        valign: Sequence[str],
        align: Sequence[str],
        h_align: str = "CENTER",
    ) -> None:
        super().__init__()
        self.cells = [None if c is None else list(c) for c in cells]
        self.col_widths = list(col_widths)
        self.valign = list(valign)
        self.align = list(align)
        self.hAlign = h_align
        positions = [0.0]
        width = 0.0
        for w in self.col_widths:
            width = width + w
            positions.append(width)
        self._col_positions = positions
        self.width = width
        self.height = 0.0

    def _geometry(
        self, cell: Sequence[Flowable], width: float, avail_height: float
    ) -> tuple[list[float], list[float], float]:
        """Widths, heights and the stacked height of a cell's blocks (``Table._listCellGeom``)."""
        canv = getattr(self, "canv", None)
        widths: list[float] = []
        heights: list[float] = []
        t = 0.0
        sb0 = sa = 0.0
        for i, v in enumerate(cell):
            vw, vh = v.wrapOn(canv, width, avail_height)
            sb = v.getSpaceBefore()
            sa = v.getSpaceAfter()
            widths.append(vw)
            heights.append(vh)
            t += vh + sa + sb
            if i == 0:
                sb0 = sb
        return widths, heights, (t - sb0 - sa) if cell else 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        h = 0.0
        for cell, w in zip(self.cells, self.col_widths, strict=True):
            if cell is None:  # an empty string: one line of the cell font
                t = (CellStyle.leading or 1.2 * CellStyle.fontsize) * 1
            else:
                t = self._geometry(cell, w, _TABLE_AVAIL_HEIGHT)[2]
            if t > h:
                h = t
        self.height = 0 + h  # Table's row positions: one row from 0
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        return [self] if self.height <= availHeight else []

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        # what Table's first cell sets; the blocks drawn in the cells may read it
        canv.setFillColor(CellStyle.color)
        canv.setFont(CellStyle.fontname, CellStyle.fontsize, CellStyle.leading)
        rowheight = self.height
        for cell, colpos, colwidth, valign, just in zip(
            self.cells, self._col_positions, self.col_widths, self.valign, self.align, strict=False
        ):
            if cell:
                self._draw_cell(cell, colpos, colwidth, rowheight, valign, just)
        canv.restoreState()

    def _draw_cell(
        self,
        cell: Sequence[Flowable],
        colpos: float,
        colwidth: float,
        rowheight: float,
        valign: str,
        just: str,
    ) -> None:
        # as Table._drawCell for a list of flowables, without padding, the row at 0
        widths, heights, h = self._geometry(cell, colwidth, rowheight)
        if valign == "TOP":
            y = 0 + rowheight - 0
        elif valign == "BOTTOM":
            y = 0 + 0 + h
        else:
            y = 0 + (rowheight + 0 - 0 + h) / 2.0
        y += cell[0].getSpaceBefore()
        for v, w, vh in zip(cell, widths, heights, strict=True):
            if just == "LEFT":
                x = colpos + 0
            elif just == "RIGHT":
                x = colpos + colwidth - 0 - w
            else:
                x = colpos + (colwidth + 0 - 0 - w) / 2.0
            y -= v.getSpaceBefore()
            y -= vh
            v.drawOn(self.canv, x, y)
            y -= v.getSpaceAfter()


def as_cell(value: Any) -> Cell | object:
    """A table cell value as a :class:`TightRow` cell; :data:`NOT_A_CELL` where only
    ``Table`` can draw it (text, or a block that ``Table`` splits or indents while laying
    the cell out)."""
    if isinstance(value, str):
        return None if value == "" else NOT_A_CELL
    items = [value] if isinstance(value, Flowable) else _flatten(value)
    if items is None:
        return NOT_A_CELL
    for item in items:
        if not isinstance(item, Flowable) or getattr(item, "__split_only__", None):
            return NOT_A_CELL
        if hasattr(item, "frameAction"):  # an Indenter and the like
            return NOT_A_CELL
    return items


def _flatten(value: Any) -> list[Any] | None:
    if not isinstance(value, list | tuple):
        return None
    out: list[Any] = []
    for item in value:
        if isinstance(item, list | tuple):
            inner = _flatten(item)
            if inner is None:
                return None
            out += inner
        else:
            out.append(item)
    return out
