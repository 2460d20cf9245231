"""document lifecycle: number before signature, signer and authority, SOP step labels

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Why each piece exists (issue 11): the permit-type file now decides the life of a letter.

* ``document.signed_as``: the signature heading as printed ("a.n. Kepala Dinas ... /
  Kepala Bidang Perizinan", "Plt. Kepala Dinas ..."), kept with the document so the agenda
  book's "ditandatangani oleh" and a reprint say what the signed letter says, even after the
  acting-head setting or the permit-type file changed.
* ``document.numbered_by`` / ``document.numbered_at``: who took the number and when, on the
  document itself; with number-then-sign that is the numbering officer, not the signer.
* ``step_record.step_label``: the SOP's own label of the step ("3a", "10"), printed in the
  case history and reports unchanged; ``step_no`` stays the integer used for ordering.

All nullable: rows made by earlier releases keep working (their label is their number, the
heading is rebuilt as before).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("document", "signed_as", sa.String(400)),
    ("document", "numbered_by", sa.Integer()),
    ("document", "numbered_at", sa.DateTime()),
    ("step_record", "step_label", sa.String(16)),
)


def upgrade() -> None:
    # Plain ADD COLUMN (nullable) on both databases: no batch rebuild of tables that other
    # tables reference. numbered_by is a plain integer (a user id) for the same reason: SQLite
    # cannot add a foreign key in place.
    for table, name, kind in _COLUMNS:
        op.add_column(table, sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    bind = op.get_bind()
    for table, name, _ in reversed(_COLUMNS):
        if bind.dialect.name == "sqlite":
            bind.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {name}")
        else:
            op.drop_column(table, name)
