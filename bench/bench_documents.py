"""Render time of every document against a bare reportlab page of the same size.

    .venv/bin/python bench/bench_documents.py [--runs N] [--vary]

The floor is what reportlab alone costs on this machine for a page of the same size: a
letterhead-free document with one paragraph and a 10-row table, in the built-in Helvetica
("dasar"). A second floor embeds our TrueType font instead ("dasar TTF"): the part of our cost
that any document with full-Unicode names must pay. Each figure is the median CPU time of the
rendering thread over N renders after a warm-up (fonts registered, emblem prepared); CPU time,
not wall time, because the shared two-core machines are noisy. Target: ratio <= 3.

Every run renders the same sample, so the per-text caches of ``documents._layout_*`` (parsed
and broken paragraphs) see each paragraph again. ``--vary`` gives every run its own applicant
name, NIK, registration and document number (and so its own QR code), as a day at the counter
does: only the wording that really repeats (kop, labels, legal bases) is cached then.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import segno
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

from desktop_perizinan import paths
from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents import _layout_qr, samples
from desktop_perizinan.documents.pdf import render


def varied(ctx: object, n: int) -> object:
    """``ctx`` with the sample's name, NIK, registration and numbers made unique by ``n``."""
    swaps = (
        (samples.LONG_NAME, f"{samples.LONG_NAME} {n}"),
        ("1211014507900003", f"12110145{n:08d}"),
        (samples.REGISTRATION, f"REG/2026/{n:05d}"),
        (samples.PERMIT_NUMBER, f"503/{n:04d}/IT-LKSA/DPMPTSPK/2026"),
        (samples.LETTER_NUMBER, f"503/{n:04d}/DPMPTSPK/2026"),
    )

    def swap(value: object) -> object:
        if isinstance(value, str):
            for old, new in swaps:
                value = value.replace(old, new)
            return value
        if isinstance(value, tuple):
            return tuple(swap(v) for v in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: swap(getattr(value, f.name)) for f in dataclasses.fields(value)}
            return dataclasses.replace(value, **changes)
        return value

    return swap(ctx)


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


#: The TTF floor's font: the same Liberation Sans file as a plain reportlab ``TTFont``, without
#: our cached subsets (``documents._layout_fonts``), so the floor stays the bare library.
FLOOR_FONT = "FloorLiberationSans"


def register_floor_font() -> None:
    """Register :data:`FLOOR_FONT` once."""
    if FLOOR_FONT not in pdfmetrics.getRegisteredFontNames():
        path = paths.resources_dir() / "fonts" / "LiberationSans-Regular.ttf"
        pdfmetrics.registerFont(TTFont(FLOOR_FONT, str(path)))


def rl_accel_on() -> bool:
    """Whether reportlab found its C accelerator (the ``rl-accel`` package)."""
    from reportlab.lib import rl_accel

    return rl_accel.fp_str.__module__ == "_rl_accel"


def cpu_ms(fn: Callable[[], object]) -> float:
    """CPU time of this thread for one call, in milliseconds."""
    start = time.thread_time()
    fn()
    return (time.thread_time() - start) * 1000


def interleaved(fns: Sequence[Callable[[], object]], runs: int) -> list[float]:
    """Median CPU ms of each function, calls interleaved so that all see the same load."""
    for fn in fns:
        fn()  # warm-up: fonts, emblem, caches
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for i, fn in enumerate(fns):
            times[i].append(cpu_ms(fn))
    return [statistics.median(t) for t in times]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--vary", action="store_true", help="a new name and numbers in every run (see above)"
    )
    args = parser.parse_args()
    serial = itertools.count(1)

    L.register_fonts()
    register_floor_font()
    sizes = {
        "F4": L.full_page("F4"),
        "1/2 F4": L.half_page("F4"),
        "80 mm": (80 * mm, 250 * mm),
    }
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
        size = sizes[paper]
        # varied contexts are made beforehand: only the rendering is timed
        contexts = iter(
            [varied(ctx, next(serial)) for _ in range(args.runs + 1)] if args.vary else []
        )

        def ours(ctx: object = ctx, contexts: Iterator[object] = contexts) -> bytes:
            return render(next(contexts, ctx))

        ms, floor, floor_ttf = interleaved(
            [
                ours,
                lambda size=size: bare_page(size),
                lambda size=size: bare_page(size, FLOOR_FONT),
            ],
            args.runs,
        )
        ratio, ratio_ttf = ms / floor, ms / floor_ttf
        worst, worst_ttf = max(worst, ratio), max(worst_ttf, ratio_ttf)
        print(
            f"{name:<24}{paper:<8}{ms:>7.1f}{floor:>8.1f}{ratio:>7.1f}"
            f"{floor_ttf:>11.1f}{ratio_ttf:>11.1f}"
        )
    # a new payload each call, as every final document has: segno.make against the symbol
    # the documents print (``documents._layout_qr.encode``, the same modules, see its doc)
    payloads = (f"PRZ|503/{n:04d}/IT-LKSA/DPMPTSPK/2026|{n:08x}" for n in itertools.count())
    qr, ours_qr = interleaved(
        [
            lambda: segno.make(next(payloads), error="m", micro=False, mask=_layout_qr.QR_MASK),
            lambda: _layout_qr.encode(next(payloads)),
        ],
        args.runs,
    )
    print(f"QR baru: segno.make {qr:.2f} ms, documents._layout_qr.encode {ours_qr:.2f} ms")
    print(
        f"rasio terburuk: {worst:.1f} (dasar Helvetica), {worst_ttf:.1f} (dasar TTF); sasaran <= 3"
    )
    print(
        f"issue 14: worst document / TTF page floor <= 2.5: {worst_ttf:.2f} "
        f"{'(--vary) ' if args.vary else ''}"
        f"{'OK' if worst_ttf <= 2.5 else 'ABOVE GOAL'} (load average {os.getloadavg()[0]:.1f}; "
        f"rl-accel {'on' if rl_accel_on() else 'off'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
