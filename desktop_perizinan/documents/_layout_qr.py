"""The QR code at the foot of final documents and receipts: encoded with segno, drawn as one path.

The mask is fixed (:data:`QR_MASK`) instead of searched. segno otherwise evaluates all eight
masks (the ISO 18004 penalty rules) for every code, which was three quarters of the cost of
a QR and a sixth of a receipt's render time; any mask is a valid QR code, and every decoder
reads all eight. ``tests/documents/test_qr_decodes.py`` decodes our printed codes with
zbarimg to keep that true.
"""

from __future__ import annotations

from functools import lru_cache

import segno
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

#: Mask pattern 2 (vertical stripes every third column): no search. See the module doc.
QR_MASK = 2


#: Drawn operators of recently encoded symbols, by identity (``segno.QRCode`` is unhashable);
#: the symbol is kept beside them so that an id is never reused while cached.
_drawn: dict[int, tuple[segno.QRCode, str]] = {}


@lru_cache(maxsize=64)
def encode(payload: str) -> segno.QRCode:
    """The QR symbol of ``payload`` (error level M, fixed mask), cached for re-renders."""
    return segno.make(payload, error="m", micro=False, mask=QR_MASK)


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
        self.qr = encode(payload)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.qr, 0, 0, self.size, self.border)


def _runs(qr: segno.QRCode) -> str:
    """The PDF operators of ``qr``'s dark runs, one module per unit (see :func:`draw_qr`)."""
    cached = _drawn.get(id(qr))
    if cached is not None and cached[0] is qr:
        return cached[1]
    matrix = qr.matrix
    count = len(matrix)
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
    text = "\n".join(ops)
    if len(_drawn) > 64:
        _drawn.clear()
    _drawn[id(qr)] = (qr, text)
    return text


def draw_qr(c: Canvas, qr: segno.QRCode, x: float, y: float, size: float, border: int = 2) -> None:
    """Draw ``qr`` in a ``size`` square at (x, y) (bottom-left), quiet zone included.

    The modules are written as literal PDF operators in a coordinate system of one unit per
    module: one ``re`` per horizontal run of dark modules, all filled at once. Integer
    coordinates need no float formatting, which was most of the cost of drawing the path.
    """
    count = len(qr.matrix)
    module = size / (count + 2 * border)
    c.saveState()
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    # origin at the top-left dark area, y pointing down one module per row
    c.transform(module, 0, 0, -module, x + border * module, y + size - border * module)
    c.addLiteral(_runs(qr))
    c.restoreState()
