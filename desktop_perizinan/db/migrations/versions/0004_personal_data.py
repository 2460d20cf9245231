"""personal-data access log, retention and erasure

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

Owned by the work on issue 13 (UU PDP); replace this docstring with why each piece exists.
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
