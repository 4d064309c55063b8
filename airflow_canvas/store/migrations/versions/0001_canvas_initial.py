"""Canvas tables: workflows, versions, branches, deployments, tools, co-pilot conversations.

Revision ID: c4a1f0000001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c4a1f0000001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "canvas_workflow",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(250), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("version_counter", sa.Integer, nullable=False),
    )
    op.create_table(
        "canvas_workflow_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "workflow_id",
            sa.String(200),
            sa.ForeignKey(
                "canvas_workflow.id",
                ondelete="CASCADE",
                name="fk_canvas_workflow_version_workflow_id_canvas_workflow",
            ),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("branch", sa.String(250), nullable=False),
        sa.Column("author", sa.String(250), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("parent_number", sa.Integer, nullable=True),
        sa.Column("merged_number", sa.Integer, nullable=True),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("spec_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("workflow_id", "number", name="uq_canvas_version_number"),
    )
    op.create_index("ix_canvas_workflow_version_workflow_id", "canvas_workflow_version", ["workflow_id"])
    op.create_table(
        "canvas_branch",
        sa.Column(
            "workflow_id",
            sa.String(200),
            sa.ForeignKey(
                "canvas_workflow.id", ondelete="CASCADE", name="fk_canvas_branch_workflow_id_canvas_workflow"
            ),
            primary_key=True,
        ),
        sa.Column("name", sa.String(250), primary_key=True),
        sa.Column("head_number", sa.Integer, nullable=False),
        sa.Column("base_number", sa.Integer, nullable=True),
        sa.Column("created_by", sa.String(250), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "canvas_deployment",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workflow_id", sa.String(200), nullable=False),
        sa.Column("version_number", sa.Integer, nullable=False),
        sa.Column("environment", sa.String(250), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("dag_id", sa.String(200), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("spec_hash", sa.String(64), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("deployed_by", sa.String(250), nullable=False),
        sa.Column("deployed_at", TZ, nullable=False),
    )
    op.create_index("ix_canvas_deployment_wf_env", "canvas_deployment", ["workflow_id", "environment"])
    op.create_table(
        "canvas_tool",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("version", sa.String(50), nullable=False),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("deprecated", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(250), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("name", "version", name="uq_canvas_tool_name_version"),
    )
    op.create_index("ix_canvas_tool_name", "canvas_tool", ["name"])
    op.create_table(
        "canvas_copilot_conversation",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("workflow_id", sa.String(200), nullable=True),
        sa.Column("username", sa.String(250), nullable=False),
        sa.Column("title", sa.String(250), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("cost_usd", sa.Float, nullable=False),
    )
    op.create_index(
        "ix_canvas_copilot_conversation_workflow_id", "canvas_copilot_conversation", ["workflow_id"]
    )
    op.create_table(
        "canvas_copilot_message",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id",
            sa.String(64),
            # No explicit name: the naming convention (env.py's target_metadata) names it, and a
            # convention name is shortened to the dialect's limit as create_all does. Spelled out,
            # this 70-character name failed on PostgreSQL (63 at most); SQLite keeps it whole.
            sa.ForeignKey("canvas_copilot_conversation.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_canvas_copilot_message_conversation_id", "canvas_copilot_message", ["conversation_id"]
    )


def downgrade() -> None:
    for table in (
        "canvas_copilot_message",
        "canvas_copilot_conversation",
        "canvas_tool",
        "canvas_deployment",
        "canvas_branch",
        "canvas_workflow_version",
        "canvas_workflow",
    ):
        op.drop_table(table)
