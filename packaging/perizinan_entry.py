"""Entry point of the PyInstaller build: the same ``perizinan`` command as the console script.

``freeze_support`` keeps a frozen Windows build from re-running the app in every child
process should anything ever use ``multiprocessing`` (the LAN tests do, in source form).
"""

from __future__ import annotations

import multiprocessing
import sys

from desktop_perizinan.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
