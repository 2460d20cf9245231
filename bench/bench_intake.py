"""Save + resi ready at office scale: ``services.intake.submit`` against the floor, same run.

    python bench/bench_intake.py --db URL [--cases N] [--runs 40] [--warmup 5]
                                 [--profile FILE.prof] [--json FILE]

``--db`` is a database filled by ``bench/generate.py`` (200,000 cases for the real figure). With
``--cases N`` an *empty* database is first filled with N cases (a quick run: ``--cases 2000``).
Each measured submit adds one real case (the numbering continues), so the database grows by
``--warmup + --runs`` cases per run.

*Ours*: a clerk saves a complete Dairi file (all requirements ticked, the permit type's fields,
one scanned KTP as attachment, a new applicant): ``IntakeService.submit`` validates, writes the
applicant, the case, its checks, the attachment, the counter steps and the audit entries,
takes the registration number and renders the resi PDF (with its QR code), in one transaction.
The time ends when ``IntakeResult.pdf`` is in hand: the resi is ready to show and print.

*The floor*, measured in the same loop: the bare libraries doing the least such a save could
do: one ORM row inserted and committed in its own transaction (same engine, same database) +
one reportlab page (a bare canvas: a paragraph and a 10-row table, built-in font, no
letterhead, no QR). Ratio = our median / the floor's median. Targets (issue 3): under 100 ms
and at most 3× the floor.

The iterations alternate which of the two goes first. ``--profile`` writes a cProfile of the
measured submits and prints the top entries: the evidence for any hotspot.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import _common  # first: puts the checkout on sys.path
from sqlalchemy import DateTime, Integer, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from desktop_perizinan.db.models import AgendaEntry, Case, StepRecord, User
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.attachments import AttachmentIn
from desktop_perizinan.services.demo import SAMPLE_PDF, SteppingClock, sample_field_values
from desktop_perizinan.services.intake import IntakeRequest
from desktop_perizinan.services.users import actor_of

FORM = "DAIRI-LKS-ASING"
TARGET_MS = 100.0
TARGET_RATIO = 3.0
#: Issue 14: save + resi at most this many times the TTF + QR floor, per backend.
TTF_GOAL = {"sqlite": 2.0, "postgresql": 3.0}


class FloorBase(DeclarativeBase):
    pass


class FloorRow(FloorBase):
    """The floor's one row: a table of our own, created for the run and dropped after it."""

    __tablename__ = "zz_bench_floor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nik: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(DateTime)


def floor_page(number: int) -> bytes:
    """A bare reportlab page: a paragraph and a 10-row table, nothing of ours."""
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph, Table

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A5)
    width, height = A5
    styles = getSampleStyleSheet()
    paragraph = Paragraph(
        f"Resi penerimaan berkas nomor REG/2026/{number:05d}. Berkas permohonan telah diterima "
        "lengkap dan akan diproses sesuai standar pelayanan.",
        styles["Normal"],
    )
    _, h = paragraph.wrapOn(canvas, width - 100, height)
    paragraph.drawOn(canvas, 50, height - 60 - h)
    table = Table([[str(i + 1), f"Persyaratan nomor {i + 1}", "Ada"] for i in range(10)])
    _, th = table.wrapOn(canvas, width - 100, height)
    table.drawOn(canvas, 50, height - 80 - h - th)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


#: The TTF floor's font: Liberation Sans as a plain reportlab ``TTFont`` (not our cached one).
FLOOR_FONT = "FloorLiberationSans"


