"""Exporting a 100,000-row agenda book, against a bare openpyxl write-only of the same rows.

    .venv/bin/python bench/bench_books_export.py [--rows 100000] [--repeat 3] [--db URL]

What is compared, in the same run on the same machine:

* **ours**: ``BookExportService.export_agenda`` — the streaming query, the cell values, the
  styled cells (borders, formats), the title rows, the print setup, the save. This is exactly
  what the Buku screen runs in the background when the clerk clicks "Ekspor Excel".
* **bare**: ``Workbook(write_only=True)``, ``ws.append(row)`` for the same row tuples (already
  in memory, so no database time is counted), ``save``: the floor of openpyxl itself.

Each measurement runs in a fresh child process, alternating bare/ours ``--repeat`` times; the
medians are compared (target: ratio at most 1.3). Memory is the child's peak resident set
(``ru_maxrss``, the whole process: interpreter, SQLAlchemy, openpyxl and all; target under
150 MB), and, in one more child, the peak of Python allocations under ``tracemalloc`` (not
timed: tracing slows everything down).

The database is a temporary SQLite file unless ``--db`` names another (it must be empty and
will be filled: use a throwaway PostgreSQL database for a LAN figure).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORMS = ROOT / "forms"
BOOK = "surat_keluar"
YEAR = 2026


def _open(url: str):  # type: ignore[no-untyped-def]
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import demo_clock

    return Services.open(url, FORMS, clock=demo_clock())


def fill(url: str, rows: int) -> None:
    """A year of the outgoing-letter book: ``rows`` numbers, one in 250 voided."""
    from sqlalchemy import insert, select

    from desktop_perizinan.db.models import AgendaEntry, NumberBook, NumberCounter
    from desktop_perizinan.services.demo import create_demo_users
    from desktop_perizinan.workflow.placeholders import format_number

    services = _open(url)
    try:
        users = create_demo_users(services)
        clerk = users["ksb_umum"].id
        subjects = (
            "Permohonan rekomendasi teknis Izin Teknis LKS Asing",
            "Undangan rapat koordinasi tim teknis perizinan",
            "Penyampaian Surat Izin Usaha Perdagangan",
            "Penolakan permohonan izin reklame",
        )
        start = datetime(YEAR, 1, 2, 7, 30)
        with services.db.transaction() as session:
            book = session.scalars(select(NumberBook).where(NumberBook.code == BOOK)).one()
            batch = []
            for seq in range(1, rows + 1):
                when = start + timedelta(minutes=seq * 360 * 24 * 60 // rows)  # over the year
                voided = seq % 250 == 0
                batch.append(
                    {
                        "book_id": book.id,
                        "year": YEAR,
                        "seq": seq,
                        "number": format_number(book.pattern, seq, when),
                        "taken_at": when,
                        "taken_by": clerk,
                        "case_id": None,
                        "document_id": None,
                        "subject": f"{subjects[seq % 4]} ({seq})",
                        "addressee": f"Kepala Dinas Sosial Kabupaten Contoh {seq % 97}",
                        "imported": False,
                        "voided": voided,
                        "void_reason": "Salah ketik alamat tujuan" if voided else None,
                        "voided_at": when if voided else None,
                        "voided_by": clerk if voided else None,
                    }
                )
                if len(batch) == 10_000:
                    session.execute(insert(AgendaEntry), batch)
                    batch = []
            if batch:
                session.execute(insert(AgendaEntry), batch)
            session.add(NumberCounter(book_id=book.id, year=YEAR, last=rows))
    finally:
        services.close()


# ---------------------------------------------------------------------------- children


def child_ours(url: str, out: str, trace: bool) -> dict[str, float]:
    if trace:
        import tracemalloc

        tracemalloc.start()
    from desktop_perizinan.services.book_export import BookExportService

    services = _open(url)
    try:
        t0 = time.perf_counter()
        count = BookExportService(services).export_agenda(BOOK, YEAR, Path(out))
        elapsed = time.perf_counter() - t0
    finally:
        services.close()
    result = {"seconds": elapsed, "rows": count, "maxrss_mb": _maxrss_mb()}
    if trace:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    return result


def child_bare(url: str, out: str) -> dict[str, float]:
    from openpyxl import Workbook

    from desktop_perizinan.services.book_export import BookExportService, agenda_cells

    services = _open(url)
    try:
        rows = [agenda_cells(r) for r in BookExportService(services).agenda(BOOK, YEAR)]
    finally:
        services.close()
    t0 = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Buku")
    for row in rows:
        ws.append(row)
    wb.save(out)
    elapsed = time.perf_counter() - t0
    return {"seconds": elapsed, "rows": len(rows), "maxrss_mb": _maxrss_mb()}


def _maxrss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1e6  # KiB on Linux


def _run_child(kind: str, url: str, out: Path, *extra: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--db", url, "--out", str(out), *extra],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    parser.add_argument("--child", choices=("ours", "bare", "trace"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.child == "bare":
            result = child_bare(args.db, args.out)
        else:
            result = child_ours(args.db, args.out, trace=args.child == "trace")
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="bench-books-") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        t0 = time.perf_counter()
        fill(url, args.rows)
        print(
            f"filled {args.rows:,} agenda rows in {time.perf_counter() - t0:.1f} s ({url.split(':')[0]})"
        )
        bare: list[float] = []
        ours: list[float] = []
        rss: list[float] = []
        for i in range(args.repeat):
            b = _run_child("bare", url, Path(tmp) / f"bare-{i}.xlsx")
            o = _run_child("ours", url, Path(tmp) / f"ours-{i}.xlsx")
            bare.append(b["seconds"])
            ours.append(o["seconds"])
            rss.append(o["maxrss_mb"])
            print(
                f"  run {i + 1}: bare {b['seconds']:.2f} s, ours {o['seconds']:.2f} s "
                f"(ratio {o['seconds'] / b['seconds']:.2f}), ours peak RSS {o['maxrss_mb']:.0f} MB"
            )
        traced = _run_child("trace", url, Path(tmp) / "trace.xlsx")
        size = (Path(tmp) / "ours-0.xlsx").stat().st_size
        ratio = statistics.median(ours) / statistics.median(bare)
        print(
            json.dumps(
                {
                    "rows": args.rows,
                    "bare_s": round(statistics.median(bare), 2),
                    "ours_s": round(statistics.median(ours), 2),
                    "ratio": round(ratio, 3),
                    "ratio_target": 1.3,
                    "peak_rss_mb": round(max(rss), 1),
                    "traced_peak_mb": round(traced["traced_peak_mb"], 1),
                    "memory_target_mb": 150,
                    "xlsx_mb": round(size / 1e6, 1),
                    "cpus": os.cpu_count(),
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
