"""``perizinan data-pribadi``: the UU PDP duties the office runs from the command line.

* ``perizinan data-pribadi NIK --out FILE.pdf``: the applicant's report (Ps 32): everything
  held about the person with this NIK and its processing history.
* ``perizinan data-pribadi retensi``: the applicants whose retention period is over.
* ``perizinan data-pribadi hapus NIK --alasan TEXT``: erase one of them (personal data and
  attachments go, the books keep their numbers and an anonymised line).

The command line has no login: it acts as the system user (an administrator), and every
report and erasure is recorded in the audit chain with this PC's name, like the app's.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_perizinan.cli._common import Verbs, acting_user, add_user_option, forms_dir, option
from desktop_perizinan.errors import UserError

RETENTION, ERASE = "retensi", "hapus"


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from desktop_perizinan.db.engine import resolve_url
    from desktop_perizinan.db.errors import check_url
    from desktop_perizinan.services.app import Services

    url = resolve_url(option(args, "db"))
    check_url(url, must_exist=True)  # a report of an empty new database helps nobody
    return Services.open(url, forms_dir(option(args, "forms")))


def cmd_data_pribadi(args: argparse.Namespace) -> int:
    from desktop_perizinan.db.engine import resolve_url
    from desktop_perizinan.db.errors import database_errors, describe_url
    from desktop_perizinan.privacy import check_nik_input

    what, nik = args.perintah, args.nik
    # Judge the input before the database is touched: a bad NIK changes nothing.
    if what == RETENTION:
        if nik:
            raise UserError("'data-pribadi retensi' tidak memakai NIK.")
    elif what == ERASE:
        if not nik:
            raise UserError("Sebutkan NIK pemohon: perizinan data-pribadi hapus NIK --alasan ...")
        check_nik_input(nik)
        if not (args.alasan or "").strip():
            raise UserError("Sebutkan alasan penghapusan dengan --alasan.")
    else:
        if nik:
            raise UserError(f"Perintah '{what}' tidak dikenal; pilih NIK, retensi atau hapus.")
        check_nik_input(what)
        if not args.out:
            raise UserError("Sebutkan berkas laporan dengan --out BERKAS.pdf.")
        out = Path(args.out)
        if out.is_dir():
            raise UserError(f"'{out}' adalah folder; sebutkan nama berkas PDF.")
        if not out.parent.exists():
            raise UserError(f"Folder '{out.parent}' tidak ada.")

    with database_errors(describe_url(resolve_url(option(args, "db")))):
        services = _open(args)
        try:
            return _run(services, args)
        finally:
            services.close()


def _run(services, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    actor = acting_user(services, args)
    what = args.perintah
    if what == RETENTION:
        due = services.retention.due(actor)
        years = services.retention.years()
        if not due:
            print(f"Tidak ada pemohon yang melewati masa retensi ({years} tahun).")
            return 0
        print(f"{len(due)} pemohon melewati masa retensi ({years} tahun):")
        for d in due:
            print(
                f"  {d.nik_masked}  {d.name}  ({d.cases} permohonan, kegiatan terakhir "
                f"{d.last_activity:%d-%m-%Y}, habis {d.due_since:%d-%m-%Y})"
            )
        return 0
    if what == ERASE:
        result = services.retention.erase_by_nik(actor, args.nik, args.alasan)
        print(
            f"Data pribadi dihapus: {result.cases} permohonan dianonimkan, {result.attachments} "
            f"lampiran dan isi {result.documents} dokumen dihapus, {result.book_lines} baris buku "
            "dianonimkan (nomor tetap)."
        )
        return 0
    report = services.pdp_report.make(actor, what)
    out = Path(args.out)
    try:
        out.write_bytes(report.pdf)
    except OSError as exc:
        raise UserError(f"Berkas '{out}' tidak dapat ditulis: {exc.strerror}.") from exc
    print(f"Laporan data pribadi {report.name}: {out} ({report.events} kegiatan tercatat).")
    return 0


def register(verbs: Verbs, common: argparse.ArgumentParser) -> None:
    """Add ``data-pribadi``."""
    parser = verbs.add_parser(
        "data-pribadi",
        help="data pribadi (UU PDP): laporan Pasal 32, retensi, penghapusan",
        description="perizinan data-pribadi NIK --out BERKAS.pdf | retensi | "
        "hapus NIK --alasan TEKS",
        parents=[common],
    )
    parser.add_argument(
        "perintah", metavar="NIK|retensi|hapus", help="NIK pemohon (laporan), retensi, atau hapus"
    )
    add_user_option(parser)
    parser.add_argument("nik", nargs="?", metavar="NIK", help="NIK pemohon (untuk hapus)")
    parser.add_argument("--out", metavar="BERKAS.pdf", help="berkas laporan Pasal 32")
    parser.add_argument("--alasan", metavar="TEKS", help="alasan penghapusan (dicatat)")
    parser.set_defaults(handler=cmd_data_pribadi)
