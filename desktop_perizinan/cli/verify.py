"""``perizinan verify FILE.pdf``: is this document ours, and is it the one in the book?

Prints the verdict and its details in Indonesian; exits 0 when the document is valid, 1 when
it is not (unknown number, code mismatch, changed file, invalid signature, voided number, no
code), 2 on a usage error (no such file, unreadable database). Offline: it reads the database
and the file, nothing else. Wired by :func:`register` like every verb module; :func:`main` runs
it alone (tests, or a packaged ``perizinan-verify``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from desktop_perizinan.cli._common import Verbs, forms_dir
from desktop_perizinan.errors import UserError

#: Exit statuses.
VALID, NOT_VALID, USAGE = 0, 1, 2
#: A verifiable PDF is a letter of a few pages; a bigger file is refused before it is read.
MAX_BYTES = 50 * 1024 * 1024


def cmd_verify(args: argparse.Namespace) -> int:
    from desktop_perizinan.db.engine import resolve_url, sqlite_path
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.verification import SOURCE_LABELS, verify_pdf

    path = Path(args.file)
    if not path.is_file():
        raise UserError(f"Berkas '{path}' tidak ditemukan.")
    if path.stat().st_size > MAX_BYTES:
        raise UserError(f"Berkas '{path}' terlalu besar untuk sebuah dokumen (lebih dari 50 MB).")
    data = path.read_bytes()
    # pyHanko logs every failed path building at WARNING: the verdict already says it in words.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is the verdict
    url = resolve_url(args.db)
    database = sqlite_path(url)
    if database is not None and not database.is_file():
        # Opening would create an empty database, and every document would be "unknown".
        raise UserError(f"Basis data '{database}' tidak ditemukan; sebutkan --db yang benar.")
    forms = forms_dir(getattr(args, "forms", None))
    services = Services.open(url, forms)
    try:
        result = verify_pdf(services, data)
    finally:
        services.close()
    print(f"Berkas : {path}")
    if result.source:
        print(f"Kode   : {result.payload} (dari {SOURCE_LABELS.get(result.source, result.source)})")
    for line in result.lines():
        print(line)
    return VALID if result.valid else NOT_VALID


def register(verbs: Verbs, common: argparse.ArgumentParser) -> None:
    """Add ``verify`` to the ``perizinan`` command's verbs."""
    verify = verbs.add_parser(
        "verify",
        help="periksa keaslian dokumen PDF terhadap buku agenda (luring)",
        description="Periksa apakah berkas PDF sama dengan dokumen final di arsip: nomor dan "
        "kode verifikasi di buku agenda, isi berkas, dan tanda tangan elektroniknya. Status "
        "keluar: 0 sah, 1 tidak sah, 2 kesalahan pemakaian.",
        parents=[common],
    )
    verify.add_argument("file", metavar="FILE.pdf", help="berkas PDF yang diperiksa")
    verify.set_defaults(handler=cmd_verify)


def build_parser() -> argparse.ArgumentParser:
    """A parser with only ``verify`` (the same options as in ``perizinan``)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", help="URL basis data (bawaan: PERIZINAN_DB_URL)")
    common.add_argument("--forms", metavar="DIR", help="folder jenis izin (bawaan: forms/)")
    parser = argparse.ArgumentParser(prog="perizinan", parents=[common])
    verbs = parser.add_subparsers(title="perintah", metavar="PERINTAH", required=True)
    register(verbs, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except UserError as exc:
        print(f"perizinan: {exc.message}", file=sys.stderr)
        return USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
