"""reserved and external numbers, stage deadlines

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Owned by the work on issue 13 (numbers outside the app, PP 28/2025 stages); replace this docstring with why each piece exists.
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
