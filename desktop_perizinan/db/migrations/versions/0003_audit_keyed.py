"""keyed audit entries, anchors, refusal of rewrites

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

Owned by the work on issue 16 (audit); replace this docstring with why each piece exists.
"""

from __future__ import annotations

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
