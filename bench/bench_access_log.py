"""What the UU PDP access log costs when a case is opened.

    python bench/bench_access_log.py [--db URL] [--cases 20] [--repeat 60] [--json FILE]

Opening a case in the Tugas/Permohonan desks reads it (``services.queries.case``) and, since
issue 13, writes one ``data_pribadi.lihat`` entry into the audit chain
(``services.personal_data.view_case``). Both are timed here on the same cases, interleaved
(so drift of a noisy machine hits both alike), as the median and p95 of ``--repeat`` opens:

* *floor*: opening the case without the entry (``queries.case``), what the screen did before;
* *with log*: ``personal_data.view_case`` (the same read + one audit append in its own
  transaction);
* *entry alone*: one access entry appended in a transaction, nothing read.

The ratio with-log / floor is the figure to quote. ``--db`` must be an empty, migrated or
new database (SQLite file or PostgreSQL URL); without it a scratch SQLite file is used and
removed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _common  # first: puts the checkout on sys.path

from desktop_perizinan.services import personal_data as pd
from desktop_perizinan.services.app import DEFAULT_FORMS_DIR, Services
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    CaseDriver,
    DemoApplicant,
    create_demo_users,
    demo_clock,
)


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _fill(services: Services, driver: CaseDriver, cases: int) -> list[int]:
    """``cases`` cases of the three shipped types; every fourth one run to its end, so the
    opened views range from a fresh file to a full timeline with documents."""
    codes = sorted(services.forms.types)
    ids = []
    for n in range(cases):
        base = DEMO_APPLICANTS[n % len(DEMO_APPLICANTS)]
        nik = base.nik[:12] + f"{(n % 9000) + 1000:04d}"
        applicant = DemoApplicant(nik, f"{base.name} {n}", base.address, base.phone)
        intake = driver.submit(codes[n % len(codes)], applicant, seed=n)
        if n % 4 == 0:
            driver.run(intake.case_id)
        ids.append(intake.case_id)
    return ids


def run(url: str, cases: int, repeat: int) -> dict[str, Any]:
    clock = demo_clock()
    services = Services.open(url, DEFAULT_FORMS_DIR, clock=clock)
    try:
        if services.users.any_user():
            raise SystemExit("--db harus basis data kosong (pengguna demo dibuat di sini).")
        users = create_demo_users(services)
        ids = _fill(services, CaseDriver(services, users, clock), cases)
        kasi = users["backoffice"]
        # Warm-up: definitions cached, statements compiled, pages in the cache.
        for case_id in ids:
            services.queries.case(case_id, kasi)
            services.personal_data.view_case(kasi, case_id)
        floor, logged, entry = [], [], []
        for i in range(repeat):
            case_id = ids[i % len(ids)]
            floor.append(_timed(lambda c=case_id: services.queries.case(c, kasi)))
            logged.append(_timed(lambda c=case_id: services.personal_data.view_case(kasi, c)))

            def append_only(c: int = case_id) -> None:
                with services.db.transaction() as session:
                    services.personal_data.log(
                        session, kasi, pd.VIEW, applicant_id=1, case_id=c, what="bench"
                    )

            entry.append(_timed(append_only))
        with services.db.reading() as session:
            from desktop_perizinan.services.audit import verify_chain

            chain_ok = verify_chain(session).ok
    finally:
        services.close()
    result = {
        "backend": _common.backend_of(url),
        "cases": cases,
        "repeat": repeat,
        "floor_median_ms": _common.median(floor) * 1000,
        "floor_p95_ms": _common.p95(floor) * 1000,
        "logged_median_ms": _common.median(logged) * 1000,
        "logged_p95_ms": _common.p95(logged) * 1000,
        "entry_median_ms": _common.median(entry) * 1000,
        "ratio": _common.median(logged) / _common.median(floor),
        "chain_ok": chain_ok,
        "machine": _common.machine_line(),
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="empty database URL (default: a scratch SQLite file)")
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-access-") as scratch:
        url = args.db or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        result = run(url, max(1, args.cases), max(1, args.repeat))
    print(f"Access log of personal data ({result['backend']}, {result['machine']})")
    print(f"  cases {result['cases']}, {result['repeat']} opens each way, interleaved")
    print(
        f"  open case, no log (floor) : median {result['floor_median_ms']:.2f} ms, "
        f"p95 {result['floor_p95_ms']:.2f} ms"
    )
    print(
        f"  open case + access entry  : median {result['logged_median_ms']:.2f} ms, "
        f"p95 {result['logged_p95_ms']:.2f} ms"
    )
    print(f"  access entry alone        : median {result['entry_median_ms']:.2f} ms")
    print(f"  ratio with log / floor    : {result['ratio']:.2f}")
    print(f"  audit chain after the run : {'utuh' if result['chain_ok'] else 'RUSAK'}")
    if args.json:
        args.json.write_text(json.dumps([result], indent=2), encoding="utf-8")
    return 0 if result["chain_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
