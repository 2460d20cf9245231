"""``perizinan demo --out DIR [--forms DIR]``: run every permit type of the folder end to end
on a fresh database and write every document as PDF and the books as XLSX.

Exits 0 only when every planned run (the permit path of each type, and its rejection path
where it has one) reached a numbered final that the verification service finds valid; else 1,
with what went wrong per type.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_perizinan.cli._common import Verbs, forms_dir, option
from desktop_perizinan.errors import UserError

if TYPE_CHECKING:
    from desktop_perizinan.services.demo import SigningFactory

#: How the demo signs, by name: each entry builds the :data:`SigningFactory` handed to
#: ``run_demo`` (None: wet signatures). A signing option of ``demo`` (e.g. ``--tte``) adds its
#: backend here and puts its name in ``args.signing``.
SIGNING: dict[str, Callable[[argparse.Namespace], SigningFactory | None]] = {
    "basah": lambda args: None,
    "bsre-sim": lambda args: _bsre_sim(args),
}


def _bsre_sim(args: argparse.Namespace) -> SigningFactory:
    """``--tte bsre-sim``: a BSrE simulator on 127.0.0.1 signs every step (devtools/demo_tte)."""
    from desktop_perizinan.devtools.demo_tte import start_simulated_bsre

    return start_simulated_bsre(Path(args.out) / "bsre-sim-ca.pem")


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop_perizinan.db.errors import check_url, database_errors, describe_url
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import demo_clock, run_demo, write_outputs

    db = option(args, "db")
    if db:
        check_url(db)  # before anything is made on disk
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"'{out}' adalah berkas, bukan folder; pilih folder keluaran lain.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Folder keluaran '{out}' tidak dapat dibuat: {exc.strerror}.") from exc
    url = db or f"sqlite:///{(out / 'demo.sqlite3').resolve()}"
    if not db:
        (out / "demo.sqlite3").unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            (out / f"demo.sqlite3{suffix}").unlink(missing_ok=True)
    clock = demo_clock()
    with database_errors(describe_url(url)):
        services = Services.open(url, forms_dir(option(args, "forms")), clock=clock)
        try:
            if services.users.any_user():
                raise UserError(
                    "Demo membutuhkan basis data baru yang kosong; basis data ini sudah berisi "
                    "pengguna. Pilih --db lain atau hapus --db agar dibuat di folder keluaran."
                )
            signing = SIGNING[getattr(args, "signing", None) or "basah"](args)
            summary = run_demo(services, clock, signing=signing)
            written = write_outputs(services, out)
            unloaded = list(services.forms.problems)  # a broken file ran nothing: not 0
        finally:
            services.close()
    print(f"Basis data demo : {url}")
    print(
        f"Permohonan      : {summary.cases} ({summary.issued} izin terbit, "
        f"{summary.rejected} ditolak)"
    )
    print(f"Nomor diambil   : {len(summary.numbers)}")
    for number in summary.numbers:
        print(f"  {number}")
    print(f"Langkah terlambat: {summary.late_steps}")
    print(f"Berkas ditulis  : {len(written)} di {out}")
    print("Jalur per jenis izin:")
    for run in summary.runs:
        scenarios = f" [{', '.join(run.scenarios)}]" if run.scenarios else ""
        where = f"{run.form_code} / {run.branch}{scenarios}"
        if run.ok:
            print(f"  OK    {where}: {run.number} — {run.verdict}")
        else:
            print(f"  GAGAL {where}: {run.problem}")
    if unloaded:
        print(f"Berkas jenis izin yang tidak dapat dimuat ({len(unloaded)} masalah):")
        for problem in unloaded:
            print(f"  {problem}")
    if not summary.ok or unloaded:
        failed = sum(not run.ok for run in summary.runs)
        print(
            f"GAGAL: {failed} dari {len(summary.runs)} jalur tidak sampai ke surat bernomor yang sah"
            + (f"; {len({p.file for p in unloaded})} berkas tidak dimuat." if unloaded else ".")
        )
        return 1
    return 0


def register(verbs: Verbs, common: argparse.ArgumentParser) -> None:
    """Add ``demo``."""
    demo = verbs.add_parser(
        "demo", help="jalankan semua jenis izin dari awal sampai akhir", parents=[common]
    )
    demo.add_argument("--out", required=True, metavar="DIR", help="folder keluaran PDF dan XLSX")
    demo.add_argument(
        "--tte",
        dest="signing",
        choices=sorted(SIGNING),
        default="basah",
        help="cara tanda tangan: basah (bawaan), atau bsre-sim: elektronik lewat simulator "
        "BSrE yang dijalankan demo sendiri (CA-nya ditulis ke DIR/bsre-sim-ca.pem)",
    )
    demo.set_defaults(handler=cmd_demo)
