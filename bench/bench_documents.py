"""Render time of every document against a bare reportlab page of the same size.

    .venv/bin/python bench/bench_documents.py [--runs N]

The floor is what reportlab alone costs on this machine for a page of the same size: a
letterhead-free document with one paragraph and a 10-row table, in the built-in Helvetica
("dasar"). A second floor embeds our TrueType font instead ("dasar TTF"): the part of our cost
that any document with full-Unicode names must pay. Each figure is the median CPU time of the
rendering thread over N renders after a warm-up (fonts registered, emblem prepared); CPU time,
not wall time, because the shared two-core machines are noisy. Target: ratio <= 3.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # noqa: E402
import segno  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table  # noqa: E402

from desktop_perizinan.documents import _layout as L  # noqa: E402
from desktop_perizinan.documents import samples  # noqa: E402
from desktop_perizinan.documents.pdf import render  # noqa: E402


def bare_page(pagesize: tuple[float, float], font: str = "Helvetica") -> bytes:
    """The floor: reportlab with nothing of ours, one paragraph and a 10-row table."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=5 * mm,
        rightMargin=5 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
    )
    style = ParagraphStyle("floor", parent=getSampleStyleSheet()["BodyText"], fontName=font)
    text = "Berdasarkan permohonan yang terdaftar dengan nomor registrasi REG/2026/00042. " * 4
    rows = [[str(i), f"Baris ke-{i}", "Keterangan"] for i in range(1, 11)]
    table = Table(rows, style=[("FONT", (0, 0), (-1, -1), font, 9)])
    doc.build([Paragraph(text, style), table])
    return buffer.getvalue()


def median_ms(fn: Callable[[], object], runs: int) -> float:
    """Median CPU time of this thread per call, in milliseconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(runs):
        start = time.thread_time()
        fn()
        times.append((time.thread_time() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    L.register_fonts()
    sizes = {
        "F4": L.full_page("F4"),
        "1/2 F4": L.half_page("F4"),
        "80 mm": (80 * mm, 250 * mm),
    }
    floors = {k: median_ms(lambda s=s: bare_page(s), args.runs) for k, s in sizes.items()}
    floors_ttf = {k: median_ms(lambda s=s: bare_page(s, L.FONT), args.runs) for k, s in sizes.items()}
    paper_of = {
        "resi": "1/2 F4",
        "resi_thermal": "80 mm",
        "klarifikasi": "1/2 F4",
        "klarifikasi_thermal": "80 mm",
        "disposisi": "1/2 F4",
        "tanda_terima": "1/2 F4",
    }
    print(
        f"{'dokumen':<24}{'kertas':<8}{'ms':>7}{'dasar':>8}{'rasio':>7}"
        f"{'dasar TTF':>11}{'rasio TTF':>11}"
    )
    worst = worst_ttf = 0.0
    for name, ctx in samples.all_samples().items():
        paper = paper_of.get(name, "F4")
        ms = median_ms(lambda ctx=ctx: render(ctx), args.runs)
        ratio = ms / floors[paper]
        ratio_ttf = ms / floors_ttf[paper]
        worst, worst_ttf = max(worst, ratio), max(worst_ttf, ratio_ttf)
        print(
            f"{name:<24}{paper:<8}{ms:>7.1f}{floors[paper]:>8.1f}{ratio:>7.1f}"
            f"{floors_ttf[paper]:>11.1f}{ratio_ttf:>11.1f}"
        )
    qr = median_ms(lambda: segno.make("PRZ|503/0007/IT-LKSA/DPMPTSPK/2026|ABCD-EF01", error="m"),
                   args.runs)
    print(f"segno.make (sebagian dari tiap dokumen final): {qr:.1f} ms")
    print(f"rasio terburuk: {worst:.1f} (dasar Helvetica), {worst_ttf:.1f} (dasar TTF); sasaran <= 3")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
