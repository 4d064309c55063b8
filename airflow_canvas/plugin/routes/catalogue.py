"""The node catalogue: node types with their JSON Schemas, for the canvas's palette and forms."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import APIRouter, Depends

from airflow_canvas.plugin.api_models.catalogue import NodeCatalogue
from airflow_canvas.plugin.api_models.common import errors
from airflow_canvas.plugin.authz import requires
from airflow_canvas.spec.load import workflow_json_schema
from airflow_canvas.spec.models import AgentConfig, Edge, Group, Node, NodeType, ProcessConfig
from airflow_canvas.store.permissions import WORKFLOWS

router = APIRouter(tags=["catalogue"])
Reader = Annotated[BaseUser, Depends(requires(WORKFLOWS, "read"))]

NODE_TYPES: dict[NodeType, dict[str, Any]] = {
    NodeType.INPUT: {
        "label": "Input",
        "description": "Run parameters; Airflow renders them as the trigger form.",
        "config_field": None,
    },
    NodeType.PROCESS: {
        "label": "Process",
        "description": "Transform inputs with JMESPath or a Python snippet.",
        "config_field": "process",
        "config": ProcessConfig,
    },
    NodeType.TOOL: {
        "label": "Tool",
        "description": "Run a versioned tool (name@version) or an Airflow operator.",
        "config_field": "tool",
    },
    NodeType.AGENT: {
        "label": "Agent",
        "description": "An LLM agent with tools, a step limit and a structured output.",
        "config_field": "agent",
        "config": AgentConfig,
    },
    NodeType.OUTPUT: {
        "label": "Output",
        "description": "The workflow's result; can publish Airflow Assets.",
        "config_field": None,
    },
}


@cache
def catalogue() -> dict[str, Any]:
    items = []
    for node_type, info in NODE_TYPES.items():
        config_model = info.get("config")
        items.append(
            {
                "type": node_type.value,
                "label": info["label"],
                "description": info["description"],
                "config_field": info["config_field"],
                "config_schema": config_model.model_json_schema() if config_model else None,
            }
        )
    return {
        "items": items,
        "node_schema": Node.model_json_schema(),
        "edge_schema": Edge.model_json_schema(),
        "group_schema": Group.model_json_schema(),
        "workflow_schema": workflow_json_schema(),
    }


@router.get("/catalogue/nodes", response_model=NodeCatalogue, responses=errors())
def list_node_types(user: Reader) -> dict[str, Any]:
    return catalogue()
