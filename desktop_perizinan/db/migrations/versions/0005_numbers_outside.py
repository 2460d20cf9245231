"""numbers issued outside the app and reserved numbers in the agenda books

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Why each piece exists (issue 13.6): a letter numbered by hand during an outage, or a number
held for a letter the Kadis dictates elsewhere, must be a line of the same agenda book, or the
automatic counter collides with it later. Every column is on ``agenda_entry`` so the book
stays one gapless sequence and the existing unique constraints keep guarding it:

* ``origin``: ``app`` (taken by a use case; every existing line), ``manual`` (issued by hand
  and recorded afterwards), ``reserved`` (held for a letter written elsewhere).
* ``note``: why the number was issued by hand, or what the reservation is for.
* ``issued_by_name``: who issued or signed the hand-numbered letter.
* ``recorded_at``: when the hand-issued line or the reservation was entered in the app
  (``taken_at`` stays the letter's own date).
* ``reserved_until`` (indexed: the expiry sweep asks for reservations past it) and
  ``used_at``: a reservation not used before ``reserved_until`` is voided with a reason.

PP 28/2025 stage deadlines need no table: the stages are read from the permit-type files and
the deadlines computed from the step records.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_NULLABLE = (
    ("note", sa.Text()),
    ("issued_by_name", sa.String(200)),
    ("recorded_at", sa.DateTime()),
    ("reserved_until", sa.DateTime()),
    ("used_at", sa.DateTime()),
)


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (a constant default makes NOT NULL legal on SQLite),
    # so no batch rebuild of a table that documents and cases point at.
    op.add_column(
        "agenda_entry",
        sa.Column("origin", sa.String(10), nullable=False, server_default="app"),
    )
    for name, kind in _NULLABLE:
        op.add_column("agenda_entry", sa.Column(name, kind, nullable=True))
    op.create_index("ix_agenda_entry_reserved_until", "agenda_entry", ["reserved_until"])


def downgrade() -> None:
    op.drop_index("ix_agenda_entry_reserved_until", table_name="agenda_entry")
    bind = op.get_bind()
    for name in ["origin", *(name for name, _ in _NULLABLE)]:
        if bind.dialect.name == "sqlite":
            # SQLite >= 3.35 drops a column in place; a batch rebuild would drop and re-create
            # a table that other tables reference.
            bind.exec_driver_sql(f"ALTER TABLE agenda_entry DROP COLUMN {name}")
        else:
            op.drop_column("agenda_entry", name)
