"""Peak memory of the app at office scale: the resident set after opening every screen.

    python bench/bench_memory.py --db URL [--users loket,seksi,kadis,admin] [--json FILE]

A fresh process (offscreen Qt) opens the services on ``--db`` (a database filled by
``bench/generate.py``, 200,000 cases for the real figure), logs in as one demo user (one
process per user: together they see every screen), builds the main window and switches to
each screen of the navigation in turn, letting the event loop run until its first page is
painted and its background queries are done (also the ones a first result starts: Laporan's
compliance after its summary). After each screen it prints the process's peak RSS
(``getrusage``: the high-water mark, so a screen that loads everything once shows even if it
frees it later). Floor, same run: a bare ``QApplication`` + ``QMainWindow`` process. Goal
(issue 14): under 250 MB after every screen. The load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from _common import ROOT, machine_line  # first: puts the checkout on sys.path

GOAL_MB = 250.0

CHILD = textwrap.dedent(
    """
    import resource, sys, time
    from desktop_perizinan.ui.launch import create_application
    from desktop_perizinan.ui.worker import wait_for_all

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    app = create_application()
    if sys.argv[1] == "floor":
        from PySide6.QtWidgets import QMainWindow
        w = QMainWindow(); w.resize(1280, 800); w.show(); app.processEvents()
        print(f"peak floor {peak_mb():.1f}", flush=True)
        raise SystemExit(0)
    from desktop_perizinan.services.app import Services
    from desktop_perizinan.services.demo import DEMO_PASSWORD
    from desktop_perizinan.ui.app_window import MainWindow
    url, user = sys.argv[1], sys.argv[2]
    services = Services.open(url)
    print(f"peak services {peak_mb():.1f}", flush=True)
    actor = services.users.login(user, DEMO_PASSWORD)
    window = MainWindow(services, actor)
    window.resize(1280, 800)
    window.show()
    from PySide6.QtCore import QThreadPool
    pool = QThreadPool.globalInstance()
    def settle():
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)
        # Until no background work is left: a screen may start its next query from the
        # result of the first (Laporan's compliance after its summary), and that memory is
        # the screen's, not the next one's.
        while True:
            wait_for_all()
            app.processEvents()
            if pool.activeThreadCount() == 0:
                break
    settle()
    print(f"peak window {peak_mb():.1f}", flush=True)
    for entry in list(window.entries):
        window.show_screen(entry.key)
        settle()
        print(f"peak {entry.key} {peak_mb():.1f}", flush=True)
    window.close()
    services.close()
    """
)


def run_child(args: list[str]) -> list[tuple[str, float]]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
        check=False,
    )
    rows = []
    for line in out.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word == "peak":
            name, _, value = rest.rpartition(" ")
            rows.append((name, float(value)))
    if out.returncode != 0:
        raise SystemExit(f"child failed ({out.returncode}): {out.stderr[-2000:]}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument(
        "--users", default="loket,seksi,kadis,admin", help="demo users, one process each"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    floor = run_child(["floor"])[0][1]
    rows: list[tuple[str, float]] = []
    for user in args.users.split(","):
        rows += [(f"{user}: {name}", value) for name, value in run_child([args.db, user])]
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"Peak RSS — {machine_line()}, load average {load}")
    print(f"  floor: bare QApplication + QMainWindow      {floor:7.1f} MB")
    for name, value in rows:
        print(f"  after {name:<36} {value:7.1f} MB  ({value / floor:.1f}× floor)")
    worst = max(v for _, v in rows)
    verdict = "OK" if worst < GOAL_MB else "ABOVE GOAL"
    print(f"  goal < {GOAL_MB:.0f} MB after every screen: worst {worst:.1f} MB {verdict}")
    if args.json:
        args.json.write_text(json.dumps({"floor_mb": floor, "peaks_mb": dict(rows)}, indent=2))
    return 0 if worst < GOAL_MB else 1


if __name__ == "__main__":
    sys.exit(main())
