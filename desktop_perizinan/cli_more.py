"""Verbs added by later features (verify, backup, restore, screenshots), kept apart so each
lives beside its own feature and ``cli.py`` stays short. Nothing here imports Qt at module
level: the core must import without it."""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_screenshots(args: argparse.Namespace) -> int:
    from desktop_perizinan.cli import _forms_dir
    from desktop_perizinan.ui.screenshots import render_screenshots

    written = render_screenshots(Path(args.out), _forms_dir(args.forms))
    for path in written:
        print(path)
    print(f"{len(written)} gambar ditulis di {args.out}")
    return 0


def register(verbs: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the verbs that exist in this build."""
    shots = verbs.add_parser(
        "screenshots",
        help="gambar setiap layar utama (data demo, tanpa layar) sebagai PNG",
        description="Membuat basis data demo sementara, lalu menyimpan gambar setiap layar "
        "utama ke DIR. --db diabaikan: basis data Anda tidak disentuh.",
        parents=[common],
    )
    shots.add_argument("--out", required=True, metavar="DIR", help="folder keluaran PNG")
    shots.set_defaults(handler=cmd_screenshots)
