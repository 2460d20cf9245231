"""``perizinan screenshots --out DIR``: every main screen rendered offscreen to PNG.

Qt is imported inside the handler only: the core (and ``--help``) must import without it."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_perizinan.cli._common import Verbs, forms_dir


def cmd_screenshots(args: argparse.Namespace) -> int:
    from desktop_perizinan.ui.screenshots import render_screenshots

    written = render_screenshots(Path(args.out), forms_dir(getattr(args, "forms", None)))
    for path in written:
        print(path)
    print(f"{len(written)} gambar ditulis di {args.out}")
    return 0


def register(verbs: Verbs, common: argparse.ArgumentParser) -> None:
    """Add ``screenshots``."""
    shots = verbs.add_parser(
        "screenshots",
        help="gambar setiap layar utama (data demo, tanpa layar) sebagai PNG",
        description="Membuat basis data demo sementara, lalu menyimpan gambar setiap layar "
        "utama ke DIR. --db diabaikan: basis data Anda tidak disentuh.",
        parents=[common],
    )
    shots.add_argument("--out", required=True, metavar="DIR", help="folder keluaran PNG")
    shots.set_defaults(handler=cmd_screenshots)
