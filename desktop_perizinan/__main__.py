"""``python -m desktop_perizinan`` is the same as the ``perizinan`` command."""

import sys

from desktop_perizinan.cli import main

sys.exit(main())
