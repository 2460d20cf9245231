"""``perizinan audit verify``: walk the audit log and say whether it is intact."""

from __future__ import annotations

import argparse

from desktop_perizinan.cli._common import Verbs, option


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from desktop_perizinan.db.engine import Database, resolve_url
    from desktop_perizinan.db.errors import check_url, database_errors, describe_url
    from desktop_perizinan.services.audit import verify_chain

    url = resolve_url(option(args, "db"))
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


def register(verbs: Verbs, common: argparse.ArgumentParser) -> None:
    """Add ``audit verify``."""
    audit = verbs.add_parser("audit", help="log audit", parents=[common])
    audit_verbs = audit.add_subparsers(title="perintah", metavar="PERINTAH", required=True)
    verify = audit_verbs.add_parser(
        "verify", help="periksa rantai hash log audit", parents=[common]
    )
    verify.set_defaults(handler=cmd_audit_verify)
