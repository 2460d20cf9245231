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

* PostgreSQL: the AFTER INSERT trigger of migration 0002 wakes every PC's lists for every audit
  entry. An access entry (a case viewed, a file opened, a report or an export made) changes
  nothing another PC shows, so ``perizinan_notify_change`` now skips those actions; with eight
  clerks opening cases all day the other PCs no longer re-read their task lists for each one.
  An erasure (``data_pribadi.hapus``) changes cases and still notifies.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


#: Audit actions that only read personal data (services.personal_data): no NOTIFY for them.
READ_ACTIONS = (
    "data_pribadi.lihat",
    "data_pribadi.lampiran",
    "data_pribadi.dokumen",
    "data_pribadi.ekspor",
    "data_pribadi.laporan",
    "data_pribadi.cetak",
)
_CHANNEL = "perizinan_cases"  # migration 0002's channel (services.live_updates listens on it)


def _notify_function(skip: tuple[str, ...]) -> str:
    guard = ""
    if skip:
        listed = ", ".join(f"'{action}'" for action in skip)
        guard = f"IF NEW.action IN ({listed}) THEN RETURN NULL; END IF;"
    return f"""
    CREATE OR REPLACE FUNCTION perizinan_notify_change() RETURNS trigger AS $$
    BEGIN
        {guard}
        PERFORM pg_notify('{_CHANNEL}', coalesce(NEW.case_id::text, ''));
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """


def upgrade() -> None:
    # A nullable column with no default: a plain ADD COLUMN on both databases (no batch
    # rebuild of a table other tables point at).
    op.add_column("applicant", sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.create_index("ix_applicant_erased_at", "applicant", ["erased_at"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(_notify_function(READ_ACTIONS))


def downgrade() -> None:
    op.drop_index("ix_applicant_erased_at", table_name="applicant")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(_notify_function(()))  # as migration 0002 made it
    if bind.dialect.name == "sqlite":
        # SQLite >= 3.35 drops a column in place; a batch rebuild would drop and re-create a
        # table that ``permohonan`` references.
        bind.exec_driver_sql("ALTER TABLE applicant DROP COLUMN erased_at")
    else:
        op.drop_column("applicant", "erased_at")
