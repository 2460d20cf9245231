"""BSrE signing settings and outage mode

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Owned by the work on issue 12 (BSrE); replace this docstring with why each piece exists.
"""

from __future__ import annotations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
