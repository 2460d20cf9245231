"""personal-data access log, retention and erasure

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

Why each piece exists (issue 13, UU 27/2022 Pelindungan Data Pribadi):

* ``applicant.erased_at``: when an applicant's personal data was erased after the office's
  retention period. The row itself stays (with a placeholder NIK and "[dihapus]" for the
  name) so that every case, book line and audit entry that points at it keeps pointing at
  something: the books stay gapless and the audit chain is not touched. The retention list
  leaves erased applicants out.
* ``ix_applicant_erased_at``: the retention list asks for the applicants not yet erased.

The access log itself needs no table: views, opened attachments and exports are entries of
the audit chain (``data_pribadi.*``), so ``perizinan audit verify`` checks them too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column with no default: a plain ADD COLUMN on both databases (no batch
    # rebuild of a table other tables point at).
    op.add_column("applicant", sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.create_index("ix_applicant_erased_at", "applicant", ["erased_at"])


def downgrade() -> None:
    op.drop_index("ix_applicant_erased_at", table_name="applicant")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite >= 3.35 drops a column in place; a batch rebuild would drop and re-create a
        # table that ``permohonan`` references.
        bind.exec_driver_sql("ALTER TABLE applicant DROP COLUMN erased_at")
    else:
        op.drop_column("applicant", "erased_at")
