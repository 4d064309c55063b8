"""Canvas chain library and user templates (issue 17, item 6).

Revision ID: c4a1f0000003
Revises: c4a1f0000002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c4a1f0000003"
down_revision = "c4a1f0000002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "canvas_chain",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("version", sa.String(50), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("changelog", sa.Text, nullable=False),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(250), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("name", "version", name="uq_canvas_chain_name_version"),
    )
    op.create_index("ix_canvas_chain_name", "canvas_chain", ["name"])
    op.create_table(
        "canvas_user_template",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("title", sa.String(250), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("parameters", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(250), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("canvas_user_template")
    op.drop_index("ix_canvas_chain_name", table_name="canvas_chain")
    op.drop_table("canvas_chain")
