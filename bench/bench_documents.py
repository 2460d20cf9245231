"""Render time of every document against a bare reportlab page of the same size.

    .venv/bin/python bench/bench_documents.py [--runs N]

The floor is what reportlab alone costs on this machine for a page of the same size: a
letterhead-free document with one paragraph and a 10-row table, in the built-in Helvetica.
Each document is timed as the median of N renders after a warm-up (fonts registered, emblem
decoded), and reported as a ratio to that floor. Target: ratio <= 3.
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

from reportlab.lib.styles import getSampleStyleSheet  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table  # noqa: E402

from desktop_perizinan.documents import _layout as L  # noqa: E402
from desktop_perizinan.documents import samples  # noqa: E402
from desktop_perizinan.documents.pdf import render  # noqa: E402


def bare_page(pagesize: tuple[float, float]) -> bytes:
    """The floor: reportlab with nothing of ours, one paragraph and a 10-row table."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=pagesize, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm)
    style = getSampleStyleSheet()["BodyText"]
    text = "Berdasarkan permohonan yang terdaftar dengan nomor registrasi REG/2026/00042. " * 4
    rows = [[str(i), f"Baris ke-{i}", "Keterangan"] for i in range(1, 11)]
    doc.build([Paragraph(text, style), Table(rows)])
    return buffer.getvalue()


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up: fonts, emblem, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    full = L.full_page("F4")
    half = L.half_page("F4")
    floors = {
        "F4": median_ms(lambda: bare_page(full), args.runs),
        "1/2 F4": median_ms(lambda: bare_page(half), args.runs),
        "80 mm": median_ms(lambda: bare_page((80 * mm, 250 * mm)), args.runs),
    }
    paper_of = {
        "resi": "1/2 F4",
        "resi_thermal": "80 mm",
        "klarifikasi": "1/2 F4",
        "klarifikasi_thermal": "80 mm",
        "disposisi": "1/2 F4",
        "tanda_terima": "1/2 F4",
    }
    print(f"{'dokumen':<24}{'kertas':<9}{'ms':>8}{'dasar ms':>10}{'rasio':>8}")
    worst = 0.0
    for name, ctx in samples.all_samples().items():
        paper = paper_of.get(name, "F4")
        ms = median_ms(lambda ctx=ctx: render(ctx), args.runs)
        ratio = ms / floors[paper]
        worst = max(worst, ratio)
        print(f"{name:<24}{paper:<9}{ms:>8.1f}{floors[paper]:>10.1f}{ratio:>8.2f}")
    print(f"rasio terburuk: {worst:.2f} (sasaran <= 3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
