"""Label : value rows laid out without reportlab's ``Table``: same places, a fraction of the work.

Private to the package (``_layout_blocks.kv_table`` builds it). Every document has a few of
these blocks (applicant, permit fields, letter head) and their values are new in every
document (a name, a NIK, a number), so they cannot be copied like the repeated wording
(``_layout_frozen``). reportlab's ``Table`` spends most of its time on generality these rows
never use: a style object per cell, span and line bookkeeping, every cell wrapped again while
drawing. :class:`KvRows` does what a tight ``Table`` (``_layout_base.tight_style``: no side
padding, top-aligned, top/bottom ``pad``) does with three fixed columns, in the same
arithmetic, so every string and paragraph lands on the same point: row height = the tallest
cell plus the paddings, a one-line label drawn at ``top - pad - fontSize``, a paragraph at
``top - pad - height``. It splits between rows as ``Table`` does, so a long block still breaks
across pages. ``tests/documents/test_kv_rows.py`` compares it with the ``Table`` it replaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

#: The height ``Table`` measures its flowable cells against (its ``_listCellGeom`` default).
_TABLE_AVAIL_HEIGHT = 72000


class KvRows(Flowable):
    """Rows of (label, ":", value): a label is a one-line string or a flowable, the value a
    flowable (a paragraph). See the module doc for what it reproduces of ``Table``."""

    def __init__(
        self,
        rows: Sequence[tuple[str | Flowable, Flowable]],
        col_widths: tuple[float, float, float],
        label_style: ParagraphStyle,
        pad: float,
    ) -> None:
        super().__init__()
        self.rows = list(rows)
        self.col_widths = col_widths
        self.label_style = label_style
        self.pad = pad
        self.hAlign = "CENTER"  # Table's default
        width = 0.0
        self._col_positions = [0.0]
        for w in col_widths:
            width = width + w
            self._col_positions.append(width)
        self.width = width
        self._row_heights: list[float] | None = None

    def _cell_height(self, cell: str | Flowable, width: float) -> float:
        pad = self.pad
        if isinstance(cell, str):
            st = self.label_style
            t = st.leading or 1.2 * st.fontSize
        else:
            sb = cell.getSpaceBefore()
            sa = cell.getSpaceAfter()
            _, vh = cell.wrapOn(getattr(self, "canv", None), width, _TABLE_AVAIL_HEIGHT - pad - pad)
            t = 0
            t += vh + sa + sb
            t = t - sb - sa
        return t + pad + pad

    def _heights(self) -> list[float]:
        if self._row_heights is None:
            w0, w1, w2 = self.col_widths
            heights = []
            for label, value in self.rows:
                h = 0.0
                for cell, w in ((label, w0), (":", w1), (value, w2)):
                    t = self._cell_height(cell, w)
                    if t > h:
                        h = t
                heights.append(h)
            self._row_heights = heights
        return self._row_heights

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        heights = self._heights()
        # Table's summation of the row positions, bottom to top (compensated)
        positions = []
        height = c = 0.0
        for h in reversed(heights):
            positions.append(height)
            y = h - c
            t = height + y
            c = (t - height) - y
            height = t
        positions.append(height)
        positions.reverse()
        self._row_positions = positions
        self.height = height
        return self.width, height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        if self.width > availWidth:
            return []
        h = 0.0
        n = 0
        for rh in self._heights():
            if h + rh > availHeight:
                break
            h = h + rh
            n = n + 1
        if n == 0:
            return []
        args = (self.col_widths, self.label_style, self.pad)
        return [KvRows(self.rows[:n], *args), KvRows(self.rows[n:], *args)]

    def draw(self) -> None:
        canv = self.canv
        st = self.label_style
        pad = self.pad
        canv.saveState()
        canv.setFillColor(colors.black)  # a Table cell's colour
        font_set = False
        x0, x1, x2 = self._col_positions[:3]
        for (label, value), rowpos, rowheight in zip(
            self.rows, self._row_positions[1:], self._heights(), strict=True
        ):
            for cell, colpos in ((label, x0), (":", x1), (value, x2)):
                if isinstance(cell, str):
                    if not font_set:
                        canv.setFont(st.fontName, st.fontSize, st.leading)
                        font_set = True
                    canv.drawString(colpos, rowpos + rowheight - pad - st.fontSize, cell)
                else:
                    self._draw_flowable(cell, colpos, rowpos, rowheight)
        canv.restoreState()

    def _draw_flowable(self, cell: Any, colpos: float, rowpos: float, rowheight: float) -> None:
        # as Table._drawCell for one top-aligned flowable (wrapped already at this width)
        h = cell.height
        y = rowpos + rowheight - self.pad
        y += cell.getSpaceBefore()
        y -= cell.getSpaceBefore()
        y -= h
        cell.drawOn(self.canv, colpos + 0, y)