def floor_page_ttf(number: int) -> bytes:
    """The TTF + QR floor: the same bare page in an embedded TrueType font, with a segno QR.

    What any resi with full-Unicode names and a QR code must pay, nothing of ours: a plain
    ``TTFont`` (subset and compressed per document, as reportlab does), ``segno.make`` with its
    defaults (mask search included), the dark modules drawn as one path of rectangles.
    """
    import segno
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph, Table

    from desktop_perizinan import paths

    if FLOOR_FONT not in pdfmetrics.getRegisteredFontNames():
        font = paths.resources_dir() / "fonts" / "LiberationSans-Regular.ttf"
        pdfmetrics.registerFont(TTFont(FLOOR_FONT, str(font)))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A5)
    width, height = A5
    style = ParagraphStyle("floor", fontName=FLOOR_FONT, fontSize=10, leading=12)
    paragraph = Paragraph(
        f"Resi penerimaan berkas nomor REG/2026/{number:05d}. Berkas permohonan telah diterima "
        "lengkap dan akan diproses sesuai standar pelayanan.",
        style,
    )
    _, h = paragraph.wrapOn(canvas, width - 100, height)
    paragraph.drawOn(canvas, 50, height - 60 - h)
    table = Table(
        [[str(i + 1), f"Persyaratan nomor {i + 1}", "Ada"] for i in range(10)],
        style=[("FONT", (0, 0), (-1, -1), FLOOR_FONT, 9)],
    )
    _, th = table.wrapOn(canvas, width - 100, height)
    table.drawOn(canvas, 50, height - 80 - h - th)
    qr = segno.make(f"PRZ|REG/2026/{number:05d}|{number * 7919 % 65536:04x}", error="m")
    module = 2.0
    path = canvas.beginPath()
    for r, row in enumerate(qr.matrix):
        for c, dark in enumerate(row):
            if dark:
                path.rect(50 + c * module, 60 + (len(qr.matrix) - r) * module, module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class NikMaker:
    """New, valid NIKs no generated applicant has (district 99 is never generated)."""

    def __init__(self) -> None:
        self.serial = 0

    def __call__(self) -> str:
        self.serial += 1
        day = 1 + self.serial % 28
        return f"121199{day:02d}0890{self.serial % 10000:04d}"


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall time (what the clerk waits) and this thread's CPU time (robust on a busy machine)."""
    started, cpu = time.perf_counter(), time.thread_time()
    result = fn()
    return time.perf_counter() - started, time.thread_time() - cpu, result


class RenderTimer:
    """Wraps the services' ``render`` so a submit can be split into render and the rest."""

    def __init__(self) -> None:
        import desktop_perizinan.services.documents as documents

        self.module = documents
        self.original = documents.render
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    def __enter__(self) -> RenderTimer:
        def timed(ctx: Any) -> bytes:
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return self.original(ctx)
            finally:
                self.seconds += time.perf_counter() - started
                self.cpu_seconds += time.thread_time() - cpu

        self.module.render = timed
        return self

    def __exit__(self, *exc: object) -> None:
        self.module.render = self.original


def _start_clock(services: Services) -> SteppingClock:
    """The next working morning after everything already in the database."""
    with services.db.reading() as session:
        latest = max(
            d
            for d in (
                session.scalar(select(func.max(Case.received_at))),
                session.scalar(select(func.max(StepRecord.done_at))),
                session.scalar(select(func.max(AgendaEntry.taken_at))),
                datetime(2026, 1, 5),
            )
            if d is not None
        )
    day = latest.date() + timedelta(days=1)
    while not services.calendar.is_working_day(day):
        day += timedelta(days=1)
    return SteppingClock(datetime.combine(day, datetime.min.time()) + timedelta(hours=8))


def run(url: str, *, runs: int, warmup: int, profile: Path | None) -> dict[str, Any]:
    probe = Services.open(url)
    try:
        with probe.db.reading() as session:
            cases = session.scalar(select(func.count()).select_from(Case)) or 0
        clock = _start_clock(probe)
    finally:
        probe.close()
    services = Services.open(url, clock=clock)
    engine = services.db.engine
    FloorBase.metadata.drop_all(engine)
    FloorBase.metadata.create_all(engine)
    try:
        with services.db.reading() as session:
            clerk = next(
                actor_of(u)
                for u in session.scalars(select(User).order_by(User.id))
                if "front_office" in {r.role for r in u.roles}
            )
        pt = services.permit_type(FORM)
        fields = sample_field_values(pt, 1)
        present = frozenset(r.code for r in pt.requirements_for(False))
        new_nik = NikMaker()

        def ours() -> Any:
            clock.advance(3)
            return services.intake.submit(
                clerk,
                IntakeRequest(
                    form_code=FORM,
                    nik=new_nik(),
                    name="Benget Tua Simamora",
                    address="Desa Bintang Hulu, Sidikalang",
                    phone="082167788990",
                    fields=fields,
                    present=present,
                    attachments=(AttachmentIn("ktp.pdf", SAMPLE_PDF, "ktp"),),
                ),
            )

        def floor_insert() -> None:
            with Session(engine) as session, session.begin():
                session.add(
                    FloorRow(nik=new_nik(), name="Benget Tua Simamora", received_at=clock())
                )

        samples: dict[str, list[float]] = {
            k: []
            for k in (
                "ours",
                "ours_cpu",
                "render",
                "render_cpu",
                "insert",
                "insert_cpu",
                "page",
                "page_cpu",
                "page_ttf",
                "page_ttf_cpu",
            )
        }
        profiler = cProfile.Profile() if profile else None
        last_number = ""

        def our_turn() -> tuple[float, float]:
            nonlocal last_number
            if profiler:
                profiler.enable()
            wall, cpu, result = _timed(ours)
            if profiler:
                profiler.disable()
            last_number = result.reg_number
            assert result.complete and result.pdf.startswith(b"%PDF")
            return wall, cpu

        def floor_turn(index: int) -> tuple[float, ...]:
            ins_wall, ins_cpu, _ = _timed(floor_insert)
            page_wall, page_cpu, pdf = _timed(lambda: floor_page(index))
            ttf_wall, ttf_cpu, pdf_ttf = _timed(lambda: floor_page_ttf(index))
            assert pdf.startswith(b"%PDF") and pdf_ttf.startswith(b"%PDF")
            return ins_wall, ins_cpu, page_wall, page_cpu, ttf_wall, ttf_cpu

        with RenderTimer() as render_timer:
            for index in range(warmup + runs):
                render_timer.seconds = render_timer.cpu_seconds = 0.0
                if index % 2 == 0:
                    ours_t = our_turn()
                    rendered = (render_timer.seconds, render_timer.cpu_seconds)
                    floor_t = floor_turn(index)
                else:
                    floor_t = floor_turn(index)
                    ours_t = our_turn()
                    rendered = (render_timer.seconds, render_timer.cpu_seconds)
                if index >= warmup:
                    for key, value in zip(
                        ("ours", "ours_cpu", "render", "render_cpu"),
                        (*ours_t, *rendered),
                        strict=True,
                    ):
                        samples[key].append(value)
                    for key, value in zip(
                        ("insert", "insert_cpu", "page", "page_cpu", "page_ttf", "page_ttf_cpu"),
                        floor_t,
                        strict=True,
                    ):
                        samples[key].append(value)
        if profiler and profile:
            profiler.dump_stats(str(profile))
    finally:
        FloorBase.metadata.drop_all(engine)
        services.close()
    x = samples
    med, p95 = _common.median, _common.p95
    result: dict[str, Any] = {
        "url": _common.describe_url(url),
        "backend": _common.backend_of(url),
        "cases_before": cases,
        "runs": runs,
        "last_number": last_number,
    }
    for suffix in ("", "_cpu"):
        ours_s = x["ours" + suffix]
        floor_s = [a + b for a, b in zip(x["insert" + suffix], x["page" + suffix], strict=True)]
        rest = [o - r for o, r in zip(ours_s, x["render" + suffix], strict=True)]
        result.update(
            {
                f"ours{suffix}_median_ms": med(ours_s) * 1000,
                f"ours{suffix}_p95_ms": p95(ours_s) * 1000,
                f"render{suffix}_median_ms": med(x["render" + suffix]) * 1000,
                f"rest{suffix}_median_ms": med(rest) * 1000,
                f"floor{suffix}_median_ms": med(floor_s) * 1000,
                f"floor{suffix}_p95_ms": p95(floor_s) * 1000,
                f"floor_insert{suffix}_median_ms": med(x["insert" + suffix]) * 1000,
                f"floor_page{suffix}_median_ms": med(x["page" + suffix]) * 1000,
            }
        )
        result[f"ratio{suffix}_median"] = med(ours_s) / med(floor_s)
        result[f"ratio{suffix}_p95"] = p95(ours_s) / p95(floor_s)
        floor_ttf = [
            a + b for a, b in zip(x["insert" + suffix], x["page_ttf" + suffix], strict=True)
        ]
        result[f"floor_ttf{suffix}_median_ms"] = med(floor_ttf) * 1000
        result[f"floor_ttf{suffix}_p95_ms"] = p95(floor_ttf) * 1000
        result[f"floor_page_ttf{suffix}_median_ms"] = med(x["page_ttf" + suffix]) * 1000
        result[f"ratio_ttf{suffix}_median"] = med(ours_s) / med(floor_ttf)
        result[f"ratio_ttf{suffix}_p95"] = p95(ours_s) / p95(floor_ttf)
    return result


def report(result: dict[str, Any]) -> None:
    r = result
    print(f"Intake + resi — {_common.machine_line()}")
    print(
        f"Basis data: {r['url']} ({r['cases_before']:,} permohonan sebelum diukur), {r['runs']} kali"
    )
    print(
        "wall = waktu yang dirasakan petugas; CPU = waktu CPU proses ini (tahan terhadap mesin sibuk;"
    )
    print("di PostgreSQL tidak termasuk kerja server)")

    def line(label: str, key: str, p95: bool = True, digits: int = 1) -> tuple[str, ...]:
        cells = [label]
        for suffix in ("", "_cpu"):
            cells.append(f"{r[f'{key}{suffix}_median_ms']:.{digits}f} ms")
            cells.append(f"{r[f'{key}{suffix}_p95_ms']:.{digits}f} ms" if p95 else "")
        return tuple(cells)

    _common.print_table(
        ("", "wall median", "wall p95", "CPU median", "CPU p95"),
        [
            line("ours: submit + resi", "ours"),
            line("  of which rendering", "render", p95=False),
            line("  of which the rest (DB, checks)", "rest", p95=False),
            line("floor: ORM row + page", "floor"),
            line("  floor: ORM row insert+commit", "floor_insert", p95=False, digits=2),
            line("  floor: reportlab page", "floor_page", p95=False, digits=2),
            line("floor TTF+QR: ORM row + TTF page + segno QR", "floor_ttf"),
            line("  floor: TTF page + QR", "floor_page_ttf", p95=False, digits=2),
            (
                "ratio ours/floor TTF+QR",
                f"{r['ratio_ttf_median']:.1f}×",
                f"{r['ratio_ttf_p95']:.1f}×",
                f"{r['ratio_ttf_cpu_median']:.1f}×",
                f"{r['ratio_ttf_cpu_p95']:.1f}×",
            ),
            (
                "ratio ours/floor",
                f"{r['ratio_median']:.1f}×",
                f"{r['ratio_p95']:.1f}×",
                f"{r['ratio_cpu_median']:.1f}×",
                f"{r['ratio_cpu_p95']:.1f}×",
            ),
        ],
    )
    ok_ms = r["ours_median_ms"] < TARGET_MS
    ok_ratio = r["ratio_median"] <= TARGET_RATIO
    goal_ttf = TTF_GOAL[r["backend"]]
    ok_ttf = r["ratio_ttf_median"] <= goal_ttf
    print(
        f"Target < {TARGET_MS:.0f} ms (wall median): {'YA' if ok_ms else 'TIDAK'}; "
        f"≤ {TARGET_RATIO:.0f}× floor: {'YA' if ok_ratio else 'TIDAK'}; "
        f"≤ {goal_ttf:g}× floor TTF+QR (issue 14): {'YA' if ok_ttf else 'TIDAK'} "
        f"({r['ratio_ttf_median']:.2f}×, CPU {r['ratio_ttf_cpu_median']:.2f}×; "
        f"nomor terakhir {r['last_number']})"
    )


def print_profile(path: Path, limit: int = 30) -> None:
    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="a generated database (bench/generate.py)")
    parser.add_argument("--cases", type=int, help="fill an empty --db with this many cases first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the measured submits")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if args.cases:
        from generate import generate, print_summary

        services = Services.open(args.db)
        try:
            with services.db.reading() as session:
                empty = not session.scalar(select(func.count()).select_from(Case))
        finally:
            services.close()
        if empty:
            summary = generate(args.db, cases=args.cases, seed=args.seed, progress=lambda _: None)
            print_summary(summary, args.db)
            print()
        else:
            print("--cases diabaikan: basis data sudah berisi permohonan.", file=sys.stderr)
    result = run(args.db, runs=args.runs, warmup=args.warmup, profile=args.profile)
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if args.profile:
        print_profile(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
