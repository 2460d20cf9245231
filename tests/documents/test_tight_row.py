"""``tight_row`` puts blocks exactly where the tight one-row ``Table`` it replaced put them.

``_layout_row.TightRow`` reproduces reportlab's ``Table`` for one row without padding (issue
14); this keeps it honest: same size, same refusal to split, same pixels, for every vertical
and horizontal alignment, empty cells, stacked blocks with space around them.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table

from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents._layout_base import _tight
from desktop_perizinan.documents._layout_row import TightRow


def _cells() -> list[Any]:
    st = L.styles(10.0)
    spaced = ParagraphStyle("spaced", parent=st.body, spaceBefore=4, spaceAfter=7)
    return [
        L.QrCode("PRZ|503/0001/IT-LKSA/DPMPTSPK/2026|00c0ffee", 22 * mm),
        "",
        [
            L.markup("Nomor dokumen:", st.tiny),
            L.para("503/0001/IT-LKSA/DPMPTSPK/2026", st.small_bold),
            Spacer(1, 1 * mm),
            [L.para("Keaslian dokumen ini dapat diperiksa dengan memindai kode QR.", spaced)],
        ],
        [],
        L.para("Sidikalang, 19 November 2026 — Café Nüsantara", st.body),
    ]


_WIDTHS = [25 * mm, 6 * mm, 60 * mm, 5 * mm, 40 * mm]
_CASES = [
    ("TOP", "LEFT"),
    ("MIDDLE", "CENTER"),
    ("BOTTOM", "RIGHT"),
    (["BOTTOM", "TOP", "MIDDLE", "TOP", "BOTTOM"], ["LEFT", "LEFT", "CENTER", "LEFT", "RIGHT"]),
]


def _both(valign: Any, align: Any, h_align: str = "CENTER") -> tuple[Flowable, Table]:
    L.register_fonts()
    ours = L.tight_row(_cells(), _WIDTHS, valign=valign, align=align, h_align=h_align)
    assert isinstance(ours, TightRow)
    n = len(_WIDTHS)
    valigns = [valign] * n if isinstance(valign, str) else valign
    aligns = [align] * n if isinstance(align, str) else align
    commands = [("VALIGN", (i, 0), (i, 0), v) for i, v in enumerate(valigns)]
    commands += [("ALIGN", (i, 0), (i, 0), a) for i, a in enumerate(aligns)]
    table = Table([_cells()], colWidths=_WIDTHS, style=_tight(commands), hAlign=h_align)
    return ours, table


def _pdf(make: Callable[[], Flowable], before: float = 0) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=(180 * mm, 100 * mm),
        invariant=1,
        **{f"{side}Margin": 8 * mm for side in ("left", "right", "top", "bottom")},
    )
    doc.build([Spacer(1, before), make(), L.para("sesudahnya", L.styles(10.0).body)])
    return buffer.getvalue()


@pytest.mark.parametrize(("valign", "align"), _CASES)
def test_same_size_and_no_split(valign: Any, align: Any) -> None:
    ours, table = _both(valign, align)
    size = ours.wrap(170 * mm, 1000)
    assert size == table.wrap(170 * mm, 1000)
    assert ours.split(170 * mm, size[1] - 1) == table.split(170 * mm, size[1] - 1) == []
    assert ours.split(170 * mm, size[1]) == [ours]


def test_a_cell_with_text_is_left_to_table() -> None:
    L.register_fonts()
    row = L.tight_row(["teks", L.para("x", L.styles(10.0).body)], [30 * mm, 30 * mm])
    assert isinstance(row, Table)


def _pngs(tmp_path: Any, name: str, data: bytes) -> list[bytes]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-png", path, tmp_path / name], check=True)
    return [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.png"))]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler missing")
@pytest.mark.parametrize(("valign", "align"), _CASES)
@pytest.mark.parametrize("h_align", ["CENTER", "LEFT"])
def test_same_pixels(tmp_path: Any, valign: Any, align: Any, h_align: str) -> None:
    ours = _pngs(tmp_path, "ours", _pdf(lambda: _both(valign, align, h_align)[0]))
    table = _pngs(tmp_path, "table", _pdf(lambda: _both(valign, align, h_align)[1]))
    assert ours == table


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler missing")
def test_a_row_that_does_not_fit_goes_to_the_next_page_whole(tmp_path: Any) -> None:
    ours = _pngs(tmp_path, "ours", _pdf(lambda: _both("TOP", "LEFT")[0], before=65 * mm))
    table = _pngs(tmp_path, "table", _pdf(lambda: _both("TOP", "LEFT")[1], before=65 * mm))
    assert len(ours) == 2
    assert ours == table
