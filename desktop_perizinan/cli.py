"""The ``perizinan`` command: start the app, or one of the verbs below.

Every verb takes ``--db URL`` (else ``PERIZINAN_DB_URL``, else the SQLite file in the user's
data folder), before or after the verb, answers ``--help``, and exits non-zero with a one-line
Indonesian reason on failure. Heavy libraries are imported inside the verbs so ``--help``
stays instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from desktop_perizinan.errors import UserError

Handler = Callable[[argparse.Namespace], int]


def _forms_dir(value: str | None) -> Path:
    from desktop_perizinan.services.app import DEFAULT_FORMS_DIR

    return Path(value) if value else DEFAULT_FORMS_DIR


def _option(args: argparse.Namespace, name: str) -> str | None:
    """``--db`` or ``--forms``, given before or after the verb (see :func:`build_parser`)."""
    return getattr(args, name, None)


def cmd_forms_check(args: argparse.Namespace) -> int:
    from desktop_perizinan.workflow.check import run_check

    directory = _forms_dir(args.dir)
    if not directory.is_dir():
        raise UserError(f"Folder jenis izin '{directory}' tidak ditemukan.")
    text, status = run_check(directory)
    print(text)
    return status


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop_perizinan.db.errors import check_url, database_errors, describe_url
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import demo_clock, run_demo, write_outputs

    db = _option(args, "db")
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
        services = Services.open(url, _forms_dir(_option(args, "forms")), clock=clock)
        try:
            if services.users.any_user():
                raise UserError(
                    "Demo membutuhkan basis data baru yang kosong; basis data ini sudah berisi "
                    "pengguna. Pilih --db lain atau hapus --db agar dibuat di folder keluaran."
                )
            summary = run_demo(services, clock)
            written = write_outputs(services, out)
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
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from desktop_perizinan.db.engine import Database, resolve_url
    from desktop_perizinan.db.errors import check_url, database_errors, describe_url
    from desktop_perizinan.services.audit import verify_chain

    url = resolve_url(_option(args, "db"))
    # Only reads: a SQLite file that is not there is an error, not a new empty database (and
    # its folders) made by the attempt; a folder, a non-SQLite file, a malformed URL are
    # refused before connecting, and what only the connection reveals (another application's
    # database, a server that is down) becomes one Indonesian line.
    parsed = check_url(url, must_exist=True)
    with database_errors(describe_url(parsed)):
        db = Database(url)
        try:
            with db.reading() as session:
                report = verify_chain(session)
        finally:
            db.dispose()
    if report.ok:
        print(f"Log audit utuh: {report.entries} entri, rantai hash cocok.")
        return 0
    print(f"Log audit RUSAK ({len(report.problems)} masalah dari {report.entries} entri):")
    for problem in report.problems:
        print(f"  - {problem}")
    return 1


def cmd_app(args: argparse.Namespace) -> int:
    from desktop_perizinan.ui.launch import launch

    return launch(db_url=_option(args, "db"), forms_dir=_forms_dir(_option(args, "forms")))


def _common_options(default: object) -> argparse.ArgumentParser:
    """``--db`` and ``--forms``, as a parent parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        default=default,
        help="URL basis data (sqlite:///berkas.sqlite3 atau postgresql://...); "
        "bawaan: PERIZINAN_DB_URL, lalu SQLite di folder data pengguna",
    )
    common.add_argument(
        "--forms", metavar="DIR", default=default, help="folder jenis izin (bawaan: forms/)"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    # The top-level parser sets --db/--forms (None when absent). The verbs take them too,
    # with default=SUPPRESS: a subparser's default would otherwise overwrite the value given
    # before the verb, and 'perizinan --db URL audit verify' would silently use the default
    # database (creating it) instead of URL.
    common = _common_options(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="perizinan",
        description="Perizinan Desktop — aplikasi back-office DPMPTSP. Tanpa perintah: buka aplikasi.",
        parents=[_common_options(None)],
    )
    parser.set_defaults(handler=cmd_app)
    verbs = parser.add_subparsers(title="perintah", metavar="PERINTAH")

    forms = verbs.add_parser("forms", help="jenis izin (berkas forms/)", parents=[common])
    forms_verbs = forms.add_subparsers(title="perintah", metavar="PERINTAH", required=True)
    check = forms_verbs.add_parser(
        "check", help="periksa semua berkas jenis izin di DIR", parents=[common]
    )
    check.add_argument("dir", nargs="?", metavar="DIR")
    check.set_defaults(handler=cmd_forms_check)

    demo = verbs.add_parser(
        "demo", help="jalankan semua jenis izin dari awal sampai akhir", parents=[common]
    )
    demo.add_argument("--out", required=True, metavar="DIR", help="folder keluaran PDF dan XLSX")
    demo.set_defaults(handler=cmd_demo)

    audit = verbs.add_parser("audit", help="log audit", parents=[common])
    audit_verbs = audit.add_subparsers(title="perintah", metavar="PERINTAH", required=True)
    verify = audit_verbs.add_parser(
        "verify", help="periksa rantai hash log audit", parents=[common]
    )
    verify.set_defaults(handler=cmd_audit_verify)

    from desktop_perizinan import cli_backup, cli_more, cli_verify

    cli_verify.register(verbs, common)
    cli_backup.register(verbs, common)
    cli_more.register(verbs, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except UserError as exc:
        print(f"perizinan: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("perizinan: dibatalkan.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
