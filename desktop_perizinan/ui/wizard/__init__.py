"""The first-run wizard, and the two calls the launcher needs.

``needs_first_run(cli_url)`` (no Qt; connects to the database) says whether to show it;
``run_first_run_wizard(parent, cli_url=..., forms_dir=...)`` shows it and returns the database
URL to open, or None when the user cancelled.
"""

from desktop_perizinan.local_config import needs_first_run
from desktop_perizinan.ui.wizard.wizard import FirstRunWizard, run_first_run_wizard

__all__ = ["FirstRunWizard", "needs_first_run", "run_first_run_wizard"]
