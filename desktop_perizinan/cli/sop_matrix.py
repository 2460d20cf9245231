"""``perizinan sop-matrix [--forms DIR] [--out DIR]``: the SOP of every permit type as a PDF.

One PDF per permit type (``sop-<code>.pdf``), in the Permendagri 52/2011 form, printed from the
same files the application runs, so the SOP on the wall is the process in the computer. The
office's identity (name, emblem, head of office) comes from the database given with ``--db``;
without ``--db`` the built-in office profile is used, and nothing is created on disk but the
PDFs. ``--png`` also writes each page as PNG (the pictures in ``docs/``; needs ``pdftoppm``).
Exits 1 when a permit-type file does not load (its problems are printed, the others are still
written), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from desktop_perizinan.cli._common import Verbs, forms_dir, option
from desktop_perizinan.errors import UserError

PAPERS = ("F4", "A4")


def cmd_sop_matrix(args: argparse.Namespace) -> int:
    from desktop_perizinan.documents.sop_matrix import render_sop_matrix
    from desktop_perizinan.workflow.loader import load_forms

    directory = forms_dir(option(args, "forms"))
    if not directory.is_dir():
        raise UserError(f"Folder jenis izin '{directory}' tidak ditemukan.")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"'{out}' adalah berkas, bukan folder; pilih folder keluaran lain.")
    if args.png and shutil.which("pdftoppm") is None:
        raise UserError("--png membutuhkan program pdftoppm (paket poppler-utils).")
    forms = load_forms(directory)
    if forms.office is None:
        for problem in forms.problems:
            print(f"  {problem}", file=sys.stderr)
        raise UserError(f"Konfigurasi kantor di '{directory}' tidak dapat dimuat.")
    profile = _office_profile(option(args, "db"))
    if args.paper:
        profile = replace(profile, paper=args.paper)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Folder keluaran '{out}' tidak dapat dibuat: {exc.strerror}.") from exc
    for pt in sorted(forms.types.values(), key=lambda p: p.code):
        stem = f"sop-{pt.code.lower()}"
        pdf = out / f"{stem}.pdf"
        pdf.write_bytes(render_sop_matrix(pt, forms.office, profile))
        line = f"{pdf}  {pt.name}"
        if args.png:
            line += f"  ({_pngs(pdf, out, stem)} halaman PNG)"
        print(line)
    if forms.problems:
        print(f"{len(forms.problems)} masalah; berkas ini tidak dicetak:", file=sys.stderr)
        for problem in forms.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{len(forms.types)} matriks SOP ditulis di {out}")
    return 0


def _office_profile(db: str | None):  # -> OfficeProfile (imported lazily for --help)
    """The office's saved profile when ``--db`` names a database, else the built-in one."""
    from desktop_perizinan.services.settings import DEFAULT_PROFILE

    if not db:
        return DEFAULT_PROFILE
    from desktop_perizinan.db.engine import sqlite_path
    from desktop_perizinan.db.errors import check_url, database_errors, describe_url
    from desktop_perizinan.services.app import Services

    check_url(db)
    database = sqlite_path(db)
    if database is not None and not database.is_file():
        raise UserError(f"Basis data '{database}' tidak ditemukan; sebutkan --db yang benar.")
    with database_errors(describe_url(db)):
        services = Services.open(db)
        try:
            return services.settings.office_profile()
        finally:
            services.close()


def _pngs(pdf: Path, out: Path, stem: str) -> int:
    """Each page as ``<stem>.png``, ``<stem>-2.png``, ... (100 dpi)."""
    for old in out.glob(f"{stem}*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(out / stem)], check=True)
    pages = sorted(out.glob(f"{stem}-*.png"))
    for number, page in enumerate(pages, 1):
        page.rename(out / (f"{stem}.png" if number == 1 else f"{stem}-{number}.png"))
    return len(pages)


def register(verbs: Verbs, common: argparse.ArgumentParser) -> None:
    """Add ``sop-matrix``."""
    verb = verbs.add_parser(
        "sop-matrix",
        help="cetak matriks SOP setiap jenis izin (satu PDF per jenis)",
        parents=[common],
    )
    verb.add_argument(
        "--out", default="matriks-sop", metavar="DIR", help="folder keluaran (bawaan: matriks-sop)"
    )
    verb.add_argument(
        "--paper", choices=PAPERS, help="ukuran kertas (bawaan: pengaturan kantor, atau F4)"
    )
    verb.add_argument("--png", action="store_true", help="tulis juga setiap halaman sebagai PNG")
    verb.set_defaults(handler=cmd_sop_matrix)
