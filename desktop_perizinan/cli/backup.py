"""``perizinan backup`` and ``perizinan restore``.

Registered by ``cli.build_parser`` through :func:`register`, like every verb module. The handlers
turn every failure a user can cause (a wrong ``--db``, a missing file, a damaged backup, no
``pg_dump`` on the PC) into a :class:`UserError`, which ``cli.main`` prints on one line and
exits with status 2; heavy imports stay inside the handlers so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop_perizinan.cli._common import Handler, Verbs
from desktop_perizinan.errors import UserError


def cmd_backup(args: argparse.Namespace) -> int:
    from desktop_perizinan.db.engine import resolve_url
    from desktop_perizinan.services.backup import create_backup, format_size, list_backups

    if args.list:
        folder = Path(args.out) if args.out else None
        entries = list_backups(folder)
        if not entries:
            print("Belum ada cadangan di folder ini.")
            return 0
        for entry in entries:
            manifest = entry.manifest or {}
            revision = manifest.get("revision", "?")
            print(
                f"{entry.created:%d-%m-%Y %H:%M:%S}  {entry.kind:<11}  "
                f"{format_size(entry.size):>9}  revisi {revision}  {entry.path}"
            )
        return 0
    result = create_backup(resolve_url(args.db), out=Path(args.out) if args.out else None)
    print(result.summary())
    if not result.verification.audit_ok:
        for problem in result.verification.audit_problems[:5]:
            print(f"  - {problem}", file=sys.stderr)
        print(
            "perizinan: cadangan tersimpan, tetapi log audit di dalamnya rusak; periksa dengan "
            "'perizinan audit verify'.",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from desktop_perizinan.db.engine import resolve_url
    from desktop_perizinan.services.backup import restore_backup

    result = restore_backup(Path(args.file), resolve_url(args.db), force=args.yes)
    print(result.summary())
    if not result.verification.audit_ok:
        print(
            "perizinan: data dipulihkan, tetapi log audit di dalam cadangan rusak; periksa "
            "dengan 'perizinan audit verify'.",
            file=sys.stderr,
        )
        return 1
    return 0


def _guarded(handler: Handler) -> Handler:
    """Wrap a handler so that an unexpected OS error is a one-line message, not a traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise UserError(f"Berkas tidak dapat dipakai{where}: {exc.strerror or exc}.") from exc

    return run


def register(verbs: Verbs, common: argparse.ArgumentParser) -> None:
    """Add ``backup`` and ``restore`` to the ``perizinan`` command."""
    backup = verbs.add_parser(
        "backup",
        help="buat cadangan basis data (diperiksa setelah ditulis)",
        description="Membuat cadangan basis data yang sedang dipakai (boleh sambil aplikasi "
        "berjalan): SQLite lewat backup API, PostgreSQL lewat pg_dump. Cadangan diperiksa "
        "(integritas, revisi skema, rantai log audit) sebelum diberi nama akhirnya.",
        parents=[common],
    )
    backup.add_argument(
        "--out",
        metavar="BERKAS",
        help="berkas cadangan yang ditulis, atau folder tujuan (bawaan: folder cadangan di "
        "folder data pengguna, atau PERIZINAN_BACKUP_DIR)",
    )
    backup.add_argument(
        "--list", action="store_true", help="tampilkan cadangan yang ada di folder cadangan"
    )
    backup.set_defaults(handler=_guarded(cmd_backup))

    restore = verbs.add_parser(
        "restore",
        help="pulihkan basis data dari berkas cadangan",
        description="Memulihkan basis data dari cadangan setelah memeriksanya. Basis data "
        "tujuan yang sudah berisi data hanya ditimpa dengan --yes, dan isinya dicadangkan "
        "lebih dulu.",
        parents=[common],
    )
    restore.add_argument("file", metavar="BERKAS", help="berkas cadangan (.sqlite3 atau .dump)")
    restore.add_argument(
        "--yes",
        action="store_true",
        help="timpa basis data tujuan walaupun sudah berisi data (isinya dicadangkan dulu)",
    )
    restore.set_defaults(handler=_guarded(cmd_restore))
