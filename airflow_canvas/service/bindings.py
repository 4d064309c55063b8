"""Apply an environment's bindings to a workflow before it is compiled for that environment.

A spec names *logical* resources; each environment says what they are there
(service/environments.py checked every name when the setting was read):
- ``connections``: a connection id a node uses (an agent's ``connection_id``, a notification's, a
  node parameter whose name marks a connection: ``*conn_id``, ``*connection_id``, ``connection``) ->
  the environment's connection id, e.g. ``llm`` -> ``openai_prod``;
- ``variables``: a Variable key read by a template (``var.value.KEY``, ``var.json.KEY``,
  ``var.value.get('KEY'...)``) -> the environment's key;
- ``params``: a DAG param's default (a workflow param or a field an input node declares);
- ``pools``: a pool named in an execution policy (node or workflow defaults) -> the pool name;
- ``dag_id_suffix``: appended to the dag_id (the workflow id), so one Airflow can hold the DAG of
  several environments (staging and prod bundles of one deployment).

The result is an ordinary spec: the compiler writes every value as a Python literal (nothing here
becomes code), and it is validated again when compiled. The stored version is never changed."""

from __future__ import annotations

import copy
import re
from typing import Any

from airflow_canvas.catalogue.schema import is_connection_field
from airflow_canvas.service.environments import Bindings
from airflow_canvas.spec.models import MAX_ID_LENGTH, Workflow
from airflow_canvas.spec.problems import Problem, SpecError

# get('KEY') first: otherwise "get" itself would be read as a key.
_VAR = re.compile(r"\bvar\.(value|json)\.get\(\s*(['\"])([^'\"]+)\2|\bvar\.(value|json)\.([A-Za-z0-9_]+)\b")


def _bind_vars(text: str, variables: dict[str, str]) -> str:
    def repl(m: re.Match[str]) -> str:
        if m.group(3) is not None:
            return f"var.{m.group(1)}.get({m.group(2)}{variables.get(m.group(3), m.group(3))}{m.group(2)}"
        key = variables.get(m.group(5), m.group(5))
        if not re.fullmatch(r"[A-Za-z0-9_]+", key):  # not writable as an attribute: use get()
            return f"var.{m.group(4)}.get('{key}')"
        return f"var.{m.group(4)}.{key}"

    return _VAR.sub(repl, text) if "var." in text else text


def _walk_strings(value: Any, fn: Any) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_walk_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _walk_strings(v, fn) for k, v in value.items()}
    return value


def _bind_parameters(params: dict[str, Any], connections: dict[str, str]) -> dict[str, Any]:
    out = {}
    for key, value in params.items():
        if is_connection_field(key) and isinstance(value, str) and value in connections:
            value = connections[value]
        out[key] = value
    return out


def _bind_notifications(items: list[dict[str, Any]], connections: dict[str, str]) -> None:
    for item in items:
        conn = item.get("connection_id")
        if isinstance(conn, str) and conn in connections:
            item["connection_id"] = connections[conn]


def _bind_policy(policy: dict[str, Any], pools: dict[str, str]) -> None:
    pool = policy.get("pool")
    if isinstance(pool, str) and pool in pools:
        policy["pool"] = pools[pool]


def _declaring_schema(node: dict[str, Any]) -> dict[str, Any]:
    """The schema whose fields an input node declares as DAG params (validation's rule)."""
    schema = node.get("input_schema") or node.get("output_schema") or {}
    return schema if isinstance(schema, dict) else {}


def bind(wf: Workflow, bindings: Bindings) -> Workflow:
    """``wf`` as it compiles for an environment with ``bindings`` (``wf`` itself when there are none)."""
    if not bindings:
        return wf
    # Only the fields the author set, so defaults stay defaults (effective policies read the set).
    data = copy.deepcopy(wf.model_dump(mode="json", exclude_unset=True))
    conns, variables = bindings.connections, bindings.variables
    _bind_notifications(data.get("notifications", []), conns)
    _bind_policy(data.get("defaults", {}), bindings.pools)
    for group in data.get("groups", []):
        _bind_notifications(group.get("notifications", []), conns)
    for node in data.get("nodes", []):
        _bind_notifications(node.get("notifications", []), conns)
        _bind_policy(node.get("execution", {}), bindings.pools)
        if "parameters" in node:
            node["parameters"] = _bind_parameters(node["parameters"], conns)
        agent = node.get("agent")
        if agent is not None:
            conn = agent.get("connection_id", "openai_default")
            if conn in conns:
                agent["connection_id"] = conns[conn]
        if variables:
            for key in ("templates", "parameters"):
                if key in node:
                    node[key] = _walk_strings(node[key], lambda s: _bind_vars(s, variables))
            if agent is not None:
                for key in ("prompt", "system_prompt"):
                    if isinstance(agent.get(key), str):
                        agent[key] = _bind_vars(agent[key], variables)
        if node.get("type") == "input" and bindings.params:
            properties = (_declaring_schema(node).get("properties")) or {}
            for name, default in bindings.params.items():
                if isinstance(properties.get(name), dict):
                    properties[name]["default"] = default
    if bindings.params:
        declared = {
            name
            for node in data.get("nodes", [])
            if node.get("type") == "input"
            for name in (_declaring_schema(node).get("properties") or {})
        }
        params = dict(data.get("params", {}))
        params.update({k: v for k, v in bindings.params.items() if k not in declared})
        data["params"] = params
    if bindings.dag_id_suffix:
        data["id"] = wf.id + bindings.dag_id_suffix
        if len(data["id"]) > MAX_ID_LENGTH:
            raise SpecError(
                [
                    Problem(
                        "E_ID_TOO_LONG",
                        f"The workflow id with this environment's dag_id_suffix is longer than "
                        f"{MAX_ID_LENGTH} characters.",
                        "/id",
                        hint="Shorten the workflow id or the environment's dag_id_suffix.",
                    )
                ]
            )
    return Workflow.model_validate(data)
