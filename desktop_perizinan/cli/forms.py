"""``perizinan forms check [DIR]``: validate every permit-type file of a folder."""

from __future__ import annotations

import argparse

from desktop_perizinan.cli._common import Verbs, forms_dir, option
from desktop_perizinan.errors import UserError


def cmd_forms_check(args: argparse.Namespace) -> int:
    from desktop_perizinan.workflow.check import run_check

    directory = forms_dir(args.dir or option(args, "forms"))
    if not directory.is_dir():
        raise UserError(f"Folder jenis izin '{directory}' tidak ditemukan.")
    text, status = run_check(directory)
    print(text)
    return status


def register(verbs: Verbs, common: argparse.ArgumentParser) -> None:
    """Add ``forms check``."""
    forms = verbs.add_parser("forms", help="jenis izin (berkas forms/)", parents=[common])
    forms_verbs = forms.add_subparsers(title="perintah", metavar="PERINTAH", required=True)
    check = forms_verbs.add_parser(
        "check", help="periksa semua berkas jenis izin di DIR", parents=[common]
    )
    check.add_argument("dir", nargs="?", metavar="DIR")
    check.set_defaults(handler=cmd_forms_check)
