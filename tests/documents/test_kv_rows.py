"""``kv_table``'s rows are placed exactly where the tight ``Table`` it replaced put them.

``_layout_kv.KvRows`` reproduces a tight three-column ``Table`` for speed (issue 14); this
keeps it honest: same size, same split between rows on a short page, same pixels.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Table

from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents._layout_base import _tight
from desktop_perizinan.documents._layout_kv import KvRows

_ROWS = [
    ("Nama", "Yayasan Kesejahteraan Anak Bangsa Nusantara Raya & Mitra " * 2),
    ("NIK", "1211014507900003"),
    ("Alamat pemohon yang sangat panjang sekali", "Jl. Sisingamangaraja No. 12, Medan Amplas"),
    ("Catatan", "Café Nüsantara — ÁÉÍ"),
] * 6


def _both(pad: float) -> tuple[KvRows, Table]:
    st = L.styles()
    ours = L.kv_table(_ROWS, st, 150 * mm, 40 * mm, pad=pad)
    assert isinstance(ours, KvRows)
    data = [[label, ":", value] for label, value in ours.rows]
    table = Table(
        data,
        colWidths=list(ours.col_widths),
        style=_tight(
            [
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                ("FONT", (0, 0), (1, -1), st.body.fontName, st.body.fontSize, st.body.leading),
            ]
        ),
    )
    return ours, table


def _pdf(flowable: object) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=(230 * mm, 120 * mm), invariant=1)
    doc.build([flowable])
    return buffer.getvalue()


@pytest.mark.parametrize("pad", [0, 0.8, 1.2])
def test_same_size_and_split(pad: float) -> None:
    L.register_fonts()
    ours, table = _both(pad)
    assert ours.wrap(160 * mm, 1000) == table.wrap(160 * mm, 1000)
    parts, table_parts = ours.split(160 * mm, 60 * mm), table.split(160 * mm, 60 * mm)
    assert [len(p.rows) for p in parts] == [len(t._cellvalues) for t in table_parts]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler missing")
def test_same_pixels_over_pages(tmp_path) -> None:
    L.register_fonts()
    ours, table = _both(1.2)
    pngs = []
    for name, flowable in (("ours", ours), ("table", table)):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(_pdf(flowable))
        subprocess.run(["pdftoppm", "-r", "100", "-png", path, tmp_path / name], check=True)
        pngs.append([p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.png"))])
    assert len(pngs[0]) > 1  # split over pages
    assert pngs[0] == pngs[1]
