"""BSrE signing: how each signer signs electronically

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Why each piece exists (issue 12):

* ``signer_setting``: one row per signer who signs electronically, chosen in Pengaturan: the
  backend (the signer's own PKCS#12 file, or BSrE through the regency's Esign Client Service),
  the gateway address and API version (V1 multipart / V2 JSON), the NIK or e-mail BSrE knows
  the signer by, the HTTP Basic user of the gateway, whether V2 asks a passphrase or a TOTP,
  and where the visual goes (``tampilan`` visible/invisible; page + coordinates or a
  one-character ``tag_koordinat`` marker). A signer without a row signs with PKCS#12 as before.
  No column holds a passphrase, a TOTP or the gateway password: those are never stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signer_setting",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("backend", sa.String(12), nullable=False, server_default="pkcs12"),
        sa.Column("gateway_url", sa.String(300), nullable=False, server_default=""),
        sa.Column("api_version", sa.String(4), nullable=False, server_default="v1"),
        sa.Column("nik", sa.String(20), nullable=False, server_default=""),
        sa.Column("email", sa.String(200), nullable=False, server_default=""),
        sa.Column("gateway_user", sa.String(100), nullable=False, server_default=""),
        sa.Column("secret_kind", sa.String(12), nullable=False, server_default="passphrase"),
        sa.Column("appearance", sa.String(10), nullable=False, server_default="invisible"),
        sa.Column("placement", sa.String(10), nullable=False, server_default="koordinat"),
        sa.Column("page", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("x_axis", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("y_axis", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("width", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("height", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("marker", sa.String(4), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name="fk_signer_setting_user_id_app_user"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_signer_setting"),
    )


def downgrade() -> None:
    op.drop_table("signer_setting")
