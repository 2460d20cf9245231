"""``perizinan nomor``: numbers from outside the app in the agenda books (issue 13.6).

* ``perizinan nomor manual BUKU --nomor N --tanggal TTTT-BB-HH --perihal ... --oleh ...
  --alasan ...``: record a number issued by hand (it must be the book's next number).
* ``perizinan nomor pesan BUKU --keperluan ... --pemesan ...``: reserve the next number.
* ``perizinan nomor kedaluwarsa``: void the reservations past their time.
* ``perizinan nomor celah BUKU [--tahun TTTT]``: the gap report (voided, reserved, manual).
* ``perizinan nomor batas-pesanan JAM``: the office's time limit for reserved numbers.

The command line has no login: it acts as the system user, and every change is recorded in
the audit chain, like the app's.
"""

from __future__ import annotations

import argparse
from datetime import date

from desktop_perizinan.cli._common import Verbs, acting_user, add_user_option, forms_dir, option
from desktop_perizinan.errors import UserError

ACTIONS = ("manual", "pesan", "kedaluwarsa", "celah", "batas-pesanan")


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"Tanggal '{text}' tidak sah; tulis TTTT-BB-HH, misalnya 2026-11-02."
        ) from None


def cmd_nomor(args: argparse.Namespace) -> int:
    from desktop_perizinan.db.engine import resolve_url
    from desktop_perizinan.db.errors import check_url, database_errors, describe_url
    from desktop_perizinan.services.app import Services

    what, target = args.perintah, args.buku
    if what not in ACTIONS:
        raise UserError(f"Perintah '{what}' tidak dikenal; pilih salah satu: {', '.join(ACTIONS)}.")
    if what in ("manual", "pesan", "celah") and not target:
        raise UserError(f"Sebutkan kode buku: perizinan nomor {what} BUKU ...")
    if what == "batas-pesanan" and not (target or "").isdigit():
        raise UserError("Sebutkan batas waktu dalam jam: perizinan nomor batas-pesanan 24")
    letter_date = _date(args.tanggal)
    url = resolve_url(option(args, "db"))
    check_url(url, must_exist=True)
    with database_errors(describe_url(url)):
        services = Services.open(url, forms_dir(option(args, "forms")))
        try:
            return _run(services, args, letter_date)
        finally:
            services.close()


def _run(services, args: argparse.Namespace, letter_date: date | None) -> int:  # type: ignore[no-untyped-def]
    actor = acting_user(services, args)
    outside = services.outside_numbers
    what, book = args.perintah, args.buku
    if what == "manual":
        line = outside.record_manual(
            actor,
            book,
            number=args.nomor or "",
            letter_date=letter_date or services.now().date(),
            subject=args.perihal or "",
            addressee=args.kepada or "",
            issued_by=args.oleh or "",
            reason=args.alasan or "",
        )
        print(f"Nomor manual dicatat: {line.number} (urut {line.seq}).")
    elif what == "pesan":
        line = outside.reserve(
            actor,
            book,
            purpose=args.keperluan or "",
            requested_by=args.pemesan or "",
            letter_date=letter_date,
        )
        assert line.reserved_until is not None
        print(f"Nomor dipesan: {line.number}, berlaku sampai {line.reserved_until:%d-%m-%Y %H:%M}.")
    elif what == "kedaluwarsa":
        print(f"{outside.expire_due()} nomor pesanan kedaluwarsa dibatalkan.")
    elif what == "batas-pesanan":
        outside.set_reservation_hours(actor, int(book))
        print(f"Batas waktu nomor pesanan: {int(book)} jam.")
    else:
        report = outside.gap_report(book, args.tahun)
        print(report.summary())
        for g in report.lines:
            when = f"{g.taken_at:%d-%m-%Y}" if g.taken_at else "-"
            print(f"  {g.seq:>5}  {g.number or '-':<28} {g.kind:<18} {when}  {g.subject}")
            detail = "; ".join(x for x in (g.who, g.note) if x)
            if detail:
                print(f"         {detail}")
        return 1 if report.gaps else 0
    return 0


def register(verbs: Verbs, common: argparse.ArgumentParser) -> None:
    """Add ``nomor``."""
    parser = verbs.add_parser(
        "nomor",
        help="nomor dari luar aplikasi: catat manual, pesan, kedaluwarsa, laporan celah",
        description="perizinan nomor manual BUKU --nomor N ... | pesan BUKU ... | kedaluwarsa | "
        "celah BUKU [--tahun TTTT] | batas-pesanan JAM",
        parents=[common],
    )
    parser.add_argument("perintah", metavar="|".join(ACTIONS), help="apa yang dikerjakan")
    add_user_option(parser)
    parser.add_argument("buku", nargs="?", metavar="BUKU", help="kode buku (atau JAM)")
    parser.add_argument("--nomor", help="nomor urut atau nomor lengkap yang ditulis di surat")
    parser.add_argument("--tanggal", metavar="TTTT-BB-HH", help="tanggal surat")
    parser.add_argument("--perihal", help="perihal surat (manual)")
    parser.add_argument("--kepada", help="tujuan surat (manual)")
    parser.add_argument("--oleh", help="yang menerbitkan nomor secara manual")
    parser.add_argument("--alasan", help="alasan penomoran manual")
    parser.add_argument("--keperluan", help="keperluan nomor pesanan")
    parser.add_argument("--pemesan", help="yang memesan nomor")
    parser.add_argument("--tahun", type=int, help="tahun buku (laporan celah)")
    parser.set_defaults(handler=cmd_nomor)
