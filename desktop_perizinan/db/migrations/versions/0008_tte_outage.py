"""wet signature during a BSrE outage, TTE attached later; batch signing results

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Owned by the work on issue 12 (outage mode, batch signing); replace this docstring with why each piece exists.
"""

from __future__ import annotations

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
