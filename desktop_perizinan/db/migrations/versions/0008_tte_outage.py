"""wet signature during a BSrE outage, TTE attached later; batch signing results

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Why each piece exists (issue 12, outage mode and batch signing):

* ``deferred_tte``: one row per document the signer signed by hand (*tanda tangan basah*)
  because the Esign Client Service was down, promising its TTE later on the same number. The
  agenda book and the reports read it to show "basah, TTE menunggu" until the electronically
  signed PDF is attached (validated against the stored final first) and linked: then
  ``attached_*`` say when, by whom and which document version holds it.
* ``signing_batch`` / ``signing_batch_item``: the Kadis signs every draft waiting for him in
  one action; each file's result (signed with its number, failed with the Indonesian message,
  cancelled, not sent) is kept per case, so that a failure in the middle is reported and can
  be looked at later. Never a passphrase or TOTP: there is no column for one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deferred_tte",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=False),
        sa.Column("signed_wet_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("attached_at", sa.DateTime(), nullable=True),
        sa.Column("attached_by", sa.Integer(), nullable=True),
        sa.Column("attached_version", sa.Integer(), nullable=True),
        sa.Column("attached_sha256", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name="fk_deferred_tte_document_id_document"
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["permohonan.id"], name="fk_deferred_tte_case_id_permohonan"
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"], ["app_user.id"], name="fk_deferred_tte_signer_id_app_user"
        ),
        sa.ForeignKeyConstraint(
            ["attached_by"], ["app_user.id"], name="fk_deferred_tte_attached_by_app_user"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_deferred_tte"),
        sa.UniqueConstraint("document_id", name="uq_deferred_tte_document_id"),
    )
    op.create_index("ix_deferred_tte_case_id", "deferred_tte", ["case_id"])
    op.create_table(
        "signing_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=False),
        sa.Column("backend", sa.String(12), nullable=False, server_default=""),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("signed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("cancelled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(
            ["signer_id"], ["app_user.id"], name="fk_signing_batch_signer_id_app_user"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_signing_batch"),
    )
    op.create_table(
        "signing_batch_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("step_record_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("number", sa.String(120), nullable=True),
        sa.Column("message", sa.Text(), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["signing_batch.id"], name="fk_signing_batch_item_batch_id_signing_batch"
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["permohonan.id"], name="fk_signing_batch_item_case_id_permohonan"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_signing_batch_item"),
    )
    op.create_index("ix_signing_batch_item_batch_id", "signing_batch_item", ["batch_id"])
    op.create_index("ix_signing_batch_item_case_id", "signing_batch_item", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_signing_batch_item_case_id", table_name="signing_batch_item")
    op.drop_index("ix_signing_batch_item_batch_id", table_name="signing_batch_item")
    op.drop_table("signing_batch_item")
    op.drop_table("signing_batch")
    op.drop_index("ix_deferred_tte_case_id", table_name="deferred_tte")
    op.drop_table("deferred_tte")
