"""SQLAlchemy models of the canvas tables. They live in their own MetaData (not Airflow's) so the
DB manager can create and migrate them with a separate alembic version table."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID_LEN = 200
NAME_LEN = 250

# Explicit constraint names so alembic batch migrations (SQLite) and other dialects agree.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = metadata


class WorkflowRow(Base):
    __tablename__ = "canvas_workflow"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The last version number handed out. Incremented by an atomic UPDATE in every save so version
    # numbers are unique per workflow even across branches and concurrent writers.
    version_counter: Mapped[int] = mapped_column(Integer, default=0)


class VersionRow(Base):
    """An immutable saved version. Numbers are per workflow and shared by all its branches."""

    __tablename__ = "canvas_workflow_version"
    __table_args__ = (UniqueConstraint("workflow_id", "number", name="uq_canvas_version_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(
        String(ID_LEN), ForeignKey("canvas_workflow.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    branch: Mapped[str] = mapped_column(String(NAME_LEN), default="main")
    author: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    parent_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Set on merge versions: the head of the branch that was merged in (the second parent).
    merged_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    spec: Mapped[str] = mapped_column(Text)  # canonical JSON of the Workflow
    # sha256 of the stored spec without its version number (store.serialize.content_hash: a rollback
    # has its source's hash). Not the compiler's spec hash in DAG headers and deployment rows
    # (compiler.hashing), which hashes the compiler's canonical JSON; the column keeps its old name.
    content_hash: Mapped[str] = mapped_column("spec_hash", String(64))


class BranchRow(Base):
    __tablename__ = "canvas_branch"

    workflow_id: Mapped[str] = mapped_column(
        String(ID_LEN), ForeignKey("canvas_workflow.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    # Compare-and-swap target: a save updates it only WHERE head_number = the save's base.
    head_number: Mapped[int] = mapped_column(Integer)
    base_number: Mapped[int | None] = mapped_column(Integer, nullable=True)  # where it forked
    created_by: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DeploymentRow(Base):
    __tablename__ = "canvas_deployment"
    __table_args__ = (Index("ix_canvas_deployment_wf_env", "workflow_id", "environment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN))
    version_number: Mapped[int] = mapped_column(Integer)
    environment: Mapped[str] = mapped_column(String(NAME_LEN))
    state: Mapped[str] = mapped_column(String(20))  # deployed | undeployed | failed
    dag_id: Mapped[str] = mapped_column(String(ID_LEN), default="")
    path: Mapped[str] = mapped_column(Text, default="")
    spec_hash: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    deployed_by: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    deployed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ToolRow(Base):
    """A tool version in the registry (owned by the tools engineer's routes; schema lives here)."""

    __tablename__ = "canvas_tool"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_canvas_tool_name_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[str] = mapped_column(String(50))
    spec: Mapped[str] = mapped_column(Text)  # Tool.model_dump JSON
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    deprecated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConversationRow(Base):
    """A co-pilot conversation (used by the co-pilot engineer)."""

    __tablename__ = "canvas_copilot_conversation"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow_id: Mapped[str | None] = mapped_column(String(ID_LEN), nullable=True, index=True)
    username: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    title: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)


class MessageRow(Base):
    __tablename__ = "canvas_copilot_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("canvas_copilot_conversation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))  # user | assistant | tool | system
    content: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str] = mapped_column(Text, default="{}")  # JSON: patches, suggestions, ...
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)


class DraftRow(Base):
    """A user's unsaved edit of a workflow (issue 18): private scratch state, one per user and
    workflow, overwritten by every autosave and deleted by that user's next real save. The spec is
    stored as sent, valid or not: a half-finished edit is exactly what a draft must keep."""

    __tablename__ = "canvas_draft"

    workflow_id: Mapped[str] = mapped_column(
        String(ID_LEN), ForeignKey("canvas_workflow.id", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    branch: Mapped[str] = mapped_column(String(NAME_LEN), default="main")
    # The version the edit started from, so the editor can tell the draft is older than the head.
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    spec: Mapped[str] = mapped_column(Text)  # JSON as received (not canonicalised: may be invalid)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ChainRow(Base):
    """A published version of a reusable chain (issue 17): a fragment of a workflow (nodes, the edges
    between them, nested groups, the inline tools they use) with its input/output interface.
    Versions are immutable once stored, like published tools."""

    __tablename__ = "canvas_chain"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_canvas_chain_name_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text, default="")
    changelog: Mapped[str] = mapped_column(Text, default="")
    spec: Mapped[str] = mapped_column(Text)  # JSON: {"fragment": {...}, "interface": {...}}
    created_by: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserTemplateRow(Base):
    """A workflow saved by a user as a template, with the fields chosen as its parameters
    (issue 17): listed beside the built-in gallery and instantiated the same way."""

    __tablename__ = "canvas_user_template"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    parameters: Mapped[str] = mapped_column(Text)  # JSON Schema of the parameters object
    body: Mapped[str] = mapped_column(Text)  # workflow spec JSON with {"$param": name} directives
    created_by: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
