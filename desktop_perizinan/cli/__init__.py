"""The ``perizinan`` command: start the app, or one of the verbs below.

Every verb takes ``--db URL`` (else ``PERIZINAN_DB_URL``, else the SQLite file in the user's
data folder), before or after the verb, answers ``--help``, and exits non-zero with a one-line
Indonesian reason on failure. Each verb group lives in its own module of this package with a
``register(verbs, common)`` function, listed once in :data:`VERB_GROUPS`; the modules import
heavy libraries inside their handlers so ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from desktop_perizinan.cli._common import Handler, common_options, forms_dir, option
from desktop_perizinan.errors import UserError

__all__ = ["VERB_GROUPS", "Handler", "build_parser", "main"]

#: The verb modules of this package, in the order ``--help`` lists them. A new verb is a new
#: module here with ``register(verbs, common)`` and one name in this tuple.
VERB_GROUPS: tuple[str, ...] = (
    "forms",
    "sop_matrix",
    "demo",
    "audit",
    "verify",
    "backup",
    "db",
    "screenshots",
    "data_pribadi",
    "nomor",
    "dev",
)


def cmd_app(args: argparse.Namespace) -> int:
    """No verb: start the desktop app (the only place outside ``ui/`` that imports it)."""
    from desktop_perizinan.ui.launch import launch

    return launch(db_url=option(args, "db"), forms_dir=forms_dir(option(args, "forms")))


def build_parser() -> argparse.ArgumentParser:
    # The top-level parser sets --db/--forms (None when absent). The verbs take them too,
    # with default=SUPPRESS: a subparser's default would otherwise overwrite the value given
    # before the verb, and 'perizinan --db URL audit verify' would silently use the default
    # database (creating it) instead of URL.
    common = common_options(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="perizinan",
        description="Perizinan Desktop — aplikasi back-office DPMPTSP. Tanpa perintah: buka aplikasi.",
        parents=[common_options(None)],
    )
    parser.set_defaults(handler=cmd_app)
    verbs = parser.add_subparsers(title="perintah", metavar="PERINTAH")
    for name in VERB_GROUPS:
        importlib.import_module(f"{__name__}.{name}").register(verbs, common)
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
