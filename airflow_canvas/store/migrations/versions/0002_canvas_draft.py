"""Canvas drafts: a user's unsaved edit of a workflow, one per user and workflow (issue 18).

Revision ID: c4a1f0000002
Revises: c4a1f0000001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c4a1f0000002"
down_revision = "c4a1f0000001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "canvas_draft",
        sa.Column(
            "workflow_id",
            sa.String(200),
            sa.ForeignKey(
                "canvas_workflow.id", ondelete="CASCADE", name="fk_canvas_draft_workflow_id_canvas_workflow"
            ),
            primary_key=True,
        ),
        sa.Column("username", sa.String(250), primary_key=True),
        sa.Column("branch", sa.String(250), nullable=False),
        sa.Column("base_version", sa.Integer, nullable=True),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("canvas_draft")
