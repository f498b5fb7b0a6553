"""source catalog owner: on-demand fetches belong to the organization that fetched them

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_catalog", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organization_id", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_source_catalog_organization_id"), ["organization_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("source_catalog", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_catalog_organization_id"))
        batch_op.drop_column("organization_id")
