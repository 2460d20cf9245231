"""keyed audit entries, anchors, refusal of rewrites

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

Why each piece exists (issue 16):

* ``audit_log.scheme``: which hashing scheme covers a row. Rows of the first release keep
  scheme 1 (the server default) and still verify; new rows are scheme 2 (every column).
* ``audit_log.key_id`` / ``audit_log.mac``: the id of the office key (never the key) and the
  HMAC of the row's hash made with it. The key lives outside the database (``audit_key``).
* ``audit_head.mac``: the HMAC of the head, so the head cannot be moved back by hand after the
  tail was deleted.
* triggers (``db.audit_guard``): UPDATE and DELETE on the audit rows are aborted, the head may
  only move one entry forward. Plain column additions: no table is rebuilt, on either backend.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop_perizinan.db import audit_guard

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "audit_log", sa.Column("scheme", sa.Integer(), nullable=False, server_default="1")
    )
    op.add_column("audit_log", sa.Column("key_id", sa.String(16), nullable=True))
    op.add_column("audit_log", sa.Column("mac", sa.String(64), nullable=True))
    op.add_column("audit_head", sa.Column("mac", sa.String(64), nullable=True))
    audit_guard.install(op.get_bind())


def downgrade() -> None:
    audit_guard.remove(op.get_bind())
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("mac")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("mac")
        batch.drop_column("key_id")
        batch.drop_column("scheme")
