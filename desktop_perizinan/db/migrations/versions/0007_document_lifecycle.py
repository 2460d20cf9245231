"""document lifecycle: number before signature, signer and authority

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Owned by the work on issue 11 (document lifecycle); replace this docstring with why each piece exists.
"""

from __future__ import annotations

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
