"""``perizinan audit``: verify the log (against anchors kept outside the database), close the
day, and carry the office audit key between PCs."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from desktop_perizinan.cli._common import Verbs, acting_user, add_user_option, option
from desktop_perizinan.errors import UserError


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from desktop_perizinan.db.audit_anchor import read_anchors
    from desktop_perizinan.db.engine import resolve_url
    from desktop_perizinan.db.errors import check_url, database_errors, describe_url
    from desktop_perizinan.db.sqlite_files import reading_engine
    from desktop_perizinan.errors import UserError
    from desktop_perizinan.services.audit import verify_chain

    url = resolve_url(option(args, "db"))
    # Only reads: a SQLite file that is not there is an error, not a new empty database (and
    # its folders) made by the attempt; a folder, a non-SQLite file, a malformed URL are
    # refused before connecting, and what only the connection reveals (another application's
    # database, a server that is down) becomes one Indonesian line. A SQLite file is opened
    # read-only (``mode=ro``): no WAL switch, no -wal file, not one byte changed.
    parsed = check_url(url, must_exist=True)
    anchors = []
    for given in args.anchor or ():
        path = Path(given)
        if not path.exists():
            raise UserError(f"Berkas atau folder jangkar {path} tidak ditemukan.")
        found = read_anchors(path)
        if not found:
            raise UserError(
                f"{path} tidak berisi jangkar audit (baris 'JANGKAR-AUDIT v1 ...' atau "
                "'audit_head' di manifest cadangan)."
            )
        anchors.extend(found)
    with (
        database_errors(describe_url(parsed)),
        reading_engine(url) as engine,
        Session(engine) as session,
    ):
        report = verify_chain(session, anchors=anchors)
        session.rollback()
    if report.ok:
        print(report.summary())
        latest = report.latest_anchor
        if latest is not None:
            print(
                f"Jangkar terakhir: entri {latest.last_id} ({latest.source}, {latest.when_text})."
            )
        return 0
    print(report.summary())
    for problem in report.problems:
        print(f"  - {problem}")
    return 1


def cmd_audit_close_day(args: argparse.Namespace) -> int:
    from desktop_perizinan.cli._common import forms_dir
    from desktop_perizinan.db.engine import resolve_url
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.daily_closing import close_day_as, closing_sheet_as

    sheet = Path(args.pdf) if args.pdf else None
    if sheet is not None and (sheet.is_dir() or not sheet.parent.is_dir()):
        raise UserError(f"'{sheet}' bukan berkas PDF yang dapat ditulis (folder tidak ada?).")
    services = Services.open(resolve_url(option(args, "db")), forms_dir(option(args, "forms")))
    try:
        actor = acting_user(services, args)
        closing = close_day_as(services, actor=actor)
        pdf = closing_sheet_as(services, closing, actor=actor) if sheet is not None else None
    finally:
        services.close()
    print(closing.line)
    print(f"Disimpan di {closing.path}.")
    if sheet is not None and pdf is not None:
        _write_atomically(sheet, pdf)
        print(f"Lembar penutupan untuk dicetak dan ditandatangani: {sheet}.")
    return 0


def _write_atomically(path: Path, data: bytes) -> None:
    """A temporary file beside ``path``, then a rename: never half a PDF under its name."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"Berkas '{path}' tidak dapat ditulis: {exc.strerror or exc}.") from exc


def cmd_audit_key_export(args: argparse.Namespace) -> int:
    from desktop_perizinan import audit_key

    keyring = audit_key.export_to(Path(args.file))
    print(
        f"Kunci audit kantor ({keyring.current}) disalin ke {args.file}. Simpan berkas itu di "
        "tempat aman (bersama cadangan); siapa pun yang memegangnya dapat menandai entri audit."
    )
    return 0


def cmd_audit_key_import(args: argparse.Namespace) -> int:
    from desktop_perizinan import audit_key

    keyring = audit_key.import_from(Path(args.file))
    print(
        f"Kunci audit {keyring.current} dipakai di PC ini mulai sekarang "
        f"({len(keyring.ids)} kunci untuk memeriksa entri lama)."
    )
    return 0


def register(verbs: Verbs, common: argparse.ArgumentParser) -> None:
    """Add ``audit verify``, ``audit tutup-hari`` and ``audit kunci ekspor|impor``."""
    audit = verbs.add_parser("audit", help="log audit", parents=[common])
    audit_verbs = audit.add_subparsers(title="perintah", metavar="PERINTAH", required=True)
    verify = audit_verbs.add_parser(
        "verify",
        help="periksa rantai hash, tanda kunci dan jangkar log audit",
        parents=[common],
    )
    verify.add_argument(
        "--anchor",
        action="append",
        metavar="BERKAS",
        help="jangkar di luar basis data: manifest cadangan (.json), penutupan harian (.txt), "
        "buku (.xlsx), atau folder berisi semuanya (mis. folder cadangan); boleh berulang",
    )
    verify.set_defaults(handler=cmd_audit_verify)
    close = audit_verbs.add_parser(
        "tutup-hari",
        help="penutupan harian: catat kepala log audit di luar basis data",
        parents=[common],
    )
    close.add_argument(
        "--pdf",
        metavar="BERKAS.pdf",
        help="tulis juga lembar penutupan (berita acara) untuk dicetak, ditandatangani dan diarsipkan",
    )
    add_user_option(close)
    close.set_defaults(handler=cmd_audit_close_day)
    key = audit_verbs.add_parser("kunci", help="kunci audit kantor di PC ini", parents=[common])
    key_verbs = key.add_subparsers(title="perintah", metavar="PERINTAH", required=True)
    export = key_verbs.add_parser("ekspor", help="salin kunci ke berkas", parents=[common])
    export.add_argument("file", metavar="BERKAS")
    export.set_defaults(handler=cmd_audit_key_export)
    imp = key_verbs.add_parser("impor", help="pakai kunci dari berkas", parents=[common])
    imp.add_argument("file", metavar="BERKAS")
    imp.set_defaults(handler=cmd_audit_key_import)
